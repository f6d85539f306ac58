"""The execution area's JSON API: permissions over every persona, the error shape, multipart expenses
with receipts, the overspend refusal, adjustments, monitoring, reports, evaluations, closing and
query counts."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wushe.projects.models import (
    BudgetAdjustment,
    Expense,
    MonitoringVisit,
    PeriodicReport,
    Project,
    ProjectStatus,
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
EXPENSE_LIST_QUERIES = 6  # measured 5: user and token, role assignments, the project, the page, the count
BASE = "/api/v1/projects"


def path(project, *parts):
    return "/".join([BASE, str(project.public_id), *[str(getattr(p, "public_id", p)) for p in parts]])


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    return body["error"]


# Permissions over every persona -------------------------------------------------------------------------


def reads(s):
    project = s["project"]
    return [
        (path(project, "agreement"), MAY_VIEW),
        (path(project, "agreement", "file"), MAY_VIEW),
        (path(project, "tranches"), MAY_VIEW),
        (path(project, "budget-lines"), MAY_VIEW),
        (path(project, "expenses"), MAY_VIEW),
        (path(project, "expenses", s["expense"]), MAY_VIEW),
        (path(project, "expenses", s["expense"], "receipt"), MAY_VIEW),
        (path(project, "adjustments"), MAY_VIEW),
        (path(project, "monitoring-visits"), MAY_VIEW),
        (path(project, "reports"), MAY_VIEW),
        (path(project, "evaluations"), MAY_VIEW),
    ]


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_read_permissions(api_for, scenario, persona):
    client = api_for(persona)
    outcomes = {url: client.get(url).status_code for url, _allowed in reads(scenario)}
    assert outcomes == {url: expected(persona, allowed) for url, allowed in reads(scenario)}
    response = client.get(f"{BASE}/monitoring-visits/unanswered")
    assert response.status_code == (200 if persona in MAY_ANSWER_SOMEWHERE else 403)
    if response.status_code == 200:
        findings = [item["findings"] for item in response.json()["items"]]
        assert ("签到表缺失" in findings) == (persona in MAY_CHANGE)
    if persona not in MAY_VIEW:
        assert_error(client.get(path(scenario["project"], "expenses")), 404, "not_found")


def writes(s):
    """(name, method, url, body, allowed, ok status, did it happen?) in an order where none spoils the next."""
    project, other = s["project"], s["other"]
    return [
        ("expense", "multipart", path(project, "expenses"), {
            "line": str(line(project).public_id), "amount": "10", "payee": "商店", "spent_on": today().isoformat(),
            "description": "茶水"}, MAY_CHANGE, 201, lambda: Expense.objects.filter(payee="商店").exists()),
        ("expense_void", "json", path(project, "expenses", s["expense"], "void"), {"reason": "录错"}, MAY_CHANGE,
         200, lambda: Expense.objects.get(pk=s["expense"].pk).is_voided),
        ("adjustment", "json", path(project, "adjustments"), {
            "line": str(line(project).public_id), "delta": "-5", "reason": "节余"}, MAY_CHANGE, 201,
         lambda: BudgetAdjustment.objects.filter(reason="节余", delta=Decimal("-5")).exists()),
        ("transfer", "json", path(project, "adjustments", "transfer"), {
            "from_line": str(line(project).public_id), "to_line": str(line(project, "宣传印刷").public_id),
            "amount": "5", "reason": "调剂"}, MAY_CHANGE, 201,
         lambda: BudgetAdjustment.objects.filter(reason="调剂").count() == 2),
        ("decide", "json", path(project, "adjustments", s["adjustment"], "decide"), {"approve": True}, MAY_MANAGE,
         200, lambda: BudgetAdjustment.objects.get(pk=s["adjustment"].pk).status == "approved"),
        ("release", "json", path(project, "tranches", s["tranche"], "release"), {}, MAY_MANAGE, 200,
         lambda: s["project"].tranches.get(sequence=2).status == "released"),
        ("visit", "json", path(project, "monitoring-visits"), {
            "visited_on": today().isoformat(), "findings": "活动照片缺失", "recommendations": "补充"},
         MAY_MONITOR, 201, lambda: MonitoringVisit.objects.filter(findings="活动照片缺失").exists()),
        ("answer", "json", path(project, "monitoring-visits", s["visit"], "answer"), {"response": "已补齐"},
         MAY_CHANGE, 200, lambda: bool(MonitoringVisit.objects.get(pk=s["visit"].pk).response)),
        ("visit_void", "json", path(project, "monitoring-visits", s["visit"], "void"), {"reason": "重复"},
         MAY_MONITOR, 200, lambda: MonitoringVisit.objects.get(pk=s["visit"].pk).is_voided),
        ("report", "json", path(project, "reports"), {
            "kind": "monthly", "period_start": signed_on().isoformat(), "period_end": today().isoformat(),
            "progress": "API报告"}, MAY_CHANGE, 201, lambda: PeriodicReport.objects.filter(progress="API报告").exists()),
        ("report_patch", "patch", path(project, "reports", s["report"]), {"problems": "人手不足"}, MAY_CHANGE, 200,
         lambda: PeriodicReport.objects.get(pk=s["report"].pk).problems == "人手不足"),
        ("report_submit", "json", path(project, "reports", s["report"], "submit"), {}, MAY_CHANGE, 200,
         lambda: PeriodicReport.objects.get(pk=s["report"].pk).submitted_at is not None),
        ("report_void", "json", path(project, "reports", s["report2"], "void"), {"reason": "重复"}, MAY_CHANGE, 200,
         lambda: PeriodicReport.objects.get(pk=s["report2"].pk).is_voided),
        ("line", "json", path(s["to_edit"], "budget-lines"), {"category": "场地", "amount": "100"}, MAY_CHANGE, 201,
         lambda: s["to_edit"].budget_lines.filter(category="场地").exists()),
        ("line_update", "put", path(s["to_edit"], "budget-lines", s["line"]), {
            "category": "活动物料", "amount": "2900"}, MAY_CHANGE, 200,
         lambda: s["to_edit"].budget_lines.get(pk=s["line"].pk).amount == Decimal("2900")),
        ("line_void", "json", path(s["to_edit"], "budget-lines", s["line"], "void"), {"reason": "重复"}, MAY_CHANGE,
         200, lambda: s["to_edit"].budget_lines.get(pk=s["line"].pk).is_voided),
        ("sign", "multipart", path(s["to_sign"], "agreement"), {
            "signed_on": today().isoformat(), "funder_name": "东风街道", "implementer_signatory": "薛阿姨",
            "worker_signatory": "李社工", "community_signatory": "居委会"}, MAY_MANAGE, 201,
         lambda: Project.objects.get(pk=s["to_sign"].pk).status == P.CONTRACTED),
        ("evaluation", "json", path(other, "evaluations"), {
            "stage": "midterm", "expert_score": "80", "conclusion": "良好"}, MAY_EVALUATE, 201,
         lambda: other.evaluations.exists()),
        ("terminate", "json", path(other, "terminate"), {"reason": "组织解散"}, MAY_MANAGE, 200,
         lambda: Project.objects.get(pk=other.pk).status == P.TERMINATED),
    ]


def send(client, method, url, body):
    if method == "multipart":
        return client.post(url, body)
    if method == "patch":
        return client.patch(url, body, content_type="application/json")
    if method == "put":
        return client.put(url, body, content_type="application/json")
    return post_json(client, url, body)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_write_permissions(api_for, scenario, persona):
    client = api_for(persona)
    outcomes, wanted = {}, {}
    for name, method, url, body, allowed, ok, happened in writes(scenario):
        outcomes[name] = (send(client, method, url, body).status_code, happened())
        wanted[name] = (expected(persona, allowed, ok=ok), persona in allowed)
    assert outcomes == wanted


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_close_and_archive_permissions(api_for, world, persona):
    project = running_project(world)
    final_review(world, project)
    client = api_for(persona)
    response = post_json(client, path(project, "close"), {"note": "结项"})
    assert response.status_code == expected(persona, MAY_MANAGE)
    if response.status_code == 200:
        assert response.json()["status"] == "closed" and response.json()["final_grade"] == "A"
    Project.objects.filter(pk=project.pk).update(status=P.CLOSED)
    response = post_json(client, path(project, "mark-archived"))
    assert response.status_code == expected(persona, MAY_MANAGE)
    assert (Project.objects.get(pk=project.pk).status == P.ARCHIVED) == (persona in MAY_MANAGE)


# Behaviour ---------------------------------------------------------------------------------------------


def test_expense_multipart_with_receipt_overspend_and_download(api_for, world):
    project = running_project(world)
    client = api_for("org_leader")
    target = line(project)
    response = client.post(path(project, "expenses"), {
        "line": str(target.public_id), "amount": "2999.50", "payee": "文具店", "spent_on": today().isoformat(),
        "description": "彩纸", "receipt": SimpleUploadedFile("发票.pdf", PDF)})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "2999.50" and body["line_category"] == "活动物料" and body["recorded_by"] == "org_leader"
    download = client.get(body["receipt_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    error = assert_error(client.post(path(project, "expenses"), {
        "line": str(target.public_id), "amount": "1", "payee": "文具店", "spent_on": today().isoformat(),
        "description": "胶水"}), 422, "invalid")
    assert error["fields"] == {"amount": [str(ledger.MSG_OVERSPENT % {
        "line": "活动物料", "remaining": Decimal("0.50"), "amount": Decimal("1.00")})]}
    error = assert_error(client.post(path(project, "expenses"), {
        "line": str(target.public_id), "amount": "0.5", "payee": "文具店", "spent_on": today().isoformat(),
        "description": "胶水", "receipt": SimpleUploadedFile("发票.exe", b"MZ")}), 422, "invalid")
    assert error["fields"] == {"receipt": [str(execution.MSG_UPLOAD_TYPE)]}
    other = running_project(world, title="别的项目")
    error = assert_error(client.post(path(project, "expenses"), {
        "line": str(line(other).public_id), "amount": "0.5", "payee": "x", "spent_on": today().isoformat(),
        "description": "y"}), 422, "invalid")
    assert error["fields"] == {"line": [str(ledger.MSG_LINE_NOT_IN_PROJECT)]}
    lines = {item["category"]: item for item in client.get(path(project, "budget-lines")).json()}
    assert lines["活动物料"]["spent"] == "2999.50" and lines["活动物料"]["remaining"] == "0.50"
    assert lines["自筹"]["self_raised"] is True


def test_expense_list_filters_and_void(api_for, world):
    project = running_project(world)
    first = spend(world, project, "10", payee="甲商店")
    spend(world, project, "20", payee="乙商店", category="宣传印刷")
    client = api_for("community_staff")
    assert [e["payee"] for e in client.get(path(project, "expenses"), {"q": "乙"}).json()["items"]] == ["乙商店"]
    by_line = client.get(path(project, "expenses"), {"line": str(line(project).public_id)}).json()
    assert [e["payee"] for e in by_line["items"]] == ["甲商店"]
    voided = post_json(client, path(project, "expenses", first, "void"), {"reason": "重复"}).json()
    assert voided["voided_at"] and voided["void_reason"] == "重复"
    assert client.get(path(project, "expenses"), {"include_voided": "false"}).json()["count"] == 1
    assert_error(post_json(client, path(project, "expenses", first, "void"), {"reason": "再次"}), 422, "invalid")


def test_expense_list_query_count_does_not_grow_with_rows(api_for, world):
    project = running_project(world)
    client = api_for("street_officer")
    client.get(path(project, "expenses"))  # the first request of a token also records its use
    counts = []
    for start, stop in ((0, 3), (3, 30)):
        for index in range(start, stop):
            spend(world, project, "1", payee=f"商户{index}",
                  receipt=SimpleUploadedFile("r.pdf", PDF) if index % 2 else None)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path(project, "expenses"))
        assert len(response.json()["items"]) == min(stop, settings.NINJA_PAGINATION_PER_PAGE)
        counts.append(len(captured))
    assert counts[0] == counts[1] <= EXPENSE_LIST_QUERIES, counts


def test_agreement_and_tranches_through_the_api(api_for, world):
    project = approved_project(world)
    officer = api_for("street_officer")
    assert_error(officer.get(path(project, "agreement")), 404, "not_found")
    response = officer.post(path(project, "agreement"), {
        "signed_on": signed_on().isoformat(), "funder_name": "东风街道", "implementer_signatory": "薛阿姨",
        "worker_signatory": "李社工", "community_signatory": "居委会", "file": SimpleUploadedFile("协议.pdf", PDF)})
    assert response.status_code == 201, response.content
    assert response.json()["file_url"].endswith("/agreement/file")
    tranches = officer.get(path(project, "tranches")).json()
    assert [(t["amount"], t["condition"], t["blocker"]) for t in tranches] == [
        ("4000.00", "agreement", None), ("4000.00", "midterm", str(execution.MSG_TRANCHE_ORDER % {"sequence": 1}))]
    released = post_json(officer, path(project, "tranches", tranches[0]["public_id"], "release"), {"note": "转账"})
    assert released.json()["status"] == "released" and released.json()["released_by"] == "street_officer"
    error = assert_error(post_json(officer, path(project, "tranches", tranches[1]["public_id"], "release")),
                         422, "invalid")
    assert error["message"] == str(execution.MSG_TRANCHE_NEEDS_MIDTERM)
    project.refresh_from_db()
    assert project.status == P.IN_PROGRESS


def test_signing_refusal_reasons_in_the_api(api_for, world, monkeypatch):
    monkeypatch.setattr(execution, "signing_blockers", lambda funding_round: ["公示期尚未结束。", "异议未答复。"])
    project = approved_project(world)
    error = assert_error(api_for("district_officer").post(path(project, "agreement"), {
        "signed_on": signed_on().isoformat(), "funder_name": "街道", "implementer_signatory": "甲",
        "worker_signatory": "乙", "community_signatory": "丙"}), 422, "invalid")
    assert error["message"] == "公示期尚未结束。；异议未答复。"


def test_adjustments_through_the_api(api_for, world):
    project = running_project(world)
    client = api_for("org_leader")
    error = assert_error(post_json(client, path(project, "adjustments"), {
        "line": str(line(project).public_id), "delta": "100", "reason": "涨价"}), 422, "invalid")
    assert "将超过批准金额" in error["fields"]["delta"][0]
    pair = post_json(client, path(project, "adjustments", "transfer"), {
        "from_line": str(line(project, "宣传印刷").public_id), "to_line": str(line(project).public_id),
        "amount": "300", "reason": "活动增加"}).json()
    assert [a["delta"] for a in pair] == ["-300.00", "300.00"] and pair[0]["transfer_group"] == pair[1]["transfer_group"]
    decided = post_json(api_for("street_officer"), path(project, "adjustments", pair[1]["public_id"], "decide"),
                        {"approve": True, "note": "同意"}).json()
    assert {a["status"] for a in decided} == {"approved"} and {a["decided_by"] for a in decided} == {"street_officer"}
    assert line(project).amount == Decimal("3300")
    assert len(client.get(path(project, "adjustments")).json()) == 2


def test_monitoring_reports_evaluations_and_closing_through_the_api(api_for, world):
    project = running_project(world)
    station, leader, officer = api_for("station_staff"), api_for("org_leader"), api_for("street_officer")
    visit = post_json(station, path(project, "monitoring-visits"), {
        "visited_on": today().isoformat(), "method": "实地走访", "findings": "台账不全", "recommendations": "补齐",
        "response_due_on": today().isoformat()}).json()
    assert visit["visitor"] == "station_staff" and visit["overdue"] is False
    assert [v["findings"] for v in leader.get(f"{BASE}/monitoring-visits/unanswered").json()["items"]] == ["台账不全"]
    evaluation = post_json(station, path(project, "evaluations"), {
        "stage": "midterm", "expert_score": "50", "resident_score": "50", "conclusion": "滞后"}).json()
    assert (evaluation["grade"], evaluation["passed"], evaluation["score"]) == ("C", False, "50.00")
    assert Project.objects.get(pk=project.pk).status == P.MIDTERM_FAILED
    post_json(station, path(project, "evaluations"), {"stage": "midterm", "expert_score": "75", "conclusion": "整改"})
    report = post_json(leader, path(project, "reports"), {
        "kind": "final", "period_start": signed_on().isoformat(), "period_end": today().isoformat(),
        "progress": "完成", "activities_held": 20, "direct_beneficiaries": 30, "person_times": 500}).json()
    error = assert_error(leader.patch(path(project, "reports", report["public_id"]), {"person_times": 5},
                                      content_type="application/json"), 422, "invalid")
    assert error["fields"] == {"person_times": [str(monitoring.MSG_PERSON_TIMES_BELOW_PERSONS)]}
    assert post_json(leader, path(project, "reports", report["public_id"], "submit")).json()["submitted_by"] == "org_leader"
    assert Project.objects.get(pk=project.pk).status == P.FINAL_REVIEW
    post_json(station, path(project, "evaluations"), {"stage": "final", "expert_score": "92", "resident_score": "88",
                                                      "conclusion": "优秀"})
    error = assert_error(post_json(officer, path(project, "close")), 422, "invalid")
    assert error["message"] == str(evaluations.MSG_CLOSE_UNANSWERED_VISITS % {"count": 1})
    post_json(leader, path(project, "monitoring-visits", visit["public_id"], "answer"), {"response": "已补齐"})
    closed = post_json(officer, path(project, "close"), {"note": "按期结项"}).json()
    assert (closed["status"], closed["final_grade"]) == ("closed", "A") and closed["closed_at"]
    assert [e["stage"] for e in leader.get(path(project, "evaluations")).json()] == ["midterm", "final"]
    assert post_json(officer, path(project, "mark-archived")).json()["status"] == "archived"


def test_terminate_with_breach_through_the_api(api_for, world):
    project = running_project(world)
    body = post_json(api_for("admin"), path(project, "terminate"), {"reason": "挪用资金", "breach": True}).json()
    assert body["status"] == "terminated"
    assert world.objects["organization"].funding_bans.count() == 1


def test_openapi_tags(client_for):
    schema = client_for("admin").get("/api/v1/openapi.json").json()
    ours = [op for url, ops in schema["paths"].items() for op in ops.values()
            if url.startswith("/api/v1/projects/") and any(part in url for part in ("/expenses", "/tranches", "/budget-lines", "/adjustments",
                                            "/monitoring-visits", "/evaluations", "/terminate", "/close"))]
    assert len(ours) >= 20 and all(set(op["tags"]) == {"projects"} for op in ours)
