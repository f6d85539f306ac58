"""Identity review of walk-ins (待审核身份): match a pending row to a resident, create a resident from the
claimed name and phone, or reject. A decision applies to every pending row with that phone in the
activity; where the resident already has a row in a session, the pending row is merged into it (voided,
its times folded in) so that no person is ever counted twice."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can
from wushe.core.services import record_void, save_with_history

from ..models import Attendance, MatchStatus
from ._common import require_change
from .attendance import MSG_RESIDENT_UNAVAILABLE, _refresh_minutes

MSG_NOT_PENDING = _("该签到记录不是待审核状态。")
MSG_MERGED = _("与同一居民在本场次的签到记录合并")
MSG_REJECT_REASON_REQUIRED = _("驳回须填写原因。")


def _pending_rows(attendance: Attendance):
    return (Attendance.objects.active().select_related("session")
            .filter(session__activity=attendance.session.activity, resident__isnull=True, volunteer__isnull=True,
                    claimed_phone=attendance.claimed_phone)
            .exclude(match_status=MatchStatus.MATCHED))


def _check(actor, attendance: Attendance) -> None:
    require_change(actor, attendance.session.activity)
    if attendance.is_voided or attendance.match_status != MatchStatus.PENDING or attendance.resident_id:
        raise ValidationError(MSG_NOT_PENDING, code="not_pending")


def _earliest(a, b):
    return min(x for x in (a, b) if x) if (a or b) else None


def _latest(a, b):
    return max(x for x in (a, b) if x) if (a or b) else None


def _link(actor, attendance: Attendance, resident) -> list[Attendance]:
    linked = []
    for row in _pending_rows(attendance):
        existing = Attendance.objects.active().filter(session=row.session, resident=resident).first()
        if existing is not None:
            existing.signed_in_at = _earliest(existing.signed_in_at, row.signed_in_at)
            existing.signed_out_at = _latest(existing.signed_out_at, row.signed_out_at)
            _refresh_minutes(existing)
            save_with_history(existing, actor=actor)
            record_void(actor=actor, obj=row, reason=str(MSG_MERGED))
            linked.append(existing)
        else:
            row.resident = resident
            row.match_status = MatchStatus.MATCHED
            save_with_history(row, actor=actor)
            linked.append(row)
    return linked


@transaction.atomic
def pending_match(*, actor, attendance: Attendance, resident) -> list[Attendance]:
    """This walk-in is `resident`: link (or merge) every pending row with the same phone in the activity."""
    _check(actor, attendance)
    if resident is None or resident.is_voided or not can(actor, Action.VIEW, Resource.RESIDENT, resident):
        raise ValidationError({"resident": [MSG_RESIDENT_UNAVAILABLE]}, code="resident_unavailable")
    return _link(actor, attendance, resident)


@transaction.atomic
def pending_create_resident(*, actor, attendance: Attendance, region=None) -> list[Attendance]:
    """Register the walk-in as a new resident (name and phone as given) in the activity's community."""
    from wushe.people.services import resident_create

    _check(actor, attendance)
    resident = resident_create(actor=actor, region=region or attendance.session.activity.region,
                               name=attendance.claimed_name, phone=attendance.claimed_phone)
    return _link(actor, attendance, resident)


@transaction.atomic
def pending_reject(*, actor, attendance: Attendance, reason: str) -> list[Attendance]:
    """Not a real participant (a test scan, a wrong phone): the rows stay, uncounted, with the reason."""
    _check(actor, attendance)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [MSG_REJECT_REASON_REQUIRED]}, code="reason_required")
    rows = list(_pending_rows(attendance))
    for row in rows:
        row.match_status = MatchStatus.REJECTED
        save_with_history(row, actor=actor, reason=reason)
    return rows
