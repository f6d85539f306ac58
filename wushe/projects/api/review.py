"""Review API (/api/v1/projects/…, tag `projects`): expert assignments, conflict declarations and scores,
ranking, decisions, publicity and objections; ballot tokens. The resident-vote and objection-filing
endpoints are public (`auth=None`) — the same services as the public pages, with the same neutral answers.
"""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from wushe.accounts.policy import Action, Resource, get_object_for, require
from wushe.core.api import ErrorOut
from wushe.regions.models import Region

from ..models import FundingRound, Project, ReviewerAssignment, RoundStatus
from ..selectors import review as selectors
from ..services import review as services
from ..services import voting

router = Router(tags=["projects"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
PUBLIC_ERRORS = {404: ErrorOut, 422: ErrorOut}

# --- schemas --------------------------------------------------------------------------------------------

class ExpertReviewOut(Schema):
    scores: dict[str, float]
    total: Decimal
    comment: str
    submitted_at: datetime | None


class AssignmentOut(Schema):
    public_id: UUID
    project: UUID
    project_title: str
    reviewer: UUID
    reviewer_name: str
    stage: str
    conflict_declared_at: datetime | None
    has_conflict: bool
    conflict_note: str
    voided_at: datetime | None
    void_reason: str
    review: ExpertReviewOut | None

    @staticmethod
    def resolve_project(obj):
        return obj.project.public_id

    @staticmethod
    def resolve_project_title(obj):
        return obj.project.title

    @staticmethod
    def resolve_reviewer(obj):
        return obj.reviewer.public_id

    @staticmethod
    def resolve_reviewer_name(obj):
        return str(obj.reviewer)

    @staticmethod
    def resolve_review(obj):
        return selectors.review_of(obj)


class TallyOut(Schema):
    community: str
    code: str
    count: int


class ScoresOut(Schema):
    expert_score: Decimal | None
    resident_score: Decimal | None
    total_score: Decimal | None
    rank: int | None


class ProjectReviewOut(Schema):
    public_id: UUID
    title: str
    status: str
    approved_amount: Decimal | None
    decision_note: str
    decided_at: datetime | None
    scores: ScoresOut | None = Field(description="Managers always (live during review); others once the decision "
                                                 "list is published.")
    vote_count: int
    tallies: list[TallyOut]
    assigned_count: int
    submitted_count: int
    assignments: list[AssignmentOut] = Field(description="Managers: all; an expert: their own; others: none.")


class RankingRowOut(Schema):
    public_id: UUID
    title: str
    status: str
    applicant: str
    community: str
    requested_amount: Decimal | None
    approved_amount: Decimal | None
    decision_note: str
    expert_score: Decimal | None
    resident_score: Decimal | None
    total_score: Decimal | None
    rank: int | None
    review_count: int
    reviewers: list[str]
    vote_count: int
    tallies: list[TallyOut]

    @staticmethod
    def resolve_applicant(obj):
        return obj.applicant.name

    @staticmethod
    def resolve_community(obj):
        return obj.region.name

    @staticmethod
    def resolve_expert_score(obj):
        return obj.score["expert"]

    @staticmethod
    def resolve_resident_score(obj):
        return obj.score["resident"]

    @staticmethod
    def resolve_total_score(obj):
        return obj.score["total"]

    @staticmethod
    def resolve_rank(obj):
        return obj.score["rank"]

    @staticmethod
    def resolve_review_count(obj):
        return obj.score["reviews"]

    @staticmethod
    def resolve_reviewers(obj):
        return [str(a.reviewer) for a in obj.active_assignments]


class RoundStateOut(Schema):
    public_id: UUID
    status: str
    publicity_starts_on: date | None
    publicity_ends_on: date | None


class AgreementCheckOut(Schema):
    may_sign: bool
    reasons: list[str]


class ObjectionOut(Schema):
    public_id: UUID
    project: UUID | None
    project_title: str | None
    filer_name: str
    filer_contact: str = Field(description="Masked unless the viewer may see identities (officers may).")
    content: str
    answer: str
    upheld: bool
    answered_at: datetime | None
    answered_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_project(obj):
        return obj.project.public_id if obj.project_id else None

    @staticmethod
    def resolve_filer_contact(obj):
        return obj.contact_shown

    @staticmethod
    def resolve_project_title(obj):
        return obj.project.title if obj.project_id else None

    @staticmethod
    def resolve_answered_by(obj):
        return str(obj.answered_by) if obj.answered_by_id else None


class MessageOut(Schema):
    message: str


class CreatedOut(Schema):
    created: int


class TokenOut(Schema):
    public_id: UUID
    serial: str
    community: str
    code: str = Field(description="The clear code: returned this once, never stored.")


class CandidateOut(Schema):
    public_id: UUID
    title: str
    applicant: str
    community: str
    summary: str
    requested_amount: Decimal | None

    @staticmethod
    def resolve_applicant(obj):
        return obj.applicant.name

    @staticmethod
    def resolve_community(obj):
        return obj.region.name


class VotedProjectOut(Schema):
    public_id: UUID
    title: str


class VoteResultOut(Schema):
    message: str
    projects: list[VotedProjectOut]


class ReviewerIn(Schema):
    reviewer: UUID = Field(description="public_id of a user holding the expert_reviewer role")


class PanelIn(Schema):
    reviewers: list[UUID]
    projects: list[UUID] | None = Field(None, description="Only these applications (default: all under review)")


class VoidIn(Schema):
    reason: str


class DeclarationIn(Schema):
    conflict: bool = Field(description="false: I declare no conflict of interest; true: I have one (withdraws me)")
    note: str = ""


class ScoresIn(Schema):
    scores: dict[str, Decimal | str | None] = Field(examples=[{"need": 18, "org_growth": 12.5}])
    comment: str = ""


class DecisionIn(Schema):
    approve: bool
    approved_amount: Decimal | None = None
    reason: str = ""


class AnswerIn(Schema):
    answer: str
    upheld: bool = False


class RejectIn(Schema):
    reason: str = ""


class TokensIn(Schema):
    community: str = Field(description="12-digit code of a community within the round's region")
    count: int = Field(ge=1, le=voting.TOKENS_MAX_PER_BATCH)


class CodeRequestIn(Schema):
    phone: str = Field(examples=["13912345678"])


class VoteIn(Schema):
    method: str = Field(description="phone_code or ballot_token", examples=["phone_code"])
    phone: str = ""
    code: str = ""
    token: str = ""
    projects: list[UUID]


class AccountVoteIn(Schema):
    projects: list[UUID]


class ObjectionIn(Schema):
    filer_name: str
    filer_contact: str = ""
    content: str
    project: UUID | None = Field(None, description="An application on the decision list, or none for the round")


# --- helpers --------------------------------------------------------------------------------------------

def _round(request, round_id: UUID, action=Action.MANAGE) -> FundingRound:
    return get_object_for(request.user, Resource.FUNDING_ROUND, selectors.round_queryset(), action=action,
                          public_id=round_id)


def _public_round(round_id: UUID) -> FundingRound:
    return get_object_or_404(FundingRound.objects.select_related("region").exclude(status=RoundStatus.DRAFT)
                             .filter(voided_at__isnull=True), public_id=round_id)


def _project(request, project_id: UUID, action=Action.VIEW) -> Project:
    return get_object_for(request.user, Resource.PROJECT, selectors.project_queryset(), action=action,
                          public_id=project_id)


def _assignment(assignment: ReviewerAssignment) -> ReviewerAssignment:
    return (ReviewerAssignment.objects.select_related("project", "reviewer", "review")
            .get(pk=assignment.pk))


def _project_review(request, project: Project) -> dict:
    project.refresh_from_db()
    context = selectors.project_review_context(request.user, project)
    scores = None
    if context["scores_visible"]:
        live = context["scores"]
        scores = {"expert_score": live["expert"], "resident_score": live["resident"],
                  "total_score": live["total"], "rank": live["rank"]}
    return {
        "public_id": project.public_id, "title": project.title, "status": project.status,
        "approved_amount": project.approved_amount, "decision_note": project.decision_note,
        "decided_at": project.decided_at, "scores": scores, "vote_count": context["vote_count"],
        "tallies": context["tallies"], "assigned_count": context["assigned_count"],
        "submitted_count": context["submitted_count"], "assignments": context["assignments"],
    }


def _voted(votes) -> dict:
    return {"message": voting.vote_summary_message(votes),
            "projects": [{"public_id": v.project.public_id, "title": v.project.title} for v in votes]}


# --- one project ----------------------------------------------------------------------------------------

@router.get("/projects/{project_id}/review", response={200: ProjectReviewOut, **ERRORS},
            summary="Review of one application (what the viewer may see)")
def get_project_review(request, project_id: UUID):
    return _project_review(request, _project(request, project_id))


@router.post("/projects/{project_id}/reviewers", response={201: AssignmentOut, **ERRORS},
             summary="Assign an expert reviewer to an application")
def assign_reviewer(request, project_id: UUID, payload: ReviewerIn):
    project = _project(request, project_id, Action.MANAGE)
    reviewer = selectors.expert_choices().filter(public_id=payload.reviewer).first()
    if reviewer is None:
        raise ValidationError({"reviewer": services.MSG_UNKNOWN_REVIEWER})
    assignment = services.reviewer_assign(actor=request.user, project=project, reviewer=reviewer)
    return Status(201, _assignment(assignment))


@router.post("/projects/{project_id}/reviewers/{assignment_id}/void", response={200: AssignmentOut, **ERRORS},
             summary="Withdraw an expert from an application (with a reason)")
def unassign_reviewer(request, project_id: UUID, assignment_id: UUID, payload: VoidIn):
    project = _project(request, project_id, Action.MANAGE)
    assignment = get_object_or_404(ReviewerAssignment.objects.active(), project=project, public_id=assignment_id)
    services.reviewer_unassign(actor=request.user, assignment=assignment, reason=payload.reason)
    return _assignment(assignment)


@router.post("/projects/{project_id}/decision", response={200: ProjectReviewOut, **ERRORS},
             summary="Approve (with an amount) or reject (with a reason) an application")
def decide(request, project_id: UUID, payload: DecisionIn):
    project = _project(request, project_id, Action.MANAGE)
    services.project_decide(actor=request.user, project=project, approve=payload.approve,
                            approved_amount=payload.approved_amount, reason=payload.reason)
    return _project_review(request, project)


# --- the expert -----------------------------------------------------------------------------------------

@router.get("/my-reviews", response={200: list[AssignmentOut], **ERRORS}, summary="My review assignments")
def my_reviews(request):
    require(request.user, Resource.PROJECT, Action.REVIEW)
    return list(selectors.my_assignments(request.user).select_related("reviewer"))


def _own_assignment(request, project_id: UUID) -> ReviewerAssignment:
    project = _project(request, project_id, Action.REVIEW)
    return selectors.own_assignment(request.user, project)


@router.get("/projects/{project_id}/my-review", response={200: AssignmentOut, **ERRORS},
            summary="My assignment and scores on one application")
def get_my_review(request, project_id: UUID):
    return _assignment(_own_assignment(request, project_id))


@router.post("/projects/{project_id}/my-review/declaration", response={200: AssignmentOut, **ERRORS},
             summary="Declare no conflict of interest (or a conflict, which withdraws me)")
def declare(request, project_id: UUID, payload: DeclarationIn):
    assignment = _own_assignment(request, project_id)
    services.assignment_declare(actor=request.user, assignment=assignment, conflict=payload.conflict,
                                note=payload.note)
    return _assignment(assignment)


@router.put("/projects/{project_id}/my-review/scores", response={200: AssignmentOut, **ERRORS},
            summary="Submit or revise my scores (one per criterion, 0..max in steps of 0.5) with a comment")
def submit_scores(request, project_id: UUID, payload: ScoresIn):
    assignment = _own_assignment(request, project_id)
    services.expert_review_submit(actor=request.user, assignment=assignment, scores=payload.scores,
                                  comment=payload.comment)
    return _assignment(assignment)


# --- the round ------------------------------------------------------------------------------------------

@router.get("/rounds/{round_id}/ranking", response={200: list[RankingRowOut], **ERRORS},
            summary="Ranked applications with scores and vote tallies per community")
def ranking(request, round_id: UUID):
    return selectors.ranking_list(request.user, _round(request, round_id))


@router.post("/rounds/{round_id}/ranking", response={200: list[RankingRowOut], **ERRORS},
             summary="Compute and store the ranking (during review)")
def ranking_save(request, round_id: UUID):
    funding_round = _round(request, round_id)
    services.ranking_compute(actor=request.user, funding_round=funding_round)
    return selectors.ranking_list(request.user, funding_round)


@router.post("/rounds/{round_id}/reviewers", response={200: CreatedOut, **ERRORS},
             summary="Assign a panel of experts to every application under review")
def assign_panel(request, round_id: UUID, payload: PanelIn):
    funding_round = _round(request, round_id)
    reviewers = list(selectors.expert_choices().filter(public_id__in=payload.reviewers))
    if len(reviewers) != len(set(payload.reviewers)):
        raise ValidationError({"reviewers": services.MSG_UNKNOWN_REVIEWER})
    projects = None
    if payload.projects is not None:
        projects = list(funding_round.projects.filter(public_id__in=payload.projects))
    created = services.reviewers_assign_to_round(actor=request.user, funding_round=funding_round,
                                                 reviewers=reviewers, projects=projects)
    return {"created": created}


@router.post("/rounds/{round_id}/publish", response={200: RoundStateOut, **ERRORS},
             summary="Publish the decision list: publicity (公示) starts today")
def publish(request, round_id: UUID):
    return services.round_publish_decisions(actor=request.user, funding_round=_round(request, round_id))


@router.get("/rounds/{round_id}/agreement-check", response={200: AgreementCheckOut, **ERRORS},
            summary="Whether agreements may be signed, and why not")
def agreement_check(request, round_id: UUID):
    reasons = services.agreements_may_be_signed(_round(request, round_id))
    return {"may_sign": not reasons, "reasons": reasons}


@router.post("/rounds/{round_id}/contracting", response={200: RoundStateOut, **ERRORS},
             summary="Enter contracting (refused during publicity or with unanswered objections)")
def start_contracting(request, round_id: UUID):
    return services.round_contracting_start(actor=request.user, funding_round=_round(request, round_id))


@router.get("/rounds/{round_id}/objections", response={200: list[ObjectionOut], **ERRORS},
            summary="Objections filed during publicity (officers)")
def list_objections(request, round_id: UUID):
    return list(selectors.round_objections(request.user, _round(request, round_id)))


@router.post("/objections/{objection_id}/answer", response={200: ObjectionOut, **ERRORS},
             summary="Answer an objection (upheld or not)")
def answer_objection(request, objection_id: UUID, payload: AnswerIn):
    objection = selectors.objection_for(request.user, objection_id)
    services.objection_answer(actor=request.user, objection=objection, answer=payload.answer, upheld=payload.upheld)
    return selectors.mark_contact(request.user, objection)


@router.post("/objections/{objection_id}/reject-project", response={200: ProjectReviewOut, **ERRORS},
             summary="Reject the approved application an upheld objection is about")
def reject_after_objection(request, objection_id: UUID, payload: RejectIn):
    objection = selectors.objection_for(request.user, objection_id)
    project = services.project_reject_after_objection(actor=request.user, objection=objection,
                                                      reason=payload.reason)
    return _project_review(request, project)


@router.post("/rounds/{round_id}/ballots", response={201: list[TokenOut], **ERRORS},
             summary="Generate ballot tokens for a community (clear codes returned once)")
def generate_ballots(request, round_id: UUID, payload: TokensIn):
    funding_round = _round(request, round_id)
    community = Region.objects.filter(code=payload.community).first()
    if community is None:
        raise ValidationError({"community": voting.MSG_TOKEN_COMMUNITY})
    issued = voting.ballot_tokens_generate(actor=request.user, funding_round=funding_round, community=community,
                                           count=payload.count)
    return Status(201, [{"public_id": t.public_id, "serial": t.serial, "community": community.name, "code": code}
                        for t, code in issued])


# --- public: resident votes and objections (no authentication) ------------------------------------------

@router.get("/rounds/{round_id}/candidates", auth=None, response={200: list[CandidateOut], **PUBLIC_ERRORS},
            summary="Applications residents may vote on (public)")
def candidates(request, round_id: UUID):
    funding_round = _public_round(round_id)
    if not voting.voting_is_open(funding_round):
        return []
    return list(voting.votable_projects(funding_round).select_related("applicant", "region").order_by("title"))


@router.post("/rounds/{round_id}/vote-code", auth=None, response={200: MessageOut, **PUBLIC_ERRORS},
             summary="Send a one-time vote code to a registered phone (public; same answer for any phone)")
def request_vote_code(request, round_id: UUID, payload: CodeRequestIn):
    message = voting.vote_code_request(funding_round=_public_round(round_id), phone=payload.phone)
    return {"message": message}


@router.post("/rounds/{round_id}/votes", auth=None, response={201: VoteResultOut, **PUBLIC_ERRORS},
             summary="Vote with a phone code or a ballot token (public)")
def vote(request, round_id: UUID, payload: VoteIn):
    funding_round = _public_round(round_id)
    if payload.method == "phone_code":
        votes = voting.votes_cast_with_code(funding_round=funding_round, phone=payload.phone, code=payload.code,
                                            projects=payload.projects)
    elif payload.method == "ballot_token":
        votes = voting.votes_cast_with_token(funding_round=funding_round, token=payload.token,
                                             projects=payload.projects)
    else:
        raise ValidationError({"method": voting.MSG_METHOD_UNKNOWN})
    return Status(201, _voted(votes))


@router.post("/rounds/{round_id}/account-votes", response={201: VoteResultOut, **ERRORS},
             summary="Vote as the resident linked to my account")
def vote_by_account(request, round_id: UUID, payload: AccountVoteIn):
    funding_round = _public_round(round_id)
    votes = voting.votes_cast_by_account(actor=request.user, funding_round=funding_round, projects=payload.projects)
    return Status(201, _voted(votes))


@router.post("/rounds/{round_id}/objections", auth=None, response={201: MessageOut, **PUBLIC_ERRORS},
             summary="File an objection during publicity (public)")
def file_objection(request, round_id: UUID, payload: ObjectionIn):
    funding_round = _public_round(round_id)
    project = None
    if payload.project is not None:
        project = services.objection_projects(funding_round).filter(public_id=payload.project).first()
        if project is None:
            raise ValidationError({"project": services.MSG_OBJECTION_PROJECT_NOT_IN_ROUND})
    services.objection_file(funding_round=funding_round, filer_name=payload.filer_name, content=payload.content,
                            filer_contact=payload.filer_contact, project=project)
    return Status(201, {"message": str(services.MSG_OBJECTION_FILED)})

