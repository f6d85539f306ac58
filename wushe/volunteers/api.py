"""/api/v1/volunteers/: volunteers, teams and memberships over the same selectors, services and policy."""

from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, can, get_object_for, require
from wushe.core.masking import mask_id_number, mask_phone
from wushe.regions.models import Region

from . import selectors, services
from .models import Team, TeamRole, Volunteer

router = Router(tags=["volunteers"])


# Schemas ------------------------------------------------------------------------------------------------

class VolunteerOut(Schema):
    public_id: UUID
    volunteer_number: str
    name: str
    sex: str
    age: int | None
    needs_guardian_consent: bool
    region_code: str
    region_name: str
    phone: str
    skills: str
    registered_on: date | None
    voided: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_voided(obj):
        return obj.is_voided


class VolunteerTeamOut(Schema):
    team_id: UUID
    team_name: str
    role: str


class VolunteerDetailOut(VolunteerOut):
    birth_date: date | None
    document_type: str
    id_number: str
    guardian_name: str
    guardian_phone: str
    guardian_consent_on: date | None
    has_guardian_consent: bool
    teams: list[VolunteerTeamOut] = []

    @staticmethod
    def resolve_guardian_phone(obj):
        return obj.guardian_phone if getattr(obj, "_show_identity", False) else mask_phone(obj.guardian_phone)

    @staticmethod
    def resolve_id_number(obj):
        return obj.id_number if getattr(obj, "_show_identity", False) else mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj):
        return obj.phone if getattr(obj, "_show_identity", False) else mask_phone(obj.phone)

    @staticmethod
    def resolve_teams(obj):
        return [{"team_id": m.team.public_id, "team_name": m.team.name, "role": m.role}
                for m in getattr(obj, "_memberships", [])]


class VolunteerIn(Schema):
    name: str
    region_code: str
    sex: str = "U"
    birth_date: date | None = None
    document_type: str = "ric"
    id_number: str = ""
    phone: str = ""
    skills: str = ""
    registered_on: date | None = None
    guardian_name: str = ""
    guardian_phone: str = ""
    guardian_consent_on: date | None = None


class VolunteerPatch(Schema):
    name: str | None = None
    region_code: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    document_type: str | None = None
    id_number: str | None = None
    phone: str | None = None
    skills: str | None = None
    registered_on: date | None = None
    guardian_name: str | None = None
    guardian_phone: str | None = None
    guardian_consent_on: date | None = None


class TeamOut(Schema):
    public_id: UUID
    name: str
    region_code: str
    region_name: str
    organization_id: UUID | None
    organization_name: str
    description: str
    founded_on: date | None
    member_count: int = 0
    voided: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_organization_id(obj):
        return obj.organization.public_id if obj.organization_id else None

    @staticmethod
    def resolve_organization_name(obj):
        return obj.organization.name if obj.organization_id else ""

    @staticmethod
    def resolve_member_count(obj):
        return getattr(obj, "member_count", 0)

    @staticmethod
    def resolve_voided(obj):
        return obj.is_voided


class TeamIn(Schema):
    name: str
    region_code: str | None = None
    organization_id: UUID | None = None
    description: str = ""
    founded_on: date | None = None


class TeamPatch(Schema):
    name: str | None = None
    region_code: str | None = None
    organization_id: UUID | None = None
    description: str | None = None
    founded_on: date | None = None


class MemberOut(Schema):
    public_id: UUID
    volunteer_id: UUID | None
    volunteer_number: str
    name: str
    role: str
    joined_on: date | None

    @staticmethod
    def resolve_volunteer_id(obj):
        return obj.volunteer.public_id if obj.volunteer_visible else None

    @staticmethod
    def resolve_volunteer_number(obj):
        return obj.volunteer.volunteer_number if obj.volunteer_visible else ""

    @staticmethod
    def resolve_name(obj):
        return obj.volunteer.name


class MemberIn(Schema):
    volunteer_number: str
    name: str = ""
    role: TeamRole = TeamRole.MEMBER
    joined_on: date | None = None


