"""The monitoring tab (监测) and the reports tab (报告与评估: periodic reports, evaluations, closing,
archiving, termination) of a project, plus the organization's list of findings still to answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, require
from wushe.core.history import history_for
from wushe.core.pagination import paginate

from ..models import EvaluationStage, PeriodicReport, ProjectStatus
from ..selectors import execution as selectors
from ..services import evaluations, monitoring
from ..services import execution as services
from ..services.evaluations import EVALUATION_OPEN
from ..states import RUNNING
from ..tabs import project_page_context
from .execution import apply_errors, deny, flash_errors, render_form, tab_url
from .execution_forms import AnswerForm, CloseForm, EvaluationForm, ReportForm, TerminateForm, VisitForm

P = ProjectStatus


# Monitoring --------------------------------------------------------------------------------------------


@login_required
def project_monitoring(request, public_id):
    user = request.user
    project = selectors.project_for(user, public_id)
    perms = selectors.permissions(user, project)
    visits = selectors.mark_overdue(selectors.visit_list(user, project))
    running = project.status in RUNNING
    context = project_page_context(
        project, "monitoring", visits=visits, perms=perms,
        unanswered=sum(1 for visit in visits if visit.unanswered),
        can_create=perms["monitor"] and running, can_answer=perms["change"] and running)
    return render(request, "projects/execution/monitoring.html", context)


@login_required
def monitoring_visit_create(request, public_id):
    project = selectors.project_for(request.user, public_id, Action.MONITOR)
    form = VisitForm(request.POST or None, initial={"visited_on": services.today()})
    if request.method == "POST" and form.is_valid():
        try:
            monitoring.monitoring_visit_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("监测记录已保存，等待组织回应。"))
            return redirect(tab_url("project_monitoring", project))
    return render_form(request, project, form, title=_("记录监测走访"), active="monitoring",
                       back=tab_url("project_monitoring", project), submit=_("保存"))


def _visit(request, project, visit_id):
    return get_object_or_404(selectors.visit_list(request.user, project, include_voided=True), public_id=visit_id)


@login_required
def monitoring_visit_detail(request, public_id, visit_id):
    project = selectors.project_for(request.user, public_id)
    visit = selectors.mark_overdue([_visit(request, project, visit_id)])[0]
    perms = selectors.permissions(request.user, project)
    running = project.status in RUNNING
    context = project_page_context(project, "monitoring", visit=visit, perms=perms,
                                   answer_form=AnswerForm() if perms["change"] and running and visit.unanswered
                                   else None,
                                   can_void=perms["monitor"] and visit.voided_at is None)
    if perms["history"]:
        context["history"] = history_for(visit)
    return render(request, "projects/execution/visit_detail.html", context)


@login_required
def monitoring_visit_answer(request, public_id, visit_id):
    project = selectors.project_for(request.user, public_id, Action.CHANGE)
    visit = _visit(request, project, visit_id)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            monitoring.monitoring_visit_answer(actor=request.user, visit=visit, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("已回应监测意见。"))
            return redirect(tab_url("project_monitoring", project))
    return render_form(request, project, form, title=_("回应监测意见"), active="monitoring",
                       back=tab_url("project_monitoring", project), submit=_("提交回应"),
                       intro=f"{_('发现')}：{visit.findings}\n{_('建议')}：{visit.recommendations}")


@login_required
@require_POST
def monitoring_visit_void(request, public_id, visit_id):
    project = selectors.project_for(request.user, public_id, Action.MONITOR)
    visit = _visit(request, project, visit_id)
    try:
        monitoring.monitoring_visit_void(actor=request.user, visit=visit, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect(reverse("projects:monitoring_visit_detail", args=[project.public_id, visit.public_id]))
    messages.success(request, _("监测记录已作废。"))
    return redirect(tab_url("project_monitoring", project))


@login_required
def monitoring_unanswered(request):
    """Findings waiting for an answer on every project the user answers for (the organization's to-do)."""
    require(request.user, Resource.PROJECT, Action.CHANGE)
    page = paginate(request, selectors.unanswered_visits(request.user))
    rows = selectors.mark_overdue(page)
    return render(request, "projects/execution/unanswered.html", {"page": page, "rows": rows})


# Reports tab -------------------------------------------------------------------------------------------


@login_required
def project_reports(request, public_id):
    user = request.user
    project = selectors.project_for(user, public_id)
    perms = selectors.permissions(user, project)
    by_stage = selectors.evaluations_by_stage(user, project)
    midterm = by_stage.get(EvaluationStage.MIDTERM)
    may_evaluate = perms["monitor"] or perms["manage"]
    if perms["history"]:  # re-evaluations keep the earlier result in the history
        for evaluation in by_stage.values():
            evaluation.history_entries = history_for(evaluation)
    context = project_page_context(
        project, "reports", perms=perms, reports=list(selectors.report_list(user, project)),
        evaluations=[by_stage[stage] for stage in EvaluationStage.values if stage in by_stage],
        can_report=perms["change"] and project.status in monitoring.REPORTING,
        can_evaluate_midterm=may_evaluate and project.status in EVALUATION_OPEN[EvaluationStage.MIDTERM]
        and not (midterm and midterm.passed),
        can_evaluate_final=may_evaluate and project.status in EVALUATION_OPEN[EvaluationStage.FINAL],
        can_close=perms["manage"] and project.status == P.FINAL_REVIEW,
        closing_blockers=evaluations.closing_blockers(project) if project.status == P.FINAL_REVIEW else [],
        can_archive=perms["manage"] and project.status == P.CLOSED,
        can_terminate=perms["manage"] and project.status in RUNNING,
        close_form=CloseForm(),
    )
    return render(request, "projects/execution/reports.html", context)


def _report(request, project, report_id):
    return get_object_or_404(selectors.report_list(request.user, project, include_voided=True), public_id=report_id)


@login_required
def report_create(request, public_id):
    project = selectors.project_for(request.user, public_id, Action.CHANGE)
    kind = request.GET.get("kind")
    form = ReportForm(request.POST or None, initial={
        "kind": kind if kind in PeriodicReport.Kind.values else PeriodicReport.Kind.MONTHLY,
        "period_start": project.agreement.signed_on if hasattr(project, "agreement") else None,
        "period_end": services.today()})
    if request.method == "POST" and form.is_valid():
        try:
            report = monitoring.report_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("报告已保存为草稿，确认无误后请提交。"))
            return redirect(reverse("projects:report_detail", args=[project.public_id, report.public_id]))
    return render_form(request, project, form, title=_("填写项目报告"), active="reports",
                       back=tab_url("project_reports", project), submit=_("保存草稿"),
                       intro=_("提交结项报告后项目进入终期评估。"))


