"""Process monitoring (过程性监测) and periodic reports of a running project (execution area).

- Monitoring visits are recorded by station or street staff (MONITOR) while the project runs; the
  organization side (CHANGE) must answer each one, once. Unanswered visits block closing (结项).
- Periodic reports (monthly, quarterly, mid-term, final) are written by the organization side as drafts
  and then submitted; submitting the final report moves IN_PROGRESS → FINAL_REVIEW. Outcome figures:
  activities held, direct beneficiaries (unique persons), person-times (人次, at least one per person),
  indirect beneficiaries (an estimate) and volunteers involved.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action
from wushe.core.services import record_void, save_with_history

from ..models import MonitoringVisit, PeriodicReport, Project, ProjectStatus
from ..states import project_transition
from .execution import (
    MSG_DATE_BEFORE_AGREEMENT,
    MSG_DATE_IN_FUTURE,
    MSG_REQUIRED,
    clean_text,
    lock_project,
    raise_errors,
    require,
    require_running,
    today,
)

P = ProjectStatus
# Reports are written while the project is being implemented (before the final review starts).
REPORTING = {P.CONTRACTED, P.IN_PROGRESS, P.MIDTERM_FAILED}
REPORT_TEXT_FIELDS = ("progress", "outcomes", "problems", "next_steps")
REPORT_FIGURES = ("activities_held", "direct_beneficiaries", "person_times", "indirect_beneficiaries",
                  "volunteers_involved")
REPORT_FIELDS = ("kind", "period_start", "period_end", *REPORT_TEXT_FIELDS, *REPORT_FIGURES)

MSG_DUE_BEFORE_VISIT = _("回应期限不能早于监测日期。")
MSG_VISIT_ALREADY_ANSWERED = _("该监测意见已回应。")
MSG_VISIT_VOIDED = _("该监测记录已作废。")
MSG_PERIOD_END_BEFORE_START = _("截止日期不能早于起始日期。")
MSG_FIGURE_NEGATIVE = _("数字不能为负数。")
MSG_PERSON_TIMES_BELOW_PERSONS = _("服务人次不能少于直接受益人数（每人至少计一次）。")
MSG_REPORT_SUBMITTED = _("报告已提交，不能再修改。")
MSG_REPORT_VOIDED = _("该报告已作废。")
MSG_FINAL_REPORT_NEEDS_IN_PROGRESS = _("只有实施中的项目才能提交结项报告（中期评估未通过的项目须先通过重新评估）。")
MSG_FINAL_REPORT_REASON = _("提交结项报告，进入终期评估")


# Monitoring visits -------------------------------------------------------------------------------------


@transaction.atomic
def monitoring_visit_create(*, actor, project: Project, visited_on, findings: str, recommendations: str,
                            method: str = "", response_due_on=None) -> MonitoringVisit:
    require(actor, Action.MONITOR, project)
    require_running(project)
    errors: dict = {}
    findings, recommendations = clean_text(findings), clean_text(recommendations)
    if not findings:
        errors["findings"] = [MSG_REQUIRED]
    if not recommendations:
        errors["recommendations"] = [MSG_REQUIRED]
    if not visited_on:
        errors["visited_on"] = [MSG_REQUIRED]
    elif visited_on > today():
        errors["visited_on"] = [MSG_DATE_IN_FUTURE]
    elif visited_on < project.agreement.signed_on:
        errors["visited_on"] = [MSG_DATE_BEFORE_AGREEMENT % {"date": project.agreement.signed_on}]
    elif response_due_on and response_due_on < visited_on:
        errors["response_due_on"] = [MSG_DUE_BEFORE_VISIT]
    raise_errors(errors)
    visit = MonitoringVisit(project=project, visited_on=visited_on, visitor=actor, method=clean_text(method),
                            findings=findings, recommendations=recommendations, response_due_on=response_due_on)
    save_with_history(visit, actor=actor)
    return visit


@transaction.atomic
def monitoring_visit_answer(*, actor, visit: MonitoringVisit, response: str) -> MonitoringVisit:
    """The organization's answer to a visit's findings (once)."""
    require(actor, Action.CHANGE, visit.project)
    require_running(visit.project)
    visit = MonitoringVisit.objects.select_for_update().get(pk=visit.pk)
    if visit.voided_at is not None:
        raise ValidationError(MSG_VISIT_VOIDED, code="voided")
    if visit.response:
        raise ValidationError(MSG_VISIT_ALREADY_ANSWERED, code="already_answered")
    response = clean_text(response)
    if not response:
        raise ValidationError({"response": [MSG_REQUIRED]})
    visit.response, visit.responded_by, visit.responded_at = response, actor, timezone.now()
    save_with_history(visit, actor=actor, reason=str(_("组织回应")))
    return visit


@transaction.atomic
def monitoring_visit_void(*, actor, visit: MonitoringVisit, reason: str) -> MonitoringVisit:
    require(actor, Action.MONITOR, visit.project)
    return record_void(actor=actor, obj=visit, reason=reason)


def visit_is_overdue(visit: MonitoringVisit) -> bool:
    return not visit.response and visit.response_due_on is not None and visit.response_due_on < today()


# Periodic reports --------------------------------------------------------------------------------------


def _apply_report_fields(report: PeriodicReport, fields: dict) -> None:
    errors: dict = {}
    for name in REPORT_FIELDS:
        if name in fields:
            value = fields[name]
            if name in REPORT_TEXT_FIELDS:
                value = clean_text(value)
            elif name in REPORT_FIGURES:
                value = int(value or 0)
            setattr(report, name, value)
    if report.kind not in PeriodicReport.Kind.values:
        errors["kind"] = [MSG_REQUIRED]
    for name in ("period_start", "period_end", "progress"):
        if not getattr(report, name):
            errors[name] = [MSG_REQUIRED]
    if report.period_start and report.period_end and report.period_end < report.period_start:
        errors["period_end"] = [MSG_PERIOD_END_BEFORE_START]
    for name in REPORT_FIGURES:
        if getattr(report, name) < 0:
            errors[name] = [MSG_FIGURE_NEGATIVE]
    if "person_times" not in errors and report.person_times < report.direct_beneficiaries:
        errors["person_times"] = [MSG_PERSON_TIMES_BELOW_PERSONS]
    raise_errors(errors)


@transaction.atomic
def report_create(*, actor, project: Project, **fields) -> PeriodicReport:
    """A draft report; `fields` are REPORT_FIELDS."""
    require(actor, Action.CHANGE, project)
    require_running(project, REPORTING)
    report = PeriodicReport(project=project, kind=fields.get("kind", ""))
    _apply_report_fields(report, fields)
    save_with_history(report, actor=actor)
    return report


def _editable(report: PeriodicReport) -> None:
    if report.voided_at is not None:
        raise ValidationError(MSG_REPORT_VOIDED, code="voided")
    if report.submitted_at is not None:
        raise ValidationError(MSG_REPORT_SUBMITTED, code="submitted")


@transaction.atomic
def report_update(*, actor, report: PeriodicReport, **fields) -> PeriodicReport:
    require(actor, Action.CHANGE, report.project)
    require_running(report.project, REPORTING)
    report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    _apply_report_fields(report, fields)
    save_with_history(report, actor=actor)
    return report


@transaction.atomic
def report_submit(*, actor, report: PeriodicReport) -> PeriodicReport:
    """Submit a draft; the final report (结项报告) moves the project to FINAL_REVIEW."""
    require(actor, Action.CHANGE, report.project)
    project = lock_project(report.project_id)
    require_running(project, REPORTING)
    report = PeriodicReport.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    if report.kind == PeriodicReport.Kind.FINAL and project.status != P.IN_PROGRESS:
        raise ValidationError(MSG_FINAL_REPORT_NEEDS_IN_PROGRESS, code="final_needs_in_progress")
    report.submitted_at, report.submitted_by = timezone.now(), actor
    save_with_history(report, actor=actor, reason=str(_("提交")))
    if report.kind == PeriodicReport.Kind.FINAL:
        project_transition(actor=actor, project=project, to=P.FINAL_REVIEW, reason=str(MSG_FINAL_REPORT_REASON))
    report.project = project
    return report


@transaction.atomic
def report_void(*, actor, report: PeriodicReport, reason: str) -> PeriodicReport:
    """Only a draft may be voided; a submitted report stays on record."""
    require(actor, Action.CHANGE, report.project)
    _editable(report)
    return record_void(actor=actor, obj=report, reason=reason)

