"""/api/v1/surveys/engagements: focus groups and interviews, and the needs they raised."""

from datetime import date, datetime
from uuid import UUID

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, require
from wushe.core.api import ErrorOut, unknown_reference
from wushe.people.models import PopulationGroup

from ..models import NeedPriority
from ..selectors import needs as selectors
from ..services import engagements as services
from .needs import NeedDetailOut, ReasonIn, resolve_need_input

router = Router()

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class EngagementOut(Schema):
    public_id: UUID
    kind: str
    kind_display: str
    title: str
    held_on: date
    place: str
    region_code: str
    region_name: str
    facilitator_id: UUID | None
    facilitator_name: str
    participant_count: int
    participant_description: str
    need_count: int
    voided_at: datetime | None

    @staticmethod
    def resolve_kind_display(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_facilitator_id(obj):
        return obj.facilitator.public_id if obj.facilitator_id else None

    @staticmethod
    def resolve_facilitator_name(obj):
        if obj.facilitator_id:
            return obj.facilitator.display_name or obj.facilitator.username
        return obj.facilitator_name

    @staticmethod
    def resolve_need_count(obj):
        count = getattr(obj, "need_count", None)
        return count if count is not None else obj.needs.active().count()


class EngagementDetailOut(EngagementOut):
    notes: str
    participant_groups: list[str]
    survey_id: UUID | None
    void_reason: str
    needs: list[UUID]

    @staticmethod
    def resolve_participant_groups(obj):
        return [g.code for g in obj.participant_groups.order_by("sort_order", "code")]

    @staticmethod
    def resolve_survey_id(obj):
        return obj.survey.public_id if obj.survey_id else None

    @staticmethod
    def resolve_needs(obj):
        return list(obj.needs.active().order_by("id").values_list("public_id", flat=True))


class EngagementIn(Schema):
    region: str
    kind: str
    title: str
    held_on: date
    participant_count: int
    place: str = ""
    facilitator: UUID | None = None
    facilitator_name: str = ""
    participant_groups: list[str] = []
    participant_description: str = ""
    notes: str = ""
    survey: UUID | None = None


class EngagementPatch(Schema):
    region: str | None = None
    kind: str | None = None
    title: str | None = None
    held_on: date | None = None
    participant_count: int | None = None
    place: str | None = None
    facilitator: UUID | None = None
    facilitator_name: str | None = None
    participant_groups: list[str] | None = None
    participant_description: str | None = None
    notes: str | None = None
    survey: UUID | None = None


class RaiseNeedIn(Schema):
    title: str
    category: str
    priority: str = NeedPriority.MEDIUM
    population_group: str | None = None
    description: str = ""
    evidence: str = ""


class EngagementFilterParams(Schema):
    region: str = ""
    kind: str = ""
    q: str = ""


def _resolve(user, data: dict, engagement=None) -> dict:
    data = resolve_need_input(user, data)
    if "facilitator" in data:
        public_id = data["facilitator"]
        found = (selectors.facilitator_choices(user, engagement).filter(public_id=public_id).first()
                 if public_id else None)
        if public_id and found is None:
            raise unknown_reference("facilitator")
        data["facilitator"] = found
    if data.get("participant_groups") is not None:
        codes = data["participant_groups"]
        groups = list(PopulationGroup.objects.filter(code__in=codes))
        if len(groups) != len(set(codes)):
            raise unknown_reference("participant_groups")
        data["participant_groups"] = groups
    elif "participant_groups" in data:
        data.pop("participant_groups")
    return data


def _reload(user, engagement):
    return selectors.get_engagement(user, engagement.public_id)


@router.get("/", response={200: list[EngagementOut], **ERRORS}, summary="Focus groups and interviews")
@paginate
def list_engagements(request, filters: Query[EngagementFilterParams]):
    require(request.user, Resource.NEED, Action.VIEW)
    return selectors.engagements_for(request.user, selectors.EngagementFilters.from_params(filters.dict()))


@router.post("/", response={201: EngagementDetailOut, **ERRORS},
             summary="Record a focus group or an interview (CHANGE in its community)")
def create_engagement(request, payload: EngagementIn):
    require(request.user, Resource.NEED, Action.CHANGE)
    engagement = services.engagement_create(actor=request.user, **_resolve(request.user, payload.dict()))
    return Status(201, _reload(request.user, engagement))


@router.get("/{uuid:public_id}", response={200: EngagementDetailOut, **ERRORS}, summary="One focus group or interview")
def get_engagement(request, public_id: UUID):
    return selectors.get_engagement(request.user, public_id)


@router.patch("/{uuid:public_id}", response={200: EngagementDetailOut, **ERRORS},
              summary="Change a focus group or interview (fields sent)")
def update_engagement(request, public_id: UUID, payload: EngagementPatch):
    engagement = selectors.get_engagement(request.user, public_id, action=Action.CHANGE)
    data = _resolve(request.user, payload.dict(exclude_unset=True), engagement)
    services.engagement_update(actor=request.user, engagement=engagement, **data)
    return _reload(request.user, engagement)


@router.post("/{uuid:public_id}/void", response={200: EngagementDetailOut, **ERRORS},
             summary="Void a focus group or interview (with a reason; only without active needs)")
def void_engagement(request, public_id: UUID, payload: ReasonIn):
    engagement = selectors.get_engagement(request.user, public_id, action=Action.CHANGE)
    services.engagement_void(actor=request.user, engagement=engagement, reason=payload.reason)
    return _reload(request.user, engagement)


@router.post("/{uuid:public_id}/needs", response={201: NeedDetailOut, **ERRORS},
             summary="Register a need raised at the focus group or interview")
def raise_need(request, public_id: UUID, payload: RaiseNeedIn):
    engagement = selectors.get_engagement(request.user, public_id, action=Action.CHANGE)
    data = resolve_need_input(request.user, payload.dict())
    need = services.engagement_raise_need(actor=request.user, engagement=engagement, **data)
    return Status(201, selectors.get_need(request.user, need.public_id))
