"""/api/v1/surveys/needs: the needs register over the same selectors, services and policy as the pages."""

from datetime import date, datetime
from uuid import UUID

from django.http import Http404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, require, restrict
from wushe.core.api import ErrorOut, unknown_reference
from wushe.people.models import PopulationGroup
from wushe.projects.models import Project
from wushe.regions.models import Region

from ..models import Need, NeedPriority
from ..selectors import needs as selectors
from ..selectors.surveys import surveys_for
from ..services import needs as services

router = Router()

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# Schemas ------------------------------------------------------------------------------------------------

class LinkedProjectOut(Schema):
    project_id: UUID
    title: str
    status: str
    region_code: str
    note: str
    linked_at: datetime

    @staticmethod
    def resolve_project_id(obj):
        return obj.project.public_id

    @staticmethod
    def resolve_title(obj):
        return obj.project.title

    @staticmethod
    def resolve_status(obj):
        return obj.project.status

    @staticmethod
    def resolve_region_code(obj):
        return obj.project.region.code

    @staticmethod
    def resolve_linked_at(obj):
        return obj.created_at


class NeedOut(Schema):
    public_id: UUID
    title: str
    category: str
    category_display: str
    population_group: str | None
    source: str
    priority: str
    status: str
    status_display: str
    region_code: str
    region_name: str
    identified_on: date
    met_on: date | None
    voided_at: datetime | None
    projects: list[LinkedProjectOut]

    @staticmethod
    def resolve_category_display(obj):
        return str(obj.get_category_display())

    @staticmethod
    def resolve_status_display(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_population_group(obj):
        return obj.population_group.code if obj.population_group_id else None

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_projects(obj):
        links = getattr(obj, "active_links", None)
        return links if links is not None else selectors.links_of(obj)


class NeedDetailOut(NeedOut):
    description: str
    evidence: str
    met_note: str
    survey_id: UUID | None
    engagement_id: UUID | None
    void_reason: str

    @staticmethod
    def resolve_survey_id(obj):
        return obj.survey.public_id if obj.survey_id else None

    @staticmethod
    def resolve_engagement_id(obj):
        return obj.engagement.public_id if obj.engagement_id else None


class NeedIn(Schema):
    region: str
    title: str
    category: str
    source: str
    priority: str = NeedPriority.MEDIUM
    population_group: str | None = None
    description: str = ""
    evidence: str = ""
    survey: UUID | None = None
    identified_on: date | None = None


class NeedPatch(Schema):
    region: str | None = None
    title: str | None = None
    category: str | None = None
    source: str | None = None
    priority: str | None = None
    population_group: str | None = None
    description: str | None = None
    evidence: str | None = None
    survey: UUID | None = None
    identified_on: date | None = None


class MetIn(Schema):
    met_on: date
    note: str


class ReasonIn(Schema):
    reason: str


class LinkIn(Schema):
    project: UUID
    note: str = ""


class NeedFilterParams(Schema):
    region: str = ""
    category: str = ""
    status: str = ""
    priority: str = ""
    group: str = ""
    source: str = ""
    q: str = ""
    uncovered: bool = False


class CommunityNeedsOut(Schema):
    code: str
    name: str
    total: int
    by_status: dict[str, int]
    uncovered: int
    uncovered_by_category: dict[str, int]
    uncovered_by_priority: dict[str, int]


class UncoveredOut(Schema):
    region_code: str
    region_name: str
    communities: list[CommunityNeedsOut]
    totals: CommunityNeedsOut


# Helpers ------------------------------------------------------------------------------------------------


def resolve_need_input(user, data: dict) -> dict:
    """Codes and public ids of the payload → objects the viewer may see (422 when unknown)."""
    if data.get("region") is not None:
        data["region"] = Region.objects.filter(code=data["region"]).first()
        if data["region"] is None:
            raise unknown_reference("region")
    if "population_group" in data:
        code = data["population_group"]
        data["population_group"] = PopulationGroup.objects.filter(code=code).first() if code else None
        if code and data["population_group"] is None:
            raise unknown_reference("population_group")
    if "survey" in data:
        public_id = data["survey"]
        data["survey"] = surveys_for(user).filter(public_id=public_id).first() if public_id else None
        if public_id and data["survey"] is None:
            raise unknown_reference("survey")
    return data


def _community_out(row) -> dict:
    return {"code": row.community.code, "name": row.community.name, "total": row.total,
            "by_status": row.by_status, "uncovered": row.uncovered,
            "uncovered_by_category": row.uncovered_by_category, "uncovered_by_priority": row.uncovered_by_priority}


def _reload(user, need: Need) -> Need:
    return selectors.get_need(user, need.public_id)


# Endpoints ----------------------------------------------------------------------------------------------

@router.get("/", response={200: list[NeedOut], **ERRORS}, summary="The needs register as the viewer may see it")
@paginate
def list_needs(request, filters: Query[NeedFilterParams]):
    require(request.user, Resource.NEED, Action.VIEW)
    return selectors.needs_for(request.user, selectors.NeedFilters.from_params(filters.dict()))


@router.get("/export.xlsx", response={200: None, **ERRORS},
            summary="The needs register (with the list's filters) as .xlsx (audit-logged)")
def export_needs(request, filters: Query[NeedFilterParams]):
    from ..views.needs import needs_register_response

    return needs_register_response(request.user, selectors.NeedFilters.from_params(filters.dict()))


@router.post("/", response={201: NeedDetailOut, **ERRORS}, summary="Register a need (CHANGE in its community)")
def create_need(request, payload: NeedIn):
    require(request.user, Resource.NEED, Action.CHANGE)
    data = resolve_need_input(request.user, payload.dict())
    need = services.need_create(actor=request.user, **data)
    return Status(201, _reload(request.user, need))


@router.get("/uncovered", response={200: UncoveredOut, **ERRORS},
            summary="Per community of an area: needs by status, uncovered ones by category and priority")
def uncovered(request, region: str = ""):
    require(request.user, Resource.NEED, Action.VIEW)
    area = (selectors.get_uncovered_region(request.user, region) if region
            else selectors.default_uncovered_region(request.user))
    if area is None:
        raise Http404
    summary = selectors.uncovered_summary(request.user, area)
    return {"region_code": area.code, "region_name": area.name,
            "communities": [_community_out(row) for row in summary.rows], "totals": _community_out(summary.totals)}


@router.get("/{uuid:public_id}", response={200: NeedDetailOut, **ERRORS}, summary="One need with its projects")
def get_need(request, public_id: UUID):
    return selectors.get_need(request.user, public_id)


@router.patch("/{uuid:public_id}", response={200: NeedDetailOut, **ERRORS}, summary="Change a need (fields sent)")
def update_need(request, public_id: UUID, payload: NeedPatch):
    need = selectors.get_need(request.user, public_id, action=Action.CHANGE)
    data = resolve_need_input(request.user, payload.dict(exclude_unset=True))
    services.need_update(actor=request.user, need=need, **data)
    return _reload(request.user, need)


@router.post("/{uuid:public_id}/met", response={200: NeedDetailOut, **ERRORS},
             summary="answered → met, with the date and a note")
def mark_met(request, public_id: UUID, payload: MetIn):
    need = selectors.get_need(request.user, public_id, action=Action.CHANGE)
    services.need_mark_met(actor=request.user, need=need, met_on=payload.met_on, note=payload.note)
    return _reload(request.user, need)


@router.post("/{uuid:public_id}/reopen", response={200: NeedDetailOut, **ERRORS},
             summary="met → answered / open, with a reason")
def reopen(request, public_id: UUID, payload: ReasonIn):
    need = selectors.get_need(request.user, public_id, action=Action.CHANGE)
    services.need_reopen(actor=request.user, need=need, reason=payload.reason)
    return _reload(request.user, need)


@router.post("/{uuid:public_id}/void", response={200: NeedDetailOut, **ERRORS}, summary="Void a need (with a reason)")
def void_need(request, public_id: UUID, payload: ReasonIn):
    need = selectors.get_need(request.user, public_id, action=Action.CHANGE)
    services.need_void(actor=request.user, need=need, reason=payload.reason)
    return _reload(request.user, need)


@router.post("/{uuid:public_id}/projects", response={201: NeedDetailOut, **ERRORS},
             summary="Link a project that answers the need (open → answered)")
def link_project(request, public_id: UUID, payload: LinkIn):
    need = selectors.get_need(request.user, public_id)
    project = restrict(request.user, Resource.PROJECT, Project.objects.select_related("region")).filter(
        public_id=payload.project).first()
    if project is None:
        raise unknown_reference("project")
    services.need_link_project(actor=request.user, need=need, project=project, note=payload.note)
    return Status(201, _reload(request.user, need))


@router.post("/{uuid:public_id}/projects/{uuid:project_id}/unlink", response={200: NeedDetailOut, **ERRORS},
             summary="Unlink a project (with a reason); answered → open when none is left")
def unlink_project(request, public_id: UUID, project_id: UUID, payload: ReasonIn):
    need = selectors.get_need(request.user, public_id)
    link = selectors.get_link(need, project_id)
    services.need_unlink_project(actor=request.user, link=link, reason=payload.reason)
    return _reload(request.user, need)
