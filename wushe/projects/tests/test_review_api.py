"""Review API: permissions over every persona for every endpoint, the expert's and the officer's flows,
the public vote and objection endpoints, and query counts of the ranking."""

import json
import re

import pytest
from django.test import Client

from wushe.projects import sms
from wushe.projects.models import (
    BallotToken,
    Objection,
    ProjectStatus,
    ResidentVote,
    ReviewerAssignment,
    RoundStatus,
)
from wushe.projects.services import review as services
from wushe.projects.services import voting
from wushe.testing.personas import ALL_PERSONAS

from .factories import make_project, make_round
from .test_review_services import CRITERIA, add_application, assign, make_expert, make_resident, score
from .test_review_views import MANAGERS, build_board, project_map, publicity, round_map

pytestmark = pytest.mark.django_db
API = "/api/v1/projects"


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.WUSHE_SMS_BACKEND = "wushe.projects.sms.LocMemBackend"
    sms.LocMemBackend.outbox.clear()
    return sms.LocMemBackend.outbox


@pytest.fixture
def review_round(world):
    return make_round(world, status=RoundStatus.REVIEW, review_criteria=CRITERIA)


@pytest.fixture
def application(world, review_round):
    project = make_project(world, review_round, status=ProjectStatus.UNDER_REVIEW)
    assign(world, project)
    score(world, project, world.expert_reviewer, 8, 16, comment="需求调研扎实")
    return project


def send(client, method, url, payload=None):
    return getattr(client, method)(url, data=json.dumps(payload or {}), content_type="application/json")


@pytest.fixture
def apis(api_for):
    """One token-authenticated client per persona for the whole test."""
    cache = {}

    def get(persona):
        if persona not in cache:
            cache[persona] = api_for(persona)
        return cache[persona]

    return get


def statuses(apis, request) -> dict[str, int]:
    return {persona: request(apis(persona), persona).status_code for persona in ALL_PERSONAS}


# --- permissions ----------------------------------------------------------------------------------------

def test_project_review_permissions_and_what_each_sees(api_for, world, application):
    url = f"{API}/projects/{application.public_id}/review"
    responses = {p: api_for(p).get(url) for p in ALL_PERSONAS}
    viewers = {"station_staff", "community_staff", "social_worker", "supervisor", "org_leader", "expert_reviewer"}
    assert {p: r.status_code for p, r in responses.items()} == project_map(allowed=MANAGERS | viewers, success=200)
    assert len(responses["street_officer"].json()["assignments"]) == 1
    assert responses["street_officer"].json()["assignments"][0]["review"]["total"] == "24.00"
    assert responses["expert_reviewer"].json()["assignments"][0]["review"]["scores"] == {"need": 8,
                                                                                         "feasibility": 16}
    assert responses["org_leader"].json()["assignments"] == [] and responses["org_leader"].json()["scores"] is None
    assert responses["outsider"].json()["error"]["code"] == "not_found"


def test_assign_reviewer_permissions(apis, world, application):
    experts = {p: make_expert(f"api-{p}") for p in ALL_PERSONAS}
    url = f"{API}/projects/{application.public_id}/reviewers"
    result = statuses(apis, lambda c, p: send(c, "post", url, {"reviewer": str(experts[p].public_id)}))
    assert result == project_map(allowed=MANAGERS, success=201)
    refused = send(apis("street_officer"), "post", url, {"reviewer": str(world.social_worker.public_id)})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"] == {"reviewer": [str(services.MSG_UNKNOWN_REVIEWER)]}


def test_unassign_permissions(apis, world, application):
    assignments = {p: assign(world, application, make_expert(f"x-{p}"), declare=False) for p in ALL_PERSONAS}

    def post(client, persona):
        return send(client, "post", f"{API}/projects/{application.public_id}/reviewers/"
                    f"{assignments[persona].public_id}/void", {"reason": "调整"})

    assert statuses(apis, post) == project_map(allowed=MANAGERS, success=200)
    assert {p for p, a in assignments.items() if ReviewerAssignment.objects.get(pk=a.pk).is_voided} == MANAGERS


