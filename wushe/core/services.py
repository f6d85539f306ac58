"""Write helpers shared by every app's services."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.utils import update_change_reason  # noqa: F401  (re-exported for apps)

# simple-history's change-reason column holds 100 characters; the full reason stays in `void_reason`.
CHANGE_REASON_MAX = 100
MSG_VOID_REASON_REQUIRED = _("作废必须填写原因。")
MSG_ALREADY_VOIDED = _("该记录已作废。")


def save_with_history(obj, *, actor, reason: str = "") -> None:
    """Save `obj`, attributing the history row to `actor` (with an optional change reason)."""
    obj._history_user = actor
    if reason:
        obj._change_reason = reason[:CHANGE_REASON_MAX]
    obj.full_clean(validate_unique=False, validate_constraints=False)
    obj.save()


@transaction.atomic
def record_void(*, actor, obj, reason: str):
    """Void a record with a reason. Nothing is hard-deleted; history keeps who and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": MSG_VOID_REASON_REQUIRED}, code="void_reason_required")
    if obj.voided_at is not None:
        raise ValidationError(MSG_ALREADY_VOIDED, code="already_voided")
    obj.voided_at = timezone.now()
    obj.voided_by = actor
    obj.void_reason = reason
    obj._history_user = actor
    obj._change_reason = reason[:CHANGE_REASON_MAX]
    obj.save()
    return obj
