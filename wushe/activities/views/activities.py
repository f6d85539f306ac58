"""Activity pages: list, plan and edit, detail, status changes, sessions, sign-up, summary, photos, feedback."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, may_ever, require
from wushe.core.pagination import paginate
from wushe.regions.models import Region
from wushe.volunteers.models import Volunteer

from ..forms.activities import (
    ActivityForm,
    FeedbackForm,
    PhotoForm,
    SessionForm,
    SummaryForm,
    VolunteerRecruitForm,
    add_service_errors,
)
from ..models import ActivityKind, ActivityStatus, Registration
from ..selectors import activities as selectors
from ..selectors.choices import filter_region_choices
from ..selectors.detail import detail_context
from ..services import activities as services
from ..services import media, signup


def _back(activity, anchor=""):
    response = redirect("activities:activity_detail", public_id=activity.public_id)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _error(request, error) -> None:
    messages.error(request, "；".join(error.messages))


@login_required
def activity_list(request):
    require(request.user, Resource.ACTIVITY, Action.VIEW)
    user, params = request.user, request.GET
    region = Region.objects.filter(code=params["region"]).first() if params.get("region") else None
    kind = params.get("kind") if params.get("kind") in ActivityKind.values else None
    status = params.get("status") if params.get("status") in ActivityStatus.values else None
    activities = selectors.activities_visible_to(user, kind=kind, status=status, region=region,
                                                 query=params.get("q", "").strip())
    page = paginate(request, activities)
    context = {"page": page}
    if request.htmx:
        return render(request, "activities/activity_list.html#rows", context)
    context.update({
        "kinds": ActivityKind.choices, "statuses": ActivityStatus.choices,
        "regions": filter_region_choices(user),
        "may_create": may_ever(user, Resource.ACTIVITY, Action.CHANGE),
    })
    return render(request, "activities/activity_list.html", context)


@login_required
def activity_create(request):
    require(request.user, Resource.ACTIVITY, Action.CHANGE)
    form = ActivityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(actor=request.user, **form.arguments())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("活动已创建。"))
            return _back(activity)
    return render(request, "activities/activity_form.html", {"form": form})


@login_required
def activity_edit(request, public_id):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    form = ActivityForm(request.POST or None, user=request.user, instance=activity)
    if request.method == "POST" and form.is_valid():
        arguments = form.arguments()
        try:
            services.activity_update(actor=request.user, activity=activity, **arguments)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("活动已保存。"))
            return _back(activity)
    return render(request, "activities/activity_form.html", {"form": form, "activity": activity})


@login_required
def activity_detail(request, public_id):
    activity = selectors.get_activity_for(request.user, public_id)
    context = detail_context(request.user, activity, session_id=request.GET.get("session"))
    return render(request, "activities/activity_detail.html", context)


@login_required
@require_POST
def activity_transition(request, public_id, transition):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    try:
        services.activity_transition(actor=request.user, activity=activity, transition=transition,
                                     reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("活动状态已更新为“%(status)s”。") % {"status": activity.get_status_display()})
    return _back(activity)


@login_required
@require_POST
def activity_void(request, public_id):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    try:
        services.activity_void(actor=request.user, activity=activity, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("活动已作废。"))
    return _back(activity)


@login_required
def activity_summary(request, public_id):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    form = SummaryForm(request.POST or None, initial={
        "summary": activity.summary, "indirect_beneficiaries": activity.indirect_beneficiaries,
        "indirect_basis": activity.indirect_basis})
    if request.method == "POST" and form.is_valid():
        try:
            services.activity_summary_save(actor=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("活动总结已保存。"))
            return _back(activity, "summary")
    return render(request, "activities/simple_form.html", {
        "form": form, "activity": activity, "heading": _("活动总结与间接受益估算")})


@login_required
def session_add(request, public_id):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_add(actor=request.user, activity=activity, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("场次已添加。"))
            return _back(activity, "sessions")
    return render(request, "activities/simple_form.html", {"form": form, "activity": activity,
                                                           "heading": _("添加场次")})


# Sign-up ------------------------------------------------------------------------------------------------

@login_required
@require_POST
def signup_self(request, public_id):
    activity = selectors.get_activity_for(request.user, public_id)
    try:
        signup.registration_self(user=request.user, activity=activity)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("报名成功。"))
    return _back(activity)


@login_required
@require_POST
def registration_add(request, public_id):
    """Staff sign a resident up by their mobile phone (and name when several share it)."""
    from ..selectors.people import resident_by_phone

    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    resident = resident_by_phone(request.user, activity, request.POST.get("phone", ""),
                                 request.POST.get("name", ""))
    try:
        signup.registration_add_resident(actor=request.user, activity=activity, resident=resident)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("已为%(name)s报名。") % {"name": resident.name})
    return _back(activity, "registrations")


@login_required
@require_POST
def volunteer_recruit(request, public_id):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    form = VolunteerRecruitForm(request.POST)
    if form.is_valid():
        volunteer = Volunteer.objects.active().filter(
            volunteer_number=form.cleaned_data["volunteer_number"].strip().upper()).first()
        try:
            signup.registration_add_volunteer(actor=request.user, activity=activity, volunteer=volunteer,
                                              duty=form.cleaned_data["duty"])
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("志愿者已加入本活动。"))
    else:
        messages.error(request, _("请填写志愿者编号和岗位。"))
    return _back(activity, "registrations")


@login_required
@require_POST
def registration_cancel(request, public_id, registration_id):
    activity = selectors.get_activity_for(request.user, public_id)
    registration = Registration.objects.filter(activity=activity, public_id=registration_id).first()
    if registration is None:
        from django.http import Http404

        raise Http404
    signup.registration_cancel(actor=request.user, registration=registration)
    messages.success(request, _("报名已取消。"))
    return _back(activity, "registrations")


# Photos and feedback ------------------------------------------------------------------------------------

@login_required
@require_POST
def photo_add(request, public_id):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            media.photo_add(actor=request.user, activity=activity, image=form.cleaned_data["image"],
                            caption=form.cleaned_data["caption"])
        except ValidationError as error:
            _error(request, error)
        else:
            messages.success(request, _("照片已上传。"))
    else:
        messages.error(request, media.MSG_PHOTO_REQUIRED)
    return _back(activity, "photos")


@login_required
@require_POST
def photo_void(request, public_id, photo_id):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    photo = activity.photos.active().filter(public_id=photo_id).first()
    if photo is None:
        from django.http import Http404

        raise Http404
    try:
        media.photo_void(actor=request.user, photo=photo, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _error(request, error)
    return _back(activity, "photos")


@login_required
@require_POST
def feedback_add(request, public_id):
    """A resident who attended rates the activity; staff (may change) record a paper form instead."""
    activity = selectors.get_activity_for(request.user, public_id)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        messages.error(request, media.MSG_SATISFACTION_RANGE)
        return _back(activity, "feedback")
    try:
        if request.POST.get("paper") == "1":
            media.feedback_record(actor=request.user, activity=activity, **form.cleaned_data)
        else:
            media.feedback_submit(user=request.user, activity=activity, **form.cleaned_data)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("感谢您的评价。"))
    return _back(activity, "feedback")