@login_required
def report_detail(request, public_id, report_id):
    project = selectors.project_for(request.user, public_id)
    report = _report(request, project, report_id)
    perms = selectors.permissions(request.user, project)
    editable = (perms["change"] and report.submitted_at is None and report.voided_at is None
                and project.status in monitoring.REPORTING)
    context = project_page_context(project, "reports", report=report, perms=perms, editable=editable)
    if perms["history"]:
        context["history"] = history_for(report)
    return render(request, "projects/execution/report_detail.html", context)


@login_required
def report_update(request, public_id, report_id):
    project = selectors.project_for(request.user, public_id, Action.CHANGE)
    report = _report(request, project, report_id)
    fields = ReportForm.base_fields
    form = ReportForm(request.POST or None, initial={name: getattr(report, name) for name in fields})
    if request.method == "POST" and form.is_valid():
        try:
            monitoring.report_update(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("报告已保存。"))
            return redirect(reverse("projects:report_detail", args=[project.public_id, report.public_id]))
    return render_form(request, project, form, title=_("修改项目报告"), active="reports",
                       back=reverse("projects:report_detail", args=[project.public_id, report.public_id]),
                       submit=_("保存"))


@login_required
@require_POST
def report_submit(request, public_id, report_id):
    project = selectors.project_for(request.user, public_id, Action.CHANGE)
    report = _report(request, project, report_id)
    try:
        monitoring.report_submit(actor=request.user, report=report)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect(reverse("projects:report_detail", args=[project.public_id, report.public_id]))
    messages.success(request, _("报告已提交。"))
    return redirect(tab_url("project_reports", project))


@login_required
@require_POST
def report_void(request, public_id, report_id):
    project = selectors.project_for(request.user, public_id, Action.CHANGE)
    report = _report(request, project, report_id)
    try:
        monitoring.report_void(actor=request.user, report=report, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect(reverse("projects:report_detail", args=[project.public_id, report.public_id]))
    messages.success(request, _("报告草稿已作废。"))
    return redirect(tab_url("project_reports", project))


# Evaluations, closing, archiving, termination ----------------------------------------------------------


@login_required
def evaluation_create(request, public_id):
    project = selectors.project_for(request.user, public_id)
    perms = selectors.permissions(request.user, project)
    if not (perms["monitor"] or perms["manage"]):
        deny(request, project, "evaluate")
    stage = request.POST.get("stage") or request.GET.get("stage")
    stage = stage if stage in EvaluationStage.values else EvaluationStage.MIDTERM
    form = EvaluationForm(request.POST or None, initial={"stage": stage})
    if request.method == "POST" and form.is_valid():
        try:
            evaluation = evaluations.evaluation_record(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(stage)s已保存：%(grade)s（%(score)s分）。") % {
                "stage": evaluation.get_stage_display(), "grade": evaluation.grade, "score": evaluation.score})
            return redirect(tab_url("project_reports", project, "evaluations"))
    funding_round = project.funding_round
    intro = _("综合得分 = 专家评分 × %(expert)s%% + 居民评分 × %(resident)s%%；等级按轮次的等级划分，最低一档为不通过。") % {
        "expert": funding_round.expert_weight, "resident": funding_round.resident_weight}
    return render_form(request, project, form, title=EvaluationStage(stage).label, active="reports",
                       back=tab_url("project_reports", project), submit=_("保存评估"), intro=intro)


@login_required
@require_POST
def project_close(request, public_id):
    project = selectors.project_for(request.user, public_id, Action.MANAGE)
    form = CloseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        evaluations.project_close(actor=request.user, project=project, note=note)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("项目已结项。"))
    return redirect(tab_url("project_reports", project))


@login_required
@require_POST
def project_mark_archived(request, public_id):
    project = selectors.project_for(request.user, public_id, Action.MANAGE)
    try:
        evaluations.project_archive_mark(actor=request.user, project=project)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("项目已归档。"))
    return redirect(tab_url("project_reports", project))


@login_required
def project_terminate(request, public_id):
    project = selectors.project_for(request.user, public_id, Action.MANAGE)
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evaluations.project_terminate(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("项目已终止。"))
            return redirect(tab_url("project_reports", project))
    return render_form(request, project, form, title=_("终止项目"), active="reports",
                       back=tab_url("project_reports", project), submit=_("确认终止"),
                       intro=_("终止后未拨付的资金不再拨付。严重违规时，申报组织和实施组织 %(years)s 年内不得申报。") % {
                           "years": project.funding_round.breach_ban_years})
