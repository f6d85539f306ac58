"""Review pages: permissions over every persona, what each role sees, the expert's flow, the review board
(query counts), ballot sheets, and the public vote and objection pages."""

import re

import pytest
from django.test import Client
from django.urls import reverse

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
from .test_review_services import (
    CRITERIA,
    add_application,
    add_votes,
    assign,
    make_expert,
    make_resident,
    score,
)

pytestmark = pytest.mark.django_db

MANAGERS = {"admin", "district_officer", "street_officer"}
PROJECT_VIEWERS = MANAGERS | {"station_staff", "community_staff", "social_worker", "supervisor", "org_leader",
                              "expert_reviewer"}


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
    """An application under review with the world's expert assigned (declared, scored)."""
    project = make_project(world, review_round, status=ProjectStatus.UNDER_REVIEW)
    assign(world, project)
    score(world, project, world.expert_reviewer, 8, 16, comment="需求调研扎实")
    return project


@pytest.fixture
def clients(client_for):
    """One logged-in client per persona for the whole test (logging in is the slow part)."""
    cache = {}

    def get(persona):
        if persona not in cache:
            cache[persona] = client_for(persona)
        return cache[persona]

    return get


def statuses(clients, request) -> dict[str, int]:
    return {persona: request(clients(persona), persona).status_code for persona in ALL_PERSONAS}


def project_map(*, allowed: set[str], success: int) -> dict[str, int]:
    """Seen but not allowed → 403; not seen → 404."""
    return {p: success if p in allowed else 403 if p in PROJECT_VIEWERS else 404 for p in ALL_PERSONAS}


def round_map(success: int) -> dict[str, int]:
    """Non-draft rounds are visible to every signed-in role: non-managers get 403."""
    return {p: success if p in MANAGERS else 403 for p in ALL_PERSONAS}


# --- permissions ----------------------------------------------------------------------------------------

def test_review_tab_permissions(clients, application):
    url = reverse("projects:project_review", args=[application.public_id])
    assert statuses(clients, lambda c, _p: c.get(url)) == project_map(allowed=PROJECT_VIEWERS, success=200)


def test_assign_permissions(clients, world, application):
    experts = {p: make_expert(f"e-{p}") for p in ALL_PERSONAS}
    url = reverse("projects:review_assign", args=[application.public_id])
    result = statuses(clients, lambda c, p: c.post(url, {"reviewer": experts[p].public_id}))
    assert result == project_map(allowed=MANAGERS, success=302)
    assigned = set(ReviewerAssignment.objects.active().filter(project=application)
                   .values_list("reviewer__username", flat=True))
    assert assigned == {"expert_reviewer"} | {f"e-{p}" for p in MANAGERS}


def test_unassign_permissions(clients, world, application):
    assignments = {p: assign(world, application, make_expert(f"u-{p}"), declare=False) for p in ALL_PERSONAS}

    def post(client, persona):
        url = reverse("projects:review_unassign", args=[application.public_id, assignments[persona].public_id])
        return client.post(url, {"reason": "调整评审组"})

    assert statuses(clients, post) == project_map(allowed=MANAGERS, success=302)
    voided = {p for p, a in assignments.items() if ReviewerAssignment.objects.get(pk=a.pk).is_voided}
    assert voided == MANAGERS


def test_decide_permissions(clients, world, review_round):
    projects = {p: make_project(world, review_round, status=ProjectStatus.UNDER_REVIEW, title=f"项目{p}")
                for p in ALL_PERSONAS}
    for project in projects.values():
        assign(world, project, declare=False)  # so that the expert persona sees every one of them

    def post(client, persona):
        url = reverse("projects:review_decide", args=[projects[persona].public_id])
        return client.post(url, {"decision": "reject", "reason": "不符合要求"})

    assert statuses(clients, post) == project_map(allowed=MANAGERS, success=302)
    rejected = {p for p, project in projects.items()
                if type(project).objects.get(pk=project.pk).status == ProjectStatus.REJECTED}
    assert rejected == MANAGERS


def test_score_page_permissions(clients, application):
    url = reverse("projects:review_score", args=[application.public_id])
    # Reviewing is the experts' alone (even the platform admin only sees the application).
    expected = project_map(allowed={"expert_reviewer"}, success=200)
    assert statuses(clients, lambda c, _p: c.get(url)) == expected