def test_decision_permissions(apis, world, review_round):
    projects = {p: make_project(world, review_round, status=ProjectStatus.UNDER_REVIEW, title=f"项目{p}")
                for p in ALL_PERSONAS}
    for project in projects.values():
        assign(world, project, declare=False)

    def post(client, persona):
        return send(client, "post", f"{API}/projects/{projects[persona].public_id}/decision",
                    {"approve": True, "approved_amount": "6000"})

    assert statuses(apis, post) == project_map(allowed=MANAGERS, success=200)
    approved = {p for p, pr in projects.items() if type(pr).objects.get(pk=pr.pk).status == ProjectStatus.APPROVED}
    assert approved == MANAGERS


def test_my_review_endpoints_permissions(apis, world, application):
    base = f"{API}/projects/{application.public_id}/my-review"
    expected = project_map(allowed={"expert_reviewer"}, success=200)
    assert statuses(apis, lambda c, _p: c.get(base)) == expected
    assert statuses(apis, lambda c, _p: send(c, "post", f"{base}/declaration", {"conflict": False})) == expected
    assert statuses(apis, lambda c, _p: send(c, "put", f"{base}/scores", {
        "scores": {"need": 9, "feasibility": 19}, "comment": "修改"})) == expected
    assert statuses(apis, lambda c, _p: c.get(f"{API}/my-reviews")) == {
        p: 200 if p == "expert_reviewer" else 403 for p in ALL_PERSONAS}


def test_round_endpoints_permissions(apis, world, review_round, application):
    base = f"{API}/rounds/{review_round.public_id}"
    assert statuses(apis, lambda c, _p: c.get(f"{base}/ranking")) == round_map(200)
    assert statuses(apis, lambda c, _p: send(c, "post", f"{base}/ranking")) == round_map(200)
    assert statuses(apis, lambda c, _p: c.get(f"{base}/objections")) == round_map(200)
    assert statuses(apis, lambda c, _p: c.get(f"{base}/agreement-check")) == round_map(200)
    assert statuses(apis, lambda c, _p: send(c, "post", f"{base}/reviewers", {
        "reviewers": [str(world.expert_reviewer.public_id)]})) == round_map(200)
    assert statuses(apis, lambda c, _p: send(c, "post", f"{base}/ballots", {
        "community": world.community.code, "count": 1})) == round_map(201)
    assert BallotToken.objects.count() == len(MANAGERS)
    # Publishing and contracting are refused to everybody but managers; managers get the rule's 422 here.
    assert statuses(apis, lambda c, _p: send(c, "post", f"{base}/contracting")) == round_map(422)
    assert statuses(apis, lambda c, _p: send(c, "post", f"{base}/publish")) == round_map(422)


def test_publish_permissions(apis, world):
    rounds = {}
    for persona in ALL_PERSONAS:
        funding_round = make_round(world, status=RoundStatus.REVIEW, review_criteria=CRITERIA)
        project = add_application(world, funding_round, f"申报{persona}")
        services.project_decide(actor=world.admin, project=project, approve=False, reason="不符合")
        rounds[persona] = funding_round
    result = statuses(apis, lambda c, p: send(c, "post", f"{API}/rounds/{rounds[p].public_id}/publish"))
    assert result == round_map(200)
    published = {p for p, r in rounds.items() if type(r).objects.get(pk=r.pk).status == RoundStatus.PUBLICITY}
    assert published == MANAGERS


