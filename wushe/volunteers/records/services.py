"""Writes for volunteer hours: the organizer's confirmation, correction requests and answers, extracts.

Confirmed minutes are never edited directly: `hours_correction_answer` (accepting a volunteer's request) is
the only write that changes them afterwards, and it keeps the before/after minutes on the request.
"""

from __future__ import annotations

import datetime
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can, restrict
from wushe.activities.models import Activity, Attendance, HoursStatus, ParticipantRole
from wushe.activities.services.attendance import SERVICE_WINDOW_SLACK, service_minutes_for
from wushe.core.services import record_void, save_with_history

from ..models import CorrectionStatus, HoursCorrection, ServiceRecordExtract, Volunteer
from .units import Unit, may_act_for_unit

MSG_ACTIVITY_VOIDED = _("该活动已作废，不能确认服务时长。")
MSG_NOTHING_TO_CONFIRM = _("没有待确认的志愿者服务记录。")
MSG_NOT_VOLUNTEER_ROW = _("只能确认志愿者的服务记录。")
MSG_OTHER_ACTIVITY = _("所选服务记录不属于该活动。")
MSG_ALREADY_CONFIRMED = _("{name}：服务时长已确认，如需修改请由志愿者提交更正申请。")
MSG_SESSION_NOT_STARTED = _("{name}：该场次尚未开始，不能确认服务时长。")
MSG_MINUTES_MISSING = _("{name}：未记录服务时长，请填写实际服务时长（分钟）。")
MSG_MINUTES_POSITIVE = _("{name}：服务时长须为大于0的整数分钟。")
MSG_MINUTES_OVER_ACTUAL = _("{name}：服务时长不能超过签到至签退的实际在岗时间（{limit}分钟），往返路途时间不计入。")
MSG_MINUTES_OVER_SESSION = _("{name}：服务时长不能超过场次时间（含前后各1小时，共{limit}分钟）。")
MSG_TEXT_TOO_LONG = _("{name}：服务内容和服务评价各不能超过200个字。")

MSG_NOT_OWN_RECORD = _("只能对本人的服务记录申请更正。")
MSG_CORRECTION_NOT_CONFIRMED = _("该服务时长尚未确认，无需申请更正；请联系活动组织者。")
MSG_CORRECTION_PENDING = _("该服务记录已有待处理的更正申请。")
MSG_CORRECTION_MINUTES = _("申请更正的时长须为1至1440之间的整数分钟。")
MSG_CORRECTION_SAME = _("申请更正的时长与现有时长相同。")
MSG_CORRECTION_REASON = _("请填写更正理由。")
MSG_CORRECTION_ANSWERED = _("该更正申请已处理。")
MSG_ANSWER_REQUIRED = _("不予更正时须填写处理意见。")
MSG_RECORD_VOIDED = _("该服务记录已作废。")

MSG_ISSUER_REQUIRED = _("请选择出具单位。")
MSG_ISSUER_VOIDED = _("出具组织已作废。")
MSG_PERIOD_INVALID = _("服务起始日期不能晚于截止日期。")
MSG_PERIOD_FUTURE = _("服务截止日期不能晚于今天。")
MSG_FIELD_REQUIRED = _("此项为必填项。")
MSG_VOLUNTEER_VOIDED = _("该志愿者档案已作废。")
MSG_NO_CONFIRMED_HOURS = _("该志愿者在此期间没有本单位组织的活动中已确认的服务时长，不能出具记录证明。")
MSG_EXTRACT_VOIDED = _("该记录证明已作废。")

MAX_CORRECTION_MINUTES = 24 * 60
NUMBER_PREFIX = "ZYJL"
# No 0/O, 1/I/L: the number is read aloud and typed from paper.
NUMBER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
NUMBER_RANDOM_LENGTH = 6
TEXT_MAX = 200


def _name(attendance: Attendance) -> str:
    return attendance.volunteer.name if attendance.volunteer_id else str(attendance.pk)


def _require_organizer(actor, activity: Activity) -> None:
    if not can(actor, Action.CHANGE, Resource.ACTIVITY, activity):
        raise PermissionDenied


