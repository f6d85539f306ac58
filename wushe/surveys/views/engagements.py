"""Pages of focus groups (焦点小组/座谈会) and interviews (访谈), and the needs they raised."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, can, may_ever, require
from wushe.core.forms import add_service_errors
from wushe.core.history import history_for
from wushe.core.pagination import paginate

from ..forms.engagements import EngagementForm
from ..forms.needs import RaiseNeedForm
from ..models import EngagementKind
from ..selectors import needs as selectors
from ..services import engagements as services


def _back(engagement, anchor: str = ""):
    response = redirect("surveys:engagement_detail", public_id=engagement.public_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


@login_required
def engagement_list(request):
    user = request.user
    require(user, Resource.NEED, Action.VIEW)
    page = paginate(request, selectors.engagements_for(user, selectors.EngagementFilters.from_params(request.GET)))
    context = {"page": page}
    if request.htmx:
        return render(request, "surveys/engagements/list.html#rows", context)
    context.update({
        "kinds": EngagementKind.choices, "regions": selectors.filter_region_choices(user),
        "may_create": may_ever(user, Resource.NEED, Action.CHANGE) and selectors.community_choices(user).exists(),
    })
    return render(request, "surveys/engagements/list.html", context)


@login_required
def engagement_create(request):
    user = request.user
    require(user, Resource.NEED, Action.CHANGE)
    initial = {"facilitator": user.public_id}
    communities = list(selectors.community_choices(user)[:2])
    if len(communities) == 1:
        initial["region"] = communities[0].code
    if request.GET.get("kind") in EngagementKind.values:
        initial["kind"] = request.GET["kind"]
    form = EngagementForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.engagement_create(actor=user, **form.arguments())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("座谈/访谈记录已保存，可以继续登记其中提出的需求。"))
            return _back(engagement, "raise")
    return render(request, "surveys/engagements/form.html", {"form": form})


@login_required
def engagement_edit(request, public_id):
    user = request.user
    engagement = selectors.get_engagement(user, public_id, action=Action.CHANGE)
    form = EngagementForm(request.POST or None, user=user, instance=engagement)
    if request.method == "POST" and form.is_valid():
        try:
            services.engagement_update(actor=user, engagement=engagement, **form.arguments())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("座谈/访谈记录已保存。"))
            return _back(engagement)
    return render(request, "surveys/engagements/form.html", {"form": form, "engagement": engagement})


@login_required
def engagement_detail(request, public_id):
    user = request.user
    engagement = selectors.get_engagement(user, public_id)
    may_change = not engagement.is_voided and can(user, Action.CHANGE, Resource.NEED, engagement)
    context = {
        "engagement": engagement, "may_change": may_change,
        "groups": list(engagement.participant_groups.order_by("sort_order", "code")),
        "needs": list(selectors.needs_of_engagement(user, engagement)),
        "raise_form": RaiseNeedForm() if may_change else None,
        "survey_visible": bool(engagement.survey_id) and can(user, Action.VIEW, Resource.SURVEY, engagement.survey),
    }
    if can(user, Action.HISTORY, Resource.NEED, engagement):
        context["history"] = history_for(engagement)
    return render(request, "surveys/engagements/detail.html", context)


@login_required
@require_POST
def engagement_void(request, public_id):
    user = request.user
    engagement = selectors.get_engagement(user, public_id, action=Action.CHANGE)
    try:
        services.engagement_void(actor=user, engagement=engagement, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("座谈/访谈记录已作废。"))
    return _back(engagement)


@login_required
@require_POST
def engagement_raise_need(request, public_id):
    user = request.user
    engagement = selectors.get_engagement(user, public_id, action=Action.CHANGE)
    form = RaiseNeedForm(request.POST)
    if form.is_valid():
        try:
            need = services.engagement_raise_need(actor=user, engagement=engagement, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记需求“%(title)s”。") % {"title": need.title})
            return _back(engagement, "needs")
    context = {
        "engagement": engagement, "may_change": True, "raise_form": form,
        "groups": list(engagement.participant_groups.order_by("sort_order", "code")),
        "needs": list(selectors.needs_of_engagement(user, engagement)),
        "survey_visible": bool(engagement.survey_id) and can(user, Action.VIEW, Resource.SURVEY, engagement.survey),
    }
    return render(request, "surveys/engagements/detail.html", context, status=422)
