"""The pages: intake with client search, the case page's step moves, goals, records, review, referral
inbox, follow-up, mandatory report alert and grants — in Chinese."""

import datetime

import pytest
from django.urls import reverse

from wushe.cases.models import Case, CaseReferral, CaseStatus, MandatoryReportStatus
from wushe.cases.services import referrals, steps

from .factories import PROBLEM, intake, make_client, make_worker, walk_to

pytestmark = pytest.mark.django_db


def url(case, name="case_detail", **kwargs):
    return reverse(f"cases:{name}", kwargs={"public_id": case.public_id, **kwargs})


def body(response) -> str:
    return response.content.decode()


def test_intake_search_then_form_then_case(world, client_for):
    client = client_for("social_worker")
    make_client(world, "孙测试")
    make_client(world, "孙外区", region=world.other_community)
    response = client.get(reverse("cases:case_intake"), {"q": "孙"})
    assert "孙测试" in body(response) and "孙外区" not in body(response)
    assert "保密" in body(response) and "案主自决" in body(response)
    candidate = Case._meta.apps.get_model("people", "Resident").objects.get(name="孙测试")
    response = client.get(reverse("cases:case_intake"), {"client": candidate.public_id})
    assert 'data-testid="intake-client"' in body(response) and "确认接案" in body(response)
    response = client.post(reverse("cases:case_intake"), {
        "client": candidate.public_id, "source": "self", "voluntary": "on", "presenting_problem": PROBLEM,
        "consent_basis": "consent", "consent_recorded_on": datetime.date.today().isoformat()})
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == url(case)
    assert case.client == candidate and case.voluntary


def test_intake_htmx_search_returns_candidates_only(world, client_for):
    make_client(world, "孙测试")
    response = client_for("social_worker").get(reverse("cases:case_intake"), {"q": "孙"}, HTTP_HX_REQUEST="true")
    assert "孙测试" in body(response) and "<html" not in body(response)


def test_intake_form_shows_the_under_14_rule(world, client_for):
    child = make_client(world, "韩小测", age=9)
    client = client_for("social_worker")
    response = client.post(reverse("cases:case_intake"), {
        "client": child.public_id, "source": "self", "presenting_problem": "厌学", "consent_basis": "consent",
        "consent_recorded_on": datetime.date.today().isoformat()})
    assert response.status_code == 200
    assert "未满14周岁的服务对象须取得监护人同意，或以履行法定职责为依据。" in body(response)
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["community_staff", "supervisor", "admin", "resident"])
def test_intake_page_is_for_workers(client_for, persona):
    assert client_for(persona).get(reverse("cases:case_intake")).status_code == 403