def max_minutes_for(attendance: Attendance) -> tuple[int, bool]:
    """The most minutes a row may count, and whether that limit is the actual sign-in→sign-out span.

    With both times recorded it is their span (clipped to the session window); otherwise (roster or batch
    entry) the session window widened by the same slack the sign-in uses.
    """
    session = attendance.session
    if attendance.signed_in_at and attendance.signed_out_at:
        return service_minutes_for(session, attendance.signed_in_at, attendance.signed_out_at) or 0, True
    window = session.ends_at - session.starts_at + 2 * SERVICE_WINDOW_SLACK
    return int(window.total_seconds() // 60), False


def _parse_minutes(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def _volunteer_rows(activity: Activity):
    return (Attendance.objects.filter(session__activity=activity, role=ParticipantRole.VOLUNTEER,
                                      volunteer__isnull=False, voided_at__isnull=True,
                                      session__voided_at__isnull=True)
            .select_related("session", "volunteer").order_by("session__sequence", "volunteer__volunteer_number"))


# Confirmation -------------------------------------------------------------------------------------------

@transaction.atomic
def hours_confirm(*, actor, activity: Activity | None = None, attendances=None, minutes_overrides=None,
                  service_contents=None, evaluations=None) -> list[Attendance]:
    """The organizer confirms volunteer attendance: every row of `activity` still unconfirmed, or the given
    `attendances` (all of one activity). Overrides are keyed by the attendance's public_id (str).

    All or nothing: one invalid row refuses the whole confirmation with one message per row.
    """
    minutes_overrides = {str(k): v for k, v in (minutes_overrides or {}).items()}
    service_contents = {str(k): v for k, v in (service_contents or {}).items()}
    evaluations = {str(k): v for k, v in (evaluations or {}).items()}
    if attendances is not None:
        rows = list(attendances)
        if activity is None and rows:
            activity = rows[0].session.activity
    else:
        rows = None
    if activity is None:
        raise ValidationError(MSG_NOTHING_TO_CONFIRM, code="nothing_to_confirm")
    _require_organizer(actor, activity)
    if activity.is_voided:
        raise ValidationError(MSG_ACTIVITY_VOIDED, code="activity_voided")
    explicit = rows is not None
    if rows is None:
        rows = [row for row in _volunteer_rows(activity) if row.hours_status != HoursStatus.CONFIRMED]
    # Lock the rows so a concurrent sign-out or confirmation cannot interleave.
    locked = {row.pk: row for row in Attendance.objects.select_for_update(of=("self",))
              .filter(pk__in=[row.pk for row in rows]).select_related("session", "volunteer")}
    rows = [locked[row.pk] for row in rows if row.pk in locked]
    if not rows:
        raise ValidationError(MSG_NOTHING_TO_CONFIRM, code="nothing_to_confirm")
    now = timezone.now()
    errors: list = []
    for row in rows:
        name = _name(row)
        if row.session.activity_id != activity.pk:
            errors.append(MSG_OTHER_ACTIVITY)
            continue
        if row.role != ParticipantRole.VOLUNTEER or row.volunteer_id is None:
            errors.append(MSG_NOT_VOLUNTEER_ROW)
            continue
        if row.is_voided or row.session.is_voided:
            errors.append(MSG_RECORD_VOIDED)
            continue
        if row.hours_status == HoursStatus.CONFIRMED:
            if explicit:
                errors.append(str(MSG_ALREADY_CONFIRMED).format(name=name))
            continue
        if row.session.starts_at > now:
            errors.append(str(MSG_SESSION_NOT_STARTED).format(name=name))
            continue
        key = str(row.public_id)
        minutes = _parse_minutes(minutes_overrides.get(key))
        if minutes is None:
            minutes = row.service_minutes
            if minutes is None and row.signed_in_at and row.signed_out_at:
                minutes = service_minutes_for(row.session, row.signed_in_at, row.signed_out_at)
        if minutes is None or minutes == 0:
            errors.append(str(MSG_MINUTES_MISSING).format(name=name))
            continue
        if minutes < 0:
            errors.append(str(MSG_MINUTES_POSITIVE).format(name=name))
            continue
        limit, actual = max_minutes_for(row)
        if minutes > limit:
            message = MSG_MINUTES_OVER_ACTUAL if actual else MSG_MINUTES_OVER_SESSION
            errors.append(str(message).format(name=name, limit=limit))
            continue
        content = (service_contents.get(key, row.service_content) or "").strip()
        evaluation = (evaluations.get(key, row.evaluation) or "").strip()
        if len(content) > TEXT_MAX or len(evaluation) > TEXT_MAX:
            errors.append(str(MSG_TEXT_TOO_LONG).format(name=name))
            continue
        row.service_minutes, row.service_content, row.evaluation = minutes, content, evaluation
    if errors:
        raise ValidationError({"minutes": errors}, code="confirm_invalid")
    confirmed = [row for row in rows if row.hours_status != HoursStatus.CONFIRMED]
    if not confirmed:
        raise ValidationError(MSG_NOTHING_TO_CONFIRM, code="nothing_to_confirm")
    for row in confirmed:
        row.hours_status, row.hours_confirmed_by, row.hours_confirmed_at = HoursStatus.CONFIRMED, actor, now
        save_with_history(row, actor=actor, reason="confirm_hours")
    activity.hours_confirmed_at, activity.hours_confirmed_by = now, actor
    save_with_history(activity, actor=actor, reason="confirm_hours")
    return confirmed


# Corrections --------------------------------------------------------------------------------------------

def _own_volunteer(actor) -> Volunteer | None:
    if not getattr(actor, "is_authenticated", False):
        return None
    return Volunteer.objects.active().filter(user=actor).first()


@transaction.atomic
def hours_correction_request(*, actor, attendance: Attendance, requested_minutes, reason: str) -> HoursCorrection:
    """The volunteer of a confirmed row asks the organizer to correct its minutes (one pending per row)."""
    own = _own_volunteer(actor)
    if own is None or attendance.volunteer_id != own.pk:
        raise PermissionDenied(MSG_NOT_OWN_RECORD)
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    errors: dict = {}
    if attendance.is_voided:
        raise ValidationError(MSG_RECORD_VOIDED, code="voided")
    if attendance.hours_status != HoursStatus.CONFIRMED:
        raise ValidationError(MSG_CORRECTION_NOT_CONFIRMED, code="not_confirmed")
    if HoursCorrection.objects.filter(attendance=attendance, status=CorrectionStatus.PENDING).exists():
        raise ValidationError(MSG_CORRECTION_PENDING, code="pending")
    minutes = _parse_minutes(requested_minutes)
    if minutes is None or not 0 < minutes <= MAX_CORRECTION_MINUTES:
        errors["requested_minutes"] = [MSG_CORRECTION_MINUTES]
    elif minutes == attendance.service_minutes:
        errors["requested_minutes"] = [MSG_CORRECTION_SAME]
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = [MSG_CORRECTION_REASON]
    if errors:
        raise ValidationError(errors)
    correction = HoursCorrection(attendance=attendance, volunteer=own, minutes_before=attendance.service_minutes,
                                 requested_minutes=minutes, reason=reason)
    try:
        with transaction.atomic():
            save_with_history(correction, actor=actor)
    except IntegrityError as error:  # a concurrent request for the same row won the race
        raise ValidationError(MSG_CORRECTION_PENDING, code="pending") from error
    return correction


@transaction.atomic
def hours_correction_answer(*, actor, correction: HoursCorrection, accept: bool, answer: str = "",
                            minutes=None) -> HoursCorrection:
    """Only the organizer answers. Accepting sets the row's minutes (the requested ones unless `minutes`
    is given); refusing needs a written answer (PIPL art. 50: reasons for a refused correction)."""
    correction = (HoursCorrection.objects.select_for_update().select_related("attendance__session__activity")
                  .get(pk=correction.pk))
    attendance = correction.attendance
    _require_organizer(actor, attendance.session.activity)
    if correction.status != CorrectionStatus.PENDING:
        raise ValidationError(MSG_CORRECTION_ANSWERED, code="answered")
    answer = (answer or "").strip()
    if not accept:
        if not answer:
            raise ValidationError({"answer": [MSG_ANSWER_REQUIRED]})
        correction.status = CorrectionStatus.REJECTED
    else:
        value = correction.requested_minutes if minutes in (None, "") else _parse_minutes(minutes)
        if value is None or not 0 < value <= MAX_CORRECTION_MINUTES:
            raise ValidationError({"minutes": [MSG_CORRECTION_MINUTES]})
        attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
        if attendance.is_voided:
            raise ValidationError(MSG_RECORD_VOIDED, code="voided")
        correction.minutes_before = attendance.service_minutes
        correction.minutes_after = value
        correction.status = CorrectionStatus.ACCEPTED
        attendance.service_minutes = value
        save_with_history(attendance, actor=actor, reason="hours_correction")
    correction.answer, correction.answered_by, correction.answered_at = answer, actor, timezone.now()
    save_with_history(correction, actor=actor)
    return correction


# Extracts -----------------------------------------------------------------------------------------------

def new_extract_number(day: datetime.date) -> str:
    """`ZYJL-YYYYMMDD-XXXXXX`, random so that numbers cannot be enumerated on the public page."""
    while True:
        suffix = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_RANDOM_LENGTH))
        number = f"{NUMBER_PREFIX}-{day:%Y%m%d}-{suffix}"
        if not ServiceRecordExtract.objects.filter(number=number).exists():
            return number


