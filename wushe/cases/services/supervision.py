"""The supervisor's part: review or sign off any step's record, grant and revoke read access."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action
from wushe.core.services import save_with_history

from ..models import Case, CaseAccessGrant, CaseRecord
from ._common import add_error, clean_text, raise_if, require_case, today

MSG_REVIEW_EMPTY = _("请填写督导意见，或勾选签核。")
MSG_RECORD_SIGNED_OFF = _("该记录已签核，不能再修改督导意见。")
MSG_RECORD_VOIDED = _("该记录已作废。")
MSG_GRANT_USER_REQUIRED = _("请填写被授权人的账号（手机号或用户名）。")
MSG_GRANT_SELF = _("不能给自己授权。")
MSG_GRANT_REASON_REQUIRED = _("请填写授权原因。")
MSG_GRANT_EXPIRY_INVALID = _("有效期须在今天至一年之内。")
MSG_GRANT_EXISTS = _("该账号已有本个案的有效查阅授权。")
MSG_GRANT_REVOKED = _("该授权已撤销。")

GRANT_MAX_DAYS = 366


@transaction.atomic
def case_record_review(*, actor, record: CaseRecord, comment: str = "", sign_off: bool = False) -> CaseRecord:
    """督导审阅: a comment, a sign-off, or both, on the record of any step."""
    require_case(actor, Action.REVIEW, record.case)
    if record.is_voided:
        raise ValidationError(MSG_RECORD_VOIDED, code="record_voided")
    if record.signed_off:
        raise ValidationError(MSG_RECORD_SIGNED_OFF, code="record_signed_off")
    comment = clean_text(comment)
    if not comment and not sign_off:
        raise ValidationError({"comment": [MSG_REVIEW_EMPTY]})
    if comment:
        record.supervisor_comment = comment
    record.signed_off = bool(sign_off)
    record.reviewed_by, record.reviewed_at = actor, timezone.now()
    save_with_history(record, actor=actor)
    return record


@transaction.atomic
def case_grant_access(*, actor, case: Case, user, reason: str, expires_on: datetime.date) -> CaseAccessGrant:
    """An explicit, time-limited grant to read (never change) the case."""
    require_case(actor, Action.REVIEW, case)
    errors: dict = {}
    reason = clean_text(reason)
    if user is None:
        add_error(errors, "user", MSG_GRANT_USER_REQUIRED)
    elif user.pk == actor.pk:
        add_error(errors, "user", MSG_GRANT_SELF)
    elif case.grants.filter(user=user, revoked_at__isnull=True, expires_on__gte=today()).exists():
        add_error(errors, "user", MSG_GRANT_EXISTS)
    if not reason:
        add_error(errors, "reason", MSG_GRANT_REASON_REQUIRED)
    if expires_on is None or not today() <= expires_on <= today() + datetime.timedelta(days=GRANT_MAX_DAYS):
        add_error(errors, "expires_on", MSG_GRANT_EXPIRY_INVALID)
    raise_if(errors)
    grant = CaseAccessGrant(case=case, user=user, reason=reason, expires_on=expires_on, granted_by=actor)
    save_with_history(grant, actor=actor)
    return grant


@transaction.atomic
def case_grant_revoke(*, actor, grant: CaseAccessGrant) -> CaseAccessGrant:
    require_case(actor, Action.REVIEW, grant.case)
    if grant.revoked_at is not None:
        raise ValidationError(MSG_GRANT_REVOKED, code="grant_revoked")
    grant.revoked_at = timezone.now()
    save_with_history(grant, actor=actor)
    return grant