def test_objection_endpoints_permissions(apis, world):
    funding_round, project = publicity(world)
    objections = {p: services.objection_file(funding_round=funding_round, filer_name="王", content="有意见",
                                             project=project) for p in ALL_PERSONAS}

    def answer(client, persona):
        return send(client, "post", f"{API}/objections/{objections[persona].public_id}/answer",
                    {"answer": "已核实", "upheld": True})

    assert statuses(apis, answer) == round_map(200)

    def reject(client, persona):
        return send(client, "post", f"{API}/objections/{objections[persona].public_id}/reject-project")

    result = statuses(apis, reject)
    assert {p for p, code in result.items() if code == 403} == set(ALL_PERSONAS) - MANAGERS
    assert ProjectStatus(type(project).objects.get(pk=project.pk).status) == ProjectStatus.REJECTED


def test_public_endpoints_need_no_authentication(world, review_round, application):
    anonymous = Client()
    base = f"{API}/rounds/{review_round.public_id}"
    assert [c["title"] for c in anonymous.get(f"{base}/candidates").json()] == [application.title]
    assert send(anonymous, "post", f"{base}/vote-code", {"phone": "13700000000"}).json() == {
        "message": str(voting.MSG_CODE_SENT)}
    assert send(anonymous, "post", f"{base}/account-votes", {"projects": [str(application.public_id)]}
                ).status_code == 401
    assert anonymous.get(f"{base}/ranking").status_code == 401


# --- flows ----------------------------------------------------------------------------------------------

def test_expert_flow_through_the_api(api_for, world, review_round):
    project = add_application(world, review_round, "邻里守望")
    assign(world, project, declare=False)
    client = api_for("expert_reviewer")
    base = f"{API}/projects/{project.public_id}/my-review"
    early = send(client, "put", f"{base}/scores", {"scores": {"need": 5, "feasibility": 5}, "comment": "好"})
    assert early.status_code == 422 and early.json()["error"]["message"] == str(services.MSG_DECLARE_FIRST)
    assert send(client, "post", f"{base}/declaration", {"conflict": False}).json()["conflict_declared_at"]
    invalid = send(client, "put", f"{base}/scores", {"scores": {"need": 12, "feasibility": "abc"}, "comment": ""})
    assert invalid.status_code == 422
    assert invalid.json()["error"]["fields"] == {
        "need": [str(services.MSG_SCORE_RANGE % {"label": "回应需求", "max": "10"})],
        "feasibility": [str(services.MSG_SCORE_NOT_NUMBER % {"label": "可行性"})],
        "comment": [str(services.MSG_COMMENT_REQUIRED)]}
    saved = send(client, "put", f"{base}/scores", {"scores": {"need": 7.5, "feasibility": 18}, "comment": "可行"})
    assert saved.status_code == 200 and saved.json()["review"]["total"] == "25.50"
    assert [a["project_title"] for a in client.get(f"{API}/my-reviews").json()] == ["邻里守望"]


def test_conflict_through_the_api(api_for, world, review_round):
    project = add_application(world, review_round, "邻里守望")
    assign(world, project, declare=False)
    client = api_for("expert_reviewer")
    base = f"{API}/projects/{project.public_id}/my-review"
    response = send(client, "post", f"{base}/declaration", {"conflict": True, "note": "曾为该组织提供有偿咨询"})
    assert response.status_code == 200 and response.json()["has_conflict"] and response.json()["voided_at"]
    assert client.get(base).status_code == 404


def test_ranking_and_agreement_check_through_the_api(api_for, world, review_round, application):
    client = api_for("district_officer")
    rows = send(client, "post", f"{API}/rounds/{review_round.public_id}/ranking").json()
    assert (rows[0]["expert_score"], rows[0]["rank"], rows[0]["reviewers"]) == ("80.00", 1, ["expert_reviewer"])
    check = client.get(f"{API}/rounds/{review_round.public_id}/agreement-check").json()
    assert check == {"may_sign": False, "reasons": [str(services.MSG_REASON_NOT_PUBLISHED)]}


@pytest.mark.parametrize("rows", [3, 30])
def test_ranking_query_count_does_not_grow(api_for, world, review_round, rows, django_assert_max_num_queries):
    build_board(world, review_round, rows)
    client = api_for("street_officer")
    with django_assert_max_num_queries(14):
        response = client.get(f"{API}/rounds/{review_round.public_id}/ranking")
    assert len(response.json()) == rows
    assert all(row["tallies"] and row["review_count"] == 1 for row in response.json())


