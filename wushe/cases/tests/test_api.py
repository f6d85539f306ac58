"""/api/v1/services/cases/: the same steps, branches, review, grants and reports over JSON."""

import datetime

import pytest

from wushe.cases.models import Case, CaseReadLog, CaseStatus
from wushe.core.api import api as root_api

from .factories import PROBLEM, intake, make_client, make_worker

pytestmark = pytest.mark.django_db
BASE = "/api/v1/services/cases"


def post(client, path, data=None):
    return client.post(f"{BASE}{path}", data or {}, content_type="application/json")


@pytest.fixture
def worker_api(api_for):
    return api_for("social_worker")


def test_full_flow_over_the_api(world, worker_api, api_for):
    client = make_client(world)
    response = post(worker_api, "/", {
        "client_id": str(client.public_id), "source": "outreach", "voluntary": False,
        "presenting_problem": PROBLEM, "consent_basis": "consent",
        "consent_recorded_on": datetime.date.today().isoformat()})
    assert response.status_code == 201, response.json()
    data = response.json()
    case_id = data["public_id"]
    assert data["presenting_problem"] == PROBLEM and data["next_steps"] == ["assessment", "not_accepted"]
    assert data["client"]["name"] == client.name and data["client_display"] == "孙某"
    assert data["may_change"] and not data["may_review"]
    assert post(worker_api, f"/{case_id}/advance", {"to_status": "assessment", "content": "预估"}).status_code == 201
    assert post(worker_api, f"/{case_id}/advance", {"to_status": "plan", "content": "计划"}).status_code == 201
    response = post(worker_api, f"/{case_id}/advance", {"to_status": "intervention", "content": "介入"})
    assert response.status_code == 422 and response.json()["error"]["message"] == "进入介入阶段前须至少制定一项服务目标。"
    goal = post(worker_api, f"/{case_id}/goals", {"description": "链接助餐"}).json()
    assert post(worker_api, f"/{case_id}/advance", {"to_status": "intervention", "content": "介入"}).status_code == 201
    assert post(worker_api, f"/{case_id}/records", {"content": "第二次"}).json()["kind"] == "intervention"
    patched = worker_api.patch(f"{BASE}/{case_id}/goals/{goal['public_id']}", {"status": "partly"},
                               content_type="application/json")
    assert patched.json()["status"] == "partly"
    assert post(worker_api, f"/{case_id}/advance", {"to_status": "evaluation", "content": "评估"}).status_code == 201
    response = post(worker_api, f"/{case_id}/advance", {
        "to_status": "closed", "content": "结案", "closing_reason": "client_withdrew",
        "goal_statuses": {goal["public_id"]: "not_achieved"}})
    assert response.status_code == 201 and response.json()["case_status"] == "closed"
    records = worker_api.get(f"{BASE}/{case_id}/records").json()
    assert [r["kind"] for r in records] == ["intake", "assessment", "plan", "intervention", "intervention",
                                            "evaluation", "closing"]

    supervisor = api_for("supervisor")
    reviewed = post(supervisor, f"/{case_id}/records/{records[1]['public_id']}/review",
                    {"comment": "预估到位", "sign_off": True})
    assert reviewed.status_code == 200 and reviewed.json()["signed_off"]
    assert post(worker_api, f"/{case_id}/records/{records[2]['public_id']}/review",
                {"sign_off": True}).status_code == 403

    due = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    follow_up = post(worker_api, f"/{case_id}/follow-ups", {"due_on": due})
    assert follow_up.status_code == 201
    done = post(worker_api, f"/{case_id}/follow-ups/{follow_up.json()['public_id']}/record", {"content": "稳定"})
    assert done.json()["done_on"] == datetime.date.today().isoformat() and done.json()["record_id"]
    assert len(worker_api.get(f"{BASE}/{case_id}/follow-ups").json()) == 1

    log = supervisor.get(f"{BASE}/{case_id}/read-log").json()
    assert log["count"] == CaseReadLog.objects.filter(case__public_id=case_id).count() >= 3


def test_intake_refuses_unknown_or_out_of_scope_clients(world, worker_api):
    outside = make_client(world, "冯测试", region=world.other_community)
    response = post(worker_api, "/", {"client_id": str(outside.public_id), "source": "self",
                                      "presenting_problem": "x", "consent_basis": "consent"})
    assert response.status_code == 422 and "client" in response.json()["error"]["fields"]
    child = make_client(world, "韩小测", age=8)
    response = post(worker_api, "/", {"client_id": str(child.public_id), "source": "self",
                                      "presenting_problem": "x", "consent_basis": "not_recorded"})
    assert response.json()["error"]["fields"]["consent_basis"] == ["请记录服务对象的同意或法定依据：未记录同意不能接案。"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["supervisor", "community_staff", "admin", "outsider"])
def test_intake_api_is_for_workers(world, api_for, persona):
    client = make_client(world)
    response = post(api_for(persona), "/", {"client_id": str(client.public_id), "source": "self",
                                            "presenting_problem": "x", "consent_basis": "consent"})
    assert response.status_code == 403


