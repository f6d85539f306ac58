"""The project's dedicated ledger (专款专用、单独记账): budget lines, expenses and budget adjustments.

Rules
- Budget lines are entered by the applicant side (CHANGE) while the application is a draft or once it is
  approved (to match the approved amount) — i.e. before or at signing. From signing on a line changes
  only through an approved budget adjustment and is never voided. See `execution.py` for the signing
  rule (grant lines = approved amount; self-raised money on its own "自筹" lines).
- A line is never overspent, also under concurrent submissions: `spent` moves only through a
  conditional UPDATE (`spent <= amount - x`) inside the transaction; 0 rows updated means "overspend".
  On SQLite the shipped settings open every transaction with BEGIN IMMEDIATE (writers queue on the lock,
  WAL + busy timeout) and on PostgreSQL the UPDATE's row lock serialises writers, re-checking the
  condition on the latest row. The check constraint `budget_line_not_overspent` is the last defence.
  Line history is not written per expense: the ledger (each Expense with its own history) is the record.
- Expenses: the applicant side, only while the project runs (`states.RUNNING`), dated not in the future
  and not before the agreement date; receipts pdf/jpg/png ≤ 10 MB. Voiding gives the money back.
- Adjustments: the applicant side requests a ±delta on a line (a decrease may not go below what is
  spent) or a move of X from line A to line B (two adjustments sharing `transfer_group`, decided
  together); the officer (MANAGE) approves or rejects. Approval applies each delta with a conditional
  UPDATE. Outside a move, the grant lines may not add up to more than the approved amount; self-raised
  lines are the organization's own money and have no cap. A move stays within grant or self-raised lines.
"""

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action
from wushe.core.services import record_void, save_with_history

from ..models import BudgetAdjustment, BudgetLine, Expense, Project, ProjectStatus
from ..states import EDITABLE_APPLICATION
from .execution import (
    MSG_AMOUNT_POSITIVE,
    MSG_DATE_BEFORE_AGREEMENT,
    MSG_DATE_IN_FUTURE,
    MSG_REASON_REQUIRED,
    MSG_REQUIRED,
    clean_text,
    lock_project,
    raise_errors,
    refresh_status,
    require,
    require_running,
    to_amount,
    today,
    validate_upload,
)

P = ProjectStatus
# Budget lines may be entered while the application is a draft or once approved (before signing).
BUDGET_EDITABLE = set(EDITABLE_APPLICATION) | {P.APPROVED}

MSG_BUDGET_NOT_EDITABLE = _("签约后预算科目只能通过预算调整变更。")
MSG_LINE_NOT_IN_PROJECT = _("请选择本项目有效的预算科目。")
MSG_OVERSPENT = _("超出预算科目“%(line)s”的剩余额度：剩余 %(remaining)s 元，本次支出 %(amount)s 元。如需超支，请先申请预算调整。")
MSG_EXPENSE_ALREADY_VOIDED = _("该笔支出已作废。")
MSG_LEDGER_INCONSISTENT = _("账目数据不一致，请联系管理员。")

MSG_DELTA_ZERO = _("调整金额不能为0。")
MSG_DELTA_BELOW_SPENT = _("调减后预算科目“%(line)s”的金额（%(amount)s 元）将低于已支出金额（%(spent)s 元）。")
MSG_OVER_APPROVED = _("调整后资助资金预算合计 %(total)s 元，将超过批准金额 %(approved)s 元。请改为在科目之间调剂。")
MSG_TRANSFER_SAME_LINE = _("调出科目和调入科目不能相同。")
MSG_TRANSFER_MIXED = _("资助资金和自筹资金之间不能调剂。")
MSG_ADJUSTMENT_DECIDED = _("该预算调整已审批。")


def _line_for(project: Project, line: BudgetLine, field: str = "line") -> BudgetLine:
    if line is None or line.project_id != project.pk or line.voided_at is not None:
        raise ValidationError({field: [MSG_LINE_NOT_IN_PROJECT]}, code="line_not_in_project")
    return line


