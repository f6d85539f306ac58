"""Running a project (execution area): shared helpers, the three-party agreement and tranches.
The ledger (budget lines, expenses, adjustments) is in `ledger.py`; monitoring visits and periodic
reports are in `monitoring.py`; evaluations, closing, archiving and termination are in `evaluations.py`.

Rules (documented here because they are decided here):
- An agreement is signed by an officer (MANAGE) for an APPROVED project only when the review area's
  `agreements_may_be_signed(funding_round)` gives no reasons (publicity over, objections answered, …).
- Budget rule at signing: the active *grant* lines (`self_raised=False`) add up exactly to the approved
  amount; the self-raised money (自筹) is budgeted on its own line(s) (`self_raised=True`) adding up to
  the project's `self_raised_amount`. When the applicant entered no self-raised line, signing creates
  one line "自筹" for that amount.
- Signing creates the tranches from the round's `tranche_plan` (percentages adding up to 100); each
  amount is rounded to the cent and the last tranche takes the remainder, so the sum is exact.
- A tranche is released in order and only when its condition holds: `agreement` after signing,
  `midterm` when the mid-term evaluation passed, `final` after the final evaluation. The first release
  moves CONTRACTED → IN_PROGRESS.
- Evaluations (MONITOR or MANAGE): score = expert and resident scores combined with the round's weights
  (only the expert score when no resident score is given). The grade comes from the round's
  `grade_bands`; an evaluation passes unless its grade is the lowest band (C with the default bands).
  A failed mid-term evaluation sets MIDTERM_FAILED and blocks the mid-term tranches; a passing
  re-evaluation (the same row, history keeps the failed one) unblocks them and resumes IN_PROGRESS.
- Closing (结项, MANAGE): FINAL_REVIEW → CLOSED, needs the final evaluation, every monitoring finding
  answered and no budget adjustment waiting for a decision. Archiving: CLOSED → ARCHIVED.
- Termination (MANAGE) from any running state, with a reason; planned tranches are blocked and a serious
  breach bans the applicant and implementing organizations for the round's `breach_ban_years`.
"""

import datetime
import os
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can
from wushe.core.services import save_with_history

from ..models import (
    Agreement,
    BudgetLine,
    Evaluation,
    EvaluationStage,
    Project,
    ProjectStatus,
    Tranche,
    TrancheCondition,
)
from ..models.rounds import DEFAULT_TRANCHES
from ..states import RUNNING, project_transition

P = ProjectStatus
CENT = Decimal("0.01")
UPLOAD_MAX_BYTES = 10 * 1024 * 1024
# Extension → the leading bytes a genuine file of that type starts with.
UPLOAD_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
SELF_RAISED_CATEGORY = "自筹"

MSG_PROJECT_NOT_RUNNING = _("项目当前状态为“%(status)s”，不能进行此操作。")
MSG_REQUIRED = _("此项为必填项。")
MSG_DATE_IN_FUTURE = _("日期不能晚于今天。")
MSG_DATE_BEFORE_AGREEMENT = _("日期不能早于协议签订日期（%(date)s）。")
MSG_UPLOAD_TYPE = _("仅支持 PDF、JPG、PNG 文件。")
MSG_UPLOAD_TOO_LARGE = _("文件不能超过 10 MB。")
MSG_AMOUNT_POSITIVE = _("金额必须大于0。")
MSG_AMOUNT_INVALID = _("请输入有效的金额（最多两位小数）。")
MSG_REASON_REQUIRED = _("请填写原因。")