def test_my_reviews_permissions(clients, application):
    url = reverse("projects:my_reviews")
    assert statuses(clients, lambda c, _p: c.get(url)) == {
        p: 200 if p == "expert_reviewer" else 403 for p in ALL_PERSONAS}


def test_board_permissions(clients, application, review_round):
    url = reverse("projects:review_board", args=[review_round.public_id])
    assert statuses(clients, lambda c, _p: c.get(url)) == round_map(200)


@pytest.mark.parametrize("name", ["review_panel_assign", "review_ranking_save", "review_publish",
                                  "review_contracting"])
def test_board_action_permissions(clients, world, review_round, name):
    url = reverse(f"projects:{name}", args=[review_round.public_id])
    assert statuses(clients, lambda c, _p: c.post(url, {"reviewers": [world.expert_reviewer.public_id]})) == \
        round_map(302)


def test_ballot_pages_permissions(clients, world, review_round):
    url = reverse("projects:ballot_tokens", args=[review_round.public_id])
    assert statuses(clients, lambda c, _p: c.get(url)) == round_map(200)
    assert statuses(clients, lambda c, _p: c.post(url, {"community": world.community.code, "count": 1})) == \
        round_map(200)
    assert BallotToken.objects.count() == len(MANAGERS)
    tokens = {p: voting.ballot_tokens_generate(actor=world.admin, funding_round=review_round,
                                               community=world.community, count=1)[0][0] for p in ALL_PERSONAS}

    def revoke(client, persona):
        return client.post(reverse("projects:ballot_token_revoke", args=[review_round.public_id,
                                                                         tokens[persona].public_id]))

    assert statuses(clients, revoke) == round_map(302)
    assert {p for p, t in tokens.items() if BallotToken.objects.get(pk=t.pk).revoked_at} == MANAGERS


def publicity(world):
    funding_round = make_round(world, status=RoundStatus.REVIEW, review_criteria=CRITERIA)
    project = add_application(world, funding_round, "拟立项项目")
    services.project_decide(actor=world.street_officer, project=project, approve=True, approved_amount="8000")
    services.round_publish_decisions(actor=world.street_officer, funding_round=funding_round)
    project.refresh_from_db()
    return funding_round, project


def test_objection_answer_and_reject_permissions(clients, world):
    funding_round, project = publicity(world)
    objections = {p: services.objection_file(funding_round=funding_round, filer_name="王", content="有意见",
                                             project=project) for p in ALL_PERSONAS}

    def answer(client, persona):
        return client.post(reverse("projects:objection_answer", args=[objections[persona].public_id]),
                           {"answer": "已核实", "upheld": "on"})

    assert statuses(clients, answer) == round_map(302)
    assert {p for p, o in objections.items() if Objection.objects.get(pk=o.pk).answered_at} == MANAGERS

    def reject(client, persona):
        return client.post(reverse("projects:objection_reject_project", args=[objections[persona].public_id]))

    assert statuses(clients, reject) == round_map(302)
    project.refresh_from_db()
    assert project.status == ProjectStatus.REJECTED


def test_public_pages_need_no_login(clients, client, world, review_round):
    funding_round, _project = publicity(world)
    urls = [reverse("public:round_vote", args=[review_round.public_id]),
            reverse("public:round_objection", args=[funding_round.public_id])]
    for url in urls:
        assert client.get(url).status_code == 200
        assert statuses(clients, lambda c, _p, url=url: c.get(url)) == {p: 200 for p in ALL_PERSONAS}


def test_draft_round_has_no_public_pages(client, world):
    draft = make_round(world, status=RoundStatus.DRAFT)
    assert client.get(reverse("public:round_vote", args=[draft.public_id])).status_code == 404
    assert client.get(reverse("public:round_objection", args=[draft.public_id])).status_code == 404


def test_anonymous_is_sent_to_login(client, application, review_round):
    for url in (reverse("projects:project_review", args=[application.public_id]),
                reverse("projects:review_board", args=[review_round.public_id]), reverse("projects:my_reviews")):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/" in response["Location"]


# --- what each role sees on the review tab --------------------------------------------------------------