def extract_rows(*, actor, volunteer: Volunteer, unit: Unit, period_start, period_end):
    """Confirmed rows of `volunteer` in activities of `unit` (which the actor may change) within the period."""
    activities = restrict(actor, Resource.ACTIVITY, Activity.objects.filter(voided_at__isnull=True), Action.CHANGE)
    return (Attendance.objects.filter(unit.activity_q("session__activity__"), volunteer=volunteer,
                                      role=ParticipantRole.VOLUNTEER, hours_status=HoursStatus.CONFIRMED,
                                      voided_at__isnull=True, session__voided_at__isnull=True,
                                      session__activity__in=activities, service_minutes__gt=0,
                                      session__starts_at__date__gte=period_start,
                                      session__starts_at__date__lte=period_end)
            .select_related("session__activity").order_by("session__starts_at", "id"))


def default_summary(rows) -> str:
    titles = list(dict.fromkeys(row.session.activity.title for row in rows))
    shown = "、".join(f"“{title}”" for title in titles[:5])
    more = _("等") if len(titles) > 5 else ""
    return str(_("参加%(titles)s%(more)s%(count)s项志愿服务活动。")) % {"titles": shown, "more": more,
                                                                   "count": len(titles)}


@transaction.atomic
def extract_issue(*, actor, volunteer: Volunteer, issuer_organization=None, issuer_region=None,
                  period_start, period_end, person_in_charge: str, handler_name: str, contact: str,
                  service_summary: str = "") -> ServiceRecordExtract:
    """Issue a record extract of the unit's own confirmed hours for one volunteer (谁记录谁证明)."""
    errors: dict = {}
    if issuer_organization is not None:
        if issuer_organization.is_voided:
            errors["issuer"] = [MSG_ISSUER_VOIDED]
        unit = Unit(region=issuer_organization.region, organization=issuer_organization)
    elif issuer_region is not None:
        unit = Unit(region=issuer_region)
    else:
        raise ValidationError({"issuer": [MSG_ISSUER_REQUIRED]})
    if not may_act_for_unit(actor, Action.CHANGE, unit):
        raise PermissionDenied
    if volunteer.is_voided:
        errors["volunteer"] = [MSG_VOLUNTEER_VOIDED]
    if period_start and period_end and period_start > period_end:
        errors["period_start"] = [MSG_PERIOD_INVALID]
    if period_end and period_end > timezone.localdate():
        errors["period_end"] = [MSG_PERIOD_FUTURE]
    values = {"person_in_charge": person_in_charge, "handler_name": handler_name, "contact": contact}
    for field, value in list(values.items()):
        values[field] = (value or "").strip()
        if not values[field]:
            errors[field] = [MSG_FIELD_REQUIRED]
    for field, value in (("period_start", period_start), ("period_end", period_end)):
        if not value:
            errors[field] = [MSG_FIELD_REQUIRED]
    if errors:
        raise ValidationError(errors)
    rows = list(extract_rows(actor=actor, volunteer=volunteer, unit=unit, period_start=period_start,
                             period_end=period_end))
    if not rows:
        raise ValidationError(MSG_NO_CONFIRMED_HOURS, code="no_hours")
    today = timezone.localdate()
    extract = ServiceRecordExtract(
        number=new_extract_number(today), volunteer=volunteer, region=unit.region,
        issuer_organization=unit.organization, issuer_name=unit.name, period_start=period_start,
        period_end=period_end, total_minutes=sum(row.service_minutes for row in rows),
        service_summary=(service_summary or "").strip() or default_summary(rows), issued_on=today,
        issued_by=actor, **values)
    save_with_history(extract, actor=actor)
    extract.attendances.set(rows)
    if not can(actor, Action.CHANGE, Resource.SERVICE_RECORD, extract):  # the policy has the last word
        raise PermissionDenied
    return extract


@transaction.atomic
def extract_void(*, actor, extract: ServiceRecordExtract, reason: str) -> ServiceRecordExtract:
    """Void an issued extract; the public page then says it is void (the register keeps it)."""
    if not can(actor, Action.CHANGE, Resource.SERVICE_RECORD, extract):
        raise PermissionDenied
    if extract.is_voided:
        raise ValidationError(MSG_EXTRACT_VOIDED, code="voided")
    return record_void(actor=actor, obj=extract, reason=reason)
