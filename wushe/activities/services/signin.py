"""The public QR sign-in and sign-out behind /signin/<token>/ (no login needed).

A logged-in resident or volunteer signs in with one button (a volunteer as a volunteer). Anyone else gives
name and mobile phone (or, as a volunteer, their volunteer number and name): a resident whose name AND phone
match within the activity's street is matched, otherwise the row stays pending with the claimed name and
phone, one row per phone and session. Scanning again finds the same row and offers sign-out.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.core.identity import validate_mobile
from wushe.volunteers.models import Volunteer

from ..models import Attendance, AttendanceSource, MatchStatus
from .attendance import (
    MSG_NAME_REQUIRED,
    MSG_SIGNOUT_BEFORE_SIGNIN,
    _refresh_minutes,
    check_volunteer_consent,
    find_attendance,
    match_resident,
    upsert_attendance,
)
from .tokens import read_signin_token

MSG_VOLUNTEER_NOT_FOUND = _("未找到该志愿者：请核对志愿者编号和姓名。")
MSG_NOT_SIGNED_IN = _("未找到您在本场次的签到记录，请先签到。")
MSG_NO_PROFILE = _("您的账号未关联居民或志愿者档案，请填写姓名和手机号签到。")


@dataclass
class SigninResult:
    attendance: Attendance
    created: bool  # False: this person had already signed in to this session

    @property
    def pending(self) -> bool:
        return self.attendance.match_status == MatchStatus.PENDING


def profile_of(user):
    """('volunteer', Volunteer) or ('resident', Resident) for a logged-in user, volunteer first; else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    volunteer = getattr(user, "volunteer", None)
    if volunteer is not None and not volunteer.is_voided:
        return "volunteer", volunteer
    resident = getattr(user, "resident", None)
    if resident is not None and not resident.is_voided:
        return "resident", resident
    return None


def attendance_for_visitor(session, *, user=None, known_ids=()) -> Attendance | None:
    """The visitor's row at this session: by their profile, or by the rows this browser signed in."""
    profile = profile_of(user)
    if profile is not None:
        kind, person = profile
        return find_attendance(session, **{kind: person})
    if known_ids:
        return Attendance.objects.active().filter(session=session, public_id__in=list(known_ids)).first()
    return None


@transaction.atomic
def qr_sign_in(*, token: str, user=None, name: str = "", phone: str = "", volunteer_number: str = "",
               now=None) -> SigninResult:
    """Sign in to the token's session; a second sign-in returns the same row (created=False)."""
    now = now or timezone.now()
    session = read_signin_token(token, now=now).session
    actor = user if getattr(user, "is_authenticated", False) else None
    name = (name or "").strip()
    if not name and not phone and not volunteer_number:
        profile = profile_of(user)
        if profile is None:
            raise ValidationError(MSG_NO_PROFILE, code="no_profile")
        kind, person = profile
        if kind == "volunteer":
            check_volunteer_consent(person)
        row, created = upsert_attendance(actor=actor, session=session, source=AttendanceSource.QR,
                                         signed_in_at=now, keep_sign_in=True, **{kind: person})
        return SigninResult(row, created)
    errors: dict = {}
    if not name:
        errors["name"] = [MSG_NAME_REQUIRED]
    volunteer_number = (volunteer_number or "").strip().upper()
    if not volunteer_number or phone:
        try:
            phone = validate_mobile(phone)
        except ValidationError as error:
            errors["phone"] = error.messages
    if errors:
        raise ValidationError(errors)
    if volunteer_number:
        volunteer = Volunteer.objects.active().filter(volunteer_number=volunteer_number, name=name).first()
        if volunteer is None:
            raise ValidationError({"volunteer_number": [MSG_VOLUNTEER_NOT_FOUND]}, code="volunteer_not_found")
        check_volunteer_consent(volunteer)
        row, created = upsert_attendance(actor=actor, session=session, source=AttendanceSource.QR,
                                         volunteer=volunteer, signed_in_at=now, keep_sign_in=True)
        return SigninResult(row, created)
    resident = match_resident(session.activity, name=name, phone=phone)
    if resident is not None:
        row, created = upsert_attendance(actor=actor, session=session, source=AttendanceSource.QR,
                                         resident=resident, signed_in_at=now, keep_sign_in=True)
    else:
        row, created = upsert_attendance(actor=actor, session=session, source=AttendanceSource.QR,
                                         claimed_name=name, claimed_phone=phone, signed_in_at=now,
                                         keep_sign_in=True)
    return SigninResult(row, created)


@transaction.atomic
def qr_sign_out(*, token: str, attendance_id, now=None) -> Attendance:
    """签退: record the time; a volunteer's service minutes follow (see services.attendance)."""
    now = now or timezone.now()
    session = read_signin_token(token, now=now).session
    row = Attendance.objects.active().filter(session=session, public_id=attendance_id).first()
    if row is None:
        raise ValidationError(MSG_NOT_SIGNED_IN, code="not_signed_in")
    if row.signed_in_at and now < row.signed_in_at:
        raise ValidationError(MSG_SIGNOUT_BEFORE_SIGNIN, code="signout_before_signin")
    row.signed_out_at = now
    _refresh_minutes(row)
    row._history_user = None
    row.save()
    return row
