"""Review services: expert assignment, conflict declarations, scoring, ranking math, decisions, publicity,
objections and the gate before agreements. Helpers and fixtures here are shared by the other
test_review_* modules."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wushe.accounts.models import RoleAssignment
from wushe.accounts.roles import Role
from wushe.people.models import Resident
from wushe.projects.models import (
    ExpertReview,
    Objection,
    ProjectStatus,
    ResidentVote,
    ReviewerAssignment,
    ReviewStage,
    RoundStatus,
)
from wushe.projects.services import review as services
from wushe.testing.personas import make_user

from .factories import make_org, make_project, make_round

pytestmark = pytest.mark.django_db

CRITERIA = [{"key": "need", "label": "回应需求", "max": 10}, {"key": "feasibility", "label": "可行性", "max": 20}]


# --- shared helpers -------------------------------------------------------------------------------------

def make_expert(username: str):
    user = make_user(username, display_name=f"专家{username}")
    RoleAssignment.objects.create(user=user, role=Role.EXPERT_REVIEWER)
    return user


def make_resident(region, phone: str = "", name: str = "测试居民", **extra) -> Resident:
    return Resident.objects.create(region=region, name=name, phone=phone, **extra)


def add_application(world, funding_round, title: str, **extra):
    org = make_org(world, f"{title}服务队")
    return make_project(world, funding_round, status=ProjectStatus.UNDER_REVIEW, applicant=org, title=title, **extra)


def assign(world, project, reviewer=None, *, declare: bool = True) -> ReviewerAssignment:
    reviewer = reviewer or world.expert_reviewer
    assignment = services.reviewer_assign(actor=world.street_officer, project=project, reviewer=reviewer)
    if declare:
        services.assignment_declare(actor=reviewer, assignment=assignment, conflict=False)
    return assignment


def score(world, project, reviewer, need, feasibility, comment="需求清楚，设计可行。"):
    assignment = ReviewerAssignment.objects.active().get(project=project, reviewer=reviewer)
    return services.expert_review_submit(actor=reviewer, assignment=assignment,
                                         scores={"need": need, "feasibility": feasibility}, comment=comment)


def add_votes(project, community, count: int):
    for i in range(count):
        resident = make_resident(community, name=f"投票人{project.pk}-{i}")
        ResidentVote.objects.create(project=project, stage=ReviewStage.APPLICATION, resident=resident,
                                    community=community, method=ResidentVote.Method.ACCOUNT, score=100)


@pytest.fixture
def review_round(world):
    return make_round(world, status=RoundStatus.REVIEW, review_criteria=CRITERIA)


@pytest.fixture
def application(world, review_round):
    return make_project(world, review_round, status=ProjectStatus.UNDER_REVIEW)


def errors_of(excinfo) -> dict:
    return {field: [str(m) for m in messages] for field, messages in excinfo.value.message_dict.items()}


# --- assignment -----------------------------------------------------------------------------------------

def test_officer_assigns_an_expert(world, application):
    assignment = services.reviewer_assign(actor=world.street_officer, project=application,
                                          reviewer=world.expert_reviewer)
    assert assignment.assigned_by == world.street_officer
    assert assignment.history.first().history_user == world.street_officer


def test_only_users_holding_the_expert_role_may_be_assigned(world, application):
    with pytest.raises(ValidationError) as excinfo:
        services.reviewer_assign(actor=world.street_officer, project=application, reviewer=world.social_worker)
    assert errors_of(excinfo) == {"reviewer": [str(services.MSG_NOT_EXPERT)]}


def test_an_expert_is_assigned_once(world, application):
    assign(world, application)
    with pytest.raises(ValidationError) as excinfo:
        services.reviewer_assign(actor=world.street_officer, project=application, reviewer=world.expert_reviewer)
    assert errors_of(excinfo) == {"reviewer": [str(services.MSG_ALREADY_ASSIGNED)]}


@pytest.mark.parametrize("persona", ["station_staff", "community_staff", "org_leader", "outsider"])
def test_non_managers_cannot_assign(world, application, persona):
    with pytest.raises(PermissionDenied):
        services.reviewer_assign(actor=world.users[persona], project=application, reviewer=world.expert_reviewer)


def test_assignment_needs_the_round_in_review(world):
    project = make_project(world, make_round(world, status=RoundStatus.OPEN), status=ProjectStatus.UNDER_REVIEW)
    with pytest.raises(ValidationError) as excinfo:
        services.reviewer_assign(actor=world.street_officer, project=project, reviewer=world.expert_reviewer)
    assert excinfo.value.messages == [str(services.MSG_ROUND_NOT_IN_REVIEW)]


def test_panel_is_assigned_to_every_application_under_review(world, review_round, application):
    second = add_application(world, review_round, "邻里守望")
    make_project(world, review_round, status=ProjectStatus.DRAFT, title="草稿不参加")
    other = make_expert("panel2")
    assign(world, application)  # already assigned: skipped
    created = services.reviewers_assign_to_round(actor=world.district_officer, funding_round=review_round,
                                                 reviewers=[world.expert_reviewer, other])
    assert created == 3
    assert set(ReviewerAssignment.objects.active().values_list("project_id", "reviewer_id")) == {
        (application.pk, world.expert_reviewer.pk), (application.pk, other.pk),
        (second.pk, world.expert_reviewer.pk), (second.pk, other.pk)}


def test_panel_skips_an_expert_who_declared_a_conflict(world, review_round, application):
    assignment = assign(world, application, declare=False)
    services.assignment_declare(actor=world.expert_reviewer, assignment=assignment, conflict=True, note="亲属任理事")
    assert services.reviewers_assign_to_round(actor=world.street_officer, funding_round=review_round,
                                              reviewers=[world.expert_reviewer]) == 0
    with pytest.raises(ValidationError) as excinfo:
        services.reviewer_assign(actor=world.street_officer, project=application, reviewer=world.expert_reviewer)
    assert errors_of(excinfo) == {"reviewer": [str(services.MSG_EXPERT_CONFLICTED)]}


# --- conflict of interest and scoring -------------------------------------------------------------------

def test_expert_must_declare_before_scoring(world, application):
    assignment = assign(world, application, declare=False)
    with pytest.raises(ValidationError) as excinfo:
        services.expert_review_submit(actor=world.expert_reviewer, assignment=assignment,
                                      scores={"need": 8, "feasibility": 15}, comment="好")
    assert excinfo.value.messages == [str(services.MSG_DECLARE_FIRST)]


def test_declaring_a_conflict_withdraws_the_expert_and_needs_a_note(world, application):
    assignment = assign(world, application, declare=False)
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_declare(actor=world.expert_reviewer, assignment=assignment, conflict=True, note=" ")
    assert errors_of(excinfo) == {"note": [str(services.MSG_CONFLICT_NOTE_REQUIRED)]}
    services.assignment_declare(actor=world.expert_reviewer, assignment=assignment, conflict=True,
                                note="本人是申报组织的顾问")
    assignment.refresh_from_db()
    assert assignment.has_conflict and assignment.is_voided and assignment.conflict_declared_at
    assert "本人是申报组织的顾问" in assignment.void_reason
    # The expert no longer reaches the application at all.
    from wushe.accounts.policy import Action, Resource, can
    world.expert_reviewer._wushe_assignments = None
    assert not can(world.expert_reviewer, Action.VIEW, Resource.PROJECT, application)


def test_only_the_assigned_expert_declares(world, application):
    assignment = assign(world, application, declare=False)
    with pytest.raises(PermissionDenied):
        services.assignment_declare(actor=world.street_officer, assignment=assignment, conflict=False)


def test_scores_are_summed_and_may_be_revised_during_review(world, review_round, application):
    assign(world, application)
    review = score(world, application, world.expert_reviewer, 8, "15.5")
    assert review.total == Decimal("23.5") and review.scores == {"need": 8, "feasibility": 15.5}
    review = score(world, application, world.expert_reviewer, "9.5", 20, comment="修改后的意见")
    assert ExpertReview.objects.count() == 1
    assert review.total == Decimal("29.5") and review.comment == "修改后的意见"
    assert review.history.count() == 2
    review_round.status = RoundStatus.PUBLICITY
    review_round.save()
    with pytest.raises(ValidationError) as excinfo:
        score(world, application, world.expert_reviewer, 1, 1)
    assert excinfo.value.messages == [str(services.MSG_ROUND_NOT_IN_REVIEW)]


@pytest.mark.parametrize(("scores", "field", "message"), [
    ({"need": 11, "feasibility": 10}, "need", services.MSG_SCORE_RANGE % {"label": "回应需求", "max": "10"}),
    ({"need": -1, "feasibility": 10}, "need", services.MSG_SCORE_RANGE % {"label": "回应需求", "max": "10"}),
    ({"need": "7.3", "feasibility": 10}, "need", services.MSG_SCORE_STEP % {"label": "回应需求"}),
    ({"need": "很好", "feasibility": 10}, "need", services.MSG_SCORE_NOT_NUMBER % {"label": "回应需求"}),
    ({"need": 5}, "feasibility", services.MSG_SCORE_REQUIRED % {"label": "可行性"}),
    ({"need": 5, "feasibility": 5, "extra": 3}, "scores", services.MSG_SCORE_UNKNOWN % {"keys": "extra"}),
])
def test_invalid_scores_are_refused(world, application, scores, field, message):
    assignment = assign(world, application)
    with pytest.raises(ValidationError) as excinfo:
        services.expert_review_submit(actor=world.expert_reviewer, assignment=assignment, scores=scores,
                                      comment="意见")
    assert errors_of(excinfo)[field] == [str(message)]
    assert not ExpertReview.objects.exists()


def test_a_comment_is_required(world, application):
    assignment = assign(world, application)
    with pytest.raises(ValidationError) as excinfo:
        services.expert_review_submit(actor=world.expert_reviewer, assignment=assignment,
                                      scores={"need": 5, "feasibility": 5}, comment="  ")
    assert errors_of(excinfo) == {"comment": [str(services.MSG_COMMENT_REQUIRED)]}
    with pytest.raises(ValidationError) as excinfo:
        services.expert_review_submit(actor=world.expert_reviewer, assignment=assignment,
                                      scores={"need": 50, "feasibility": 5}, comment="")
    assert set(errors_of(excinfo)) == {"need", "comment"}


def test_another_user_cannot_score_the_experts_assignment(world, application):
    assignment = assign(world, application)
    with pytest.raises(PermissionDenied):
        services.expert_review_submit(actor=world.admin, assignment=assignment,
                                      scores={"need": 5, "feasibility": 5}, comment="意见")


# --- ranking --------------------------------------------------------------------------------------------

def test_ranking_math_matches_hand_computed_numbers(world, review_round):
    """Criteria maximum 30; weights 70/30.
    A: reviews 24 and 27 → average 25.5 → 85.00; 2 votes of 4 → 50.00; total 0.7×85 + 0.3×50 = 74.50
    B: review 15 → 50.00; 4 votes (the most) → 100.00; total 35 + 30 = 65.00
    C: no submitted review (expert score none, counts 0); 1 vote → 25.00; total 7.50
    D: review 27 (by the conflicted expert: withdrawn, not counted) and 20 → 66.67; 0 votes; total 46.67
    """
    second = make_expert("second")
    a, b, c, d = (add_application(world, review_round, title) for title in ("甲", "乙", "丙", "丁"))
    for project in (a, b, c, d):
        assign(world, project)
    assign(world, a, second)
    assign(world, d, second)
    score(world, a, world.expert_reviewer, 8, 16)   # 24
    score(world, a, second, 9, 18)                  # 27
    score(world, b, world.expert_reviewer, 5, 10)   # 15
    score(world, d, second, 7, 20)                  # 27, then withdrawn by a late conflict
    services.assignment_declare(actor=second, assignment=ReviewerAssignment.objects.get(project=d, reviewer=second),
                                conflict=True, note="后来发现存在合作关系")
    score(world, d, world.expert_reviewer, 5, 15)   # 20
    add_votes(a, world.community, 2)
    add_votes(b, world.community, 3)
    add_votes(b, world.community2, 1)
    add_votes(c, world.community2, 1)

    scores = services.ranking_compute(actor=world.street_officer, funding_round=review_round)

    for project in (a, b, c, d):
        project.refresh_from_db()
    assert (a.expert_score, a.resident_score, a.total_score, a.rank) == (Decimal("85.00"), Decimal("50.00"),
                                                                          Decimal("74.50"), 1)
    assert (b.expert_score, b.resident_score, b.total_score, b.rank) == (Decimal("50.00"), Decimal("100.00"),
                                                                          Decimal("65.00"), 2)
    assert (d.expert_score, d.resident_score, d.total_score, d.rank) == (Decimal("66.67"), Decimal("0.00"),
                                                                          Decimal("46.67"), 3)
    assert (c.expert_score, c.resident_score, c.total_score, c.rank) == (None, Decimal("25.00"), Decimal("7.50"), 4)
    assert scores[a.pk].review_count == 2 and scores[b.pk].vote_count == 4


def test_equal_totals_share_a_rank(world, review_round):
    a, b, c = (add_application(world, review_round, title) for title in ("甲", "乙", "丙"))
    for project, (need, feasibility) in zip((a, b, c), ((10, 20), (10, 20), (5, 10)), strict=True):
        assign(world, project)
        score(world, project, world.expert_reviewer, need, feasibility)
    scores = services.ranking_scores(review_round)
    assert [scores[p.pk].rank for p in (a, b, c)] == [1, 1, 3]


def test_ranking_without_votes_uses_the_expert_part_only(world, review_round, application):
    assign(world, application)
    score(world, application, world.expert_reviewer, 10, 20)
    result = services.ranking_scores(review_round)[application.pk]
    assert (result.expert_score, result.resident_score, result.total_score) == (
        Decimal("100.00"), Decimal("0.00"), Decimal("70.00"))


# --- decisions and publicity ----------------------------------------------------------------------------

def test_approval_needs_an_amount_within_request_and_cap(world, review_round, application):
    officer = world.street_officer
    cases = [(None, services.MSG_APPROVED_AMOUNT_REQUIRED), ("0", services.MSG_APPROVED_AMOUNT_POSITIVE),
             ("8000.01", services.MSG_APPROVED_OVER_REQUESTED % {"amount": application.requested_amount})]
    for amount, message in cases:
        with pytest.raises(ValidationError) as excinfo:
            services.project_decide(actor=officer, project=application, approve=True, approved_amount=amount)
        assert errors_of(excinfo) == {"approved_amount": [str(message)]}
    review_round.amount_cap = Decimal("5000")
    review_round.save()
    review_round.refresh_from_db()
    application.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        services.project_decide(actor=officer, project=application, approve=True, approved_amount="6000")
    assert errors_of(excinfo) == {"approved_amount": [str(services.MSG_APPROVED_OVER_CAP % {
        "amount": review_round.amount_cap})]}
    services.project_decide(actor=officer, project=application, approve=True, approved_amount="5000",
                            reason="压缩宣传印刷费用")
    application.refresh_from_db()
    assert application.status == ProjectStatus.APPROVED and application.approved_amount == Decimal("5000")
    assert application.decided_by == officer and application.decided_at is not None
    assert application.history.first().history_user == officer


def test_rejection_needs_a_reason(world, application):
    with pytest.raises(ValidationError) as excinfo:
        services.project_decide(actor=world.district_officer, project=application, approve=False)
    assert errors_of(excinfo) == {"reason": [str(services.MSG_REJECT_REASON_REQUIRED)]}
    services.project_decide(actor=world.district_officer, project=application, approve=False, reason="与已资助项目重复")
    application.refresh_from_db()
    assert application.status == ProjectStatus.REJECTED and application.decision_note == "与已资助项目重复"


def test_an_approved_amount_may_be_changed_during_review(world, application):
    services.project_decide(actor=world.street_officer, project=application, approve=True, approved_amount="8000")
    services.project_decide(actor=world.street_officer, project=application, approve=True, approved_amount="7000")
    application.refresh_from_db()
    assert application.status == ProjectStatus.APPROVED and application.approved_amount == Decimal("7000")


@pytest.mark.parametrize("persona", ["station_staff", "community_staff", "social_worker", "expert_reviewer"])
def test_only_managers_decide(world, application, persona):
    with pytest.raises(PermissionDenied):
        services.project_decide(actor=world.users[persona], project=application, approve=False, reason="不行")


def test_publishing_needs_every_application_decided(world, review_round, application):
    second = add_application(world, review_round, "乙")
    services.project_decide(actor=world.street_officer, project=application, approve=True, approved_amount="8000")
    with pytest.raises(ValidationError) as excinfo:
        services.round_publish_decisions(actor=world.street_officer, funding_round=review_round)
    assert excinfo.value.messages == [str(services.MSG_UNDECIDED_APPLICATIONS % {"count": 1})]
    services.project_decide(actor=world.street_officer, project=second, approve=False, reason="预算不合理")
    services.round_publish_decisions(actor=world.street_officer, funding_round=review_round)
    review_round.refresh_from_db()
    today = timezone.localdate()
    assert review_round.status == RoundStatus.PUBLICITY
    assert review_round.publicity_starts_on == today
    assert review_round.publicity_ends_on == today + datetime.timedelta(days=review_round.publicity_days)
    application.refresh_from_db()
    assert application.rank == 1 and application.total_score is not None  # ranking frozen at publication


def published_round(world, *, days_ago: int = 0):
    """A round in publicity that started `days_ago` days ago (7 days long), with one approved application."""
    funding_round = make_round(world, status=RoundStatus.REVIEW, review_criteria=CRITERIA)
    project = add_application(world, funding_round, "拟立项项目")
    services.project_decide(actor=world.street_officer, project=project, approve=True, approved_amount="8000")
    services.round_publish_decisions(actor=world.street_officer, funding_round=funding_round)
    if days_ago:
        start = timezone.localdate() - datetime.timedelta(days=days_ago)
        funding_round.publicity_starts_on = start
        funding_round.publicity_ends_on = start + datetime.timedelta(days=7)
        funding_round.save()
    project.refresh_from_db()
    return funding_round, project


def test_agreements_wait_for_publicity_and_answered_objections(world):
    funding_round, project = published_round(world)
    assert services.agreements_may_be_signed(funding_round) == [
        str(services.MSG_REASON_PUBLICITY_RUNNING % {"date": funding_round.publicity_ends_on.isoformat()})]
    objection = services.objection_file(funding_round=funding_round, filer_name="张先生", filer_contact="13900001111",
                                        content="该组织负责人与评审有亲属关系。", project=project)
    services.objection_file(funding_round=funding_round, filer_name="李女士", content="公示时间太短。")
    # Publicity over, objections unanswered.
    funding_round.publicity_starts_on -= datetime.timedelta(days=8)
    funding_round.publicity_ends_on -= datetime.timedelta(days=8)
    funding_round.save()
    assert services.agreements_may_be_signed(funding_round) == [str(services.MSG_REASON_UNANSWERED % {"count": 2})]
    with pytest.raises(ValidationError) as excinfo:
        services.round_contracting_start(actor=world.street_officer, funding_round=funding_round)
    assert excinfo.value.messages == [str(services.MSG_REASON_UNANSWERED % {"count": 2})]
    for item in Objection.objects.all():
        services.objection_answer(actor=world.street_officer, objection=item, answer="经核实，不存在所述情况。",
                                  upheld=False)
    assert services.agreements_may_be_signed(funding_round) == []
    services.round_contracting_start(actor=world.street_officer, funding_round=funding_round)
    funding_round.refresh_from_db()
    assert funding_round.status == RoundStatus.CONTRACTING
    objection.refresh_from_db()
    assert objection.answered_by == world.street_officer


def test_agreements_wait_for_publication(world, review_round):
    assert services.agreements_may_be_signed(review_round) == [str(services.MSG_REASON_NOT_PUBLISHED)]


def test_objections_only_during_the_publicity_period(world, review_round):
    with pytest.raises(ValidationError) as excinfo:
        services.objection_file(funding_round=review_round, filer_name="张", content="有意见")
    assert excinfo.value.messages == [str(services.MSG_NOT_IN_PUBLICITY)]
    funding_round, _project = published_round(world, days_ago=9)
    with pytest.raises(ValidationError) as excinfo:
        services.objection_file(funding_round=funding_round, filer_name="张", content="有意见")
    assert excinfo.value.messages == [str(services.MSG_PUBLICITY_WINDOW % {
        "start": funding_round.publicity_starts_on, "end": funding_round.publicity_ends_on})]


def test_objection_needs_name_content_and_a_project_of_the_round(world):
    funding_round, _project = published_round(world)
    stranger = make_project(world, make_round(world), status=ProjectStatus.DRAFT)
    with pytest.raises(ValidationError) as excinfo:
        services.objection_file(funding_round=funding_round, filer_name=" ", content="", project=stranger)
    assert errors_of(excinfo) == {"filer_name": [str(services.MSG_FILER_NAME_REQUIRED)],
                                  "content": [str(services.MSG_OBJECTION_CONTENT_REQUIRED)],
                                  "project": [str(services.MSG_OBJECTION_PROJECT_NOT_IN_ROUND)]}


def test_upheld_objection_lets_the_officer_reject_the_application(world):
    funding_round, project = published_round(world)
    objection = services.objection_file(funding_round=funding_round, filer_name="王", content="与另一项目内容重复",
                                        project=project)
    with pytest.raises(ValidationError):
        services.project_reject_after_objection(actor=world.street_officer, objection=objection)
    with pytest.raises(ValidationError) as excinfo:
        services.objection_answer(actor=world.street_officer, objection=objection, answer=" ", upheld=True)
    assert errors_of(excinfo) == {"answer": [str(services.MSG_ANSWER_REQUIRED)]}
    services.objection_answer(actor=world.street_officer, objection=objection, answer="经核实确属重复资助。",
                              upheld=True)
    with pytest.raises(PermissionDenied):
        services.project_reject_after_objection(actor=world.community_staff, objection=objection)
    services.project_reject_after_objection(actor=world.street_officer, objection=objection)
    project.refresh_from_db()
    assert project.status == ProjectStatus.REJECTED and project.approved_amount is None
    assert "经核实确属重复资助" in project.decision_note


def test_only_managers_answer_objections(world):
    funding_round, _project = published_round(world)
    objection = services.objection_file(funding_round=funding_round, filer_name="王", content="有意见")
    for persona in ("station_staff", "community_staff", "outsider"):
        with pytest.raises(PermissionDenied):
            services.objection_answer(actor=world.users[persona], objection=objection, answer="答复", upheld=False)


def test_objection_contact_is_masked_for_those_who_may_not_see_identities(world):
    from wushe.projects.selectors.review import mark_contact

    funding_round, _project = published_round(world)
    objection = services.objection_file(funding_round=funding_round, filer_name="张", filer_contact="13900001111",
                                        content="有意见")
    assert mark_contact(world.street_officer, objection).contact_shown == "13900001111"
    assert mark_contact(world.volunteer, objection).contact_shown == "139****1111"
