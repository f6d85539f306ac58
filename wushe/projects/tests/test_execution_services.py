"""Services of the execution area, tested directly: agreement, tranches, ledger, adjustments,
monitoring, reports, evaluations, closing, archiving and termination."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from wushe.projects.models import (
    BudgetAdjustment,
    BudgetLine,
    Evaluation,
    Expense,
    MonitoringVisit,
    OrganizationBan,
    PeriodicReport,
    Project,
    ProjectStatus,
    Tranche,
)
from wushe.projects.services import evaluations, execution, ledger, monitoring
from wushe.projects.services.execution import today

from .test_execution_helpers import (  # noqa: F401 - fixtures
    PDF,
    REAL_SIGNING_BLOCKERS,
    _review_allows_signing,
    approved_project,
    line,
    running_project,
    sign,
    signed_on,
    spend,
)

pytestmark = pytest.mark.django_db
P = ProjectStatus


def messages_of(excinfo) -> list[str]:
    return [str(m) for m in excinfo.value.messages]


# Agreement ---------------------------------------------------------------------------------------------


def test_signing_contracts_the_project_creates_tranches_and_the_self_raised_line(world):
    project = approved_project(world)
    agreement = sign(world, project)
    project.refresh_from_db()
    assert project.status == P.CONTRACTED
    assert agreement.recorded_by == world.street_officer
    tranches = list(project.tranches.order_by("sequence"))
    assert [(t.sequence, t.percent, t.amount, t.condition, t.status) for t in tranches] == [
        (1, Decimal("50"), Decimal("4000.00"), "agreement", "planned"),
        (2, Decimal("50"), Decimal("4000.00"), "midterm", "planned"),
    ]
    self_raised = BudgetLine.objects.get(project=project, self_raised=True)
    assert (self_raised.category, self_raised.amount) == ("自筹", Decimal("800"))
    assert project.history.first().history_user == world.street_officer


def test_tranche_amounts_are_rounded_so_that_the_sum_is_exact(world):
    from .factories import make_round

    funding_round = make_round(world, tranche_plan=[{"percent": 33.33, "condition": "agreement"},
                                                    {"percent": 33.33, "condition": "midterm"},
                                                    {"percent": 33.34, "condition": "final"}])
    project = approved_project(world, approved="1000.01", funding_round=funding_round, budget=False)
    BudgetLine.objects.create(project=project, category="活动", amount=Decimal("1000.01"))
    sign(world, project)
    amounts = list(project.tranches.order_by("sequence").values_list("amount", flat=True))
    assert amounts == [Decimal("333.30"), Decimal("333.30"), Decimal("333.41")]
    assert sum(amounts) == Decimal("1000.01")
    assert execution.split_amount(Decimal("100"), [Decimal("33.33")] * 2 + [Decimal("33.34")]) == [
        Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_signing_requires_an_approved_project(world):
    project = approved_project(world)
    project.status = P.UNDER_REVIEW
    project.save()
    with pytest.raises(ValidationError) as excinfo:
        sign(world, project)
    assert messages_of(excinfo) == [str(execution.MSG_AGREEMENT_NEEDS_APPROVED)]


def test_signing_refused_while_the_review_area_gives_reasons(world, monkeypatch):
    monkeypatch.setattr(execution, "signing_blockers", lambda funding_round: ["公示期尚未结束。", "异议未答复。"])
    project = approved_project(world)
    with pytest.raises(ValidationError) as excinfo:
        sign(world, project)
    assert messages_of(excinfo) == ["公示期尚未结束。", "异议未答复。"]
    project.refresh_from_db()
    assert project.status == P.APPROVED and not project.tranches.exists()


def test_signing_blockers_asks_the_review_area(world, monkeypatch):
    """The real `signing_blockers` calls wushe.projects.services.review.agreements_may_be_signed (lazily)."""
    import sys
    import types

    fake = types.ModuleType("wushe.projects.services.review")
    fake.agreements_may_be_signed = lambda funding_round: [f"{funding_round.title}：异议未答复。"]
    monkeypatch.setitem(sys.modules, "wushe.projects.services.review", fake)
    project = approved_project(world)
    assert REAL_SIGNING_BLOCKERS(project.funding_round) == [f"{project.funding_round.title}：异议未答复。"]
    fake.agreements_may_be_signed = lambda funding_round: []
    assert REAL_SIGNING_BLOCKERS(project.funding_round) == []


def test_signing_with_the_real_review_rules(world, monkeypatch):
    """Integration with the review area: signing waits for the publicity period and answered objections."""
    from wushe.projects.models import Objection, RoundStatus
    from wushe.projects.services import review

    from .factories import make_round

    monkeypatch.setattr(execution, "signing_blockers", REAL_SIGNING_BLOCKERS)
    funding_round = make_round(world, status=RoundStatus.PUBLICITY, publicity_ends_on=today())
    project = approved_project(world, funding_round=funding_round)
    with pytest.raises(ValidationError) as excinfo:
        sign(world, project)
    assert messages_of(excinfo) == [str(review.MSG_REASON_PUBLICITY_RUNNING % {"date": today().isoformat()})]
    funding_round.publicity_ends_on = today() - datetime.timedelta(days=1)
    funding_round.status = RoundStatus.CONTRACTING
    funding_round.save()
    objection = Objection.objects.create(funding_round=funding_round, project=project, filer_name="某居民",
                                         content="预算偏高")
    with pytest.raises(ValidationError) as excinfo:
        sign(world, project)
    assert messages_of(excinfo) == [str(review.MSG_REASON_UNANSWERED % {"count": 1})]
    Objection.objects.filter(pk=objection.pk).update(answer="已核实", answered_at=datetime.datetime.now(datetime.UTC))
    sign(world, project)
    project.refresh_from_db()
    assert project.status == P.CONTRACTED


def test_signing_needs_grant_lines_equal_to_the_approved_amount(world):
    project = approved_project(world, approved="9000")
    with pytest.raises(ValidationError) as excinfo:
        sign(world, project)
    assert messages_of(excinfo) == [str(execution.MSG_BUDGET_MISMATCH % {"total": Decimal("8000.00"),
                                                                          "approved": Decimal("9000.00")})]


def test_entered_self_raised_lines_must_match_the_self_raised_amount(world):
    project = approved_project(world)
    ledger.budget_line_create(actor=world.org_leader, project=project, category="自筹", amount="500",
                              self_raised=True)
    with pytest.raises(ValidationError) as excinfo:
        sign(world, project)
    assert "自筹资金预算科目合计 500.00 元" in messages_of(excinfo)[0]
    ledger.budget_line_update(actor=world.org_leader, line=BudgetLine.objects.get(project=project, self_raised=True),
                              category="自筹", amount="800", self_raised=True)
    sign(world, project)
    assert BudgetLine.objects.filter(project=project, self_raised=True).count() == 1


def test_signing_validates_fields_dates_files_and_the_tranche_plan(world):
    project = approved_project(world)
    with pytest.raises(ValidationError) as excinfo:
        sign(world, project, funder_name=" ", signed_on=today() + datetime.timedelta(days=1))
    assert set(excinfo.value.message_dict) == {"funder_name", "signed_on"}
    with pytest.raises(ValidationError) as excinfo:
        sign(world, project, file=SimpleUploadedFile("协议.exe", b"MZ"))
    assert excinfo.value.message_dict == {"file": [str(execution.MSG_UPLOAD_TYPE)]}
    project.funding_round.tranche_plan = [{"percent": 60, "condition": "agreement"}]
    project.funding_round.save()
    with pytest.raises(ValidationError) as excinfo:
        sign(world, project)
    assert messages_of(excinfo) == [str(execution.MSG_TRANCHE_PLAN_INVALID)]


def test_signing_needs_manage_and_happens_once(world):
    project = approved_project(world)
    for persona in ("org_leader", "station_staff", "community_staff"):
        with pytest.raises(PermissionDenied):
            sign(world, project, actor=world.users[persona])
    sign(world, project, file=SimpleUploadedFile("协议.pdf", PDF))
    Project.objects.filter(pk=project.pk).update(status=P.APPROVED)  # even then a second agreement is refused
    with pytest.raises(ValidationError) as excinfo:
        sign(world, project)
    assert messages_of(excinfo) == [str(execution.MSG_AGREEMENT_EXISTS)]


# Tranches ----------------------------------------------------------------------------------------------


def test_releasing_the_first_tranche_starts_the_project(world):
    project = running_project(world, release=False)
    first, second = project.tranches.order_by("sequence")
    with pytest.raises(ValidationError) as excinfo:
        execution.tranche_release(actor=world.street_officer, tranche=second)
    assert messages_of(excinfo) == [str(execution.MSG_TRANCHE_ORDER % {"sequence": 1})]
    with pytest.raises(PermissionDenied):
        execution.tranche_release(actor=world.org_leader, tranche=first)
    execution.tranche_release(actor=world.street_officer, tranche=first)
    first.refresh_from_db()
    project.refresh_from_db()
    assert (first.status, first.released_on, first.released_by) == ("released", today(), world.street_officer)
    assert project.status == P.IN_PROGRESS
    with pytest.raises(ValidationError) as excinfo:
        execution.tranche_release(actor=world.street_officer, tranche=first)
    assert messages_of(excinfo) == [str(execution.MSG_TRANCHE_ALREADY_RELEASED)]


def test_midterm_tranche_waits_for_a_passed_midterm_evaluation(world):
    project = running_project(world)
    second = project.tranches.get(sequence=2)
    with pytest.raises(ValidationError) as excinfo:
        execution.tranche_release(actor=world.street_officer, tranche=second)
    assert messages_of(excinfo) == [str(execution.MSG_TRANCHE_NEEDS_MIDTERM)]


def test_failed_midterm_blocks_the_tranche_and_a_passing_reevaluation_unblocks_it(world):
    project = running_project(world)
    second = project.tranches.get(sequence=2)
    evaluation = evaluations.evaluation_record(actor=world.station_staff, project=project, stage="midterm",
                                             expert_score="50", resident_score="60", conclusion="活动频次不足")
    assert (evaluation.score, evaluation.grade, evaluation.passed) == (Decimal("53.00"), "C", False)
    project.refresh_from_db()
    second.refresh_from_db()
    assert project.status == P.MIDTERM_FAILED
    assert second.status == Tranche.Status.BLOCKED and "活动频次不足" in second.note
    with pytest.raises(ValidationError) as excinfo:
        execution.tranche_release(actor=world.street_officer, tranche=second)
    assert messages_of(excinfo) == [str(execution.MSG_TRANCHE_BLOCKED % {"reason": second.note})]

    again = evaluations.evaluation_record(actor=world.street_officer, project=project, stage="midterm",
                                        expert_score="80", resident_score="90", conclusion="整改到位")
    assert again.pk == evaluation.pk and again.passed and again.grade == "B"
    assert [h.passed for h in again.history.order_by("history_date")] == [False, True]
    project.refresh_from_db()
    second.refresh_from_db()
    assert project.status == P.IN_PROGRESS and second.status == Tranche.Status.PLANNED
    execution.tranche_release(actor=world.street_officer, tranche=second)
    with pytest.raises(ValidationError) as excinfo:
        evaluations.evaluation_record(actor=world.station_staff, project=project, stage="midterm",
                                    expert_score="90", conclusion="再评")
    assert messages_of(excinfo) == [str(evaluations.MSG_MIDTERM_ALREADY_PASSED)]


def test_final_tranche_needs_the_final_evaluation(world):
    from .factories import make_round

    funding_round = make_round(world, tranche_plan=[{"percent": 40, "condition": "agreement"},
                                                    {"percent": 30, "condition": "midterm"},
                                                    {"percent": 30, "condition": "final"}])
    project = running_project(world, funding_round=funding_round)
    evaluations.evaluation_record(actor=world.station_staff, project=project, stage="midterm", expert_score="88",
                                conclusion="良好")
    execution.tranche_release(actor=world.street_officer, tranche=project.tranches.get(sequence=2))
    third = project.tranches.get(sequence=3)
    assert execution.tranche_blocker(third, project) == str(execution.MSG_TRANCHE_NEEDS_FINAL)
    submit_final_report(world, project)
    evaluations.evaluation_record(actor=world.station_staff, project=project, stage="final", expert_score="90",
                                resident_score="80", conclusion="优秀")
    project.refresh_from_db()
    assert execution.tranche_blocker(third, project) is None
    execution.tranche_release(actor=world.district_officer, tranche=third)
    assert list(project.tranches.values_list("status", flat=True)) == ["released"] * 3


# Evaluations and grades --------------------------------------------------------------------------------


@pytest.mark.parametrize(("expert", "resident", "score", "grade", "passed"), [
    ("90", "80", "87.00", "A", True),  # 90 × 70% + 80 × 30%
    ("85", None, "85.00", "A", True),
    ("60", "60", "60.00", "B", True),
    ("59.99", None, "59.99", "C", False),
    ("0", "0", "0.00", "C", False),
])
def test_combined_score_and_grade(world, expert, resident, score, grade, passed):
    project = running_project(world)
    evaluation = evaluations.evaluation_record(actor=world.station_staff, project=project, stage="midterm",
                                             expert_score=expert, resident_score=resident, conclusion="结论")
    assert (evaluation.score, evaluation.grade, evaluation.passed) == (Decimal(score), grade, passed)


def test_grade_bands_of_the_round_are_used():
    bands = [{"grade": "优秀", "min": 90}, {"grade": "合格", "min": 70}, {"grade": "不合格", "min": 0}]
    assert evaluations.grade_for(Decimal("95"), bands) == ("优秀", True)
    assert evaluations.grade_for(Decimal("70"), bands) == ("合格", True)
    assert evaluations.grade_for(Decimal("69.99"), bands) == ("不合格", False)
    assert evaluations.grade_for(Decimal("50"), None) == ("C", False)


def test_evaluation_permissions_validation_and_stage(world):
    project = running_project(world)
    for persona in ("org_leader", "community_staff", "social_worker", "supervisor"):
        with pytest.raises(PermissionDenied):
            evaluations.evaluation_record(actor=world.users[persona], project=project, stage="midterm",
                                        expert_score="80", conclusion="好")
    with pytest.raises(ValidationError) as excinfo:
        evaluations.evaluation_record(actor=world.station_staff, project=project, stage="midterm",
                                    expert_score="101", resident_score="abc", conclusion="")
    assert set(excinfo.value.message_dict) == {"expert_score", "resident_score", "conclusion"}
    with pytest.raises(ValidationError) as excinfo:
        evaluations.evaluation_record(actor=world.station_staff, project=project, stage="final",
                                    expert_score="80", conclusion="好")
    assert "不能进行终期评估" in messages_of(excinfo)[0]
    # Officers (MANAGE) may enter evaluations too.
    evaluations.evaluation_record(actor=world.district_officer, project=project, stage="midterm",
                                expert_score="80", conclusion="好")


def test_final_evaluation_sets_the_project_grade(world):
    project = running_project(world)
    submit_final_report(world, project)
    evaluations.evaluation_record(actor=world.station_staff, project=project, stage="final", expert_score="70",
                                resident_score="70", conclusion="基本完成")
    project.refresh_from_db()
    assert project.final_grade == "B"
    evaluations.evaluation_record(actor=world.station_staff, project=project, stage="final", expert_score="90",
                                resident_score="95", conclusion="复核后调整")
    project.refresh_from_db()
    assert project.final_grade == "A"
    assert Evaluation.objects.filter(project=project, stage="final").count() == 1


# Closing, archiving, termination -----------------------------------------------------------------------


def submit_final_report(world, project):
    report = monitoring.report_create(actor=world.org_leader, project=project, kind="final",
                                      period_start=signed_on(), period_end=today(), progress="全部完成",
                                      activities_held=24, direct_beneficiaries=30, person_times=620,
                                      indirect_beneficiaries=200, volunteers_involved=12)
    return monitoring.report_submit(actor=world.org_leader, report=report)


def test_closing_needs_final_evaluation_and_answered_findings(world):
    project = running_project(world)
    visit = monitoring.monitoring_visit_create(actor=world.station_staff, project=project, visited_on=today(),
                                               findings="台账不全", recommendations="补齐签到表")
    with pytest.raises(ValidationError) as excinfo:
        evaluations.project_close(actor=world.street_officer, project=project)
    assert messages_of(excinfo) == [str(evaluations.MSG_CLOSE_NOT_FINAL_REVIEW)]
    submit_final_report(world, project)
    project.refresh_from_db()
    assert project.status == P.FINAL_REVIEW
    ledger.budget_adjustment_request(actor=world.org_leader, project=project, line=line(project), delta="-100",
                                     reason="节余")
    with pytest.raises(ValidationError) as excinfo:
        evaluations.project_close(actor=world.street_officer, project=project)
    assert messages_of(excinfo) == [str(evaluations.MSG_CLOSE_NEEDS_FINAL_EVALUATION),
                                    str(evaluations.MSG_CLOSE_UNANSWERED_VISITS % {"count": 1}),
                                    str(evaluations.MSG_CLOSE_PENDING_ADJUSTMENTS % {"count": 1})]
    evaluations.evaluation_record(actor=world.station_staff, project=project, stage="final", expert_score="88",
                                resident_score="90", conclusion="优秀")
    monitoring.monitoring_visit_answer(actor=world.org_leader, visit=visit, response="已补齐")
    ledger.budget_adjustment_decide(actor=world.street_officer, adjustment=BudgetAdjustment.objects.get(),
                                    approve=False, note="不必调整")
    with pytest.raises(PermissionDenied):
        evaluations.project_close(actor=world.station_staff, project=project)
    evaluations.project_close(actor=world.street_officer, project=project, note="按期结项")
    project.refresh_from_db()
    assert project.status == P.CLOSED and project.closed_at is not None
    assert project.history.first().history_change_reason == "按期结项"
    evaluations.project_archive_mark(actor=world.street_officer, project=project)
    project.refresh_from_db()
    assert project.status == P.ARCHIVED
    with pytest.raises(ValidationError):
        evaluations.project_archive_mark(actor=world.street_officer, project=project)


def test_termination_with_breach_bans_the_organization(world):
    project = running_project(world)
    with pytest.raises(ValidationError):
        evaluations.project_terminate(actor=world.street_officer, project=project, reason=" ")
    with pytest.raises(PermissionDenied):
        evaluations.project_terminate(actor=world.org_leader, project=project, reason="挪用")
    evaluations.project_terminate(actor=world.street_officer, project=project, reason="挪用项目资金", breach=True)
    project.refresh_from_db()
    assert project.status == P.TERMINATED
    assert project.tranches.get(sequence=2).status == Tranche.Status.BLOCKED
    ban = OrganizationBan.objects.get()
    assert ban.organization == world.objects["organization"] and ban.source_project == project
    assert ban.ends_on == evaluations.add_years(today(), 3) and "挪用项目资金" in ban.reason
    with pytest.raises(ValidationError) as excinfo:
        evaluations.project_terminate(actor=world.street_officer, project=project, reason="再次")
    assert messages_of(excinfo) == [str(evaluations.MSG_TERMINATE_NOT_RUNNING)]


def test_termination_without_breach_bans_nobody(world):
    project = running_project(world, release=False)
    evaluations.project_terminate(actor=world.district_officer, project=project, reason="组织解散")
    assert not OrganizationBan.objects.exists()


def test_add_years_handles_leap_days():
    assert evaluations.add_years(datetime.date(2024, 2, 29), 3) == datetime.date(2027, 2, 28)


# Budget lines and the ledger ---------------------------------------------------------------------------


def test_budget_lines_are_entered_by_the_applicant_side_before_signing(world):
    project = approved_project(world, budget=False)
    with pytest.raises(PermissionDenied):
        ledger.budget_line_create(actor=world.street_officer, project=project, category="物料", amount="100")
    created = ledger.budget_line_create(actor=world.org_leader, project=project, category="物料", amount="8000")
    assert created.sort_order == 1
    with pytest.raises(ValidationError) as excinfo:
        ledger.budget_line_create(actor=world.org_leader, project=project, category="", amount="-1")
    assert set(excinfo.value.message_dict) == {"category", "amount"}
    sign(world, project)
    with pytest.raises(ValidationError) as excinfo:
        ledger.budget_line_create(actor=world.org_leader, project=project, category="新增", amount="100")
    assert messages_of(excinfo) == [str(ledger.MSG_BUDGET_NOT_EDITABLE)]
    with pytest.raises(ValidationError):
        ledger.budget_line_void(actor=world.org_leader, line=created, reason="不要了")


def test_expense_books_against_the_line_and_refuses_overspending(world):
    project = running_project(world)
    expense = spend(world, project, "2999.99", receipt=SimpleUploadedFile("发票.pdf", PDF))
    assert expense.receipt.name.endswith(".pdf")
    assert line(project).spent == Decimal("2999.99")
    with pytest.raises(ValidationError) as excinfo:
        spend(world, project, "0.02")
    assert excinfo.value.message_dict == {"amount": [str(ledger.MSG_OVERSPENT % {
        "line": "活动物料", "remaining": Decimal("0.01"), "amount": Decimal("0.02")})]}
    spend(world, project, "0.01")
    assert line(project).remaining == 0
    assert Expense.objects.filter(project=project).count() == 2


def test_the_check_constraint_is_the_last_defence(world, monkeypatch):
    """Even if the conditional update forgot its condition, the database refuses with the same message."""
    project = running_project(world)
    real_filter = BudgetLine.objects.filter

    def filter_without_condition(*args, **kwargs):
        kwargs.pop("spent__lte", None)
        return real_filter(*args, **kwargs)

    monkeypatch.setattr(BudgetLine.objects, "filter", filter_without_condition)
    with pytest.raises(ValidationError) as excinfo:
        spend(world, project, "3000.01")
    assert "超出预算科目“活动物料”的剩余额度" in excinfo.value.message_dict["amount"][0]
    monkeypatch.undo()
    assert line(project).spent == 0


def test_expense_validation(world):
    project = running_project(world)
    with pytest.raises(ValidationError) as excinfo:
        spend(world, project, "0", payee="", description="", spent_on=today() + datetime.timedelta(days=1))
    assert set(excinfo.value.message_dict) == {"amount", "payee", "description", "spent_on"}
    with pytest.raises(ValidationError) as excinfo:
        spend(world, project, "1.005")
    assert excinfo.value.message_dict == {"amount": [str(execution.MSG_AMOUNT_INVALID)]}
    with pytest.raises(ValidationError) as excinfo:
        spend(world, project, "10", spent_on=signed_on() - datetime.timedelta(days=1))
    assert excinfo.value.message_dict == {"spent_on": [str(execution.MSG_DATE_BEFORE_AGREEMENT % {
        "date": signed_on()})]}
    with pytest.raises(ValidationError) as excinfo:
        spend(world, project, "10", receipt=SimpleUploadedFile("发票.pdf", b"not a pdf"))
    assert excinfo.value.message_dict == {"receipt": [str(execution.MSG_UPLOAD_TYPE)]}
    big = SimpleUploadedFile("发票.png", b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as excinfo:
        spend(world, project, "10", receipt=big)
    assert excinfo.value.message_dict == {"receipt": [str(execution.MSG_UPLOAD_TOO_LARGE)]}
    other = running_project(world, title="另一个项目")
    with pytest.raises(ValidationError) as excinfo:
        ledger.expense_record(actor=world.org_leader, project=project, line=line(other), amount="1", payee="x",
                              spent_on=today(), description="y")
    assert excinfo.value.message_dict == {"line": [str(ledger.MSG_LINE_NOT_IN_PROJECT)]}
    assert line(project).spent == 0


def test_expenses_only_while_running_and_only_by_the_applicant_side(world):
    project = approved_project(world)
    with pytest.raises(ValidationError) as excinfo:
        spend(world, project, "10")
    assert "不能进行此操作" in messages_of(excinfo)[0]
    sign(world, project)  # CONTRACTED counts as running: spending may start at signing
    for persona in ("community_staff", "social_worker"):
        spend(world, project, "10", actor=world.users[persona])
    for persona in ("street_officer", "station_staff", "supervisor", "district_officer"):
        with pytest.raises(PermissionDenied):
            spend(world, project, "10", actor=world.users[persona])


def test_voiding_an_expense_gives_the_money_back_once(world):
    project = running_project(world)
    expense = spend(world, project, "3000")
    with pytest.raises(ValidationError):
        ledger.expense_void(actor=world.org_leader, expense=expense, reason=" ")
    with pytest.raises(PermissionDenied):
        ledger.expense_void(actor=world.station_staff, expense=expense, reason="录错")
    ledger.expense_void(actor=world.org_leader, expense=expense, reason="录错金额")
    expense.refresh_from_db()
    assert expense.is_voided and expense.void_reason == "录错金额"
    assert line(project).spent == 0
    with pytest.raises(ValidationError) as excinfo:
        ledger.expense_void(actor=world.org_leader, expense=expense, reason="再作废")
    assert messages_of(excinfo) == [str(ledger.MSG_EXPENSE_ALREADY_VOIDED)]
    assert line(project).spent == 0
    spend(world, project, "3000")


def test_budget_totals(world):
    project = running_project(world)
    spend(world, project, "100")
    spend(world, project, "50", category="自筹")
    totals = ledger.budget_totals(project)
    assert totals["grant"] == Decimal("8000") and totals["grant_spent"] == Decimal("100")
    assert totals["self_raised"] == Decimal("800") and totals["self_raised_spent"] == Decimal("50")
    assert totals["remaining"] == Decimal("8650")


# Budget adjustments ------------------------------------------------------------------------------------


def test_single_adjustment_lowers_a_line_but_not_below_spent(world):
    project = running_project(world)
    spend(world, project, "2500")
    with pytest.raises(ValidationError) as excinfo:
        ledger.budget_adjustment_request(actor=world.org_leader, project=project, line=line(project),
                                         delta="-600", reason="节余")
    assert "将低于已支出金额" in excinfo.value.message_dict["delta"][0]
    adjustment = ledger.budget_adjustment_request(actor=world.org_leader, project=project, line=line(project),
                                                  delta="-500", reason="节余")
    spend(world, project, "100")  # meanwhile more is spent: approval must re-check
    with pytest.raises(ValidationError) as excinfo:
        ledger.budget_adjustment_decide(actor=world.street_officer, adjustment=adjustment, approve=True)
    assert "将低于已支出金额" in excinfo.value.message_dict["delta"][0]
    adjustment.refresh_from_db()
    assert adjustment.status == BudgetAdjustment.Status.REQUESTED and line(project).amount == Decimal("3000")


def test_raising_a_grant_line_may_not_pass_the_approved_amount(world):
    project = running_project(world)
    with pytest.raises(ValidationError) as excinfo:
        ledger.budget_adjustment_request(actor=world.org_leader, project=project, line=line(project),
                                         delta="100", reason="物价上涨")
    assert excinfo.value.message_dict["delta"] == [str(ledger.MSG_OVER_APPROVED % {
        "total": Decimal("8100.00"), "approved": Decimal("8000.00")})]
    lower = ledger.budget_adjustment_request(actor=world.org_leader, project=project,
                                             line=line(project, "宣传印刷"), delta="-300", reason="节余")
    ledger.budget_adjustment_decide(actor=world.street_officer, adjustment=lower, approve=True)
    raise_ = ledger.budget_adjustment_request(actor=world.org_leader, project=project, line=line(project),
                                              delta="300", reason="物价上涨")
    decided = ledger.budget_adjustment_decide(actor=world.street_officer, adjustment=raise_, approve=True,
                                              note="同意")
    assert [(d.status, d.decided_by, d.decision_note) for d in decided] == [("approved", world.street_officer, "同意")]
    assert line(project).amount == Decimal("3300") and line(project, "宣传印刷").amount == Decimal("2700")
    assert line(project).history.first().history_change_reason == "物价上涨"
    with pytest.raises(ValidationError) as excinfo:
        ledger.budget_adjustment_decide(actor=world.street_officer, adjustment=raise_, approve=True)
    assert messages_of(excinfo) == [str(ledger.MSG_ADJUSTMENT_DECIDED)]
    # Self-raised lines are the organization's own money: no cap.
    own = ledger.budget_adjustment_request(actor=world.org_leader, project=project, line=line(project, "自筹"),
                                           delta="1000", reason="追加自筹")
    ledger.budget_adjustment_decide(actor=world.street_officer, adjustment=own, approve=True)
    assert line(project, "自筹").amount == Decimal("1800")


def test_a_transfer_moves_money_between_lines_as_one_decision(world):
    project = running_project(world)
    spend(world, project, "2800", category="活动物料")
    from_line, to_line = line(project, "宣传印刷"), line(project)
    pair = ledger.budget_transfer_request(actor=world.org_leader, project=project, from_line=from_line,
                                          to_line=to_line, amount="1000", reason="活动增加")
    assert [a.delta for a in pair] == [Decimal("-1000"), Decimal("1000")]
    assert pair[0].transfer_group == pair[1].transfer_group is not None
    with pytest.raises(PermissionDenied):
        ledger.budget_adjustment_decide(actor=world.org_leader, adjustment=pair[1], approve=True)
    ledger.budget_adjustment_decide(actor=world.street_officer, adjustment=pair[1], approve=True)
    assert set(BudgetAdjustment.objects.values_list("status", flat=True)) == {"approved"}
    assert line(project).amount == Decimal("4000") and line(project, "宣传印刷").amount == Decimal("2000")
    spend(world, project, "1200")  # now possible
    assert line(project).remaining == 0


def test_transfer_rules_and_rejection(world):
    project = running_project(world)
    with pytest.raises(ValidationError) as excinfo:
        ledger.budget_transfer_request(actor=world.org_leader, project=project, from_line=line(project),
                                       to_line=line(project), amount="10", reason="x")
    assert excinfo.value.message_dict == {"to_line": [str(ledger.MSG_TRANSFER_SAME_LINE)]}
    with pytest.raises(ValidationError) as excinfo:
        ledger.budget_transfer_request(actor=world.org_leader, project=project, from_line=line(project, "自筹"),
                                       to_line=line(project), amount="10", reason="x")
    assert excinfo.value.message_dict == {"to_line": [str(ledger.MSG_TRANSFER_MIXED)]}
    with pytest.raises(ValidationError) as excinfo:
        ledger.budget_adjustment_request(actor=world.org_leader, project=project, line=line(project), delta="0",
                                         reason="")
    assert set(excinfo.value.message_dict) == {"delta", "reason"}
    pair = ledger.budget_transfer_request(actor=world.org_leader, project=project, from_line=line(project),
                                          to_line=line(project, "宣传印刷"), amount="10", reason="x")
    ledger.budget_adjustment_decide(actor=world.district_officer, adjustment=pair[0], approve=False, note="不同意")
    assert set(BudgetAdjustment.objects.values_list("status", flat=True)) == {"rejected"}
    assert line(project).amount == Decimal("3000")


# Monitoring and reports --------------------------------------------------------------------------------


def test_monitoring_visit_and_answer(world):
    project = running_project(world)
    with pytest.raises(PermissionDenied):
        monitoring.monitoring_visit_create(actor=world.org_leader, project=project, visited_on=today(),
                                           findings="x", recommendations="y")
    with pytest.raises(ValidationError) as excinfo:
        monitoring.monitoring_visit_create(actor=world.station_staff, project=project, visited_on=today(),
                                           findings="", recommendations="", response_due_on=today())
    assert set(excinfo.value.message_dict) == {"findings", "recommendations"}
    with pytest.raises(ValidationError) as excinfo:
        monitoring.monitoring_visit_create(actor=world.station_staff, project=project, visited_on=today(),
                                           findings="x", recommendations="y",
                                           response_due_on=today() - datetime.timedelta(days=1))
    assert excinfo.value.message_dict == {"response_due_on": [str(monitoring.MSG_DUE_BEFORE_VISIT)]}
    visit = monitoring.monitoring_visit_create(
        actor=world.station_staff, project=project, visited_on=today() - datetime.timedelta(days=10),
        method="实地走访", findings="签到表缺失", recommendations="补齐签到表",
        response_due_on=today() - datetime.timedelta(days=1))
    assert visit.visitor == world.station_staff and monitoring.visit_is_overdue(visit)
    with pytest.raises(PermissionDenied):
        monitoring.monitoring_visit_answer(actor=world.station_staff, visit=visit, response="x")
    with pytest.raises(ValidationError):
        monitoring.monitoring_visit_answer(actor=world.org_leader, visit=visit, response=" ")
    answered = monitoring.monitoring_visit_answer(actor=world.social_worker, visit=visit, response="已补齐")
    assert (answered.response, answered.responded_by) == ("已补齐", world.social_worker)
    assert not monitoring.visit_is_overdue(answered)
    with pytest.raises(ValidationError) as excinfo:
        monitoring.monitoring_visit_answer(actor=world.org_leader, visit=visit, response="再答")
    assert messages_of(excinfo) == [str(monitoring.MSG_VISIT_ALREADY_ANSWERED)]
    monitoring.monitoring_visit_void(actor=world.street_officer, visit=visit, reason="重复录入")
    assert MonitoringVisit.objects.active().count() == 0


def test_reports_draft_update_submit_and_figures(world):
    project = running_project(world)
    with pytest.raises(ValidationError) as excinfo:
        monitoring.report_create(actor=world.org_leader, project=project, kind="monthly", period_start=today(),
                                 period_end=today() - datetime.timedelta(days=1), progress="",
                                 direct_beneficiaries=30, person_times=20)
    assert set(excinfo.value.message_dict) == {"period_end", "progress", "person_times"}
    with pytest.raises(PermissionDenied):
        monitoring.report_create(actor=world.station_staff, project=project, kind="monthly",
                                 period_start=signed_on(), period_end=today(), progress="x")
    report = monitoring.report_create(actor=world.community_staff, project=project, kind="quarterly",
                                      period_start=signed_on(), period_end=today(), progress="开展探访12次",
                                      activities_held=12, direct_beneficiaries=30, person_times=310)
    report = monitoring.report_update(actor=world.org_leader, report=report, problems="志愿者流动大",
                                      indirect_beneficiaries=90)
    assert (report.problems, report.indirect_beneficiaries, report.person_times) == ("志愿者流动大", 90, 310)
    monitoring.report_submit(actor=world.org_leader, report=report)
    report.refresh_from_db()
    assert report.submitted_by == world.org_leader
    project.refresh_from_db()
    assert project.status == P.IN_PROGRESS
    with pytest.raises(ValidationError) as excinfo:
        monitoring.report_update(actor=world.org_leader, report=report, progress="改")
    assert messages_of(excinfo) == [str(monitoring.MSG_REPORT_SUBMITTED)]
    with pytest.raises(ValidationError):
        monitoring.report_void(actor=world.org_leader, report=report, reason="x")


def test_final_report_moves_to_final_review_only_when_in_progress(world):
    project = running_project(world)
    evaluations.evaluation_record(actor=world.station_staff, project=project, stage="midterm", expert_score="40",
                                conclusion="未达标")
    report = monitoring.report_create(actor=world.org_leader, project=project, kind="final",
                                      period_start=signed_on(), period_end=today(), progress="完成")
    with pytest.raises(ValidationError) as excinfo:
        monitoring.report_submit(actor=world.org_leader, report=report)
    assert messages_of(excinfo) == [str(monitoring.MSG_FINAL_REPORT_NEEDS_IN_PROGRESS)]
    evaluations.evaluation_record(actor=world.station_staff, project=project, stage="midterm", expert_score="75",
                                conclusion="整改后达标")
    monitoring.report_submit(actor=world.org_leader, report=report)
    project.refresh_from_db()
    assert project.status == P.FINAL_REVIEW
    with pytest.raises(ValidationError):
        monitoring.report_create(actor=world.org_leader, project=project, kind="monthly", period_start=today(),
                                 period_end=today(), progress="x")
    draft = PeriodicReport.objects.create(project=project, kind="monthly", period_start=today(),
                                          period_end=today(), progress="草稿")
    monitoring.report_void(actor=world.org_leader, report=draft, reason="重复")
    draft.refresh_from_db()
    assert draft.is_voided