# Budget lines ------------------------------------------------------------------------------------------


def _budget_editable(project: Project) -> None:
    refresh_status(project)
    if project.status not in BUDGET_EDITABLE:
        raise ValidationError(MSG_BUDGET_NOT_EDITABLE, code="budget_not_editable")


def _validate_line(category: str, amount) -> tuple[str, Decimal]:
    errors: dict = {}
    category = clean_text(category)
    if not category:
        errors["category"] = [MSG_REQUIRED]
    try:
        amount = to_amount(amount)
        if amount <= 0:
            errors["amount"] = [MSG_AMOUNT_POSITIVE]
    except ValidationError as exc:
        errors["amount"] = exc.messages
    raise_errors(errors)
    return category, amount


@transaction.atomic
def budget_line_create(*, actor, project: Project, category: str, amount, description: str = "",
                       self_raised: bool = False) -> BudgetLine:
    require(actor, Action.CHANGE, project)
    _budget_editable(project)
    category, amount = _validate_line(category, amount)
    last = BudgetLine.objects.filter(project=project).order_by("-sort_order").values_list("sort_order", flat=True)
    line = BudgetLine(project=project, category=category, amount=amount, description=clean_text(description),
                      self_raised=bool(self_raised), sort_order=(last.first() or 0) + 1)
    save_with_history(line, actor=actor)
    return line


@transaction.atomic
def budget_line_update(*, actor, line: BudgetLine, category: str, amount, description: str = "",
                       self_raised: bool = False) -> BudgetLine:
    require(actor, Action.CHANGE, line.project)
    _budget_editable(line.project)
    _line_for(line.project, line)
    line.category, line.amount = _validate_line(category, amount)
    line.description = clean_text(description)
    line.self_raised = bool(self_raised)
    save_with_history(line, actor=actor)
    return line


@transaction.atomic
def budget_line_void(*, actor, line: BudgetLine, reason: str) -> BudgetLine:
    require(actor, Action.CHANGE, line.project)
    _budget_editable(line.project)
    return record_void(actor=actor, obj=line, reason=reason)


def budget_totals(project: Project) -> dict:
    """Planned and spent money of the active lines, grant and self-raised apart."""
    rows = (BudgetLine.objects.active().filter(project=project).values("self_raised")
            .annotate(amount=Sum("amount"), spent=Sum("spent")))
    totals = {"grant": Decimal("0"), "grant_spent": Decimal("0"), "self_raised": Decimal("0"),
              "self_raised_spent": Decimal("0")}
    for row in rows:
        key = "self_raised" if row["self_raised"] else "grant"
        totals[key] = row["amount"] or Decimal("0")
        totals[f"{key}_spent"] = row["spent"] or Decimal("0")
    totals["amount"] = totals["grant"] + totals["self_raised"]
    totals["spent"] = totals["grant_spent"] + totals["self_raised_spent"]
    totals["remaining"] = totals["amount"] - totals["spent"]
    return totals


# Expenses ----------------------------------------------------------------------------------------------


def _overspent(line: BudgetLine, amount: Decimal) -> ValidationError:
    current = BudgetLine.objects.filter(pk=line.pk).values("amount", "spent").first() or {}
    remaining = current.get("amount", line.amount) - current.get("spent", line.spent)
    message = MSG_OVERSPENT % {"line": line.category, "remaining": remaining, "amount": amount}
    return ValidationError({"amount": ValidationError(message, code="overspent")})


def _validate_spent_on(project: Project, spent_on, errors: dict) -> None:
    if not spent_on:
        errors["spent_on"] = [MSG_REQUIRED]
        return
    if spent_on > today():
        errors["spent_on"] = [MSG_DATE_IN_FUTURE]
        return
    agreement = getattr(project, "agreement", None)
    if agreement is not None and spent_on < agreement.signed_on:
        errors["spent_on"] = [MSG_DATE_BEFORE_AGREEMENT % {"date": agreement.signed_on}]


