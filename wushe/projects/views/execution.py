"""The budget tab (预算与账目) of a project: agreement, tranches, budget lines, the expense ledger and
budget adjustments. Monitoring and reports/evaluations/closing are in `views/monitoring.py`."""

import os
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record
from wushe.core.history import history_for
from wushe.core.pagination import paginate

from ..models import BudgetAdjustment, ProjectStatus, Tranche
from ..selectors import execution as selectors
from ..services import execution as services
from ..services import ledger
from ..states import RUNNING
from ..tabs import project_page_context
from .execution_forms import (
    AdjustmentForm,
    AgreementForm,
    BudgetLineForm,
    DecisionForm,
    ExpenseForm,
    TrancheReleaseForm,
    VoidForm,
)

FORM_TEMPLATE = "projects/execution/form.html"


# Shared by the execution area's views -------------------------------------------------------------------


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def flash_errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def tab_url(name: str, project, anchor: str = "") -> str:
    url = reverse(f"projects:{name}", args=[project.public_id])
    return f"{url}#{anchor}" if anchor else url


def deny(request, project, action: str):
    """403 for a check that is not a single policy action (audited like the policy's own denials)."""
    audit_record(actor=request.user, kind=AuditEvent.Kind.DENIED, target=f"{Resource.PROJECT}:{project.public_id}",
                 action=action, status=403)
    raise PermissionDenied


def render_form(request, project, form, *, title: str, active: str, back: str, submit: str, intro: str = "",
                multipart: bool = False, extra: dict | None = None):
    context = project_page_context(project, active, form=form, title=title, back=back, submit=submit,
                                   intro=intro, multipart=multipart, **(extra or {}))
    return render(request, FORM_TEMPLATE, context)