def test_managers_see_every_score_experts_their_own_others_none(client_for, world, application):
    second = make_expert("second")
    assign(world, application, second)
    score(world, application, second, 3, 4, comment="第二位专家的意见")
    url = reverse("projects:project_review", args=[application.public_id])
    manager = client_for("street_officer").get(url).content.decode()
    assert "需求调研扎实" in manager and "第二位专家的意见" in manager and "专家second" in manager
    expert = client_for("expert_reviewer").get(url).content.decode()
    assert "需求调研扎实" in expert and "第二位专家的意见" not in expert and "专家second" not in expert
    leader = client_for("org_leader").get(url).content.decode()
    assert "需求调研扎实" not in leader and "专家second" not in leader and "评分修改记录" not in leader
    assert "评分修改记录" in manager


def test_tab_shows_tallies_per_community(client_for, world, application):
    add_votes(application, world.community, 2)
    add_votes(application, world.community2, 1)
    page = client_for("community_staff").get(reverse("projects:project_review", args=[application.public_id]))
    text = re.sub(r"\s+", " ", page.content.decode())
    assert "将台社区</span><span>2 票" in text.replace("> <", "><") and "丽都社区" in text


# --- the expert's flow ----------------------------------------------------------------------------------

def test_expert_declares_and_scores_through_the_page(client_for, world, review_round):
    project = add_application(world, review_round, "邻里守望")
    assign(world, project, declare=False)
    client = client_for("expert_reviewer")
    url = reverse("projects:review_score", args=[project.public_id])
    assert "利益冲突声明" in client.get(url).content.decode()
    assert client.post(url, {"step": "declare", "conflict": "no"}).status_code == 302
    page = client.post(url, {"step": "score", "score_need": "11", "score_feasibility": "10", "comment": ""})
    text = page.content.decode()
    assert str(services.MSG_SCORE_RANGE % {"label": "回应需求", "max": "10"}) in text
    assert str(services.MSG_COMMENT_REQUIRED) in text
    response = client.post(url, {"step": "score", "score_need": "9.5", "score_feasibility": "18",
                                 "comment": "社区需求真实"})
    assert response.status_code == 302
    assert "27.5" in client.get(url).content.decode()
    assert "邻里守望" in client.get(reverse("projects:my_reviews")).content.decode()


def test_expert_declaring_a_conflict_loses_the_page_and_the_officer_sees_it(client_for, world, review_round):
    project = add_application(world, review_round, "邻里守望")
    assign(world, project, declare=False)
    client = client_for("expert_reviewer")
    url = reverse("projects:review_score", args=[project.public_id])
    response = client.post(url, {"step": "declare", "conflict": "yes", "note": "我是该服务队的顾问"})
    assert response.status_code == 302 and response["Location"] == reverse("projects:my_reviews")
    assert client.get(url).status_code == 404
    assert client.get(reverse("projects:project_review", args=[project.public_id])).status_code == 404
    board = client_for("street_officer").get(reverse("projects:review_board", args=[review_round.public_id]))
    assert "我是该服务队的顾问" in board.content.decode()


def test_unassigned_expert_gets_404_on_the_scoring_page(client_for, world, review_round):
    project = add_application(world, review_round, "邻里守望")
    assert client_for("expert_reviewer").get(reverse("projects:review_score", args=[project.public_id])
                                             ).status_code == 404


# --- the board ------------------------------------------------------------------------------------------

def build_board(world, review_round, rows: int):
    for i in range(rows):
        project = add_application(world, review_round, f"申报{i}")
        assign(world, project)
        score(world, project, world.expert_reviewer, i % 10, 10)
        add_votes(project, world.community if i % 2 else world.community2, 1)


@pytest.mark.parametrize("rows", [3, 30])
def test_board_query_count_does_not_grow_with_rows(client_for, world, review_round, rows,
                                                   django_assert_max_num_queries):
    build_board(world, review_round, rows)
    client = client_for("street_officer")
    url = reverse("projects:review_board", args=[review_round.public_id])
    with django_assert_max_num_queries(24):
        response = client.get(url)
    assert response.content.decode().count('data-testid="total"') == rows
    with django_assert_max_num_queries(20):
        assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200