MSG_AGREEMENT_NEEDS_APPROVED = _("只有已批准立项的项目才能签订协议。")
MSG_AGREEMENT_EXISTS = _("该项目已签订协议。")
MSG_AGREEMENT_REVIEW_UNAVAILABLE = _("无法确认评审和公示是否已完成，暂不能签约。")
MSG_NO_APPROVED_AMOUNT = _("项目尚无批准金额，不能签约。")
MSG_BUDGET_MISMATCH = _("资助资金预算科目合计 %(total)s 元，须等于批准金额 %(approved)s 元。")
MSG_SELF_RAISED_MISMATCH = _("自筹资金预算科目合计 %(total)s 元，须等于申报的自筹金额 %(expected)s 元。")
MSG_TRANCHE_PLAN_INVALID = _("轮次的拨付计划无效：各批次比例之和须为100%%，条件须为签约后、中期评估通过后或终期评估后。")

MSG_TRANCHE_ALREADY_RELEASED = _("该批次资金已拨付。")
MSG_TRANCHE_BLOCKED = _("该批次资金已暂停拨付：%(reason)s")
MSG_TRANCHE_ORDER = _("请先拨付第 %(sequence)s 批资金。")
MSG_TRANCHE_NEEDS_MIDTERM = _("中期评估通过后才能拨付该批次资金。")
MSG_TRANCHE_NEEDS_FINAL = _("终期评估完成后才能拨付该批次资金。")
MSG_TRANCHE_BLOCKED_MIDTERM = _("中期评估未通过：%(conclusion)s")
MSG_TRANCHE_BLOCKED_TERMINATED = _("项目已终止。")
MSG_FIRST_TRANCHE_REASON = _("首批资金拨付，项目进入实施")


# Shared helpers (used by ledger.py and monitoring.py) ---------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def require(actor, action: Action, project: Project) -> None:
    if not can(actor, action, Resource.PROJECT, project):
        raise PermissionDenied


def require_any(actor, actions: tuple[Action, ...], project: Project) -> None:
    if not any(can(actor, action, Resource.PROJECT, project) for action in actions):
        raise PermissionDenied


def refresh_status(project: Project) -> Project:
    """Re-read the status inside the caller's transaction (the object may have been loaded earlier)."""
    project.status = Project.objects.values_list("status", flat=True).get(pk=project.pk)
    return project


def lock_project(pk: int, *related: str) -> Project:
    """Re-read the project and lock its row until commit (PostgreSQL; SQLite's immediate transactions
    already serialise writers). FOR NO KEY UPDATE: concurrent inserts of rows pointing at the project
    (an expense's foreign-key check takes KEY SHARE) are not blocked, so they cannot deadlock with us."""
    return Project.objects.select_for_update(no_key=True, of=("self",)).select_related(*related).get(pk=pk)


def require_running(project: Project, allowed=RUNNING) -> None:
    refresh_status(project)
    if project.status not in allowed:
        raise ValidationError(MSG_PROJECT_NOT_RUNNING % {"status": project.get_status_display()},
                              code="project_not_running")


def to_amount(value) -> Decimal:
    """A money amount as a Decimal with at most two decimals; ValidationError otherwise."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(MSG_AMOUNT_INVALID, code="amount_invalid") from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError(MSG_AMOUNT_INVALID, code="amount_invalid")
    return amount.quantize(CENT)


def clean_text(value) -> str:
    return (value or "").strip()


def validate_upload(upload, *, field: str) -> None:
    """Accept pdf/jpg/png up to 10 MB, checked by extension and by the file's leading bytes."""
    extension = os.path.splitext(upload.name or "")[1].lower()
    signatures = UPLOAD_SIGNATURES.get(extension)
    if signatures is None:
        raise ValidationError({field: ValidationError(MSG_UPLOAD_TYPE, code="file_type")})
    if upload.size > UPLOAD_MAX_BYTES:
        raise ValidationError({field: ValidationError(MSG_UPLOAD_TOO_LARGE, code="file_size")})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError({field: ValidationError(MSG_UPLOAD_TYPE, code="file_type")})


