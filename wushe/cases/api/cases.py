"""Cases, intake, step moves, records, review and goals. Every GET under a case writes the read log."""

from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Router, Status
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, can, require
from wushe.core.api import ErrorOut

from .. import selectors
from ..models import ReferralStatus
from ..services import steps, supervision
from ..services.reads import READ_RECORD, READ_RECORDS, case_read_log
from .schemas import (
    AdvanceIn,
    CaseDetailOut,
    CaseListOut,
    GoalIn,
    GoalOut,
    GoalPatch,
    IntakeIn,
    RecordIn,
    RecordOut,
    RecordStatusOut,
    ReviewIn,
)

router = Router()  # tagged `services` by the package router
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def case_detail_out(user, case):
    """Fill what CaseDetailOut reads beyond the model (the caller has logged the read)."""
    case.goals_list = list(selectors.case_goals(case))
    case.next_steps = steps.next_steps(case)
    case.pending_referral = case.referrals.filter(status=ReferralStatus.PENDING).select_related(
        "to_worker", "referred_by").first()
    case.may_change = not case.is_voided and can(user, Action.CHANGE, Resource.CASE, case)
    case.may_review = can(user, Action.REVIEW, Resource.CASE, case)
    case.may_history = can(user, Action.HISTORY, Resource.CASE, case)
    return case


@router.get("/", response={200: list[CaseListOut], **ERRORS}, summary="My cases (no narrative)")
@paginate
def list_cases(request, status: str = "", q: str = ""):
    return selectors.case_list(request.user, status=status, query=q)


@router.post("/", response={201: CaseDetailOut, **ERRORS}, summary="Intake (接案)")
def intake(request, payload: IntakeIn):
    user = request.user
    require(user, Resource.CASE, Action.CHANGE)
    data = payload.dict()
    client = selectors.client_choices(user).filter(public_id=data.pop("client_id")).first()
    if client is None:
        raise ValidationError({"client": [steps.MSG_CLIENT_OUT_OF_SCOPE]})
    case = steps.case_intake(actor=user, client=client, **data)
    return Status(201, case_detail_out(user, selectors.read_case(user, case.public_id, channel="api")))


@router.get("/{uuid:public_id}", response={200: CaseDetailOut, **ERRORS}, summary="One case (logged)")
def get_case(request, public_id: UUID):
    user = request.user
    return case_detail_out(user, selectors.read_case(user, public_id, channel="api"))


@router.post("/{uuid:public_id}/advance", response={201: RecordStatusOut, **ERRORS},
             summary="Move to the next step and write its record")
def advance(request, public_id: UUID, payload: AdvanceIn):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    return Status(201, steps.case_advance(actor=request.user, case=case, **payload.dict()))


@router.get("/{uuid:public_id}/records", response={200: list[RecordOut], **ERRORS},
            summary="The case's records (logged)")
def list_records(request, public_id: UUID):
    case = selectors.read_case(request.user, public_id, channel="api", what=READ_RECORDS)
    return list(selectors.case_records(case))


@router.post("/{uuid:public_id}/records", response={201: RecordStatusOut, **ERRORS},
             summary="Add a record to the current step")
def add_record(request, public_id: UUID, payload: RecordIn):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    return Status(201, steps.case_record_add(actor=request.user, case=case, **payload.dict()))


@router.get("/{uuid:public_id}/records/{uuid:record_id}", response={200: RecordOut, **ERRORS},
            summary="One record (logged)")
def get_record(request, public_id: UUID, record_id: UUID):
    user = request.user
    case = selectors.get_case_for(user, public_id)
    record = selectors.case_record_for(case, record_id)
    case_read_log(actor=user, case=case, what=READ_RECORD, channel="api", target=str(record.public_id))
    return record


@router.post("/{uuid:public_id}/records/{uuid:record_id}/review", response={200: RecordStatusOut, **ERRORS},
             summary="Supervisor's review or sign-off of a record")
def review_record(request, public_id: UUID, record_id: UUID, payload: ReviewIn):
    case = selectors.get_case_for(request.user, public_id, Action.REVIEW)
    record = selectors.case_record_for(case, record_id)
    return supervision.case_record_review(actor=request.user, record=record, **payload.dict())


@router.get("/{uuid:public_id}/goals", response={200: list[GoalOut], **ERRORS}, summary="Service goals (logged)")
def list_goals(request, public_id: UUID):
    case = selectors.read_case(request.user, public_id, channel="api", what="goals")
    return list(selectors.case_goals(case))


@router.post("/{uuid:public_id}/goals", response={201: GoalOut, **ERRORS}, summary="Add a service goal")
def add_goal(request, public_id: UUID, payload: GoalIn):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    return Status(201, steps.case_goal_add(actor=request.user, case=case, **payload.dict()))


@router.patch("/{uuid:public_id}/goals/{uuid:goal_id}", response={200: GoalOut, **ERRORS},
              summary="Change a goal or rate it")
def update_goal(request, public_id: UUID, goal_id: UUID, payload: GoalPatch):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    goal = selectors.case_goal_for(case, goal_id)
    return steps.case_goal_update(actor=request.user, goal=goal, **payload.dict(exclude_unset=True))
