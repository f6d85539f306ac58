"""The case page's context, shared by the page and by the actions that re-render it with their errors."""

from django.shortcuts import render

from wushe.accounts.policy import Action, Resource, can

from .. import selectors
from ..forms import (
    AdvanceForm,
    FollowUpForm,
    FollowUpRecordForm,
    GoalForm,
    GrantForm,
    HarmFlagForm,
    RecordForm,
    ReferralForm,
    ReportCloseForm,
    ReportFileForm,
)
from ..models import STEP_ORDER, CaseStatus, GoalStatus, MandatoryReportStatus, ReferralStatus
from ..services.reads import READ_CASE, case_read_log
from ..services.referrals import REFERABLE, referral_is_withdrawn
from ..services.steps import GOAL_STEPS, next_steps

BRANCHES = {CaseStatus.NOT_ACCEPTED, CaseStatus.REFERRED}


def step_bar(case, referrals=()) -> list[dict]:
    """接案→预估→计划→介入→评估→结案, each done, current or to come (branches stop the line)."""
    if case.status in BRANCHES:
        reached = {CaseStatus.INTAKE} if case.status == CaseStatus.NOT_ACCEPTED else set()
        if case.status == CaseStatus.REFERRED:
            before = next((r.status_before for r in referrals if r.status == ReferralStatus.ACCEPTED),
                          CaseStatus.INTAKE)
            reached = set(STEP_ORDER[:STEP_ORDER.index(before) + 1]) if before in STEP_ORDER else set()
        return [{"label": s.label, "state": "done" if s in reached else "todo"} for s in STEP_ORDER]
    index = STEP_ORDER.index(case.status)
    return [{"label": s.label, "state": "done" if i < index else "current" if i == index else "todo"}
            for i, s in enumerate(STEP_ORDER)]


def detail_context(request, case, **forms) -> dict:
    user = request.user
    may_change = not case.is_voided and can(user, Action.CHANGE, Resource.CASE, case)
    may_review = can(user, Action.REVIEW, Resource.CASE, case)
    goals = list(selectors.case_goals(case))
    referrals = list(selectors.case_referrals(case))
    for referral in referrals:
        referral.withdrawn = referral_is_withdrawn(referral)
    reports = list(selectors.case_reports(case))
    follow_ups = list(selectors.case_follow_ups(case))
    pending = next((r for r in referrals if r.status == ReferralStatus.PENDING), None)
    context = {
        "case": case,
        "client": case.client,
        "steps": step_bar(case, referrals),
        "records": list(selectors.case_records(case)),
        "goals": goals,
        "goal_status_choices": GoalStatus.choices,
        "referrals": referrals,
        "pending_referral": pending,
        "follow_ups": follow_ups,
        "reports": reports,
        "reports_due": [r for r in reports if r.status == MandatoryReportStatus.TO_REPORT],
        "workers": case.active_assignments,
        "may_change": may_change,
        "may_review": may_review,
        "may_history": can(user, Action.HISTORY, Resource.CASE, case),
        "may_goals": may_change and case.status in GOAL_STEPS,
        "may_refer": may_change and case.status in REFERABLE and pending is None,
        "may_follow_up": may_change and case.status == CaseStatus.CLOSED,
        "may_flag": may_change and case.status != CaseStatus.REFERRED and not any(r.status == MandatoryReportStatus.TO_REPORT for r in reports),
    }
    if may_change:
        if next_steps(case):
            context["advance_form"] = forms.get("advance_form") or AdvanceForm(case=case, goals=goals)
        if case.status != CaseStatus.REFERRED:
            context["record_form"] = forms.get("record_form") or RecordForm()
        context["goal_form"] = forms.get("goal_form") or GoalForm()
        context["referral_form"] = forms.get("referral_form") or ReferralForm(user=user, case=case)
        context["follow_up_form"] = forms.get("follow_up_form") or FollowUpForm()
        context["follow_up_record_form"] = FollowUpRecordForm()
        context["harm_form"] = forms.get("harm_form") or HarmFlagForm()
        context["report_file_form"] = ReportFileForm()
        context["report_close_form"] = ReportCloseForm()
    if may_review:
        context["grants"] = list(selectors.case_grants(case))
        context["grant_form"] = forms.get("grant_form") or GrantForm()
    return context


def render_detail(request, case, *, log: bool = True, **forms):
    """The case page. It shows the narrative, so it is a read: logged unless the caller logged it."""
    if log:
        case_read_log(actor=request.user, case=case, what=READ_CASE, channel="page")
    return render(request, "cases/case_detail.html", detail_context(request, case, **forms))
