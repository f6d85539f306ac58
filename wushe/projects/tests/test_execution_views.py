"""Pages of the execution area: permissions over every persona, the flows a user clicks through, HTMX
partials, file downloads and query counts."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wushe.projects.models import (
    BudgetAdjustment,
    BudgetLine,
    Expense,
    MonitoringVisit,
    PeriodicReport,
    Project,
    ProjectStatus,
    Tranche,
)
from wushe.projects.services import evaluations, execution, ledger, monitoring
from wushe.projects.services.execution import today
from wushe.testing.personas import ALL_PERSONAS

from .test_execution_helpers import (  # noqa: F401 - fixtures
    MAY_ANSWER_SOMEWHERE,
    MAY_CHANGE,
    MAY_EVALUATE,
    MAY_MANAGE,
    MAY_MONITOR,
    MAY_VIEW,
    PDF,
    _review_allows_signing,
    approved_project,
    expected,
    final_review,
    line,
    running_project,
    scenario_fixture,
    signed_on,
    spend,
)

pytestmark = pytest.mark.django_db
P = ProjectStatus
# Fixed query budgets of the list pages (session, user, role assignments, the project, permissions, each
# list once); measured 18, 10 and 8, with a little room for shared context processors.
BUDGET_PAGE_QUERIES = 20
MONITORING_PAGE_QUERIES = 12
UNANSWERED_QUERIES = 10


def url(name, project, *extra):
    return reverse(f"projects:{name}", args=[project.public_id, *[obj.public_id for obj in extra]])


def get_pages(s):
    project = s["project"]
    return [
        (url("project_budget", project), MAY_VIEW),
        (url("project_monitoring", project), MAY_VIEW),
        (url("project_reports", project), MAY_VIEW),
        (url("expense_detail", project, s["expense"]), MAY_VIEW),
        (url("expense_receipt", project, s["expense"]), MAY_VIEW),
        (url("agreement_file", project), MAY_VIEW),
        (url("monitoring_visit_detail", project, s["visit"]), MAY_VIEW),
        (url("report_detail", project, s["report"]), MAY_VIEW),
        (url("agreement_sign", s["to_sign"]), MAY_MANAGE),
        (url("budget_line_create", s["to_edit"]), MAY_CHANGE),
        (url("budget_line_update", s["to_edit"], s["line"]), MAY_CHANGE),
        (url("expense_create", project), MAY_CHANGE),
        (url("adjustment_request", project), MAY_CHANGE),
        (url("monitoring_visit_create", project), MAY_MONITOR),
        (url("monitoring_visit_answer", project, s["visit"]), MAY_CHANGE),
        (url("report_create", project), MAY_CHANGE),
        (url("report_update", project, s["report"]), MAY_CHANGE),
        (url("evaluation_create", s["other"]) + "?stage=midterm", MAY_EVALUATE),
        (url("project_terminate", project), MAY_MANAGE),
    ]


# Permissions over every persona -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_page_permissions(client_for, scenario, persona):
    client = client_for(persona)
    outcomes = {path: client.get(path).status_code for path, _allowed in get_pages(scenario)}
    assert outcomes == {path: expected(persona, allowed) for path, allowed in get_pages(scenario)}
    response = client.get(url("agreement_file", scenario["project"]))
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_unanswered_list_permissions(client_for, scenario, persona):
    response = client_for(persona).get(reverse("projects:monitoring_unanswered"))
    assert response.status_code == (200 if persona in MAY_ANSWER_SOMEWHERE else 403)
    if response.status_code == 200:
        assert ("签到表缺失" in response.content.decode()) == (persona in MAY_CHANGE)


def post_actions(s):
    """(name, path, data, allowed personas, did it happen?) in an order where no action spoils the next."""
    project, other = s["project"], s["other"]
    return [
        ("expense_create", url("expense_create", project), {
            "line": line(project).public_id, "amount": "10", "payee": "商店", "spent_on": today().isoformat(),
            "description": "茶水"}, MAY_CHANGE, lambda: Expense.objects.filter(payee="商店").exists()),
        ("expense_void", url("expense_void", project, s["expense"]), {"reason": "录错"}, MAY_CHANGE,
         lambda: Expense.objects.get(pk=s["expense"].pk).is_voided),
        ("adjustment_decide", url("adjustment_decide", project, s["adjustment"]), {"decision": "approve"},
         MAY_MANAGE, lambda: BudgetAdjustment.objects.get(pk=s["adjustment"].pk).status == "approved"),
        ("tranche_release", url("tranche_release", project, s["tranche"]), {}, MAY_MANAGE,
         lambda: Tranche.objects.get(pk=s["tranche"].pk).status == "released"),
        ("monitoring_visit_answer", url("monitoring_visit_answer", project, s["visit"]), {"response": "已补齐"},
         MAY_CHANGE, lambda: bool(MonitoringVisit.objects.get(pk=s["visit"].pk).response)),
        ("monitoring_visit_void", url("monitoring_visit_void", project, s["visit"]), {"reason": "重复"},
         MAY_MONITOR, lambda: MonitoringVisit.objects.get(pk=s["visit"].pk).is_voided),
        ("report_submit", url("report_submit", project, s["report"]), {}, MAY_CHANGE,
         lambda: PeriodicReport.objects.get(pk=s["report"].pk).submitted_at is not None),
        ("report_void", url("report_void", project, s["report2"]), {"reason": "重复"}, MAY_CHANGE,
         lambda: PeriodicReport.objects.get(pk=s["report2"].pk).is_voided),
        ("budget_line_void", url("budget_line_void", s["to_edit"], s["line"]), {"reason": "重复"}, MAY_CHANGE,
         lambda: BudgetLine.objects.get(pk=s["line"].pk).is_voided),
        ("agreement_sign", url("agreement_sign", s["to_sign"]), {
            "signed_on": today().isoformat(), "funder_name": "东风街道", "implementer_signatory": "薛阿姨",
            "worker_signatory": "李社工", "community_signatory": "居委会"}, MAY_MANAGE,
         lambda: Project.objects.get(pk=s["to_sign"].pk).status == P.CONTRACTED),
        ("evaluation_create", url("evaluation_create", other), {
            "stage": "midterm", "expert_score": "80", "conclusion": "良好"}, MAY_EVALUATE,
         lambda: other.evaluations.exists()),
        ("project_terminate", url("project_terminate", other), {"reason": "组织解散"}, MAY_MANAGE,
         lambda: Project.objects.get(pk=other.pk).status == P.TERMINATED),
    ]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_action_permissions(client_for, scenario, persona):
    client = client_for(persona)
    outcomes, wanted = {}, {}
    for name, path, data, allowed, happened in post_actions(scenario):
        outcomes[name] = (client.post(path, data).status_code, happened())
        wanted[name] = (expected(persona, allowed, ok=302), persona in allowed)
    assert outcomes == wanted


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_close_and_archive_permissions(client_for, world, persona):
    project = running_project(world)
    final_review(world, project)
    client = client_for(persona)
    response = client.post(url("project_close", project), {"note": "按期结项"})
    assert response.status_code == expected(persona, MAY_MANAGE, ok=302)
    project.refresh_from_db()
    assert (project.status == P.CLOSED) == (persona in MAY_MANAGE)
    Project.objects.filter(pk=project.pk).update(status=P.CLOSED)
    response = client.post(url("project_mark_archived", project))
    assert response.status_code == expected(persona, MAY_MANAGE, ok=302)
    assert (Project.objects.get(pk=project.pk).status == P.ARCHIVED) == (persona in MAY_MANAGE)


# Budget tab --------------------------------------------------------------------------------------------


def test_budget_page_shows_agreement_lines_tranches_ledger_and_adjustments(client_for, scenario):
    response = client_for("org_leader").get(url("project_budget", scenario["project"]))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("东风街道办事处", "活动物料", "120.50 / 3000.00", "剩余 2879.50 元", "某某文具店", "第 1 批",
                 "已拨付", "节余", "待审批", "记一笔支出", "申请预算调整", "下载协议扫描件"):
        assert text in html, text
    assert 'aria-current="page">预算与账目' in html
    assert "确认拨付" not in html and 'value="approve"' not in html
    other = client_for("org_leader").get(url("project_budget", scenario["other"])).content.decode()
    assert str(execution.MSG_TRANCHE_NEEDS_MIDTERM) in other


def test_budget_page_for_the_officer_offers_release_and_decisions(client_for, world, scenario):
    project = scenario["project"]
    html = client_for("street_officer").get(url("project_budget", project)).content.decode()
    assert "确认拨付" in html and 'value="approve"' in html and "记一笔支出" not in html
    assert "修改记录" in html


def test_agreement_signing_page_flow(client_for, world):
    project = approved_project(world)
    client = client_for("street_officer")
    html = client.get(url("project_budget", project)).content.decode()
    assert "签订三方协议" in html
    form = client.get(url("agreement_sign", project)).content.decode()
    assert "李社工" in form and "8000" in form
    response = client.post(url("agreement_sign", project), {
        "signed_on": today().isoformat(), "funder_name": "东风街道", "implementer_signatory": "薛阿姨",
        "worker_signatory": "李社工", "community_signatory": "将台社区居委会",
        "file": SimpleUploadedFile("协议.pdf", PDF)})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == P.CONTRACTED and project.agreement.file


def test_agreement_signing_shows_the_review_areas_reasons(client_for, world, monkeypatch):
    monkeypatch.setattr(execution, "signing_blockers", lambda funding_round: ["公示期尚未结束。"])
    project = approved_project(world)
    response = client_for("street_officer").post(url("agreement_sign", project), {
        "signed_on": today().isoformat(), "funder_name": "东风街道", "implementer_signatory": "薛阿姨",
        "worker_signatory": "李社工", "community_signatory": "居委会"})
    assert response.status_code == 200 and "公示期尚未结束。" in response.content.decode()


def test_budget_lines_before_signing(client_for, world):
    project = approved_project(world, budget=False)
    client = client_for("org_leader")
    response = client.post(url("budget_line_create", project), {"category": "活动物料", "amount": "8000"})
    assert response.status_code == 302
    created = BudgetLine.objects.get(project=project)
    response = client.post(url("budget_line_update", project, created),
                           {"category": "活动物料与场地", "amount": "7200", "self_raised": ""})
    assert response.status_code == 302
    created.refresh_from_db()
    assert (created.category, created.amount) == ("活动物料与场地", Decimal("7200"))
    html = client.get(url("project_budget", project)).content.decode()
    assert "添加科目" in html and "活动物料与场地" in html


def test_expense_on_a_phone_with_a_receipt_and_overspend_message(client_for, world):
    project = running_project(world)
    client = client_for("org_leader")
    form = client.get(url("expense_create", project)).content.decode()
    assert 'accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"' in form and 'enctype="multipart/form-data"' in form
    assert "活动物料（剩余 3000.00 元）" in form
    data = {"line": line(project).public_id, "amount": "2999", "payee": "文具店", "spent_on": today().isoformat(),
            "description": "彩纸", "receipt": SimpleUploadedFile("receipt.jpg", b"\xff\xd8\xff\xe0fakejpeg")}
    assert client.post(url("expense_create", project), data).status_code == 302
    expense = Expense.objects.get(project=project)
    assert expense.receipt and expense.recorded_by == world.org_leader
    response = client.post(url("expense_create", project), {**data, "amount": "2", "receipt": ""})
    assert response.status_code == 200
    assert "剩余 1.00 元，本次支出 2.00 元" in response.content.decode()
    download = client.get(url("expense_receipt", project, expense))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"\xff\xd8\xff")
    assert "attachment" in download["Content-Disposition"]


def test_expense_void_from_the_detail_page(client_for, world):
    project = running_project(world)
    expense = spend(world, project, "500")
    client = client_for("community_staff")
    html = client.get(url("expense_detail", project, expense)).content.decode()
    assert "作废此记录" in html and "修改记录" in html
    assert client.post(url("expense_void", project, expense), {"reason": ""}).status_code == 302
    assert not Expense.objects.get(pk=expense.pk).is_voided
    assert client.post(url("expense_void", project, expense), {"reason": "重复录入"}).status_code == 302
    assert Expense.objects.get(pk=expense.pk).is_voided and line(project).spent == 0
    supervisor_html = client_for("supervisor").get(url("expense_detail", project, expense)).content.decode()
    assert "修改记录" not in supervisor_html and "作废此记录" not in supervisor_html


def test_adjustment_forms(client_for, world):
    project = running_project(world)
    client = client_for("org_leader")
    response = client.post(url("adjustment_request", project), {
        "mode": "transfer", "line": line(project, "宣传印刷").public_id, "to_line": line(project).public_id,
        "amount": "500", "reason": "活动增加"})
    assert response.status_code == 302
    assert sorted(BudgetAdjustment.objects.values_list("delta", flat=True)) == [Decimal("-500"), Decimal("500")]
    response = client.post(url("adjustment_request", project), {
        "mode": "increase", "line": line(project).public_id, "amount": "1", "reason": "涨价"})
    assert response.status_code == 200 and "将超过批准金额" in response.content.decode()
    response = client.post(url("adjustment_request", project), {
        "mode": "transfer", "line": line(project).public_id, "amount": "1", "reason": "x"})
    assert response.status_code == 200 and "此项为必填项" in response.content.decode()
    negative = BudgetAdjustment.objects.get(delta__lt=0)
    officer = client_for("street_officer")
    officer.post(url("adjustment_decide", project, negative), {"decision": "approve", "note": "同意"})
    assert line(project).amount == Decimal("3500") and line(project, "宣传印刷").amount == Decimal("2500")
    assert set(BudgetAdjustment.objects.values_list("status", flat=True)) == {"approved"}


def test_ledger_htmx_partial_and_filters(client_for, world):
    project = running_project(world)
    spend(world, project, "10", payee="甲商店")
    spend(world, project, "20", payee="乙商店", category="宣传印刷")
    client = client_for("org_leader")
    response = client.get(url("project_budget", project), {"q": "乙"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "乙商店" in html and "甲商店" not in html and "<html" not in html
    response = client.get(url("project_budget", project), {"line": line(project).public_id}, HTTP_HX_REQUEST="true")
    assert "甲商店" in response.content.decode() and "乙商店" not in response.content.decode()


def queries_for(client, path) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_budget_page_query_count_does_not_grow_with_rows(client_for, world):
    project = running_project(world)
    ledger.budget_adjustment_request(actor=world.org_leader, project=project, line=line(project), delta="-1",
                                     reason="节余")
    client = client_for("street_officer")
    counts = []
    for start, stop in ((0, 3), (3, 30)):
        for index in range(start, stop):
            spend(world, project, "1", payee=f"商户{index}", category=("活动物料", "宣传印刷", "自筹")[index % 3],
                  receipt=SimpleUploadedFile("r.pdf", PDF) if index % 2 else None)
        count, html = queries_for(client, url("project_budget", project))
        assert html.count('data-testid="expense"') == min(stop, settings.WUSHE_PAGE_SIZE)
        counts.append(count)
    assert counts[0] == counts[1] <= BUDGET_PAGE_QUERIES, counts


# Monitoring tab ----------------------------------------------------------------------------------------


def test_monitoring_page_highlights_unanswered_and_overdue(client_for, world):
    project = running_project(world)
    monitoring.monitoring_visit_create(actor=world.station_staff, project=project,
                                       visited_on=today() - datetime.timedelta(days=5), findings="台账不全",
                                       recommendations="补齐", response_due_on=today() - datetime.timedelta(days=1))
    client = client_for("org_leader")
    html = client.get(url("project_monitoring", project)).content.decode()
    assert "1 条待回应" in html and "回应逾期" in html and "list-group-item-danger" in html
    assert "记录监测走访" not in html
    station_html = client_for("station_staff").get(url("project_monitoring", project)).content.decode()
    assert "记录监测走访" in station_html and ">回应</a>" not in station_html
    unanswered = client.get(reverse("projects:monitoring_unanswered")).content.decode()
    assert "台账不全" in unanswered and "回应逾期" in unanswered


def test_monitoring_visit_create_and_answer_pages(client_for, world):
    project = running_project(world)
    response = client_for("station_staff").post(url("monitoring_visit_create", project), {
        "visited_on": today().isoformat(), "method": "活动观察", "findings": "参与人数少",
        "recommendations": "加强宣传", "response_due_on": (today() + datetime.timedelta(days=7)).isoformat()})
    assert response.status_code == 302
    visit = MonitoringVisit.objects.get(project=project)
    client = client_for("social_worker")
    detail = client.get(url("monitoring_visit_detail", project, visit)).content.decode()
    assert "提交回应" in detail and "参与人数少" in detail
    assert client.post(url("monitoring_visit_answer", project, visit), {"response": "已增加楼门海报"}).status_code == 302
    visit.refresh_from_db()
    assert visit.response == "已增加楼门海报" and visit.responded_by == world.social_worker
    assert "已回应" in client.get(url("project_monitoring", project)).content.decode()
    assert "参与人数少" not in client.get(reverse("projects:monitoring_unanswered")).content.decode()


def test_monitoring_and_unanswered_query_counts_do_not_grow_with_rows(client_for, world):
    project = running_project(world)
    client = client_for("org_leader")
    counts = []
    for start, stop in ((0, 3), (3, 30)):
        for index in range(start, stop):
            monitoring.monitoring_visit_create(actor=world.station_staff, project=project, visited_on=today(),
                                               findings=f"发现{index}", recommendations="建议")
        page_count, html = queries_for(client, url("project_monitoring", project))
        assert html.count('data-testid="visit"') == stop
        list_count, html = queries_for(client, reverse("projects:monitoring_unanswered"))
        assert html.count('data-testid="visit"') == min(stop, settings.WUSHE_PAGE_SIZE)
        counts.append((page_count, list_count))
    assert counts[0] == counts[1] and counts[0][0] <= MONITORING_PAGE_QUERIES and counts[0][1] <= UNANSWERED_QUERIES


# Reports tab -------------------------------------------------------------------------------------------


def test_report_pages_draft_edit_submit(client_for, world):
    project = running_project(world)
    client = client_for("org_leader")
    response = client.post(url("report_create", project), {
        "kind": "quarterly", "period_start": signed_on().isoformat(), "period_end": today().isoformat(),
        "progress": "探访12次", "activities_held": 12, "direct_beneficiaries": 30, "person_times": 300,
        "indirect_beneficiaries": 90, "volunteers_involved": 8})
    report = PeriodicReport.objects.get(project=project)
    assert response.status_code == 302 and report.submitted_at is None
    response = client.post(url("report_update", project, report), {
        "kind": "quarterly", "period_start": signed_on().isoformat(), "period_end": today().isoformat(),
        "progress": "探访12次", "activities_held": 12, "direct_beneficiaries": 30, "person_times": 10,
        "indirect_beneficiaries": 90, "volunteers_involved": 8})
    assert response.status_code == 200 and str(monitoring.MSG_PERSON_TIMES_BELOW_PERSONS) in response.content.decode()
    assert client.post(url("report_submit", project, report)).status_code == 302
    html = client.get(url("project_reports", project)).content.decode()
    assert "季度报告" in html and "已提交" in html and "直接受益 30 人" in html


def test_reports_tab_evaluations_and_closing(client_for, world):
    project = running_project(world)
    officer = client_for("street_officer")
    response = officer.post(url("evaluation_create", project), {"stage": "midterm", "expert_score": "50",
                                                                "resident_score": "40", "conclusion": "进度滞后"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == P.MIDTERM_FAILED
    budget = officer.get(url("project_budget", project)).content.decode()
    assert "暂停拨付" in budget and "进度滞后" in budget
    officer.post(url("evaluation_create", project), {"stage": "midterm", "expert_score": "80", "conclusion": "整改"})
    html = officer.get(url("project_reports", project)).content.decode()
    assert "中期评估：B（80.00分）" in html and "中期评估：C（47.00分）" in html  # the failed one stays in history
    assert "中期评估：C" not in client_for("supervisor").get(url("project_reports", project)).content.decode()
    monitoring.monitoring_visit_create(actor=world.station_staff, project=project, visited_on=today(),
                                       findings="x", recommendations="y")
    final_review(world, project)
    html = officer.get(url("project_reports", project)).content.decode()
    assert "暂不能结项" in html and "1 条监测意见未回应" in html and 'data-testid="final-grade">A' in html
    MonitoringVisit.objects.update(response="已整改")
    html = officer.get(url("project_reports", project)).content.decode()
    assert "暂不能结项" not in html and ">结项</button>" in html
    assert officer.post(url("project_close", project), {"note": "结项"}).status_code == 302
    project.refresh_from_db()
    assert project.status == P.CLOSED


def test_termination_page_with_breach(client_for, world):
    project = running_project(world)
    client = client_for("district_officer")
    assert "3 年内不得申报" in client.get(url("project_terminate", project)).content.decode()
    response = client.post(url("project_terminate", project), {"reason": "虚报支出", "breach": "on"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == P.TERMINATED and world.objects["organization"].funding_bans.count() == 1


def test_closing_refused_shows_reasons(client_for, world):
    project = running_project(world)
    response = client_for("street_officer").post(url("project_close", project), follow=True)
    assert str(evaluations.MSG_CLOSE_NOT_FINAL_REVIEW) in response.content.decode()