def test_referral_to_worker_over_the_api(world, worker_api, client):
    case = intake(world)
    receiver = make_worker(world)
    response = post(worker_api, f"/{case.public_id}/referrals", {"to_worker_id": str(receiver.public_id),
                                                                  "reason": "专长匹配"})
    assert response.status_code == 201
    referral_id = response.json()["public_id"]
    assert post(worker_api, f"/{case.public_id}/referrals", {"to_agency": "x", "reason": "y"}).status_code == 422
    client.force_login(receiver.user)
    incoming = client.get(f"{BASE}/referrals/incoming").json()
    assert incoming == [{"public_id": referral_id, "case_number": case.case_number, "region_code": "110105001001",
                         "region_name": "将台社区", "referred_by": "social_worker",
                         "created_at": incoming[0]["created_at"]}]
    before = CaseReadLog.objects.count()
    detail = client.get(f"{BASE}/referrals/incoming/{referral_id}").json()
    assert detail["reason"] == "专长匹配" and detail["client_display"] == "孙某" and "presenting_problem" not in detail
    assert CaseReadLog.objects.count() == before + 1
    assert client.get(f"{BASE}/{case.public_id}").status_code == 404
    assert post(worker_api, f"/referrals/{referral_id}/answer", {"accept": True}).status_code == 403
    answered = client.post(f"{BASE}/referrals/{referral_id}/answer", {"accept": True, "note": "好"},
                           content_type="application/json")
    assert answered.status_code == 200 and answered.json()["status"] == "accepted"
    assert client.get(f"{BASE}/{case.public_id}").json()["workers"][0]["name"] == "周社工"
    assert worker_api.get(f"{BASE}/{case.public_id}").status_code == 404
    assert client.get(f"{BASE}/referrals/incoming").json() == []


def test_referral_to_agency_over_the_api(world, worker_api, api_for):
    case = intake(world)
    referral = post(worker_api, f"/{case.public_id}/referrals", {"to_agency": "区法律援助中心", "reason": "法律"})
    referral_id = referral.json()["public_id"]
    assert post(api_for("community_staff"), f"/referrals/{referral_id}/answer", {"accept": True}).status_code == 404
    assert post(api_for("supervisor"), f"/referrals/{referral_id}/answer", {"accept": True}).status_code == 403
    assert post(worker_api, f"/referrals/{referral_id}/answer", {"accept": True}).status_code == 200
    assert worker_api.get(f"{BASE}/{case.public_id}").json()["status"] == CaseStatus.REFERRED


def test_grants_and_reports_over_the_api(world, worker_api, api_for):
    child = make_client(world, "林小测", age=13)
    case = intake(world, client=child, consent_basis="guardian_consent", guardian_name="林母", guardian_relation="母亲")
    supervisor = api_for("supervisor")
    expires = (datetime.date.today() + datetime.timedelta(days=2)).isoformat()
    grant = post(supervisor, f"/{case.public_id}/grants", {"account": "expert_reviewer", "reason": "督导会商",
                                                          "expires_on": expires})
    assert grant.status_code == 201
    expert = api_for("expert_reviewer")
    assert expert.get(f"{BASE}/{case.public_id}").json()["may_change"] is False
    assert post(expert, f"/{case.public_id}/mandatory-reports", {"concern": "x"}).status_code == 403
    assert post(supervisor, f"/{case.public_id}/grants/{grant.json()['public_id']}/revoke").status_code == 200
    assert expert.get(f"{BASE}/{case.public_id}").status_code == 404

    flagged = post(worker_api, f"/{case.public_id}/mandatory-reports", {"concern": "疑似遭受校园欺凌并受伤"})
    assert flagged.status_code == 201 and flagged.json()["status"] == "to_report"
    report_id = flagged.json()["public_id"]
    assert worker_api.get(f"{BASE}/").json()["items"][0]["has_report_due"] is True
    filed = post(worker_api, f"/{case.public_id}/mandatory-reports/{report_id}/file",
                 {"authority": "education", "receipt_reference": "教委-07"})
    assert filed.json()["status"] == "reported"
    closed = post(worker_api, f"/{case.public_id}/mandatory-reports/{report_id}/close", {"outcome": "学校已处理"})
    assert closed.json()["status"] == "closed"
    reports = worker_api.get(f"{BASE}/{case.public_id}/mandatory-reports").json()
    assert reports[0]["concern"] == "疑似遭受校园欺凌并受伤"


def test_errors_have_one_shape(world, worker_api):
    case = intake(world)
    response = post(worker_api, f"/{case.public_id}/advance", {"to_status": "closed", "content": "x"})
    assert response.status_code == 422
    assert response.json()["error"] == {"code": "invalid", "message": "当前阶段不能转到所选阶段。",
                                        "fields": {"to_status": ["当前阶段不能转到所选阶段。"]}}
    missing = worker_api.get(f"{BASE}/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_case_endpoints_are_tagged_services():
    schema = root_api.get_openapi_schema()
    operations = [op for path, item in schema["paths"].items() if path.startswith(BASE) for op in item.values()]
    assert len(operations) >= 25 and all(op["tags"] == ["services"] for op in operations)