def download(field_file):
    """Files are served only after the caller's access check, never as public media."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(field_file.name))


# The budget tab ----------------------------------------------------------------------------------------


@login_required
def project_budget(request, public_id):
    user = request.user
    project = selectors.project_for(user, public_id)
    lines = selectors.line_rows(selectors.budget_lines(user, project))
    selected = next((line for line in lines if str(line.public_id) == request.GET.get("line", "")), None)
    expenses = selectors.expense_list(user, project, line=selected, include_voided=request.GET.get("active") != "1",
                                      query=request.GET.get("q", "").strip())
    page = paginate(request, expenses)
    if request.htmx:
        return render(request, "projects/execution/budget.html#rows", {"project": project, "page": page})
    perms = selectors.permissions(user, project)
    agreement = selectors.agreement_for(user, project)
    adjustments = list(selectors.adjustment_list(user, project))
    for adjustment in adjustments:  # a transfer is decided once, on its decreasing half
        adjustment.decidable = adjustment.status == BudgetAdjustment.Status.REQUESTED and (
            adjustment.transfer_group is None or adjustment.delta < 0)
    running = project.status in RUNNING
    grant = [line for line in lines if not line.self_raised]
    context = project_page_context(
        project, "budget", page=page, lines=lines, selected=selected, perms=perms, agreement=agreement,
        tranches=selectors.tranche_rows(user, project), adjustments=adjustments,
        totals={"grant": sum((line.amount for line in grant), Decimal("0")),
                "spent": sum((line.spent for line in lines), Decimal("0")),
                "amount": sum((line.amount for line in lines), Decimal("0"))},
        can_sign=perms["manage"] and project.status == ProjectStatus.APPROVED and agreement is None,
        can_edit_lines=perms["change"] and project.status in ledger.BUDGET_EDITABLE,
        can_spend=perms["change"] and running and bool(lines),
        can_request=perms["change"] and running and bool(lines),
        can_decide=perms["manage"] and running,
        pending_adjustments=sum(1 for a in adjustments if a.decidable),
    )
    if agreement is not None and perms["history"]:
        context["history"] = history_for(agreement)
    return render(request, "projects/execution/budget.html", context)


# Agreement ---------------------------------------------------------------------------------------------


@login_required
def agreement_sign(request, public_id):
    project = selectors.project_for(request.user, public_id, Action.MANAGE)
    initial = {"signed_on": services.today(), "funder_name": str(project.funding_round.region),
               "implementer_signatory": project.contact_name,
               "worker_signatory": project.lead_worker.name if project.lead_worker_id else "",
               "community_signatory": str(project.region)}
    form = AgreementForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_sign(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("三方协议已签订，拨付批次已生成。"))
            return redirect(tab_url("project_budget", project))
    return render_form(request, project, form, title=_("签订三方协议"), active="budget",
                       back=tab_url("project_budget", project), submit=_("签订协议"), multipart=True,
                       intro=_("签约后按轮次的拨付计划生成拨付批次；资助资金预算科目合计须等于批准金额 %(amount)s 元。")
                       % {"amount": project.approved_amount or 0})


@login_required
def agreement_file(request, public_id):
    project = selectors.project_for(request.user, public_id)
    agreement = selectors.agreement_for(request.user, project)
    if agreement is None:
        raise Http404
    return download(agreement.file)


# Budget lines ------------------------------------------------------------------------------------------


@login_required
def budget_line_create(request, public_id):
    project = selectors.project_for(request.user, public_id, Action.CHANGE)
    form = BudgetLineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ledger.budget_line_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("预算科目已添加。"))
            return redirect(tab_url("project_budget", project, "lines"))
    return render_form(request, project, form, title=_("添加预算科目"), active="budget",
                       back=tab_url("project_budget", project), submit=_("保存"),
                       intro=_("资助资金各科目合计须等于批准金额；自筹资金单列为“自筹”科目。"))


@login_required
def budget_line_update(request, public_id, line_id):
    project = selectors.project_for(request.user, public_id, Action.CHANGE)
    line = get_object_or_404(selectors.budget_lines(request.user, project), public_id=line_id)
    initial = {"category": line.category, "amount": line.amount, "description": line.description,
               "self_raised": line.self_raised}
    form = BudgetLineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ledger.budget_line_update(actor=request.user, line=line, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("预算科目已保存。"))
            return redirect(tab_url("project_budget", project, "lines"))
    return render_form(request, project, form, title=_("修改预算科目"), active="budget",
                       back=tab_url("project_budget", project), submit=_("保存"))


@login_required
@require_POST
def budget_line_void(request, public_id, line_id):
    project = selectors.project_for(request.user, public_id, Action.CHANGE)
    line = get_object_or_404(selectors.budget_lines(request.user, project), public_id=line_id)
    try:
        ledger.budget_line_void(actor=request.user, line=line, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("预算科目已作废。"))
    return redirect(tab_url("project_budget", project, "lines"))


# Expenses ----------------------------------------------------------------------------------------------


@login_required
def expense_create(request, public_id):
    project = selectors.project_for(request.user, public_id, Action.CHANGE)
    lines = selectors.budget_lines(request.user, project)
    initial = {"spent_on": services.today(), "line": request.GET.get("line") or None}
    form = ExpenseForm(request.POST or None, request.FILES or None, lines=lines, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ledger.expense_record(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("支出已记账。"))
            return redirect(tab_url("project_budget", project, "ledger"))
    return render_form(request, project, form, title=_("记一笔支出"), active="budget",
                       back=tab_url("project_budget", project), submit=_("记账"), multipart=True,
                       intro=_("专款专用、单独记账：每笔支出计入一个预算科目，不能超出该科目的剩余额度。"))


@login_required
def expense_detail(request, public_id, expense_id):
    project = selectors.project_for(request.user, public_id)
    expense = selectors.expense_for(request.user, project, expense_id)
    perms = selectors.permissions(request.user, project)
    context = project_page_context(project, "budget", expense=expense, perms=perms,
                                   can_void=perms["change"] and not expense.is_voided and project.status in RUNNING)
    if perms["history"]:
        context["history"] = history_for(expense)
    return render(request, "projects/execution/expense_detail.html", context)


@login_required
def expense_receipt(request, public_id, expense_id):
    project = selectors.project_for(request.user, public_id)
    return download(selectors.expense_for(request.user, project, expense_id).receipt)


@login_required
@require_POST
def expense_void(request, public_id, expense_id):
    project = selectors.project_for(request.user, public_id, Action.CHANGE)
    expense = selectors.expense_for(request.user, project, expense_id)
    form = VoidForm(request.POST)
    try:
        ledger.expense_void(actor=request.user, expense=expense,
                            reason=form.data.get("reason", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect(reverse("projects:expense_detail", args=[project.public_id, expense.public_id]))
    messages.success(request, _("支出已作废，金额已退回预算科目。"))
    return redirect(tab_url("project_budget", project, "ledger"))


# Budget adjustments ------------------------------------------------------------------------------------


@login_required
def adjustment_request(request, public_id):
    project = selectors.project_for(request.user, public_id, Action.CHANGE)
    lines = selectors.budget_lines(request.user, project)
    form = AdjustmentForm(request.POST or None, lines=lines, initial={"line": request.GET.get("line") or None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["mode"] == AdjustmentForm.TRANSFER:
                if data["to_line"] is None:
                    raise ValidationError({"to_line": [services.MSG_REQUIRED]})
                ledger.budget_transfer_request(actor=request.user, project=project, from_line=data["line"],
                                               to_line=data["to_line"], amount=data["amount"], reason=data["reason"])
            else:
                delta = data["amount"] if data["mode"] == AdjustmentForm.INCREASE else -data["amount"]
                ledger.budget_adjustment_request(actor=request.user, project=project, line=data["line"],
                                                 delta=delta, reason=data["reason"])
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):  # the services' names for what this form calls amount and line
                renamed = {"delta": "amount", "from_line": "line"}
                exc = ValidationError({renamed.get(name, name): errors for name, errors in exc.error_dict.items()})
            apply_errors(form, exc)
        else:
            messages.success(request, _("预算调整申请已提交，等待审批。"))
            return redirect(tab_url("project_budget", project, "adjustments"))
    return render_form(request, project, form, title=_("申请预算调整"), active="budget",
                       back=tab_url("project_budget", project), submit=_("提交申请"),
                       intro=_("调剂（从一个科目调到另一个科目）不改变预算总额；单独调增不能使资助资金预算超过批准金额。"))


@login_required
@require_POST
def adjustment_decide(request, public_id, adjustment_id):
    project = selectors.project_for(request.user, public_id, Action.MANAGE)
    adjustment = get_object_or_404(selectors.adjustment_list(request.user, project), public_id=adjustment_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择批准或驳回。"))
        return redirect(tab_url("project_budget", project, "adjustments"))
    approve = form.cleaned_data["decision"] == "approve"
    try:
        ledger.budget_adjustment_decide(actor=request.user, adjustment=adjustment, approve=approve,
                                        note=form.cleaned_data["note"])
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("预算调整已批准并生效。") if approve else _("预算调整已驳回。"))
    return redirect(tab_url("project_budget", project, "adjustments"))


# Tranches ----------------------------------------------------------------------------------------------


@login_required
@require_POST
def tranche_release(request, public_id, tranche_id):
    project = selectors.project_for(request.user, public_id, Action.MANAGE)
    tranche = get_object_or_404(Tranche.objects.filter(project=project), public_id=tranche_id)
    form = TrancheReleaseForm(request.POST)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        services.tranche_release(actor=request.user, tranche=tranche, released_on=data.get("released_on"),
                                 note=data.get("note", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("第 %(sequence)s 批资金已拨付。") % {"sequence": tranche.sequence})
    return redirect(tab_url("project_budget", project, "tranches"))
