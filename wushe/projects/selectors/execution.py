"""Reads of the execution area: the budget tab (agreement, lines, ledger, adjustments, tranches), the
monitoring tab and the reports tab. Every read is scoped by the policy; pages run a fixed number of
queries whatever the number of rows."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from wushe.accounts.policy import Action, Resource, can, get_object_for, restrict

from ..models import (
    Agreement,
    BudgetAdjustment,
    BudgetLine,
    Evaluation,
    Expense,
    MonitoringVisit,
    PeriodicReport,
    Project,
    Tranche,
)
from ..services.execution import today, tranche_blocker
from ..states import RUNNING

PROJECT_RELATED = ("funding_round", "region", "applicant", "implementer", "lead_worker")


def project_for(user, public_id, action: Action = Action.VIEW) -> Project:
    """The project the page is about: 404 when the user may not see it, 403 when they may not `action`."""
    return get_object_for(user, Resource.PROJECT, Project.objects.select_related(*PROJECT_RELATED),
                          action=action, public_id=public_id)


def _visible(user, queryset, action: Action = Action.VIEW):
    """Rows of projects the user may `action` (the same filter the project pages use)."""
    return queryset.filter(project__in=restrict(user, Resource.PROJECT, Project.objects.all(), action).values("pk"))


def permissions(user, project: Project) -> dict:
    """What the viewer may do on this project (buttons and forms)."""
    return {name: can(user, action, Resource.PROJECT, project) for name, action in (
        ("change", Action.CHANGE), ("manage", Action.MANAGE), ("monitor", Action.MONITOR),
        ("history", Action.HISTORY))}


# Budget tab --------------------------------------------------------------------------------------------


def agreement_for(user, project: Project) -> Agreement | None:
    return _visible(user, Agreement.objects.select_related("recorded_by")).filter(project=project).first()


def budget_lines(user, project: Project, *, include_voided: bool = False):
    lines = _visible(user, BudgetLine.objects.filter(project=project))
    return lines if include_voided else lines.filter(voided_at__isnull=True)


def line_rows(lines) -> list[BudgetLine]:
    """Lines with the percentage spent for the progress bars."""
    rows = list(lines)
    for line in rows:
        line.percent_spent = int(line.spent * 100 / line.amount) if line.amount else 0
    return rows


def expense_list(user, project: Project, *, line: BudgetLine | None = None, include_voided: bool = True,
                 query: str = ""):
    expenses = _visible(user, Expense.objects.filter(project=project)).select_related(
        "project", "line", "recorded_by", "voided_by")
    if query:
        expenses = expenses.filter(Q(payee__icontains=query) | Q(description__icontains=query))
    if line is not None:
        expenses = expenses.filter(line=line)
    if not include_voided:
        expenses = expenses.filter(voided_at__isnull=True)
    return expenses.order_by("-spent_on", "-id")


def expense_for(user, project: Project, public_id) -> Expense:
    return get_object_or_404(expense_list(user, project), public_id=public_id)


def adjustment_list(user, project: Project):
    return (_visible(user, BudgetAdjustment.objects.filter(project=project))
            .select_related("line", "requested_by", "decided_by").order_by("-created_at", "delta"))


def tranche_rows(user, project: Project, evaluations: dict | None = None) -> list[Tranche]:
    """The tranches with why each cannot be released yet (`blocker`), computed without extra queries."""
    tranches = list(_visible(user, Tranche.objects.filter(project=project)).select_related("released_by"))
    if evaluations is None:
        evaluations = evaluations_by_stage(user, project)
    for tranche in tranches:
        tranche.blocker = tranche_blocker(tranche, project, tranches=tranches, evaluations=evaluations)
    return tranches


# Monitoring tab ----------------------------------------------------------------------------------------


def visit_list(user, project: Project, *, include_voided: bool = False):
    visits = _visible(user, MonitoringVisit.objects.filter(project=project)).select_related(
        "project", "visitor", "responded_by", "voided_by")
    if not include_voided:
        visits = visits.filter(voided_at__isnull=True)
    return visits.order_by("-visited_on", "-id")


def mark_overdue(visits) -> list[MonitoringVisit]:
    rows = list(visits)
    day = today()
    for visit in rows:
        visit.unanswered = not visit.response and visit.voided_at is None
        visit.overdue = visit.unanswered and visit.response_due_on is not None and visit.response_due_on < day
    return rows


def unanswered_visits(user):
    """Visits still waiting for the organization's answer, on running projects the user answers for."""
    visits = MonitoringVisit.objects.filter(voided_at__isnull=True, response="", project__status__in=RUNNING)
    return (_visible(user, visits, Action.CHANGE)
            .select_related("project", "project__region", "visitor")
            .order_by("response_due_on", "visited_on", "id"))


def unanswered_count(user, project: Project) -> int:
    return visit_list(user, project).filter(response="").count()


# Reports tab -------------------------------------------------------------------------------------------


def report_list(user, project: Project, *, include_voided: bool = False):
    reports = _visible(user, PeriodicReport.objects.filter(project=project)).select_related("submitted_by")
    if not include_voided:
        reports = reports.filter(voided_at__isnull=True)
    return reports.order_by("-period_start", "-id")


def evaluation_list(user, project: Project):
    return _visible(user, Evaluation.objects.filter(project=project)).select_related("decided_by").order_by(
        "created_at")


def evaluations_by_stage(user, project: Project) -> dict:
    return {evaluation.stage: evaluation for evaluation in evaluation_list(user, project)}