class VoidIn(Schema):
    reason: str


# Helpers ------------------------------------------------------------------------------------------------

def _region(regions, code: str | None, field: str = "region"):
    if code is None:
        return None
    region = regions.filter(code=code).first()
    if region is None:
        raise ValidationError({field: [services.MSG_REGION_OUT_OF_SCOPE]})
    return region


def _volunteer_detail(user, volunteer: Volunteer) -> Volunteer:
    services.volunteer_log_read(actor=user, volunteer=volunteer)
    volunteer._show_identity = can(user, Action.VIEW_IDENTITY, Resource.VOLUNTEER, volunteer)
    volunteer._memberships = list(selectors.memberships_of_volunteer(user, volunteer))
    return volunteer


def _get_volunteer(user, public_id: UUID, action: Action = Action.VIEW) -> Volunteer:
    return get_object_for(user, Resource.VOLUNTEER, selectors.volunteer_detail_queryset(), action=action,
                          public_id=public_id)


def _get_team(user, public_id: UUID, action: Action = Action.VIEW) -> Team:
    return get_object_for(user, Resource.TEAM, selectors.team_detail_queryset(), action=action,
                          public_id=public_id)


def _team_arguments(user, data: dict) -> dict:
    arguments = dict(data)
    if "region_code" in arguments:
        arguments["region"] = _region(Region.objects.current(), arguments.pop("region_code"))
    if "organization_id" in arguments:
        public_id = arguments.pop("organization_id")
        arguments["organization"] = None
        if public_id is not None:
            arguments["organization"] = selectors.organization_choices(user).filter(public_id=public_id).first()
            if arguments["organization"] is None:
                raise ValidationError({"organization": [services.MSG_ORGANIZATION_UNAVAILABLE]})
    return arguments


def _team_out(user, public_id: UUID) -> Team:
    team = selectors.team_list(user).filter(public_id=public_id).first()
    return team if team is not None else _get_team(user, public_id)


# Volunteers ---------------------------------------------------------------------------------------------

@router.get("/", response=list[VolunteerOut], summary="List volunteers")
@paginate
def list_volunteers(request, q: str = "", within: str = "", team: UUID | None = None, minors: bool = False):
    user = request.user
    require(user, Resource.VOLUNTEER, Action.VIEW)
    root = get_object_or_404(Region, code=within) if within else None
    team_obj = None
    if team is not None:
        team_obj = selectors.team_filter_choices(user).filter(public_id=team).first()
        if team_obj is None:
            return Volunteer.objects.none()
    return selectors.volunteer_list(user, query=q, within=root, team=team_obj, minors=minors)


@router.get("/me", response=VolunteerDetailOut, summary="The caller's own volunteer record")
def my_volunteer(request):
    own = selectors.own_volunteer(request.user)
    if own is None:
        raise Http404
    return _volunteer_detail(request.user, _get_volunteer(request.user, own.public_id))


@router.get("/{uuid:public_id}", response=VolunteerDetailOut, summary="One volunteer")
def get_volunteer(request, public_id: UUID):
    return _volunteer_detail(request.user, _get_volunteer(request.user, public_id))


@router.post("/", response={201: VolunteerDetailOut}, summary="Register a volunteer (the number is assigned)")
def create_volunteer(request, payload: VolunteerIn):
    user = request.user
    require(user, Resource.VOLUNTEER, Action.CHANGE)
    data = payload.dict()
    data["region"] = _region(selectors.volunteer_region_choices(user), data.pop("region_code"))
    volunteer = services.volunteer_create(actor=user, **data)
    return 201, _volunteer_detail(user, _get_volunteer(user, volunteer.public_id))


@router.patch("/{uuid:public_id}", response=VolunteerDetailOut, summary="Change a volunteer")
def update_volunteer(request, public_id: UUID, payload: VolunteerPatch):
    user = request.user
    volunteer = _get_volunteer(user, public_id, Action.CHANGE)
    data = payload.dict(exclude_unset=True)
    if "region_code" in data:
        data["region"] = _region(selectors.volunteer_region_choices(user), data.pop("region_code"))
    services.volunteer_update(actor=user, volunteer=volunteer, **data)
    return _volunteer_detail(user, _get_volunteer(user, public_id))


