"""/api/v1/projects/rounds: permissions over every persona, creating with defaults, PATCH, transitions,
voiding, error shape and query counts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from wushe.projects.models import FundingRound, ProjectStatus, RoundStatus
from wushe.projects.services import rounds as services
from wushe.testing.personas import ALL_PERSONAS

from .factories import make_project, make_round
from .test_rounds_views import MANAGERS

pytestmark = pytest.mark.django_db
BASE = "/api/v1/projects/rounds"


def post(client, path, data):
    return client.post(path, json.dumps(data), content_type="application/json")


def patch(client, path, data):
    return client.patch(path, json.dumps(data), content_type="application/json")


def test_list_and_detail_permissions(api_for, world):
    open_round = make_round(world, title="开放中的轮次")
    draft = make_round(world, title="草稿轮次", status=RoundStatus.DRAFT)
    for persona in ALL_PERSONAS:
        client = api_for(persona)
        response = client.get(BASE)
        assert response.status_code == 200, persona
        titles = {item["title"] for item in response.json()["items"]}
        assert titles == ({"开放中的轮次", "草稿轮次"} if persona in MANAGERS else {"开放中的轮次"}), persona
        assert client.get(f"{BASE}/{open_round.public_id}").status_code == 200, persona
        assert client.get(f"{BASE}/{draft.public_id}").status_code == (200 if persona in MANAGERS else 404), persona


def test_create_permissions(api_for, world):
    for persona in ALL_PERSONAS:
        title = f"2026年公益创投（{persona}）"
        response = post(api_for(persona), BASE, {"title": title, "round_type": "venture",
                                                 "region": world.street.code})
        assert response.status_code == (201 if persona in MANAGERS else 403), persona
        assert FundingRound.objects.filter(title=title).exists() == (persona in MANAGERS), persona


def test_patch_permissions(api_for, world):
    funding_round = make_round(world)
    for persona in ALL_PERSONAS:
        response = patch(api_for(persona), f"{BASE}/{funding_round.public_id}", {"description": f"欢迎申报{persona}"})
        assert response.status_code == (200 if persona in MANAGERS else 403), persona


def test_transition_permissions(api_for, world):
    for persona in ALL_PERSONAS:
        funding_round = make_round(world)
        response = post(api_for(persona), f"{BASE}/{funding_round.public_id}/transition", {})
        assert response.status_code == (200 if persona in MANAGERS else 403), persona
        funding_round.refresh_from_db()
        assert (funding_round.status == RoundStatus.REVIEW) == (persona in MANAGERS), persona


def test_void_permissions(api_for, world):
    for persona in ALL_PERSONAS:
        funding_round = make_round(world, status=RoundStatus.DRAFT)
        response = post(api_for(persona), f"{BASE}/{funding_round.public_id}/void", {"reason": "重复发布"})
        assert response.status_code == (200 if persona in MANAGERS else 404), persona


def test_anonymous_gets_401(client):
    assert client.get(BASE).status_code == 401


def test_create_takes_the_type_defaults_and_reports_the_rules(api_for, world):
    response = post(api_for("street_officer"), BASE, {
        "title": "2026年项目对接展示大赛", "round_type": "pairing_competition", "region": world.street.code,
        "amount_cap": "30000", "opens_on": "2026-03-01", "closes_on": "2026-04-30"})
    body = response.json()
    assert response.status_code == 201
    assert body["status"] == "draft" and body["next_status"] == "open"
    assert body["amount_cap"] == "30000.00"
    assert body["require_community_org_implementer"] is True and body["require_social_worker_lead"] is True
    assert len(body["project_types"]) == 5
    assert {"title": "实施方", "text": "项目须由社区社会组织具体实施。"} in body["rules"]


def test_defaults_endpoint(api_for):
    body = api_for("district_officer").get(f"{BASE}/defaults?round_type=micro_project").json()
    assert body["amount_cap"] == "10000" and len(body["allowed_applicant_types"]) == 6
    assert api_for("community_staff").get(f"{BASE}/defaults?round_type=micro_project").status_code == 403


def test_invalid_rules_answer_422_in_the_one_error_shape(api_for, world):
    response = post(api_for("street_officer"), BASE, {
        "title": "拨付比例写错的轮次", "round_type": "micro_project", "region": world.street.code,
        "tranche_plan": [{"percent": 50, "condition": "agreement"}, {"percent": 30, "condition": "midterm"}]})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"]["tranche_plan"] == [str(services.MSG_TRANCHES_SUM % {"total": "80"})]


def test_creating_outside_the_officers_region_is_403(api_for, world):
    response = post(api_for("street_officer"), BASE, {"title": "越权", "round_type": "venture",
                                                     "region": world.other_street.code})
    assert response.status_code == 403


def test_patch_changes_only_what_is_sent_and_refuses_null_rules(api_for, world):
    funding_round = make_round(world)
    client = api_for("street_officer")
    response = patch(client, f"{BASE}/{funding_round.public_id}", {"self_raised_min_percent": "10",
                                                                   "closes_on": None})
    assert response.status_code == 200
    funding_round.refresh_from_db()
    assert str(funding_round.self_raised_min_percent) == "10.00" and funding_round.closes_on is None
    assert funding_round.amount_cap == 10000
    response = patch(client, f"{BASE}/{funding_round.public_id}", {"amount_cap": None})
    assert response.status_code == 422 and "amount_cap" in response.json()["error"]["fields"]


def test_transition_to_review_moves_submissions_and_refuses_jumps(api_for, world):
    funding_round = make_round(world)
    project = make_project(world, funding_round, status=ProjectStatus.SUBMITTED)
    client = api_for("street_officer")
    response = post(client, f"{BASE}/{funding_round.public_id}/transition", {"to": "contracting"})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == "轮次当前状态为“征集中”，不能变更为“签约实施”。"
    response = post(client, f"{BASE}/{funding_round.public_id}/transition", {"to": "review", "reason": "按期截止"})
    assert response.status_code == 200 and response.json()["status"] == "review"
    project.refresh_from_db()
    assert project.status == ProjectStatus.UNDER_REVIEW


def test_list_query_count_does_not_grow_with_rows(api_for, world, django_assert_max_num_queries):
    client = api_for("station_staff")
    for i in range(3):
        make_round(world, title=f"轮次{i}")
    with CaptureQueriesContext(connection) as few:
        assert client.get(BASE).status_code == 200
    for i in range(3, 30):
        make_round(world, title=f"轮次{i}")
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(BASE).json()["items"]) == 30
