"""Attendance (签到): one row per person and session, whoever records it (QR, roster or batch entry).

A second mark for the same person and session updates the same row. A walk-in's row (claimed name and
phone, pending) is found again by its phone, and a roster mark for a resident whose phone has a pending
row in that session takes over that row instead of adding one.

Volunteer service minutes: the actual time between sign-in and sign-out (travel excluded), with both ends
clipped to the session's window widened by one hour on each side (SERVICE_WINDOW_SLACK), never negative.
Once the organizer confirmed the hours they are not recomputed here (corrections go through volunteers).
"""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can
from wushe.core.identity import validate_mobile
from wushe.core.services import record_void, save_with_history
from wushe.people.models import Resident

from ..models import (
    ActivitySession,
    Attendance,
    AttendanceSource,
    GroupMember,
    HoursStatus,
    MatchStatus,
    ParticipantRole,
    Registration,
    RegistrationStatus,
)
from ._common import MSG_SESSION_VOIDED, require_change, require_writable, void_reason

SERVICE_WINDOW_SLACK = datetime.timedelta(hours=1)

MSG_PERSON_REQUIRED = _("请选择一位居民或一位志愿者。")
MSG_ONE_PERSON_ONLY = _("一条签到记录只能对应一位居民或一位志愿者。")
MSG_RESIDENT_UNAVAILABLE = _("所选居民不存在、已作废或不在您的管辖范围内。")
MSG_VOLUNTEER_UNAVAILABLE = _("所选志愿者不存在或已作废。")
MSG_GUARDIAN_CONSENT_REQUIRED = _("该志愿者未满14周岁，须先登记监护人同意后才能参加志愿服务。")
MSG_SIGNOUT_BEFORE_SIGNIN = _("签退时间不能早于签到时间。")
MSG_HOURS_CONFIRMED = _("该志愿者的服务时长已确认，不能作废签到记录；如需更正请提交时长更正申请。")
MSG_BATCH_EMPTY = _("请至少填写一行“姓名,手机号”。")
MSG_BATCH_LINE = _("第{line}行：{error}")
MSG_BATCH_FORMAT = _("格式应为“姓名,手机号”")
MSG_NAME_REQUIRED = _("请填写姓名。")
MSG_UNMARK_REASON_REQUIRED = _("作废签到记录须填写原因。")