def test_ballots_return_codes_once(api_for, world, review_round, application):
    response = send(api_for("street_officer"), "post", f"{API}/rounds/{review_round.public_id}/ballots",
                    {"community": world.community2.code, "count": 2})
    assert response.status_code == 201
    codes = [t["code"] for t in response.json()]
    assert all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes)
    vote = send(Client(), "post", f"{API}/rounds/{review_round.public_id}/votes",
                {"method": "ballot_token", "token": codes[0], "projects": [str(application.public_id)]})
    assert vote.status_code == 201 and vote.json()["projects"][0]["title"] == application.title
    again = send(Client(), "post", f"{API}/rounds/{review_round.public_id}/votes",
                 {"method": "ballot_token", "token": codes[0], "projects": [str(application.public_id)]})
    assert again.status_code == 422
    assert again.json()["error"]["message"] == str(voting.MSG_TOKEN_USED % {"title": application.title})


def test_phone_vote_through_the_public_api(world, review_round, application, sms_outbox):
    make_resident(world.community, "13912340003", name="周居民")
    anonymous = Client()
    base = f"{API}/rounds/{review_round.public_id}"
    send(anonymous, "post", f"{base}/vote-code", {"phone": "13912340003"})
    code = re.search(r"验证码 (\d{6})", sms_outbox[-1].message).group(1)
    payload = {"method": "phone_code", "phone": "13912340003", "code": code, "projects": [str(application.public_id)]}
    assert send(anonymous, "post", f"{base}/votes", payload).status_code == 201
    refused = send(anonymous, "post", f"{base}/votes", payload)
    assert refused.status_code == 422 and refused.json()["error"]["message"] == str(voting.MSG_CODE_INVALID)
    unknown = send(anonymous, "post", f"{base}/votes", {**payload, "method": "carrier_pigeon"})
    assert unknown.json()["error"]["fields"] == {"method": [str(voting.MSG_METHOD_UNKNOWN)]}
    assert ResidentVote.objects.count() == 1


def test_account_vote_through_the_api(api_for, world, review_round, application):
    url = f"{API}/rounds/{review_round.public_id}/account-votes"
    payload = {"projects": [str(application.public_id)]}
    assert send(api_for("resident"), "post", url, payload).status_code == 201
    again = send(api_for("resident"), "post", url, payload)
    assert again.json()["error"]["message"] == str(voting.MSG_ALREADY_VOTED % {"title": application.title})
    outsider = send(api_for("outsider"), "post", url, payload)
    assert outsider.status_code == 422 and outsider.json()["error"]["message"] == str(voting.MSG_NO_RESIDENT_RECORD)


def test_objection_filed_and_answered_through_the_api(api_for, world):
    funding_round, project = publicity(world)
    anonymous = Client()
    url = f"{API}/rounds/{funding_round.public_id}/objections"
    filed = send(anonymous, "post", url, {"filer_name": "吴先生", "filer_contact": "13900003333",
                                          "content": "预算明显偏高", "project": str(project.public_id)})
    assert filed.status_code == 201 and filed.json() == {"message": str(services.MSG_OBJECTION_FILED)}
    invalid = send(anonymous, "post", url, {"filer_name": "", "content": ""})
    assert set(invalid.json()["error"]["fields"]) == {"filer_name", "content"}
    officer = api_for("street_officer")
    listed = officer.get(url).json()
    assert [(o["filer_contact"], o["project_title"]) for o in listed] == [("13900003333", project.title)]
    objection = Objection.objects.get()
    answered = send(officer, "post", f"{API}/objections/{objection.public_id}/answer",
                    {"answer": "预算经第三方复核合理", "upheld": False})
    assert answered.status_code == 200 and answered.json()["answered_by"] == "street_officer"
