"""Sign-up (报名): residents while sign-up is open (self-service or added by staff), within capacity and
deadline; volunteers recruited with a duty, refused for a child under 14 without guardian consent."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.core.services import save_with_history

from ..models import Activity, ActivityStatus, ParticipantRole, Registration, RegistrationStatus
from ._common import require_change, require_writable
from .attendance import MSG_RESIDENT_UNAVAILABLE, MSG_VOLUNTEER_UNAVAILABLE, check_volunteer_consent

MSG_SIGNUP_NOT_OPEN = _("该活动当前未开放报名。")
MSG_SIGNUP_DEADLINE_PASSED = _("报名已截止。")
MSG_CAPACITY_FULL = _("报名人数已满。")
MSG_ALREADY_REGISTERED = _("已报名该活动，无需重复报名。")
MSG_RECRUITMENT_CLOSED = _("活动已结束或已取消，不能再招募志愿者。")
MSG_DUTY_REQUIRED = _("请填写志愿岗位（如签到引导、摄影、安全员）。")
MSG_NO_RESIDENT_PROFILE = _("您的账号尚未关联居民档案，请联系社区工作人员。")
MSG_NOT_YOURS = _("只能取消本人的报名。")


def participant_count(activity: Activity) -> int:
    return Registration.objects.filter(activity=activity, role=ParticipantRole.PARTICIPANT,
                                       status=RegistrationStatus.REGISTERED).count()


def signup_problems(activity: Activity, *, now=None) -> list:
    """Why a resident may not sign up now (empty when they may)."""
    now = now or timezone.now()
    if activity.is_voided or activity.status != ActivityStatus.OPEN:
        return [MSG_SIGNUP_NOT_OPEN]
    if activity.signup_deadline and now > activity.signup_deadline:
        return [MSG_SIGNUP_DEADLINE_PASSED]
    if activity.capacity is not None and participant_count(activity) >= activity.capacity:
        return [MSG_CAPACITY_FULL]
    return []


def _register_resident(*, actor, activity: Activity, resident, now=None) -> Registration:
    # Lock the activity so concurrent sign-ups cannot both take the last place.
    Activity.objects.select_for_update().filter(pk=activity.pk).values_list("pk", flat=True).first()
    if Registration.objects.filter(activity=activity, resident=resident,
                                   status=RegistrationStatus.REGISTERED).exists():
        raise ValidationError(MSG_ALREADY_REGISTERED, code="already_registered")
    problems = signup_problems(activity, now=now)
    if problems:
        raise ValidationError(problems, code="signup_refused")
    registration = Registration(activity=activity, role=ParticipantRole.PARTICIPANT, resident=resident,
                                registered_by=actor)
    save_with_history(registration, actor=actor)
    return registration


@transaction.atomic
def registration_add_resident(*, actor, activity: Activity, resident, now=None) -> Registration:
    """Staff sign a resident up (same rules as self-service)."""
    from .attendance import _resident_allowed

    require_change(actor, activity)
    require_writable(activity)
    if resident is None or not _resident_allowed(actor, activity, resident):
        raise ValidationError({"resident": [MSG_RESIDENT_UNAVAILABLE]}, code="resident_unavailable")
    return _register_resident(actor=actor, activity=activity, resident=resident, now=now)


@transaction.atomic
def registration_self(*, user, activity: Activity, now=None) -> Registration:
    """A logged-in resident signs themself up from the activity page."""
    resident = getattr(user, "resident", None) if getattr(user, "is_authenticated", False) else None
    if resident is None or resident.is_voided:
        raise ValidationError(MSG_NO_RESIDENT_PROFILE, code="no_resident")
    return _register_resident(actor=user, activity=activity, resident=resident, now=now)


@transaction.atomic
def registration_add_volunteer(*, actor, activity: Activity, volunteer, duty: str) -> Registration:
    """Recruit a volunteer with a duty; a child under 14 needs a recorded guardian consent."""
    require_change(actor, activity)
    require_writable(activity)
    if activity.status == ActivityStatus.COMPLETED:
        raise ValidationError(MSG_RECRUITMENT_CLOSED, code="recruitment_closed")
    if volunteer is None or volunteer.is_voided:
        raise ValidationError({"volunteer": [MSG_VOLUNTEER_UNAVAILABLE]}, code="volunteer_unavailable")
    duty = (duty or "").strip()
    if not duty:
        raise ValidationError({"duty": [MSG_DUTY_REQUIRED]}, code="duty_required")
    check_volunteer_consent(volunteer)
    existing = Registration.objects.filter(activity=activity, volunteer=volunteer,
                                           status=RegistrationStatus.REGISTERED).first()
    if existing is not None:
        existing.duty = duty
        save_with_history(existing, actor=actor)
        return existing
    registration = Registration(activity=activity, role=ParticipantRole.VOLUNTEER, volunteer=volunteer, duty=duty,
                                registered_by=actor)
    save_with_history(registration, actor=actor)
    return registration


@transaction.atomic
def registration_cancel(*, actor, registration: Registration) -> Registration:
    """Staff cancel any sign-up of their activity; a resident or volunteer cancels their own."""
    own = getattr(actor, "is_authenticated", False) and (
        (registration.resident_id and registration.resident.user_id == actor.pk)
        or (registration.volunteer_id and registration.volunteer.user_id == actor.pk))
    if not own:
        try:
            require_change(actor, registration.activity)
        except PermissionDenied:
            raise PermissionDenied(MSG_NOT_YOURS) from None
    registration.status = RegistrationStatus.CANCELLED
    save_with_history(registration, actor=actor)
    return registration