def service_minutes_for(session: ActivitySession, signed_in_at, signed_out_at) -> int | None:
    """Minutes on site between sign-in and sign-out, clipped to the session window ± one hour."""
    if signed_in_at is None or signed_out_at is None:
        return None
    start = max(signed_in_at, session.starts_at - SERVICE_WINDOW_SLACK)
    end = min(signed_out_at, session.ends_at + SERVICE_WINDOW_SLACK)
    return max(0, int((end - start).total_seconds() // 60))


def _refresh_minutes(attendance: Attendance) -> None:
    if attendance.role == ParticipantRole.VOLUNTEER and attendance.hours_status != HoursStatus.CONFIRMED:
        attendance.service_minutes = service_minutes_for(attendance.session, attendance.signed_in_at,
                                                         attendance.signed_out_at)


def check_volunteer_consent(volunteer) -> None:
    if volunteer.needs_guardian_consent and not volunteer.has_guardian_consent:
        raise ValidationError(MSG_GUARDIAN_CONSENT_REQUIRED, code="guardian_consent")


def _check_session(session: ActivitySession) -> None:
    require_writable(session.activity)
    if session.is_voided:
        raise ValidationError(MSG_SESSION_VOIDED, code="voided")


def find_attendance(session: ActivitySession, *, resident=None, volunteer=None, phone: str = ""):
    """The active row for this person at this session, if any (a pending walk-in is found by phone)."""
    rows = Attendance.objects.active().filter(session=session)
    if volunteer is not None:
        return rows.filter(volunteer=volunteer).first()
    if resident is not None:
        return rows.filter(resident=resident).first()
    if phone:
        return rows.filter(resident__isnull=True, volunteer__isnull=True, claimed_phone=phone).first()
    return None


def upsert_attendance(*, actor, session: ActivitySession, source: str, resident=None, volunteer=None,
                      claimed_name: str = "", claimed_phone: str = "", signed_in_at=None, signed_out_at=None,
                      keep_sign_in: bool = False) -> tuple[Attendance, bool]:
    """Create or update the one row of a person at a session; returns (row, created). No permission check:
    callers check (staff services) or hold a valid sign-in token (the QR flow)."""
    row = find_attendance(session, resident=resident, volunteer=volunteer, phone=claimed_phone)
    if row is None and resident is not None and resident.phone:
        # A walk-in row with this resident's phone is this resident: take it over.
        row = find_attendance(session, phone=resident.phone)
        if row is not None:
            row.resident, row.match_status = resident, MatchStatus.MATCHED
    created = row is None
    if created:
        row = Attendance(session=session, resident=resident, volunteer=volunteer, source=source,
                         role=ParticipantRole.VOLUNTEER if volunteer is not None else ParticipantRole.PARTICIPANT,
                         claimed_name=claimed_name, claimed_phone=claimed_phone,
                         match_status=MatchStatus.MATCHED if (resident or volunteer) else MatchStatus.PENDING,
                         recorded_by=actor if getattr(actor, "is_authenticated", False) else None)
    elif claimed_name and row.resident_id is None and row.volunteer_id is None:
        row.claimed_name = claimed_name
        if row.match_status == MatchStatus.REJECTED:
            row.match_status = MatchStatus.PENDING
    if signed_in_at is not None and not (keep_sign_in and row.signed_in_at):
        row.signed_in_at = signed_in_at
    if signed_out_at is not None:
        row.signed_out_at = signed_out_at
    if row.signed_in_at and row.signed_out_at and row.signed_out_at < row.signed_in_at:
        raise ValidationError({"signed_out_at": [MSG_SIGNOUT_BEFORE_SIGNIN]}, code="signout_before_signin")
    _refresh_minutes(row)
    try:
        with transaction.atomic():
            save_with_history(row, actor=actor if getattr(actor, "is_authenticated", False) else None)
    except IntegrityError:
        if not created:
            raise
        # A concurrent scan created the row first: update that one instead.
        return upsert_attendance(actor=actor, session=session, source=source, resident=resident,
                                 volunteer=volunteer, claimed_name=claimed_name, claimed_phone=claimed_phone,
                                 signed_in_at=signed_in_at, signed_out_at=signed_out_at,
                                 keep_sign_in=keep_sign_in)
    return row, created


def _resident_allowed(actor, activity, resident) -> bool:
    if resident.is_voided:
        return False
    if can(actor, Action.VIEW, Resource.RESIDENT, resident):
        return True
    # Organizers without resident access (organization leaders) mark those who signed up or attended.
    return (Registration.objects.filter(activity=activity, resident=resident,
                                        status=RegistrationStatus.REGISTERED).exists()
            or Attendance.objects.active().filter(session__activity=activity, resident=resident).exists()
            or GroupMember.objects.active().filter(group__activity=activity, resident=resident).exists())


@transaction.atomic
def attendance_mark(*, actor, session: ActivitySession, resident=None, volunteer=None, source: str,
                    signed_in_at=None, signed_out_at=None) -> Attendance:
    """Staff mark a resident or a volunteer present (roster or batch). Idempotent per person and session."""
    require_change(actor, session.activity)
    _check_session(session)
    if resident is None and volunteer is None:
        raise ValidationError(MSG_PERSON_REQUIRED, code="person_required")
    if resident is not None and volunteer is not None:
        raise ValidationError(MSG_ONE_PERSON_ONLY, code="one_person")
    if source not in AttendanceSource.values:
        raise ValidationError({"source": [MSG_PERSON_REQUIRED]}, code="bad_source")
    if resident is not None and not _resident_allowed(actor, session.activity, resident):
        raise ValidationError({"resident": [MSG_RESIDENT_UNAVAILABLE]}, code="resident_unavailable")
    if volunteer is not None:
        if volunteer.is_voided:
            raise ValidationError({"volunteer": [MSG_VOLUNTEER_UNAVAILABLE]}, code="volunteer_unavailable")
        check_volunteer_consent(volunteer)
    # Times given explicitly correct the row; a plain roster mark keeps the first sign-in time.
    keep_sign_in = signed_in_at is None
    if signed_in_at is None and source != AttendanceSource.BATCH:
        signed_in_at = timezone.now()
    row, _created = upsert_attendance(actor=actor, session=session, source=source, resident=resident,
                                      volunteer=volunteer, signed_in_at=signed_in_at, signed_out_at=signed_out_at,
                                      keep_sign_in=keep_sign_in)
    return row


@transaction.atomic
def attendance_sign_out(*, actor, attendance: Attendance, signed_out_at=None) -> Attendance:
    require_change(actor, attendance.session.activity)
    _check_session(attendance.session)
    attendance.signed_out_at = signed_out_at or timezone.now()
    if attendance.signed_in_at and attendance.signed_out_at < attendance.signed_in_at:
        raise ValidationError({"signed_out_at": [MSG_SIGNOUT_BEFORE_SIGNIN]}, code="signout_before_signin")
    _refresh_minutes(attendance)
    save_with_history(attendance, actor=actor)
    return attendance


@transaction.atomic
def attendance_unmark(*, actor, attendance: Attendance, reason: str) -> Attendance:
    """Void an attendance row (marked by mistake). Confirmed volunteer hours cannot be voided here."""
    require_change(actor, attendance.session.activity)
    if attendance.hours_status == HoursStatus.CONFIRMED:
        raise ValidationError(MSG_HOURS_CONFIRMED, code="hours_confirmed")
    reason = void_reason(reason)
    if not reason:
        raise ValidationError({"reason": [MSG_UNMARK_REASON_REQUIRED]}, code="reason_required")
    record_void(actor=actor, obj=attendance, reason=reason)
    return attendance


def match_resident(activity, *, name: str, phone: str):
    """An active resident whose name AND phone match, within the activity's street (the parent's subtree).
    None when there is none or more than one (then staff decide)."""
    area = activity.region.parent if activity.region.parent_id else activity.region
    low, high = area.code_range
    found = list(Resident.objects.active().filter(phone=phone, name=name, region__code__gte=low,
                                                  region__code__lte=high)[:2])
    return found[0] if len(found) == 1 else None


def parse_batch(text: str) -> list[tuple[str, str]]:
    """'姓名,手机号' per line (comma, full-width comma, tab or spaces); ValidationError lists bad lines."""
    entries, errors = [], []
    for number, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in re.split(r"[,，\t ]+", line) if p.strip()]
        if len(parts) != 2:
            errors.append(MSG_BATCH_LINE.format(line=number, error=MSG_BATCH_FORMAT))
            continue
        name, phone = parts
        try:
            phone = validate_mobile(phone)
        except ValidationError as error:
            errors.append(MSG_BATCH_LINE.format(line=number, error=error.messages[0]))
            continue
        entries.append((name, phone))
    if errors:
        raise ValidationError({"lines": errors}, code="batch_lines")
    if not entries:
        raise ValidationError({"lines": [MSG_BATCH_EMPTY]}, code="batch_empty")
    return entries


@transaction.atomic
def attendance_batch(*, actor, session: ActivitySession, text: str = "", residents=()) -> list[Attendance]:
    """Enter attendance afterwards: picked residents plus '姓名,手机号' lines, matched or kept pending.
    All or nothing: one bad line refuses the whole batch."""
    require_change(actor, session.activity)
    _check_session(session)
    entries = parse_batch(text) if (text or "").strip() or not residents else []
    rows = [attendance_mark(actor=actor, session=session, resident=r, source=AttendanceSource.BATCH)
            for r in residents]
    for name, phone in entries:
        resident = match_resident(session.activity, name=name, phone=phone)
        if resident is not None:
            rows.append(attendance_mark(actor=actor, session=session, resident=resident,
                                        source=AttendanceSource.BATCH))
        else:
            row, _created = upsert_attendance(actor=actor, session=session, source=AttendanceSource.BATCH,
                                              claimed_name=name, claimed_phone=phone)
            rows.append(row)
    return rows

