"""/api/v1/projects/applications: permissions over every persona, draft PATCH, submit refused with every
rule by code then accepted, withdraw, eligibility, masking and query counts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wushe.projects.models import Project, ProjectStatus, ReviewerAssignment
from wushe.projects.services import applications as services
from wushe.testing.personas import ALL_PERSONAS

from .factories import make_project, make_round
from .test_applications_views import CHANGERS, CREATORS, LISTERS, VIEWERS, expected
from .test_rounds_services import open_round_dates

pytestmark = pytest.mark.django_db
BASE = "/api/v1/projects/applications"


def post(client, path, data=None):
    return client.post(path, json.dumps(data or {}), content_type="application/json")


def patch(client, path, data):
    return client.patch(path, json.dumps(data), content_type="application/json")


@pytest.fixture
def funding_round(world):
    return make_round(world, **open_round_dates())


@pytest.fixture
def project(world, funding_round):
    return make_project(world, funding_round, contact_phone="13912345678")


# Permissions over every persona -----------------------------------------------------------------------------


def test_list_and_detail_permissions(api_for, project):
    for persona in ALL_PERSONAS:
        client = api_for(persona)
        response = client.get(BASE)
        assert response.status_code == (200 if persona in LISTERS else 403), persona
        if response.status_code == 200:
            titles = [item["title"] for item in response.json()["items"]]
            assert (project.title in titles) == (persona in VIEWERS), persona
        assert client.get(f"{BASE}/{project.public_id}").status_code == expected(persona), persona
        assert client.get(f"{BASE}/{project.public_id}/eligibility").status_code == expected(persona), persona


def test_patch_permissions(api_for, project):
    for persona in ALL_PERSONAS:
        text = f"每周探访43位老人（{persona}）"
        response = patch(api_for(persona), f"{BASE}/{project.public_id}", {"objectives": text})
        assert response.status_code == expected(persona, change=True), persona
        project.refresh_from_db()
        assert (project.objectives == text) == (persona in CHANGERS), persona


def test_submit_permissions(api_for, world, funding_round):
    for persona in ALL_PERSONAS:
        project = make_project(world, funding_round, title=f"{persona}的申报")
        response = post(api_for(persona), f"{BASE}/{project.public_id}/submit")
        assert response.status_code == expected(persona, change=True), persona
        project.refresh_from_db()
        assert (project.status == ProjectStatus.SUBMITTED) == (persona in CHANGERS), persona


def test_withdraw_and_void_permissions(api_for, world, funding_round):
    for persona in ALL_PERSONAS:
        submitted = make_project(world, funding_round, status=ProjectStatus.SUBMITTED)
        response = post(api_for(persona), f"{BASE}/{submitted.public_id}/withdraw", {"reason": "补充材料"})
        assert response.status_code == expected(persona, change=True), persona
        draft = make_project(world, funding_round)
        response = post(api_for(persona), f"{BASE}/{draft.public_id}/void", {"reason": "重复创建"})
        assert response.status_code == expected(persona, change=True), persona


def test_create_permissions(api_for, world, funding_round):
    for persona in ALL_PERSONAS:
        title = f"楼道花园 · 居民自管（{persona}）"
        response = post(api_for(persona), BASE, {
            "round": str(funding_round.public_id), "title": title,
            "applicant": str(world.objects["organization"].public_id), "region": world.community.code})
        assert response.status_code == (201 if persona in CREATORS else 403), persona
        assert Project.objects.filter(title=title).exists() == (persona in CREATORS), persona


def test_expert_reviewer_reads_only_assigned_projects(api_for, world, funding_round, project):
    other = make_project(world, funding_round, title="未分配的项目")
    ReviewerAssignment.objects.create(project=project, reviewer=world.expert_reviewer)
    client = api_for("expert_reviewer")
    assert [item["title"] for item in client.get(BASE).json()["items"]] == [project.title]
    assert client.get(f"{BASE}/{other.public_id}").status_code == 404
    detail = client.get(f"{BASE}/{project.public_id}").json()
    assert detail["contact_phone"] == "139****5678"
    assert patch(client, f"{BASE}/{project.public_id}", {"title": "改名"}).status_code == 403


def test_contact_phone_is_shown_to_the_applicant(api_for, project):
    assert api_for("org_leader").get(f"{BASE}/{project.public_id}").json()["contact_phone"] == "13912345678"
    items = api_for("supervisor").get(BASE).json()["items"]
    assert items[0]["contact_phone"] == "139****5678"


# Drafts, submit, withdraw -------------------------------------------------------------------------------------


def test_create_then_save_the_draft_in_parts(api_for, world, funding_round):
    client = api_for("org_leader")
    response = post(client, BASE, {"round": str(funding_round.public_id), "title": "银龄互助 · 每周探访",
                                   "applicant": str(world.objects["organization"].public_id),
                                   "region": world.community.code})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "draft" and body["applicant_type"] == "resident_led_org"
    assert [s["complete"] for s in body["sections"]] == [False] * 5
    path = f"{BASE}/{body['public_id']}"
    body = patch(client, path, {"need_statement": "社区现有80岁以上独居老人43位。", "org_growth": "建立理事会。",
                                "worker_capacity": "练习督导。"}).json()
    assert body["sections"][1] == {"key": "indicators", "title": "三项指标", "complete": True, "missing": []}
    body = patch(client, path, {"requested_amount": "8000", "lead_worker": str(world.objects["worker"].public_id)}).json()
    assert body["requested_amount"] == "8000.00" and body["need_statement"] == "社区现有80岁以上独居老人43位。"
    assert body["lead_worker"]["name"] == "李社工" and body["lead_worker"]["certified"] is True
    body = patch(client, path, {"lead_worker": None}).json()
    assert body["lead_worker"] is None


def test_patch_refuses_to_clear_what_a_draft_needs(api_for, project):
    response = patch(api_for("org_leader"), f"{BASE}/{project.public_id}", {"title": None})
    assert response.status_code == 422 and "title" in response.json()["error"]["fields"]


def test_patch_with_someone_elses_volunteer_is_refused(api_for, world, project):
    response = patch(api_for("org_leader"), f"{BASE}/{project.public_id}",
                     {"volunteers": [str(world.objects["volunteer"].public_id)]})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["volunteers"] == [str(services.MSG_VOLUNTEER_NOT_AVAILABLE)]
    response = patch(api_for("community_staff"), f"{BASE}/{project.public_id}",
                     {"volunteers": [str(world.objects["volunteer"].public_id)]})
    assert [v["volunteer_number"] for v in response.json()["volunteers"]] == ["V110105001001"]


def test_submit_is_refused_with_every_broken_rule_by_code_then_accepted(api_for, world, funding_round):
    project = make_project(world, funding_round, requested_amount=None, summary="", other_funding="区民政局资助3000元")
    client = api_for("org_leader")
    response = post(client, f"{BASE}/{project.public_id}/submit")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["message"] == str(services.MSG_SUBMIT_REFUSED)
    assert error["fields"]["required_fields"] == ["申报书尚未填写：项目概述。"]
    assert error["fields"]["amount_cap"] == [str(services.MSG_ELIG_AMOUNT_MISSING)]
    assert error["fields"]["no_double_funding"] == ["申报书声明本项目内容已获其他资助（区民政局资助3000元），不能重复资助。"]
    eligibility = client.get(f"{BASE}/{project.public_id}/eligibility").json()
    assert eligibility["eligible"] is False
    assert {r["code"] for r in eligibility["results"] if not r["passed"]} == {
        "required_fields", "amount_cap", "no_double_funding"}
    patch(client, f"{BASE}/{project.public_id}", {"summary": "结对探访。", "requested_amount": "8000",
                                                   "other_funding": "无"})
    response = post(client, f"{BASE}/{project.public_id}/submit")
    assert response.status_code == 200
    assert response.json()["status"] == "submitted" and response.json()["submitted_at"]
    response = patch(client, f"{BASE}/{project.public_id}", {"title": "提交后再改"})
    assert response.status_code == 422 and response.json()["error"]["message"] == str(services.MSG_NOT_EDITABLE)
    response = post(client, f"{BASE}/{project.public_id}/withdraw", {"reason": "补充照片"})
    assert response.json()["status"] == "draft"


def test_creating_for_a_round_the_viewer_cannot_see_is_404(api_for, world):
    draft_round = make_round(world, status="draft")
    response = post(api_for("org_leader"), BASE, {
        "round": str(draft_round.public_id), "title": "抢先申报",
        "applicant": str(world.objects["organization"].public_id), "region": world.community.code})
    assert response.status_code == 404


# Lists ------------------------------------------------------------------------------------------------------


def test_list_filters(api_for, world, funding_round, project):
    make_project(world, funding_round, title="已提交的项目", status=ProjectStatus.SUBMITTED)
    client = api_for("community_staff")
    assert [i["title"] for i in client.get(f"{BASE}?status=submitted").json()["items"]] == ["已提交的项目"]
    assert len(client.get(f"{BASE}?round={funding_round.public_id}").json()["items"]) == 2
    assert client.get(f"{BASE}?community=999999999999").json()["items"] == []
    assert [i["title"] for i in client.get(f"{BASE}?q=ylhz").json()["items"]] == [project.title]


def test_list_query_count_does_not_grow_with_rows(api_for, world, funding_round, django_assert_max_num_queries):
    client = api_for("community_staff")
    for i in range(3):
        make_project(world, funding_round, title=f"项目{i}")
    with CaptureQueriesContext(connection) as few:
        assert client.get(BASE).status_code == 200
    for i in range(3, 30):
        make_project(world, funding_round, title=f"项目{i}")
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(BASE).json()["items"]) == 30