def raise_errors(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# Agreement ---------------------------------------------------------------------------------------------


def signing_blockers(funding_round) -> list[str]:
    """Reasons the review area gives why agreements of this round may not be signed yet."""
    try:
        from wushe.projects.services.review import agreements_may_be_signed
    except ImportError:  # the review area is not installed: refuse rather than skip its checks
        return [str(MSG_AGREEMENT_REVIEW_UNAVAILABLE)]
    return [str(reason) for reason in agreements_may_be_signed(funding_round) or []]


def tranche_plan_for(funding_round) -> list[dict]:
    plan = funding_round.tranche_plan or DEFAULT_TRANCHES
    try:
        parsed = [{"percent": Decimal(str(step["percent"])), "condition": TrancheCondition(step["condition"])}
                  for step in plan]
    except (KeyError, TypeError, ValueError, InvalidOperation):
        raise ValidationError(MSG_TRANCHE_PLAN_INVALID, code="tranche_plan_invalid") from None
    if not parsed or sum(step["percent"] for step in parsed) != 100 or any(s["percent"] <= 0 for s in parsed):
        raise ValidationError(MSG_TRANCHE_PLAN_INVALID, code="tranche_plan_invalid")
    return parsed


def split_amount(total: Decimal, percents: list[Decimal]) -> list[Decimal]:
    """Amounts for the percentages, rounded to the cent; the last one takes the remainder."""
    amounts = [(total * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP) for percent in percents[:-1]]
    return [*amounts, total - sum(amounts, Decimal("0"))]


@transaction.atomic
def agreement_sign(*, actor, project: Project, signed_on, funder_name: str, implementer_signatory: str,
                   worker_signatory: str, community_signatory: str, terms: str = "", file=None) -> Agreement:
    require(actor, Action.MANAGE, project)
    project = lock_project(project.pk)
    if project.status != P.APPROVED:
        raise ValidationError(MSG_AGREEMENT_NEEDS_APPROVED, code="agreement_needs_approved")
    if Agreement.objects.filter(project=project).exists():
        raise ValidationError(MSG_AGREEMENT_EXISTS, code="agreement_exists")
    reasons = signing_blockers(project.funding_round)
    if reasons:
        raise ValidationError(reasons, code="agreement_blocked")
    values = {"funder_name": clean_text(funder_name), "implementer_signatory": clean_text(implementer_signatory),
              "worker_signatory": clean_text(worker_signatory), "community_signatory": clean_text(community_signatory)}
    errors = {name: [MSG_REQUIRED] for name, value in values.items() if not value}
    if not signed_on:
        errors["signed_on"] = [MSG_REQUIRED]
    elif signed_on > today():
        errors["signed_on"] = [MSG_DATE_IN_FUTURE]
    raise_errors(errors)
    if file:
        validate_upload(file, field="file")
    approved = project.approved_amount
    if not approved or approved <= 0:
        raise ValidationError(MSG_NO_APPROVED_AMOUNT, code="no_approved_amount")
    lines = list(BudgetLine.objects.active().filter(project=project))
    grant_total = sum((line.amount for line in lines if not line.self_raised), Decimal("0"))
    if grant_total != approved:
        raise ValidationError(MSG_BUDGET_MISMATCH % {"total": grant_total, "approved": approved},
                              code="budget_mismatch")
    self_raised_lines = [line for line in lines if line.self_raised]
    self_raised_total = sum((line.amount for line in self_raised_lines), Decimal("0"))
    expected = project.self_raised_amount or Decimal("0")
    if self_raised_lines and self_raised_total != expected:
        raise ValidationError(MSG_SELF_RAISED_MISMATCH % {"total": self_raised_total, "expected": expected},
                              code="self_raised_mismatch")
    plan = tranche_plan_for(project.funding_round)

    agreement = Agreement(project=project, signed_on=signed_on, terms=clean_text(terms), recorded_by=actor,
                          **values)
    if file:
        agreement.file = file
    save_with_history(agreement, actor=actor)
    if not self_raised_lines and expected > 0:
        line = BudgetLine(project=project, category=SELF_RAISED_CATEGORY, amount=expected, self_raised=True,
                          sort_order=max((line.sort_order for line in lines), default=0) + 1)
        save_with_history(line, actor=actor)
    for sequence, (step, amount) in enumerate(
            zip(plan, split_amount(approved, [step["percent"] for step in plan]), strict=True), start=1):
        tranche = Tranche(project=project, sequence=sequence, percent=step["percent"], amount=amount,
                          condition=step["condition"])
        save_with_history(tranche, actor=actor)
    project_transition(actor=actor, project=project, to=P.CONTRACTED, reason=str(_("签订三方协议")))
    return agreement


# Tranches ----------------------------------------------------------------------------------------------


def tranche_blocker(tranche: Tranche, project: Project, *, tranches=None, evaluations=None) -> str | None:
    """Why the tranche cannot be released now (None when it can); shown beside the release button.
    Pages pass the project's `tranches` and `evaluations` (by stage) they already loaded."""
    if tranches is None:
        tranches = list(Tranche.objects.filter(project=project))
    if evaluations is None:
        evaluations = {e.stage: e for e in Evaluation.objects.filter(project=project)}
    if tranche.status == Tranche.Status.RELEASED:
        return str(MSG_TRANCHE_ALREADY_RELEASED)
    if tranche.status == Tranche.Status.BLOCKED:
        return str(MSG_TRANCHE_BLOCKED % {"reason": tranche.note})
    if project.status not in RUNNING | {P.CLOSED}:
        return str(MSG_PROJECT_NOT_RUNNING % {"status": project.get_status_display()})
    earlier = sorted(t.sequence for t in tranches
                     if t.sequence < tranche.sequence and t.status != Tranche.Status.RELEASED)
    if earlier:
        return str(MSG_TRANCHE_ORDER % {"sequence": earlier[0]})
    if tranche.condition == TrancheCondition.MIDTERM:
        midterm = evaluations.get(EvaluationStage.MIDTERM)
        if midterm is None or not midterm.passed:
            return str(MSG_TRANCHE_NEEDS_MIDTERM)
    if tranche.condition == TrancheCondition.FINAL and evaluations.get(EvaluationStage.FINAL) is None:
        return str(MSG_TRANCHE_NEEDS_FINAL)
    return None


@transaction.atomic
def tranche_release(*, actor, tranche: Tranche, released_on=None, note: str = "") -> Tranche:
    project = tranche.project
    require(actor, Action.MANAGE, project)
    project = lock_project(project.pk)  # always the project first, then its rows: one lock order
    tranche = Tranche.objects.select_for_update().get(pk=tranche.pk)
    blocker = tranche_blocker(tranche, project)
    if blocker:
        raise ValidationError(blocker, code="tranche_not_releasable")
    released_on = released_on or today()
    if released_on > today():
        raise ValidationError({"released_on": [MSG_DATE_IN_FUTURE]})
    signed_on = project.agreement.signed_on
    if released_on < signed_on:
        raise ValidationError({"released_on": [MSG_DATE_BEFORE_AGREEMENT % {"date": signed_on}]})
    tranche.status = Tranche.Status.RELEASED
    tranche.released_on = released_on
    tranche.released_by = actor
    if clean_text(note):
        tranche.note = clean_text(note)
    save_with_history(tranche, actor=actor, reason=str(Tranche.Status.RELEASED.label))
    if project.status == P.CONTRACTED:
        project_transition(actor=actor, project=project, to=P.IN_PROGRESS, reason=str(MSG_FIRST_TRANCHE_REASON))
    tranche.project = project
    return tranche


def set_tranche_status(actor, project, *, condition=None, from_status, to_status, note: str) -> None:
    tranches = Tranche.objects.filter(project=project, status=from_status)
    if condition:
        tranches = tranches.filter(condition=condition)
    for tranche in tranches:
        tranche.status = to_status
        tranche.note = note
        save_with_history(tranche, actor=actor, reason=note)