@router.post("/{uuid:public_id}/void", response=VolunteerDetailOut, summary="Void a volunteer")
def void_volunteer(request, public_id: UUID, payload: VoidIn):
    user = request.user
    volunteer = _get_volunteer(user, public_id, Action.CHANGE)
    services.volunteer_void(actor=user, volunteer=volunteer, reason=payload.reason)
    return _volunteer_detail(user, _get_volunteer(user, public_id))


# Teams --------------------------------------------------------------------------------------------------

@router.get("/teams/", response=list[TeamOut], summary="List volunteer teams")
@paginate
def list_teams(request, q: str = "", organization: UUID | None = None, within: str = ""):
    user = request.user
    require(user, Resource.TEAM, Action.VIEW)
    organization_obj = None
    if organization is not None:
        organization_obj = selectors.organization_choices(user).filter(public_id=organization).first()
        if organization_obj is None:
            return Team.objects.none()
    root = get_object_or_404(Region, code=within) if within else None
    return selectors.team_list(user, query=q, organization=organization_obj, within=root)


@router.get("/teams/{uuid:public_id}", response=TeamOut, summary="One team")
def get_team(request, public_id: UUID):
    return _team_out(request.user, _get_team(request.user, public_id).public_id)


@router.post("/teams/", response={201: TeamOut}, summary="Create a team")
def create_team(request, payload: TeamIn):
    user = request.user
    require(user, Resource.TEAM, Action.CHANGE)
    team = services.team_create(actor=user, **_team_arguments(user, payload.dict()))
    return 201, _team_out(user, team.public_id)


@router.patch("/teams/{uuid:public_id}", response=TeamOut, summary="Change a team")
def update_team(request, public_id: UUID, payload: TeamPatch):
    user = request.user
    team = _get_team(user, public_id, Action.CHANGE)
    services.team_update(actor=user, team=team, **_team_arguments(user, payload.dict(exclude_unset=True)))
    return _team_out(user, public_id)


@router.post("/teams/{uuid:public_id}/void", response=TeamOut, summary="Void a team and its memberships")
def void_team(request, public_id: UUID, payload: VoidIn):
    user = request.user
    team = _get_team(user, public_id, Action.CHANGE)
    services.team_void(actor=user, team=team, reason=payload.reason)
    return _team_out(user, public_id)


@router.get("/teams/{uuid:public_id}/members", response=list[MemberOut], summary="A team's active members")
def list_members(request, public_id: UUID):
    return selectors.team_members(request.user, _get_team(request.user, public_id))


@router.post("/teams/{uuid:public_id}/members", response={201: MemberOut}, summary="Add a member")
def add_member(request, public_id: UUID, payload: MemberIn):
    user = request.user
    team = _get_team(user, public_id, Action.CHANGE)
    volunteer = selectors.volunteer_for_membership(user, number=payload.volunteer_number, name=payload.name)
    if volunteer is None:
        raise ValidationError({"volunteer_number": [services.MSG_VOLUNTEER_NOT_FOUND]})
    membership = services.team_membership_add(actor=user, team=team, volunteer=volunteer, role=payload.role,
                                              joined_on=payload.joined_on)
    membership.volunteer_visible = can(user, Action.VIEW, Resource.VOLUNTEER, volunteer)
    return 201, membership


@router.post("/teams/{uuid:public_id}/members/{uuid:membership_id}/void", response=MemberOut,
             summary="Remove (void) a membership")
def void_member(request, public_id: UUID, membership_id: UUID, payload: VoidIn):
    user = request.user
    team = _get_team(user, public_id, Action.CHANGE)
    membership = selectors.team_membership_for(team, membership_id)
    if membership is None:
        raise Http404
    services.team_membership_void(actor=user, membership=membership, reason=payload.reason)
    membership.volunteer_visible = can(user, Action.VIEW, Resource.VOLUNTEER, membership.volunteer)
    return membership

