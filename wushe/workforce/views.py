from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, can, get_object_for, may_ever, require
from wushe.core.history import history_for
from wushe.core.masking import mask_id_number, mask_phone
from wushe.core.pagination import paginate

from . import selectors, services
from .forms import SocialWorkerForm, add_service_errors
from .models import CertificateLevel, Placement, SocialWorker


def _list_filters(request) -> dict:
    user, params = request.user, request.GET
    community = employer = None
    if params.get("community"):
        community = selectors.community_choices(user).filter(code=params["community"]).first()
    if params.get("employer"):
        try:
            employer = selectors.employer_filter_choices(user).filter(public_id=params["employer"]).first()
        except ValidationError:  # not a UUID
            employer = None
    level = params.get("level", "")
    placement = params.get("placement", "")
    return {
        "query": params.get("q", "").strip(),
        "certificate_level": level if level in {*CertificateLevel.values, "certified"} else "",
        "placement": placement if placement in Placement.values else "",
        "community": community,
        "employer": employer,
    }


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0


@login_required
def socialworker_list(request):
    require(request.user, Resource.SOCIAL_WORKER, Action.VIEW)
    workers = selectors.socialworker_list(request.user, **_list_filters(request))
    page = paginate(request, workers)
    for worker in page:
        worker.phone_display = mask_phone(worker.phone)
    context = {"page": page}
    if request.htmx:
        return render(request, "workforce/socialworker_list.html#rows", context)
    counts = selectors.socialworker_overview(request.user)
    context.update({
        "counts": counts,
        "certified_share": _share(counts["certified"], counts["total"]),
        "community_certified_share": _share(counts["community_workers_certified"], counts["community_workers"]),
        "levels": CertificateLevel.choices,
        "placements": Placement.choices,
        "communities": selectors.community_choices(request.user),
        "employers": selectors.employer_filter_choices(request.user),
        "may_create": may_ever(request.user, Resource.SOCIAL_WORKER, Action.CHANGE),
    })
    return render(request, "workforce/socialworker_list.html", context)


@login_required
def socialworker_detail(request, public_id):
    user = request.user
    worker = get_object_for(user, Resource.SOCIAL_WORKER, selectors.socialworker_detail_queryset(),
                            public_id=public_id)
    show_identity = can(user, Action.VIEW_IDENTITY, Resource.SOCIAL_WORKER, worker)
    context = {
        "worker": worker,
        "communities": worker.communities.order_by("code"),
        "mentees": selectors.mentees_of(user, worker),
        "mentor_visible": worker.mentor_id is not None and can(user, Action.VIEW, Resource.SOCIAL_WORKER,
                                                               worker.mentor),
        "id_number_display": worker.id_number if show_identity else mask_id_number(worker.id_number),
        "phone_display": worker.phone if show_identity else mask_phone(worker.phone),
        "may_change": not worker.is_voided and can(user, Action.CHANGE, Resource.SOCIAL_WORKER, worker),
    }
    if can(user, Action.HISTORY, Resource.SOCIAL_WORKER, worker):
        context["history"] = history_for(worker)
    return render(request, "workforce/socialworker_detail.html", context)


def _service_arguments(data: dict) -> dict:
    return {key: data[key] for key in (
        "name", "region", "placement", "employer", "communities", "certificate_level", "certificate_number",
        "certified_on", "mentor", "started_on", "document_type", "id_number", "sex", "birth_date", "phone")}


@login_required
def socialworker_create(request):
    require(request.user, Resource.SOCIAL_WORKER, Action.CHANGE)
    form = SocialWorkerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            worker = services.socialworker_create(actor=request.user, **_service_arguments(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("社工档案已创建。"))
            return redirect("workforce:socialworker_detail", public_id=worker.public_id)
    return render(request, "workforce/socialworker_form.html", {"form": form})


@login_required
def socialworker_edit(request, public_id):
    worker = get_object_for(request.user, Resource.SOCIAL_WORKER, selectors.socialworker_detail_queryset(),
                            action=Action.CHANGE, public_id=public_id)
    if worker.is_voided:
        messages.error(request, services.MSG_RECORD_VOIDED)
        return redirect("workforce:socialworker_detail", public_id=worker.public_id)
    form = SocialWorkerForm(request.POST or None, user=request.user, instance=worker)
    if request.method == "POST" and form.is_valid():
        try:
            services.socialworker_update(actor=request.user, worker=worker, **_service_arguments(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("社工档案已保存。"))
            return redirect("workforce:socialworker_detail", public_id=worker.public_id)
    return render(request, "workforce/socialworker_form.html", {"form": form, "worker": worker})


@login_required
@require_POST
def socialworker_void(request, public_id):
    worker = get_object_for(request.user, Resource.SOCIAL_WORKER, SocialWorker.objects.all(),
                            action=Action.CHANGE, public_id=public_id)
    try:
        services.socialworker_void(actor=request.user, worker=worker, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("社工档案已作废。"))
    return redirect("workforce:socialworker_detail", public_id=worker.public_id)