def test_case_page_walks_every_step(world, client_for):
    case = intake(world)
    client = client_for("social_worker")
    response = client.get(url(case))
    assert 'data-testid="step-bar"' in body(response) and PROBLEM in body(response)
    assert '<option value="assessment">预估</option>' in body(response)
    assert '<option value="plan">' not in body(response)  # only the next legal steps
    for to_status in ("assessment", "plan"):
        response = client.post(url(case, "case_advance"), {"to_status": to_status, "content": f"{to_status}记录"})
        assert response.status_code == 302
    response = client.post(url(case, "case_advance"), {"to_status": "intervention", "content": "介入"})
    assert "进入介入阶段前须至少制定一项服务目标。" in body(response)
    client.post(url(case, "goal_add"), {"description": "恢复社交", "measure": "每周参加一次活动"})
    goal = case.goals.get()
    client.post(url(case, "case_advance"), {"to_status": "intervention", "content": "首次介入"})
    client.post(url(case, "record_add"), {"content": "第二次介入"})
    client.post(url(case, "goal_update", goal_id=goal.public_id), {"status": "partly"})
    client.post(url(case, "case_advance"), {"to_status": "evaluation", "content": "评估"})
    response = client.get(url(case))
    assert f'name="goal_{goal.public_id}"' in body(response)
    response = client.post(url(case, "case_advance"), {
        "to_status": "closed", "content": "结案小结", "closing_reason": "goal_reached",
        f"goal_{goal.public_id}": "achieved"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.goals.get().status == "achieved"
    due = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()
    client.post(url(case, "follow_up_add"), {"due_on": due})
    follow_up = case.follow_ups.get()
    client.post(url(case, "follow_up_record", follow_up_id=follow_up.public_id), {"content": "回访良好"})
    follow_up.refresh_from_db()
    assert follow_up.done_on is not None
    assert "回访良好" in body(client.get(url(case)))


def test_not_accepted_through_the_page(world, client_for):
    case = intake(world)
    client = client_for("social_worker")
    response = client.post(url(case, "case_advance"), {"to_status": "not_accepted"})
    assert "不接案须填写原因。" in body(response)
    client.post(url(case, "case_advance"), {"to_status": "not_accepted", "reason": "非本机构服务范围"})
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_ACCEPTED
    assert "非本机构服务范围" in body(client.get(url(case)))


def test_supervisor_signs_off_on_the_page(world, client_for):
    case = intake(world)
    record = case.records.get()
    client = client_for("supervisor")
    page = body(client.get(url(case)))
    assert "督导审阅" in page and "进入下一阶段" not in page
    client.post(url(case, "record_review", record_id=record.public_id), {"comment": "同意接案", "sign_off": "on"})
    record.refresh_from_db()
    assert record.signed_off and record.supervisor_comment == "同意接案"
    assert 'data-testid="signed-off"' in body(client_for("social_worker").get(url(case)))
    response = client.post(url(case, "record_review", record_id=record.public_id), {"comment": "再改"},
                           follow=True)
    assert "该记录已签核，不能再修改督导意见。" in body(response)
    assert client_for("social_worker").post(url(case, "record_review", record_id=record.public_id),
                                            {"sign_off": "on"}).status_code == 403


def test_referral_inbox_shows_only_what_is_needed_to_decide(world, client_for, client):
    case = walk_to(world, intake(world), CaseStatus.ASSESSMENT)
    receiver = make_worker(world)
    worker = client_for("social_worker")
    worker.post(url(case, "case_refer"), {"to_worker": receiver.public_id, "reason": "需要擅长老年服务的社工"})
    referral = CaseReferral.objects.get()
    client.force_login(receiver.user)
    inbox = body(client.get(reverse("cases:referral_inbox")))
    assert case.case_number in inbox and PROBLEM not in inbox
    assert 'data-testid="incoming-count"' in body(client.get(reverse("cases:case_list")))
    decide = body(client.get(reverse("cases:referral_decide", kwargs={"public_id": referral.public_id})))
    assert "需要擅长老年服务的社工" in decide and "孙某" in decide
    assert PROBLEM not in decide and "孙测试" not in decide
    assert client.get(url(case)).status_code == 404
    response = client.post(reverse("cases:referral_decide", kwargs={"public_id": referral.public_id}),
                           {"decision": "accept", "note": "接手"})
    assert response.status_code == 302 and response["Location"] == url(case)
    assert PROBLEM in body(client.get(url(case)))
    assert worker.get(url(case)).status_code == 404
    # Other workers cannot open someone else's referral.
    assert worker.get(reverse("cases:referral_decide", kwargs={"public_id": referral.public_id})).status_code == 404


def test_agency_referral_answered_on_the_case_page(world, client_for):
    case = intake(world)
    client = client_for("social_worker")
    client.post(url(case, "case_refer"), {"to_agency": "区残联", "reason": "残疾人康复"})
    referral = CaseReferral.objects.get()
    assert "机构已接收" in body(client.get(url(case)))
    client.post(url(case, "referral_agency_answer", referral_id=referral.public_id), {"decision": "accept"})
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED
    assert "本个案已转介至其他机构，服务结束。" in body(client.get(url(case)))


def test_referral_form_errors_are_shown(world, client_for):
    case = intake(world)
    response = client_for("social_worker").post(url(case, "case_refer"), {"reason": "x"})
    assert "请选择转介的社工，或填写转介的机构（二选一）。" in body(response)


def test_mandatory_report_alert_until_filed(world, client_for):
    child = make_client(world, "林小测", age=11)
    case = intake(world, client=child, consent_basis="statutory_duty", consent_recorded_on=None)
    client = client_for("social_worker")
    client.post(url(case, "harm_flag"), {"concern": "多次夜间独自在外，身上有伤。"})
    report = case.mandatory_reports.get()
    page = body(client.get(url(case)))
    assert 'data-testid="mandatory-report-alert"' in page and "须立即强制报告" in page
    assert "待强制报告" in body(client.get(reverse("cases:case_list")))
    client.post(url(case, "report_file", report_id=report.public_id), {"authority": "police",
                                                                        "receipt_reference": "回执001"})
    report.refresh_from_db()
    assert report.status == MandatoryReportStatus.REPORTED
    assert 'data-testid="mandatory-report-alert"' not in body(client.get(url(case)))
    client.post(url(case, "report_close", report_id=report.public_id), {"outcome": "已由民政部门跟进"})
    report.refresh_from_db()
    assert report.status == MandatoryReportStatus.CLOSED


def test_supervisor_grants_and_revokes_on_the_page(world, client_for):
    case = intake(world)
    client = client_for("supervisor")
    expires = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    response = client.post(url(case, "grant_add"), {"account": "nobody", "reason": "x", "expires_on": expires})
    assert "请填写被授权人的账号（手机号或用户名）。" in body(response)
    client.post(url(case, "grant_add"), {"account": world.street_officer.phone, "reason": "抽查",
                                         "expires_on": expires})
    grant = case.grants.get()
    assert grant.user == world.street_officer
    assert client_for("street_officer").get(url(case)).status_code == 200
    client.post(url(case, "grant_revoke", grant_id=grant.public_id))
    assert client_for("street_officer").get(url(case)).status_code == 404
    assert client_for("social_worker").post(url(case, "grant_add"), {
        "account": "x", "reason": "x", "expires_on": expires}).status_code == 403


def test_case_list_filters_by_status(world, client_for):
    open_case = intake(world)
    closed = walk_to(world, intake(world, client=make_client(world, "钱测试")), CaseStatus.CLOSED)
    client = client_for("social_worker")
    page = body(client.get(reverse("cases:case_list")))
    assert open_case.case_number in page and closed.case_number in page and "孙某" in page
    assert "孙测试" not in page and PROBLEM not in page
    page = body(client.get(reverse("cases:case_list"), {"status": "closed"}))
    assert closed.case_number in page and open_case.case_number not in page
    page = body(client.get(reverse("cases:case_list"), {"status": "open"}, HTTP_HX_REQUEST="true"))
    assert open_case.case_number in page and closed.case_number not in page and "<html" not in page


def test_record_page_and_review_back_to_it(world, client_for):
    case = intake(world)
    record = case.records.get()
    record_url = url(case, "record_detail", record_id=record.public_id)
    assert PROBLEM in body(client_for("social_worker").get(record_url))
    response = client_for("supervisor").post(url(case, "record_review", record_id=record.public_id),
                                             {"comment": "好", "back": "record"})
    assert response["Location"] == record_url


def test_referral_accept_keeps_step_for_new_worker_page(world, client_for, client):
    case = walk_to(world, intake(world), CaseStatus.PLAN)
    receiver = make_worker(world)
    referral = referrals.case_refer(actor=world.social_worker, case=case, to_worker=receiver, reason="x")
    client.force_login(receiver.user)
    client.post(reverse("cases:referral_decide", kwargs={"public_id": referral.public_id}), {"decision": "decline"})
    referral.refresh_from_db()
    assert referral.status == "declined" and client.get(url(case)).status_code == 404
    steps.case_goal_add(actor=world.social_worker, case=case, description="g")