@pytest.mark.parametrize("rows", [3, 30])
def test_my_reviews_query_count(client_for, world, review_round, rows, django_assert_max_num_queries):
    build_board(world, review_round, rows)
    client = client_for("expert_reviewer")
    with django_assert_max_num_queries(8):
        response = client.get(reverse("projects:my_reviews"))
    assert response.content.decode().count("已评分") == rows


def test_board_decides_and_publishes(client_for, world, review_round):
    first = add_application(world, review_round, "甲")
    first.refresh_from_db()
    second = add_application(world, review_round, "乙")
    client = client_for("street_officer")
    board = reverse("projects:review_board", args=[review_round.public_id])
    response = client.post(reverse("projects:review_decide", args=[first.public_id]),
                           {"decision": "approve", "approved_amount": "9000", "next": board})
    assert response["Location"] == board
    assert str(services.MSG_APPROVED_OVER_REQUESTED % {"amount": first.requested_amount}) in \
        client.get(board).content.decode()
    client.post(reverse("projects:review_decide", args=[first.public_id]),
                {"decision": "approve", "approved_amount": "7500"})
    client.post(reverse("projects:review_publish", args=[review_round.public_id]))
    assert str(services.MSG_UNDECIDED_APPLICATIONS % {"count": 1}) in client.get(board).content.decode()
    client.post(reverse("projects:review_decide", args=[second.public_id]), {"decision": "reject", "reason": "重复"})
    client.post(reverse("projects:review_publish", args=[review_round.public_id]))
    review_round.refresh_from_db()
    assert review_round.status == RoundStatus.PUBLICITY
    assert str(services.MSG_REASON_PUBLICITY_RUNNING % {"date": review_round.publicity_ends_on.isoformat()}) in \
        client.get(board).content.decode()


def test_panel_assignment_from_the_board(client_for, world, review_round):
    projects = [add_application(world, review_round, f"申报{i}") for i in range(3)]
    other = make_expert("panel")
    client_for("district_officer").post(reverse("projects:review_panel_assign", args=[review_round.public_id]),
                                        {"reviewers": [world.expert_reviewer.public_id, other.public_id]})
    assert ReviewerAssignment.objects.active().filter(project__in=projects).count() == 6


# --- ballot sheets --------------------------------------------------------------------------------------

def test_ballot_codes_are_shown_once(client_for, world, review_round):
    client = client_for("street_officer")
    url = reverse("projects:ballot_tokens", args=[review_round.public_id])
    sheet = client.post(url, {"community": world.community.code, "count": 3})
    codes = re.findall(r'data-testid="ballot-code">([A-Z0-9-]+)<', sheet.content.decode())
    assert len(codes) == 3 and sheet["Cache-Control"] == "no-store"
    listing = client.get(url).content.decode()
    assert "001001-0003" in listing and not any(code in listing for code in codes)
    refused = client.post(url, {"community": world.other_community.code, "count": 3})
    assert refused.status_code == 200 and BallotToken.objects.count() == 3


# --- public vote page -----------------------------------------------------------------------------------

def test_resident_votes_with_a_phone_code_on_the_public_page(client, world, review_round, application,
                                                             sms_outbox):
    make_resident(world.community2, "13912340002", name="孙居民")
    response = client.post(reverse("public:round_vote_code", args=[review_round.public_id]),
                           {"phone": "13912340002"})
    assert str(voting.MSG_CODE_SENT) in response.content.decode() and 'id="code-step"' in response.content.decode()
    code = re.search(r"验证码 (\d{6})", sms_outbox[-1].message).group(1)
    cast = reverse("public:round_vote_cast", args=[review_round.public_id])
    done = client.post(cast, {"method": "phone_code", "phone": "13912340002", "code": code,
                              "projects": [application.public_id]})
    assert done.status_code == 200 and application.title in done.content.decode()
    assert ResidentVote.objects.get().community == world.community2


def test_unregistered_phone_sees_the_same_page(client, world, review_round, application, sms_outbox):
    response = client.post(reverse("public:round_vote_code", args=[review_round.public_id]),
                           {"phone": "13700000000"})
    assert str(voting.MSG_CODE_SENT) in response.content.decode() and sms_outbox == []
    refused = client.post(reverse("public:round_vote_cast", args=[review_round.public_id]),
                          {"method": "phone_code", "phone": "13700000000", "code": "123456",
                           "projects": [application.public_id]})
    assert refused.status_code == 422 and str(voting.MSG_CODE_INVALID) in refused.content.decode()


