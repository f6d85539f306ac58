"""/api/v1/surveys/{survey_id}/responses and /api/v1/surveys/responses/{response_id}: collecting responses over
the same selectors, services and policy as the pages (respondent names masked without VIEW_IDENTITY)."""

from datetime import datetime
from typing import Literal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db import transaction
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from wushe.accounts.policy import Action
from wushe.core.api import ErrorOut, unknown_reference
from wushe.people.models import PopulationGroup
from wushe.people.selectors import residents_visible_to
from wushe.regions.models import Region

from ..models import ResponseStatus
from ..selectors.responses import get_response_for, may_fill, may_see_identity, shown_respondent
from ..selectors.surveys import get_survey, responses_for
from ..services import responses as services

router = Router()

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _identity_visible(request, survey):
    cache = request.__dict__.setdefault("_survey_identity", {})
    if survey.pk not in cache:
        cache[survey.pk] = may_see_identity(request.user, survey)
    return cache[survey.pk]


class ResponseOut(Schema):
    public_id: UUID
    survey_id: UUID
    status: str
    mode: str
    community: str
    community_name: str
    population_group: str | None
    respondent: str
    anonymous: bool
    collected_by: str
    language: str
    answers: dict
    created_at: datetime
    submitted_at: datetime | None

    @staticmethod
    def resolve_survey_id(obj):
        return obj.survey.public_id

    @staticmethod
    def resolve_community(obj):
        return obj.region.code

    @staticmethod
    def resolve_community_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_population_group(obj):
        return obj.population_group.code if obj.population_group_id else None

    @staticmethod
    def resolve_respondent(obj, context):
        return shown_respondent(obj, _identity_visible(context["request"], obj.survey))

    @staticmethod
    def resolve_anonymous(obj):
        return obj.is_anonymous

    @staticmethod
    def resolve_collected_by(obj):
        return str(obj.collected_by) if obj.collected_by_id else ""


class ResponseSavedOut(ResponseOut):
    errors: dict[str, str] = {}
    resume_code: str = ""


class ResponseIn(Schema):
    community: str
    population_group: str | None = None
    mode: Literal["interview", "self"] = "interview"
    respondent: UUID | None = None
    answers: dict = {}
    final: bool = False
    language: str = ""


class ResponsePatch(Schema):
    answers: dict = {}
    final: bool = False
    language: str = ""


class ReasonIn(Schema):
    reason: str



def _saved(response, errors: dict | None = None):
    response.errors = errors or {}
    # The resume code lets an API client hand a self-filled draft over to the respondent's browser.
    response.resume_code = response.resume_code if response.status == ResponseStatus.DRAFT else ""
    return response


@router.get("/{uuid:survey_id}/responses", response={200: list[ResponseOut], **ERRORS},
            summary="Responses of a survey the viewer may see (respondents masked without VIEW_IDENTITY)")
@paginate
def list_responses(request, survey_id: UUID, status: str = ""):
    survey = get_survey(request.user, survey_id)
    responses = responses_for(request.user, survey).select_related("survey")
    if status in ResponseStatus.values:
        responses = responses.filter(status=status)
    return responses


@router.post("/{uuid:survey_id}/responses", response={201: ResponseSavedOut, **ERRORS},
             summary="Start a response (community code, group code, mode) with answers; final=true submits")
def create_response(request, survey_id: UUID, payload: ResponseIn):
    survey = get_survey(request.user, survey_id)
    region = Region.objects.filter(code=payload.community).first()
    if region is None:
        raise unknown_reference("community")
    group = None
    if payload.population_group:
        group = PopulationGroup.objects.filter(code=payload.population_group).first()
        if group is None:
            raise unknown_reference("population_group")
    respondent = None
    if payload.respondent:
        respondent = residents_visible_to(request.user).active().filter(public_id=payload.respondent).first()
        if respondent is None:
            raise unknown_reference("respondent")
    with transaction.atomic():
        response = services.response_start(actor=request.user, survey=survey, region=region, population_group=group,
                                           respondent=respondent, mode=payload.mode, language=payload.language)
        result = services.response_save(actor=request.user, response=response, raw=payload.answers,
                                        final=payload.final, language=payload.language)
    return Status(201, _saved(response, result.errors))


@router.get("/responses/{uuid:response_id}", response={200: ResponseOut, **ERRORS}, summary="One response")
def get_response(request, response_id: UUID):
    return get_response_for(request.user, response_id)


@router.patch("/responses/{uuid:response_id}", response={200: ResponseSavedOut, **ERRORS},
              summary="Save answers (merged over the stored ones; null clears); final=true submits. Submitted "
                      "responses: only those who may change the survey, always re-validated")
def update_response(request, response_id: UUID, payload: ResponsePatch):
    response = get_response_for(request.user, response_id)
    if not may_fill(request.user, response):
        raise PermissionDenied
    raw = {**(response.answers or {}), **payload.answers}
    result = services.response_save(actor=request.user, response=response, raw=raw, final=payload.final,
                                    language=payload.language)
    return _saved(response, result.errors)


@router.post("/responses/{uuid:response_id}/void", response={200: ResponseOut, **ERRORS},
             summary="Void a response (with a reason; CHANGE on the survey)")
def void_response(request, response_id: UUID, payload: ReasonIn):
    response = get_response_for(request.user, response_id)
    get_survey(request.user, response.survey.public_id, action=Action.CHANGE)
    return services.response_void(actor=request.user, response=response, reason=payload.reason)
