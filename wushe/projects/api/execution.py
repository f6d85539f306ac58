"""/api/v1/projects/{project}/…: running a project — agreement, tranches, budget lines, the expense
ledger (multipart with receipts), budget adjustments, monitoring visits, periodic reports, evaluations,
closing, archiving and termination. Same selectors, services and access checks as the pages."""

from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, require
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record
from wushe.core.api import ErrorOut

from ..models import BudgetLine, Tranche
from ..selectors import execution as selectors
from ..services import evaluations, ledger, monitoring
from ..services import execution as services
from ..views.execution import download
from .execution_schemas import (
    AdjustmentIn,
    AdjustmentOut,
    AgreementIn,
    AgreementOut,
    AnswerIn,
    CloseIn,
    DecisionIn,
    EvaluationIn,
    EvaluationOut,
    ExpenseIn,
    ExpenseOut,
    LineIn,
    LineOut,
    ProjectStatusOut,
    ReleaseIn,
    ReportIn,
    ReportOut,
    ReportPatch,
    TerminateIn,
    TrancheOut,
    TransferIn,
    VisitIn,
    VisitOut,
    VoidIn,
)

router = Router(tags=["projects"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# Helpers -----------------------------------------------------------------------------------------------


def _project(request, project_id, action=Action.VIEW):
    return selectors.project_for(request.user, project_id, action)


def _with_project(items, project):
    for item in items:
        item.project = project
    return items


def _line(request, project, line_id, field: str) -> BudgetLine:
    line = selectors.budget_lines(request.user, project).filter(public_id=line_id).first()
    if line is None:
        raise ValidationError({field: [ledger.MSG_LINE_NOT_IN_PROJECT]})
    return line


# Agreement ---------------------------------------------------------------------------------------------


@router.get("/{uuid:project_id}/agreement", response={200: AgreementOut, **ERRORS}, summary="The three-party agreement")
def get_agreement(request, project_id: UUID):
    project = _project(request, project_id)
    agreement = selectors.agreement_for(request.user, project)
    if agreement is None:
        raise Http404
    agreement.project = project
    return agreement


@router.post("/{uuid:project_id}/agreement", response={201: AgreementOut, **ERRORS},
             summary="Sign the agreement (multipart; optional scan pdf/jpg/png ≤ 10 MB): creates the tranches")
def sign_agreement(request, project_id: UUID, payload: Form[AgreementIn], file: File[UploadedFile] = None):
    project = _project(request, project_id, Action.MANAGE)
    agreement = services.agreement_sign(actor=request.user, project=project, file=file, **payload.dict())
    agreement.project = project
    return 201, agreement


@router.get("/{uuid:project_id}/agreement/file", response={200: None, **ERRORS}, url_name="projects_agreement_file",
            summary="Download the agreement scan")
def agreement_file(request, project_id: UUID):
    project = _project(request, project_id)
    agreement = selectors.agreement_for(request.user, project)
    if agreement is None:
        raise Http404
    return download(agreement.file)


# Tranches ----------------------------------------------------------------------------------------------


@router.get("/{uuid:project_id}/tranches", response={200: list[TrancheOut], **ERRORS},
            summary="Tranches with why each cannot be released yet")
def list_tranches(request, project_id: UUID):
    project = _project(request, project_id)
    return selectors.tranche_rows(request.user, project)


@router.post("/{uuid:project_id}/tranches/{uuid:tranche_id}/release", response={200: TrancheOut, **ERRORS},
             summary="Release a tranche (its condition must hold)")
def release_tranche(request, project_id: UUID, tranche_id: UUID, payload: ReleaseIn):
    project = _project(request, project_id, Action.MANAGE)
    tranche = get_object_or_404(Tranche.objects.filter(project=project), public_id=tranche_id)
    return services.tranche_release(actor=request.user, tranche=tranche, **payload.dict())


# Budget lines ------------------------------------------------------------------------------------------


@router.get("/{uuid:project_id}/budget-lines", response={200: list[LineOut], **ERRORS},
            summary="Budget lines with planned, spent and remaining amounts")
def list_budget_lines(request, project_id: UUID, include_voided: bool = False):
    project = _project(request, project_id)
    return selectors.budget_lines(request.user, project, include_voided=include_voided)


@router.post("/{uuid:project_id}/budget-lines", response={201: LineOut, **ERRORS},
             summary="Add a budget line (before signing)")
def create_budget_line(request, project_id: UUID, payload: LineIn):
    project = _project(request, project_id, Action.CHANGE)
    return 201, ledger.budget_line_create(actor=request.user, project=project, **payload.dict())


@router.put("/{uuid:project_id}/budget-lines/{uuid:line_id}", response={200: LineOut, **ERRORS},
            summary="Change a budget line (before signing)")
def update_budget_line(request, project_id: UUID, line_id: UUID, payload: LineIn):
    project = _project(request, project_id, Action.CHANGE)
    line = get_object_or_404(selectors.budget_lines(request.user, project), public_id=line_id)
    return ledger.budget_line_update(actor=request.user, line=line, **payload.dict())


@router.post("/{uuid:project_id}/budget-lines/{uuid:line_id}/void", response={200: LineOut, **ERRORS},
             summary="Void a budget line with a reason (before signing)")
def void_budget_line(request, project_id: UUID, line_id: UUID, payload: VoidIn):
    project = _project(request, project_id, Action.CHANGE)
    line = get_object_or_404(selectors.budget_lines(request.user, project), public_id=line_id)
    return ledger.budget_line_void(actor=request.user, line=line, reason=payload.reason)


# Expenses ----------------------------------------------------------------------------------------------


@router.get("/{uuid:project_id}/expenses", response={200: list[ExpenseOut], **ERRORS},
            summary="The project's ledger, newest first")
@paginate
def list_expenses(request, project_id: UUID, line: UUID | None = None, q: str = "", include_voided: bool = True):
    project = _project(request, project_id)
    selected = get_object_or_404(selectors.budget_lines(request.user, project), public_id=line) if line else None
    return selectors.expense_list(request.user, project, line=selected, include_voided=include_voided, query=q)


@router.post("/{uuid:project_id}/expenses", response={201: ExpenseOut, **ERRORS},
             summary="Record an expense (multipart; optional receipt pdf/jpg/png ≤ 10 MB); never overspends a line")
def create_expense(request, project_id: UUID, payload: Form[ExpenseIn], receipt: File[UploadedFile] = None):
    project = _project(request, project_id, Action.CHANGE)
    data = payload.dict()
    line = _line(request, project, data.pop("line"), "line")
    expense = ledger.expense_record(actor=request.user, project=project, line=line, receipt=receipt, **data)
    return 201, expense


@router.get("/{uuid:project_id}/expenses/{uuid:expense_id}", response={200: ExpenseOut, **ERRORS},
            summary="One expense")
def get_expense(request, project_id: UUID, expense_id: UUID):
    project = _project(request, project_id)
    return selectors.expense_for(request.user, project, expense_id)


@router.get("/{uuid:project_id}/expenses/{uuid:expense_id}/receipt", response={200: None, **ERRORS},
            url_name="projects_expense_receipt", summary="Download an expense's receipt")
def expense_receipt(request, project_id: UUID, expense_id: UUID):
    project = _project(request, project_id)
    return download(selectors.expense_for(request.user, project, expense_id).receipt)


@router.post("/{uuid:project_id}/expenses/{uuid:expense_id}/void", response={200: ExpenseOut, **ERRORS},
             summary="Void an expense with a reason (the money goes back to its line)")
def void_expense(request, project_id: UUID, expense_id: UUID, payload: VoidIn):
    project = _project(request, project_id, Action.CHANGE)
    expense = selectors.expense_for(request.user, project, expense_id)
    return ledger.expense_void(actor=request.user, expense=expense, reason=payload.reason)


# Budget adjustments ------------------------------------------------------------------------------------


@router.get("/{uuid:project_id}/adjustments", response={200: list[AdjustmentOut], **ERRORS},
            summary="Budget adjustments, newest first")
def list_adjustments(request, project_id: UUID):
    project = _project(request, project_id)
    return selectors.adjustment_list(request.user, project)


@router.post("/{uuid:project_id}/adjustments", response={201: AdjustmentOut, **ERRORS},
             summary="Request a change of one line's amount (delta > 0 raises, < 0 lowers)")
def request_adjustment(request, project_id: UUID, payload: AdjustmentIn):
    project = _project(request, project_id, Action.CHANGE)
    line = _line(request, project, payload.line, "line")
    return 201, ledger.budget_adjustment_request(actor=request.user, project=project, line=line,
                                                 delta=payload.delta, reason=payload.reason)


@router.post("/{uuid:project_id}/adjustments/transfer", response={201: list[AdjustmentOut], **ERRORS},
             summary="Request a move of money from one line to another (two adjustments decided together)")
def request_transfer(request, project_id: UUID, payload: TransferIn):
    project = _project(request, project_id, Action.CHANGE)
    from_line = _line(request, project, payload.from_line, "from_line")
    to_line = _line(request, project, payload.to_line, "to_line")
    return 201, ledger.budget_transfer_request(actor=request.user, project=project, from_line=from_line,
                                               to_line=to_line, amount=payload.amount, reason=payload.reason)


@router.post("/{uuid:project_id}/adjustments/{uuid:adjustment_id}/decide",
             response={200: list[AdjustmentOut], **ERRORS},
             summary="Approve or reject an adjustment (with its transfer partner)")
def decide_adjustment(request, project_id: UUID, adjustment_id: UUID, payload: DecisionIn):
    project = _project(request, project_id, Action.MANAGE)
    adjustment = get_object_or_404(selectors.adjustment_list(request.user, project), public_id=adjustment_id)
    return ledger.budget_adjustment_decide(actor=request.user, adjustment=adjustment, approve=payload.approve,
                                           note=payload.note)


# Monitoring --------------------------------------------------------------------------------------------


@router.get("/monitoring-visits/unanswered", response={200: list[VisitOut], **ERRORS},
            summary="Findings waiting for an answer on the projects you answer for")
@paginate
def list_unanswered_visits(request):
    require(request.user, Resource.PROJECT, Action.CHANGE)
    return selectors.unanswered_visits(request.user)


@router.get("/{uuid:project_id}/monitoring-visits", response={200: list[VisitOut], **ERRORS},
            summary="Monitoring visits of a project")
def list_visits(request, project_id: UUID):
    project = _project(request, project_id)
    return _with_project(selectors.visit_list(request.user, project), project)


@router.post("/{uuid:project_id}/monitoring-visits", response={201: VisitOut, **ERRORS},
             summary="Record a monitoring visit with findings and recommendations")
def create_visit(request, project_id: UUID, payload: VisitIn):
    project = _project(request, project_id, Action.MONITOR)
    return 201, monitoring.monitoring_visit_create(actor=request.user, project=project, **payload.dict())


def _visit(request, project, visit_id):
    return get_object_or_404(selectors.visit_list(request.user, project, include_voided=True), public_id=visit_id)


@router.post("/{uuid:project_id}/monitoring-visits/{uuid:visit_id}/answer", response={200: VisitOut, **ERRORS},
             summary="The organization's answer to a visit")
def answer_visit(request, project_id: UUID, visit_id: UUID, payload: AnswerIn):
    project = _project(request, project_id, Action.CHANGE)
    visit = _visit(request, project, visit_id)
    return monitoring.monitoring_visit_answer(actor=request.user, visit=visit, response=payload.response)


@router.post("/{uuid:project_id}/monitoring-visits/{uuid:visit_id}/void", response={200: VisitOut, **ERRORS},
             summary="Void a monitoring visit with a reason")
def void_visit(request, project_id: UUID, visit_id: UUID, payload: VoidIn):
    project = _project(request, project_id, Action.MONITOR)
    visit = _visit(request, project, visit_id)
    return monitoring.monitoring_visit_void(actor=request.user, visit=visit, reason=payload.reason)


# Reports -----------------------------------------------------------------------------------------------


@router.get("/{uuid:project_id}/reports", response={200: list[ReportOut], **ERRORS}, summary="Periodic reports")
def list_reports(request, project_id: UUID):
    project = _project(request, project_id)
    return selectors.report_list(request.user, project)


@router.post("/{uuid:project_id}/reports", response={201: ReportOut, **ERRORS}, summary="Write a draft report")
def create_report(request, project_id: UUID, payload: ReportIn):
    project = _project(request, project_id, Action.CHANGE)
    return 201, monitoring.report_create(actor=request.user, project=project, **payload.dict())


def _report(request, project, report_id):
    return get_object_or_404(selectors.report_list(request.user, project, include_voided=True), public_id=report_id)


@router.patch("/{uuid:project_id}/reports/{uuid:report_id}", response={200: ReportOut, **ERRORS},
              summary="Change a draft report")
def update_report(request, project_id: UUID, report_id: UUID, payload: ReportPatch):
    project = _project(request, project_id, Action.CHANGE)
    report = _report(request, project, report_id)
    return monitoring.report_update(actor=request.user, report=report, **payload.dict(exclude_unset=True))


@router.post("/{uuid:project_id}/reports/{uuid:report_id}/submit", response={200: ReportOut, **ERRORS},
             summary="Submit a report (the final report starts the final review)")
def submit_report(request, project_id: UUID, report_id: UUID):
    project = _project(request, project_id, Action.CHANGE)
    return monitoring.report_submit(actor=request.user, report=_report(request, project, report_id))


@router.post("/{uuid:project_id}/reports/{uuid:report_id}/void", response={200: ReportOut, **ERRORS},
             summary="Void a draft report with a reason")
def void_report(request, project_id: UUID, report_id: UUID, payload: VoidIn):
    project = _project(request, project_id, Action.CHANGE)
    return monitoring.report_void(actor=request.user, report=_report(request, project, report_id),
                                  reason=payload.reason)


# Evaluations and status --------------------------------------------------------------------------------


@router.get("/{uuid:project_id}/evaluations", response={200: list[EvaluationOut], **ERRORS},
            summary="Mid-term and final evaluations")
def list_evaluations(request, project_id: UUID):
    project = _project(request, project_id)
    return selectors.evaluation_list(request.user, project)


@router.post("/{uuid:project_id}/evaluations", response={201: EvaluationOut, **ERRORS},
             summary="Enter the mid-term or final evaluation (expert and resident scores → score and grade)")
def create_evaluation(request, project_id: UUID, payload: EvaluationIn):
    project = _project(request, project_id)
    perms = selectors.permissions(request.user, project)
    if not (perms["monitor"] or perms["manage"]):
        audit_record(actor=request.user, kind=AuditEvent.Kind.DENIED,
                     target=f"{Resource.PROJECT}:{project.public_id}", action="evaluate", status=403)
        raise PermissionDenied
    return 201, evaluations.evaluation_record(actor=request.user, project=project, **payload.dict())


@router.post("/{uuid:project_id}/close", response={200: ProjectStatusOut, **ERRORS},
             summary="Close the project (结项): needs the final evaluation and every finding answered")
def close_project(request, project_id: UUID, payload: CloseIn):
    project = _project(request, project_id, Action.MANAGE)
    return evaluations.project_close(actor=request.user, project=project, note=payload.note)


@router.post("/{uuid:project_id}/mark-archived", response={200: ProjectStatusOut, **ERRORS},
             summary="Archive a closed project")
def archive_project(request, project_id: UUID):
    project = _project(request, project_id, Action.MANAGE)
    return evaluations.project_archive_mark(actor=request.user, project=project)


@router.post("/{uuid:project_id}/terminate", response={200: ProjectStatusOut, **ERRORS},
             summary="Terminate a running project (with `breach`, ban its organizations)")
def terminate_project(request, project_id: UUID, payload: TerminateIn):
    project = _project(request, project_id, Action.MANAGE)
    return evaluations.project_terminate(actor=request.user, project=project, **payload.dict())
