"""转介: refer a case to another worker on the platform (who accepts or declines it) or to an outside
agency (whose answer a case worker records)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action
from wushe.core.services import save_with_history

from ..models import (
    OPEN_STATUSES,
    Case,
    CaseReferral,
    CaseStatus,
    CaseWorker,
    CaseWorkerRole,
    RecordKind,
    ReferralStatus,
)
from ._common import (
    add_error,
    clean_text,
    raise_if,
    require_case,
    require_writable,
    today,
    worker_profile,
    write_record,
)

MSG_REFERRAL_NOT_ALLOWED = _("只有进行中或不接案的个案才能转介。")
MSG_REFERRAL_PENDING = _("该个案已有待回复的转介，请等待回复后再转介。")
MSG_REFERRAL_TARGET_REQUIRED = _("请选择转介的社工，或填写转介的机构（二选一）。")
MSG_REFERRAL_WORKER_INVALID = _("所选社工没有平台账号、已作废，或已在本个案中。")
MSG_REFERRAL_REASON_REQUIRED = _("请填写转介原因。")
MSG_REFERRAL_ANSWERED = _("该转介已回复。")
MSG_REFERRAL_NOT_YOURS = _("只有被转介的社工本人才能回复该转介。")
MSG_WITHDRAW_REASON_REQUIRED = _("请填写撤回转介的原因。")
MSG_WITHDRAW_NOT_PENDING = _("该转介已回复，不能再撤回。")

# A withdrawn referral is stored as declined, answered by the withdrawing case worker, with this marker
# before the reason in `answer_note` (no separate status: the model is unchanged).
WITHDRAWN_PREFIX = "撤回："

REFERABLE = OPEN_STATUSES | {CaseStatus.NOT_ACCEPTED}


@transaction.atomic
def case_refer(*, actor, case: Case, to_worker=None, to_agency: str = "", reason: str) -> CaseReferral:
    require_case(actor, Action.CHANGE, case)
    require_writable(case)
    if case.status not in REFERABLE:
        raise ValidationError(MSG_REFERRAL_NOT_ALLOWED, code="referral_not_allowed")
    if case.referrals.filter(status=ReferralStatus.PENDING).exists():
        raise ValidationError(MSG_REFERRAL_PENDING, code="referral_pending")
    errors: dict = {}
    to_agency, reason = clean_text(to_agency), clean_text(reason)
    if (to_worker is None) == (not to_agency):
        add_error(errors, "to_worker", MSG_REFERRAL_TARGET_REQUIRED)
    elif to_worker is not None and (
            to_worker.is_voided or to_worker.user_id is None
            or case.assignments.filter(worker=to_worker, ended_at__isnull=True).exists()):
        add_error(errors, "to_worker", MSG_REFERRAL_WORKER_INVALID)
    if not reason:
        add_error(errors, "reason", MSG_REFERRAL_REASON_REQUIRED)
    raise_if(errors)
    referral = CaseReferral(case=case, to_worker=to_worker, to_agency=to_agency, reason=reason, referred_by=actor,
                            status_before=case.status)
    save_with_history(referral, actor=actor)
    target = to_worker.name if to_worker is not None else to_agency
    write_record(actor=actor, case=case, kind=RecordKind.REFERRAL, recorded_on=today(),
                 content=_gettext("转介至 %(target)s：%(reason)s") % {"target": target, "reason": reason})
    return referral


def _hand_over(*, actor, referral: CaseReferral) -> None:
    """The receiving worker becomes lead; the referring worker's assignment (and so their access) ends."""
    case = referral.case
    save_with_history(CaseWorker(case=case, worker=referral.to_worker, role=CaseWorkerRole.LEAD), actor=actor)
    referring = worker_profile(referral.referred_by)
    if referring is not None:
        for assignment in case.assignments.filter(worker=referring, ended_at__isnull=True):
            assignment.ended_at = timezone.now()
            save_with_history(assignment, actor=actor, reason=_gettext("转介"))


@transaction.atomic
def referral_answer(*, actor, referral: CaseReferral, accept: bool, note: str = "") -> CaseReferral:
    """To a worker: only that worker answers. To an agency: a case worker records the agency's answer;
    acceptance ends the case as referred."""
    if referral.status != ReferralStatus.PENDING:
        raise ValidationError(MSG_REFERRAL_ANSWERED, code="referral_answered")
    case = referral.case
    if referral.to_worker_id is not None:
        if referral.to_worker.user_id is None or referral.to_worker.user_id != actor.pk:
            raise PermissionDenied(MSG_REFERRAL_NOT_YOURS)
    else:
        require_case(actor, Action.CHANGE, case)
    require_writable(case)
    note = clean_text(note)
    referral.status = ReferralStatus.ACCEPTED if accept else ReferralStatus.DECLINED
    referral.answered_by, referral.answered_at, referral.answer_note = actor, timezone.now(), note
    save_with_history(referral, actor=actor)
    if accept and referral.to_worker_id is not None:
        _hand_over(actor=actor, referral=referral)
    elif accept:
        case.status = CaseStatus.REFERRED
        save_with_history(case, actor=actor, reason=str(CaseStatus.REFERRED.label))
    target = referral.to_worker.name if referral.to_worker_id is not None else referral.to_agency
    outcome = _gettext("%(target)s 已接收转介") if accept else _gettext("%(target)s 拒绝了转介")
    content = outcome % {"target": target} + (f"：{note}" if note else "")
    write_record(actor=actor, case=case, kind=RecordKind.REFERRAL, recorded_on=today(), content=content)
    return referral


def referral_is_withdrawn(referral: CaseReferral) -> bool:
    return referral.status == ReferralStatus.DECLINED and referral.answer_note.startswith(WITHDRAWN_PREFIX)


@transaction.atomic
def referral_withdraw(*, actor, referral: CaseReferral, reason: str) -> CaseReferral:
    """A case worker takes back a referral nobody has answered yet, so the case may be referred again.
    The case's status and workers stay as they were."""
    case = referral.case
    require_case(actor, Action.CHANGE, case)
    require_writable(case)
    if referral.status != ReferralStatus.PENDING:
        raise ValidationError(MSG_WITHDRAW_NOT_PENDING, code="referral_answered")
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": [MSG_WITHDRAW_REASON_REQUIRED]})
    referral.status = ReferralStatus.DECLINED
    referral.answered_by, referral.answered_at = actor, timezone.now()
    referral.answer_note = WITHDRAWN_PREFIX + reason
    save_with_history(referral, actor=actor, reason=_gettext("撤回转介"))
    target = referral.to_worker.name if referral.to_worker_id is not None else referral.to_agency
    write_record(actor=actor, case=case, kind=RecordKind.REFERRAL, recorded_on=today(),
                 content=_gettext("撤回对 %(target)s 的转介：%(reason)s") % {"target": target, "reason": reason})
    return referral
