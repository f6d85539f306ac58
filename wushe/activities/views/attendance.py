"""Staff attendance pages: roster marks, sign-out, batch entry, identity review and the QR code screen."""

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, restrict
from wushe.people.models import Resident

from ..forms.activities import BatchForm
from ..models import Attendance, AttendanceSource, Registration, RegistrationStatus
from ..selectors import activities as selectors
from ..services import activities as activity_services
from ..services import attendance as services
from ..services import pending as pending_services
from ..services.tokens import signin_path, token_expiry


def _roster(activity, session):
    url = redirect("activities:activity_detail", public_id=activity.public_id)
    url["Location"] += f"?session={session.public_id}#attendance"
    return url


def _session(request, public_id, session_id):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    return activity, selectors.get_session_for(request.user, activity, session_id)


def _attendance(activity, attendance_id) -> Attendance:
    row = (Attendance.objects.active().select_related("session", "resident", "volunteer")
           .filter(session__activity=activity, public_id=attendance_id).first())
    if row is None:
        raise Http404
    row.session.activity = activity
    return row


@login_required
@require_POST
def attendance_mark(request, public_id, session_id):
    """Mark a registered resident or volunteer present at the session (roster)."""
    activity, session = _session(request, public_id, session_id)
    registration = (Registration.objects.select_related("resident", "volunteer")
                    .filter(activity=activity, public_id=request.POST.get("registration"),
                            status=RegistrationStatus.REGISTERED).first())
    if registration is None:
        raise Http404
    try:
        services.attendance_mark(actor=request.user, session=session, resident=registration.resident,
                                 volunteer=registration.volunteer, source=AttendanceSource.ROSTER)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return _roster(activity, session)


@login_required
@require_POST
def attendance_unmark(request, public_id, attendance_id):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    row = _attendance(activity, attendance_id)
    try:
        services.attendance_unmark(actor=request.user, attendance=row, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("签到记录已作废。"))
    return _roster(activity, row.session)


@login_required
@require_POST
def attendance_sign_out(request, public_id, attendance_id):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    row = _attendance(activity, attendance_id)
    try:
        services.attendance_sign_out(actor=request.user, attendance=row)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return _roster(activity, row.session)


@login_required
def attendance_batch(request, public_id):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    sessions = list(activity.sessions.active().order_by("sequence"))
    form = BatchForm(request.POST or None, sessions=sessions, initial={"session": request.GET.get("session")})
    registered = list(Registration.objects.select_related("resident")
                      .filter(activity=activity, status=RegistrationStatus.REGISTERED, resident__isnull=False))
    if request.method == "POST" and form.is_valid():
        session = selectors.get_session_for(request.user, activity, form.cleaned_data["session"])
        picked = {str(r.resident.public_id): r.resident for r in registered}
        residents = [picked[value] for value in request.POST.getlist("residents") if value in picked]
        try:
            rows = services.attendance_batch(actor=request.user, session=session,
                                             text=form.cleaned_data["lines"], residents=residents)
        except ValidationError as error:
            from ..forms.activities import add_service_errors

            add_service_errors(form, error)
        else:
            pending = sum(1 for row in rows if row.match_status == "pending")
            messages.success(request, _("已录入%(count)d条签到记录，其中%(pending)d条待核验身份。")
                             % {"count": len(rows), "pending": pending})
            return _roster(activity, session)
    return render(request, "activities/attendance_batch.html", {
        "activity": activity, "form": form, "registered": registered})


@login_required
@require_POST
def pending_resolve(request, public_id, attendance_id):
    """Identity review of a walk-in: match to a resident, create a new resident, or reject."""
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    row = _attendance(activity, attendance_id)
    decision = request.POST.get("decision")
    try:
        if decision == "match":
            resident = restrict(request.user, Resource.RESIDENT, Resident.objects.active()).filter(
                public_id=request.POST.get("resident")).first() if request.POST.get("resident") else None
            pending_services.pending_match(actor=request.user, attendance=row, resident=resident)
        elif decision == "create":
            pending_services.pending_create_resident(actor=request.user, attendance=row)
        elif decision == "reject":
            pending_services.pending_reject(actor=request.user, attendance=row, reason=request.POST.get("reason", ""))
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("身份核验已处理。"))
    response = redirect("activities:activity_detail", public_id=activity.public_id)
    response["Location"] += "#pending"
    return response


@login_required
def signin_qr(request, public_id, session_id):
    """The QR code to show on the day (full screen), with the link text; refreshes itself every minute."""
    activity, session = _session(request, public_id, session_id)
    path = signin_path(session)
    url = request.build_absolute_uri(path)
    svg = segno.make(url, error="m").svg_inline(scale=8, border=2, dark="#000", light="#fff")
    return render(request, "activities/signin_qr.html", {
        "activity": activity, "session": session, "url": url, "qr_svg": mark_safe(svg),  # noqa: S308
        "expires_at": token_expiry(session), "now": timezone.now(),
    })


@login_required
@require_POST
def signin_rotate(request, public_id, session_id):
    """重新生成二维码: the old printed or shared codes stop working."""
    activity, session = _session(request, public_id, session_id)
    try:
        activity_services.activity_rotate_signin_secret(actor=request.user, activity=activity)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已重新生成二维码，之前的二维码已失效。"))
    return redirect("activities:signin_qr", public_id=activity.public_id, session_id=session.public_id)