@transaction.atomic
def expense_record(*, actor, project: Project, line: BudgetLine, amount, payee: str, spent_on, description: str,
                   receipt=None) -> Expense:
    """Book one expense against a line; refused with MSG_OVERSPENT when the line has not enough left."""
    require(actor, Action.CHANGE, project)
    require_running(project)
    _line_for(project, line)
    errors: dict = {}
    try:
        amount = to_amount(amount)
        if amount <= 0:
            errors["amount"] = [MSG_AMOUNT_POSITIVE]
    except ValidationError as exc:
        errors["amount"] = exc.messages
    payee, description = clean_text(payee), clean_text(description)
    if not payee:
        errors["payee"] = [MSG_REQUIRED]
    if not description:
        errors["description"] = [MSG_REQUIRED]
    _validate_spent_on(project, spent_on, errors)
    raise_errors(errors)
    if receipt:
        validate_upload(receipt, field="receipt")
    try:
        with transaction.atomic():
            updated = (BudgetLine.objects
                       .filter(pk=line.pk, project=project, voided_at__isnull=True, spent__lte=F("amount") - amount)
                       .update(spent=F("spent") + amount, updated_at=timezone.now()))
    except IntegrityError:  # the check constraint: the last line of defence
        raise _overspent(line, amount) from None
    if updated != 1:
        raise _overspent(line, amount)
    expense = Expense(project=project, line=line, amount=amount, payee=payee, spent_on=spent_on,
                      description=description, recorded_by=actor)
    if receipt:
        expense.receipt = receipt
    save_with_history(expense, actor=actor)
    return expense


@transaction.atomic
def expense_void(*, actor, expense: Expense, reason: str) -> Expense:
    """Void an expense with a reason and give its money back to the line."""
    project = expense.project
    require(actor, Action.CHANGE, project)
    require_running(project)
    if not clean_text(reason):
        raise ValidationError({"reason": [MSG_REASON_REQUIRED]}, code="void_reason_required")
    expense = Expense.objects.select_for_update().get(pk=expense.pk)
    if expense.voided_at is not None:
        raise ValidationError(MSG_EXPENSE_ALREADY_VOIDED, code="already_voided")
    updated = (BudgetLine.objects.filter(pk=expense.line_id, spent__gte=expense.amount)
               .update(spent=F("spent") - expense.amount, updated_at=timezone.now()))
    if updated != 1:
        raise ValidationError(MSG_LEDGER_INCONSISTENT, code="ledger_inconsistent")
    return record_void(actor=actor, obj=expense, reason=reason)


# Budget adjustments ------------------------------------------------------------------------------------


def _grant_total(project: Project) -> Decimal:
    total = BudgetLine.objects.active().filter(project=project, self_raised=False).aggregate(total=Sum("amount"))
    return total["total"] or Decimal("0")


def _check_delta(project: Project, line: BudgetLine, delta: Decimal, *, transfer: bool) -> None:
    """The rules an adjustment must satisfy, both when requested and when approved (with fresh values)."""
    if delta < 0 and line.amount + delta < line.spent:
        raise ValidationError({"delta": [MSG_DELTA_BELOW_SPENT % {"line": line.category, "amount": line.amount + delta,
                                                                  "spent": line.spent}]}, code="below_spent")
    if delta > 0 and not transfer and not line.self_raised:
        total = _grant_total(project) + delta
        if total > (project.approved_amount or Decimal("0")):
            raise ValidationError({"delta": [MSG_OVER_APPROVED % {"total": total,
                                                                  "approved": project.approved_amount}]},
                                  code="over_approved")


def _validate_request(reason: str, delta) -> tuple[str, Decimal]:
    errors: dict = {}
    reason = clean_text(reason)
    if not reason:
        errors["reason"] = [MSG_REQUIRED]
    try:
        delta = to_amount(delta)
        if delta == 0:
            errors["delta"] = [MSG_DELTA_ZERO]
    except ValidationError as exc:
        errors["delta"] = exc.messages
    raise_errors(errors)
    return reason, delta


