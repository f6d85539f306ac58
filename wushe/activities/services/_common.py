"""Helpers shared by the activity services: permission checks and error collection."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can

MSG_ACTIVITY_VOIDED = _("该活动已作废，不能修改。")
MSG_ACTIVITY_CANCELLED = _("该活动已取消，不能修改。")
MSG_SESSION_VOIDED = _("该场次已作废。")
MSG_VOID_REASON_TOO_LONG = _("作废原因不能超过100个字。")

VOID_REASON_MAX_LENGTH = 100


def add_error(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def require_change(actor, activity) -> None:
    """403 unless the actor may change this activity (the organizer's community, organization or admin)."""
    if not getattr(actor, "is_authenticated", False) or not can(actor, Action.CHANGE, Resource.ACTIVITY, activity):
        raise PermissionDenied


def require_writable(activity) -> None:
    from wushe.activities.models import ActivityStatus

    if activity.is_voided:
        raise ValidationError(MSG_ACTIVITY_VOIDED, code="voided")
    if activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(MSG_ACTIVITY_CANCELLED, code="cancelled")


def void_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > VOID_REASON_MAX_LENGTH:
        raise ValidationError({"reason": [MSG_VOID_REASON_TOO_LONG]}, code="void_reason_too_long")
    return reason
