"""Pages of the needs register (需求清单): the register, a need and its projects, the uncovered view."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, can, get_object_for, may_ever, require
from wushe.core.history import history_for
from wushe.core.pagination import paginate
from wushe.imports.views import xlsx_response
from wushe.people.models import PopulationGroup
from wushe.projects.models import Project

from ..forms.needs import LinkProjectForm, MetForm, NeedForm, add_service_errors
from ..models import NeedCategory, NeedPriority, NeedSource, NeedStatus
from ..selectors import needs as selectors
from ..services import needs as services
from ..services.needs_export import needs_export


def _back(need, anchor: str = ""):
    response = redirect("surveys:need_detail", public_id=need.public_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _error(request, error: ValidationError) -> None:
    messages.error(request, "；".join(error.messages))


@login_required
def need_list(request):
    user = request.user
    require(user, Resource.NEED, Action.VIEW)
    filters = selectors.NeedFilters.from_params(request.GET)
    page = paginate(request, selectors.needs_for(user, filters))
    context = {"page": page}
    if request.htmx:
        return render(request, "surveys/needs/list.html#rows", context)
    context.update({
        "categories": NeedCategory.choices, "statuses": NeedStatus.choices, "priorities": NeedPriority.choices,
        "sources": NeedSource.choices, "groups": PopulationGroup.objects.order_by("sort_order", "code"),
        "regions": selectors.filter_region_choices(user),
        "may_create": may_ever(user, Resource.NEED, Action.CHANGE) and selectors.community_choices(user).exists(),
        "may_export": may_ever(user, Resource.NEED, Action.EXPORT),
    })
    return render(request, "surveys/needs/list.html", context)


@login_required
def need_create(request):
    user = request.user
    require(user, Resource.NEED, Action.CHANGE)
    initial = {}
    communities = list(selectors.community_choices(user)[:2])
    if len(communities) == 1:
        initial["region"] = communities[0].code
    if request.GET.get("region"):
        initial["region"] = request.GET["region"]
    form = NeedForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            need = services.need_create(actor=user, **form.arguments())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("需求已登记。"))
            return _back(need)
    return render(request, "surveys/needs/form.html", {"form": form})


@login_required
def need_edit(request, public_id):
    user = request.user
    need = selectors.get_need(user, public_id, action=Action.CHANGE)
    form = NeedForm(request.POST or None, user=user, instance=need)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(actor=user, need=need, **form.arguments())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("需求已保存。"))
            return _back(need)
    return render(request, "surveys/needs/form.html", {"form": form, "need": need})


@login_required
def need_detail(request, public_id):
    user = request.user
    need = selectors.get_need(user, public_id)
    may_change = not need.is_voided and can(user, Action.CHANGE, Resource.NEED, need)
    links = selectors.links_of(need)
    for link in links:
        link.may_unlink = not need.is_voided and services.may_link(user, need, link.project)
    linkable = selectors.linkable_projects(user, need) if not need.is_voided else Project.objects.none()
    context = {
        "need": need, "links": links, "may_change": may_change,
        "link_form": LinkProjectForm(projects=linkable) if linkable.exists() else None,
        "met_form": MetForm() if may_change and need.status == NeedStatus.ANSWERED else None,
        "may_reopen": may_change and need.status == NeedStatus.MET,
        "survey_visible": bool(need.survey_id) and can(user, Action.VIEW, Resource.SURVEY, need.survey),
        "engagement_visible": bool(need.engagement_id) and can(user, Action.VIEW, Resource.NEED, need.engagement),
    }
    if can(user, Action.HISTORY, Resource.NEED, need):
        context["history"] = history_for(need)
    return render(request, "surveys/needs/detail.html", context)


@login_required
@require_POST
def need_link_project(request, public_id):
    user = request.user
    need = selectors.get_need(user, public_id)
    form = LinkProjectForm(request.POST, projects=selectors.linkable_projects(user, need))
    project = None
    if form.is_valid():
        project = form.cleaned_data["project"]
    elif request.POST.get("project"):
        # Not offered (already linked, closed, another community…): let the service say why, or 404.
        project = get_object_for(user, Resource.PROJECT, Project.objects.all(),
                                 public_id=_uuid_or_404(request.POST["project"]))
    if project is None:
        messages.error(request, _("请选择项目。"))
        return _back(need, "projects")
    try:
        services.need_link_project(actor=user, need=need, project=project, note=request.POST.get("note", ""))
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("已关联项目“%(title)s”。") % {"title": project.title})
    return _back(need, "projects")


def _uuid_or_404(value: str):
    import uuid

    from django.http import Http404

    try:
        return uuid.UUID(str(value))
    except ValueError as error:
        raise Http404 from error


@login_required
@require_POST
def need_unlink_project(request, public_id, project_id):
    user = request.user
    need = selectors.get_need(user, public_id)
    link = selectors.get_link(need, project_id)
    try:
        services.need_unlink_project(actor=user, link=link, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("已取消关联。"))
    return _back(need, "projects")


@login_required
@require_POST
def need_mark_met(request, public_id):
    user = request.user
    need = selectors.get_need(user, public_id, action=Action.CHANGE)
    form = MetForm(request.POST)
    form.is_valid()
    met_on = form.cleaned_data.get("met_on")
    try:
        services.need_mark_met(actor=user, need=need, met_on=met_on, note=request.POST.get("note", ""))
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("需求已标记为已满足。"))
    return _back(need)


@login_required
@require_POST
def need_reopen(request, public_id):
    user = request.user
    need = selectors.get_need(user, public_id, action=Action.CHANGE)
    try:
        services.need_reopen(actor=user, need=need, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("需求已重新打开。"))
    return _back(need)


@login_required
@require_POST
def need_void(request, public_id):
    user = request.user
    need = selectors.get_need(user, public_id, action=Action.CHANGE)
    try:
        services.need_void(actor=user, need=need, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("需求已作废。"))
    return _back(need)


@login_required
def need_uncovered(request):
    """Which needs no project answers yet, per community of a community, street or district."""
    user = request.user
    require(user, Resource.NEED, Action.VIEW)
    code = request.GET.get("region", "")
    region = selectors.get_uncovered_region(user, code) if code else selectors.default_uncovered_region(user)
    context = {"region": region, "regions": selectors.uncovered_region_choices(user)[:300]}
    if region is not None:
        context["summary"] = selectors.uncovered_summary(user, region)
        context["page"] = paginate(request, selectors.uncovered_needs(user, region))
    return render(request, "surveys/needs/uncovered.html", context)


@login_required
@require_POST
def project_need_link(request, project_id):
    """From the project page: the project answers a need of its area (the same rules as from the need)."""
    user = request.user
    project = get_object_for(user, Resource.PROJECT, Project.objects.all(), public_id=project_id)
    need_id = request.POST.get("need", "")
    need = selectors.linkable_needs(user, project).filter(public_id=_uuid_or_404(need_id)).first() if need_id else None
    back = redirect("projects:project_detail", public_id=project.public_id)
    back["Location"] += "#project-needs"
    if need is None:
        messages.error(request, _("请选择本项目所在区域需求清单中的需求。"))
        return back
    try:
        services.need_link_project(actor=user, need=need, project=project, note=request.POST.get("note", ""))
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("已关联需求“%(title)s”。") % {"title": need.title})
    return back


def needs_register_response(actor, filters):
    """The register as an .xlsx attachment (the page and the API share it)."""
    buffer = io.BytesIO()
    needs_export(actor=actor, filters=filters, fileobj=buffer)
    return xlsx_response(buffer.getvalue(), _("需求清单.xlsx"))


@login_required
def need_export(request):
    """The register with the page's filters as an Excel file (audited)."""
    return needs_register_response(request.user, selectors.NeedFilters.from_params(request.GET))