@transaction.atomic
def budget_adjustment_request(*, actor, project: Project, line: BudgetLine, delta, reason: str) -> BudgetAdjustment:
    """Ask to raise (delta > 0) or lower (delta < 0) one line's amount."""
    require(actor, Action.CHANGE, project)
    require_running(project)
    _line_for(project, line)
    reason, delta = _validate_request(reason, delta)
    _check_delta(project, line, delta, transfer=False)
    adjustment = BudgetAdjustment(project=project, line=line, delta=delta, reason=reason, requested_by=actor)
    save_with_history(adjustment, actor=actor)
    return adjustment


@transaction.atomic
def budget_transfer_request(*, actor, project: Project, from_line: BudgetLine, to_line: BudgetLine, amount,
                            reason: str) -> list[BudgetAdjustment]:
    """Ask to move `amount` from one line to another: two adjustments decided together."""
    require(actor, Action.CHANGE, project)
    require_running(project)
    _line_for(project, from_line, "from_line")
    _line_for(project, to_line, "to_line")
    if from_line.pk == to_line.pk:
        raise ValidationError({"to_line": [MSG_TRANSFER_SAME_LINE]}, code="same_line")
    if from_line.self_raised != to_line.self_raised:
        raise ValidationError({"to_line": [MSG_TRANSFER_MIXED]}, code="mixed_transfer")
    reason, amount = _validate_request(reason, amount)
    if amount < 0:
        raise ValidationError({"amount": [MSG_AMOUNT_POSITIVE]})
    _check_delta(project, from_line, -amount, transfer=True)
    group = uuid.uuid4()
    adjustments = []
    for line, delta in ((from_line, -amount), (to_line, amount)):
        adjustment = BudgetAdjustment(project=project, line=line, delta=delta, reason=reason, requested_by=actor,
                                      transfer_group=group)
        save_with_history(adjustment, actor=actor)
        adjustments.append(adjustment)
    return adjustments


@transaction.atomic
def budget_adjustment_decide(*, actor, adjustment: BudgetAdjustment, approve: bool,
                             note: str = "") -> list[BudgetAdjustment]:
    """Approve or reject an adjustment (with its transfer partner). Approval applies every delta with a
    conditional UPDATE, decreases first, so a line never ends below what is spent."""
    require(actor, Action.MANAGE, adjustment.project)
    project = lock_project(adjustment.project_id)
    require_running(project)
    group = BudgetAdjustment.objects.select_for_update(of=("self",)).select_related("line")
    if adjustment.transfer_group:
        adjustments = list(group.filter(transfer_group=adjustment.transfer_group).order_by("delta"))
    else:
        adjustments = list(group.filter(pk=adjustment.pk))
    if any(item.status != BudgetAdjustment.Status.REQUESTED for item in adjustments):
        raise ValidationError(MSG_ADJUSTMENT_DECIDED, code="already_decided")
    note = clean_text(note)
    if approve:
        transfer = adjustment.transfer_group is not None
        for item in adjustments:  # ordered by delta: decreases first
            line = BudgetLine.objects.get(pk=item.line_id)
            _line_for(project, line)
            _check_delta(project, line, item.delta, transfer=transfer)
            updated = (BudgetLine.objects
                       .filter(pk=line.pk, voided_at__isnull=True, spent__lte=F("amount") + item.delta)
                       .update(amount=F("amount") + item.delta, updated_at=timezone.now()))
            if updated != 1:
                line.refresh_from_db()
                _check_delta(project, line, item.delta, transfer=True)
                raise ValidationError(MSG_LEDGER_INCONSISTENT, code="ledger_inconsistent")
            line.refresh_from_db()  # we hold the row (PostgreSQL) or the database (SQLite) until commit
            save_with_history(line, actor=actor, reason=item.reason)
    status = BudgetAdjustment.Status.APPROVED if approve else BudgetAdjustment.Status.REJECTED
    decided_at = timezone.now()
    for item in adjustments:
        item.status, item.decided_by, item.decided_at, item.decision_note = status, actor, decided_at, note
        save_with_history(item, actor=actor, reason=str(status.label))
    return adjustments
