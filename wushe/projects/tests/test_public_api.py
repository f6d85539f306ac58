"""Public API (no authentication): rounds, round detail with the decision list, project disclosure."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from wushe.projects.models import ProjectStatus, RoundStatus
from wushe.testing.personas import ALL_PERSONAS

from .factories import make_org, make_project, make_round
from .test_archive_services import LEDGER_TOTAL, SUMS, filled_project
from .test_public_pages import (
    NOT_PUBLIC,
    PUBLIC,
    assert_no_personal_data,
    publicity_round,
    with_personal_data,
)

pytestmark = pytest.mark.django_db

P = ProjectStatus
BASE = "/api/v1/projects/public"


def test_rounds_list_without_authentication(world):
    shown = publicity_round(world, title="公示中的轮次")
    make_round(world, status=RoundStatus.DRAFT, title="草稿轮次")
    filled_project(world, shown, status=P.CONTRACTED)
    response = Client().get(f"{BASE}/rounds")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["title"] for item in items] == ["公示中的轮次"]
    assert items[0]["public_projects"] == 1 and items[0]["status_display"] == "公示中"


def test_round_detail_with_decision_list(world):
    funding_round = publicity_round(world)
    winner = filled_project(world, funding_round, status=P.APPROVED, rank=1, total_score=Decimal("88.50"))
    loser = make_project(world, funding_round, status=P.REJECTED, title="未获资助项目", rank=2,
                         applicant=make_org(world, "丽都邻里互助会"), total_score=Decimal("58"),
                         approved_amount=Decimal("5000"))
    make_project(world, funding_round, status=P.DRAFT, title="草稿申请")
    body = Client().get(f"{BASE}/rounds/{funding_round.public_id}").json()
    assert body["decisions_published"] is True and body["publicity_ends_on"] == "2026-02-07"
    assert any(rule["label"] == "单个项目金额上限" for rule in body["rules"])
    first, second = body["decisions"]
    assert (first["public_id"], first["rank"], first["approved"], Decimal(first["approved_amount"])) == (
        str(winner.public_id), 1, True, Decimal("8000"))
    assert (second["title"], second["public_id"], second["approved"], second["approved_amount"]) == (
        loser.title, None, False, None)
    assert body["objections"] == {"filed": 0, "answered": 0}


def test_round_detail_before_publicity_has_no_decisions(world):
    funding_round = make_round(world, status=RoundStatus.REVIEW)
    make_project(world, funding_round, status=P.UNDER_REVIEW, rank=1)
    body = Client().get(f"{BASE}/rounds/{funding_round.public_id}").json()
    assert body["decisions_published"] is False and body["decisions"] == [] and body["objections"] is None


def test_draft_round_is_404_with_error_shape(world):
    draft = make_round(world, status=RoundStatus.DRAFT)
    response = Client().get(f"{BASE}/rounds/{draft.public_id}")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("status", PUBLIC)
def test_public_project_disclosure(world, status):
    project = filled_project(world, publicity_round(world), status=status)
    response = Client().get(f"{BASE}/projects/{project.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["applicant"] == "将台银龄互助队" and body["lead_worker_name"] == "李社工"
    assert body["community"] == "将台社区" and body["project_type_display"] == "社区照顾"
    assert Decimal(body["spent_total"]) == LEDGER_TOTAL and Decimal(body["budget_total"]) == Decimal("8500")
    assert [line["category"] for line in body["budget_lines"]] == ["活动物料", "志愿者保险与交通", "宣传印刷"]
    assert [t["status"] for t in body["tranches"]] == ["released", "planned"]
    assert [(e["stage"], e["grade"]) for e in body["evaluations"]] == [("midterm", "B"), ("final", "A")]
    assert body["outcomes"] == {"reports": 2, "activities": SUMS["activities"],
                                "direct_beneficiaries": SUMS["direct"], "person_times": SUMS["person_times"],
                                "indirect_beneficiaries_estimate": SUMS["indirect"]}


@pytest.mark.parametrize("status", NOT_PUBLIC)
def test_non_public_projects_are_404(world, status):
    project = make_project(world, publicity_round(world), status=status)
    response = Client().get(f"{BASE}/projects/{project.public_id}")
    assert response.status_code == 404


def test_voided_project_is_404(world):
    project = make_project(world, publicity_round(world), status=P.CLOSED)
    project.voided_at = timezone.now()
    project.save()
    assert Client().get(f"{BASE}/projects/{project.public_id}").status_code == 404


def test_public_api_contains_no_personal_data(world):
    project = with_personal_data(world, filled_project(world, publicity_round(world), status=P.IN_PROGRESS))
    project_json = Client().get(f"{BASE}/projects/{project.public_id}").content.decode("unicode_escape")
    round_json = Client().get(f"{BASE}/rounds/{project.funding_round.public_id}").content.decode("unicode_escape")
    assert "李社工" in project_json
    assert_no_personal_data(project_json)
    assert_no_personal_data(round_json)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_public_api_is_the_same_with_a_token(api_for, world, persona):
    project = filled_project(world, publicity_round(world), status=P.IN_PROGRESS)
    draft = make_project(world, project.funding_round, status=P.DRAFT)
    client = api_for(persona)
    assert client.get(f"{BASE}/rounds").status_code == 200
    assert client.get(f"{BASE}/projects/{project.public_id}").status_code == 200
    assert client.get(f"{BASE}/projects/{draft.public_id}").status_code == 404


def test_public_endpoints_have_no_security_in_openapi(world):
    schema = Client().get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        if path.startswith("/api/v1/projects/public/"):
            for operation in operations.values():
                assert not operation.get("security"), path
                assert "projects" in operation["tags"]