def test_token_vote_on_the_public_page_and_second_vote_refused(client, world, review_round, application):
    _token, code = voting.ballot_tokens_generate(actor=world.street_officer, funding_round=review_round,
                                                 community=world.community, count=1)[0]
    cast = reverse("public:round_vote_cast", args=[review_round.public_id])
    data = {"method": "ballot_token", "token": code, "projects": [application.public_id]}
    assert client.post(cast, data).status_code == 200
    second = client.post(cast, data)
    assert second.status_code == 422
    assert str(voting.MSG_TOKEN_USED % {"title": application.title}) in second.content.decode()
    forged = client.post(cast, {**data, "token": "AAAA-BBBB-CCCC"})
    assert str(voting.MSG_TOKEN_INVALID) in forged.content.decode()


def test_signed_in_resident_votes_with_the_account(client_for, world, review_round, application):
    client = client_for("resident")
    page = client.get(reverse("public:round_vote", args=[review_round.public_id])).content.decode()
    assert 'id="account-step"' in page
    cast = reverse("public:round_vote_cast", args=[review_round.public_id])
    assert client.post(cast, {"method": "account", "projects": [application.public_id]}).status_code == 200
    again = client.post(cast, {"method": "account", "projects": [application.public_id]})
    assert str(voting.MSG_ALREADY_VOTED % {"title": application.title}) in again.content.decode()
    outsider = client_for("outsider").post(cast, {"method": "account", "projects": [application.public_id]})
    assert str(voting.MSG_NO_RESIDENT_RECORD) in outsider.content.decode()
    assert ResidentVote.objects.count() == 1


def test_vote_page_when_voting_is_closed(client, world):
    closed = make_round(world, status=RoundStatus.OPEN)
    assert str(voting.MSG_VOTING_CLOSED) in client.get(reverse("public:round_vote", args=[closed.public_id])
                                                       ).content.decode()


# --- public objection page ------------------------------------------------------------------------------

def test_anyone_files_an_objection_during_publicity(world):
    funding_round, project = publicity(world)
    client = Client()
    url = reverse("public:round_objection", args=[funding_round.public_id])
    assert project.title in client.get(url).content.decode()
    invalid = client.post(url, {"filer_name": "", "content": ""})
    assert invalid.status_code == 422
    done = client.post(url, {"filer_name": "周女士", "filer_contact": "13900002222", "content": "申报内容与实际不符",
                             "project": str(project.public_id)})
    assert done.status_code == 200 and 'data-testid="objection-done"' in done.content.decode()
    objection = Objection.objects.get()
    assert (objection.project, objection.filer_contact) == (project, "13900002222")
    bot = client.post(url, {"filer_name": "bot", "content": "spam", "website": "http://spam"})
    assert bot.status_code == 200 and Objection.objects.count() == 1


def test_objection_page_outside_publicity(client, world, review_round):
    page = client.get(reverse("public:round_objection", args=[review_round.public_id])).content.decode()
    assert "不在公示期" in page
    response = client.post(reverse("public:round_objection", args=[review_round.public_id]),
                           {"filer_name": "周", "content": "有意见"})
    assert str(services.MSG_NOT_IN_PUBLICITY) in response.content.decode() and not Objection.objects.exists()


def test_managers_see_live_scores_during_review_others_after_publication(clients, world, application):
    url = reverse("projects:project_review", args=[application.public_id])
    manager = clients("street_officer").get(url).content.decode()
    assert re.search(r'data-testid="expert-score">80.00<', manager)  # 24 of 30, not yet stored
    staff = clients("community_staff").get(url).content.decode()
    assert 'data-testid="expert-score"' not in staff
    services.project_decide(actor=world.street_officer, project=application, approve=True, approved_amount="8000")
    services.round_publish_decisions(actor=world.street_officer, funding_round=application.funding_round)
    staff = clients("community_staff").get(url).content.decode()
    assert re.search(r'data-testid="total-score">56.00<', staff)  # 80 × 70% (no votes)
