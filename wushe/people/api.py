"""Residents and households API (/api/v1/people/). Same selectors, services and access checks as the pages;
ID numbers and phones are masked unless the viewer holds VIEW_IDENTITY on the record."""

from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, get_object_for, require
from wushe.core.identity import DocumentType, Sex
from wushe.regions.models import Region

from . import selectors, services
from .models import ConsentBasis, Household, PopulationGroup, Resident

router = Router(tags=["people"])

MSG_UNKNOWN_REGION = _("区划代码不存在。")
MSG_UNKNOWN_GROUPS = _("人群类别代码不存在：%(codes)s")


# --- schemas --------------------------------------------------------------------------------------------

class RegionRef(Schema):
    code: str
    name: str


class GroupOut(Schema):
    code: str
    name: str
    is_sensitive: bool


class RecordRef(Schema):
    public_id: UUID
    name: str


class ResidentOut(Schema):
    public_id: UUID
    name: str
    region: RegionRef
    document_type: str
    id_number: str = Field(description="Masked unless the viewer may see identity numbers.")
    identity_masked: bool
    birth_date: date | None
    age: int | None
    sex: str
    ethnicity: str
    phone: str = Field(description="Masked unless the viewer may see identity numbers.")
    address: str
    household: RecordRef | None
    relation_to_head: str
    groups: list[GroupOut]
    consent_basis: str
    notes: str
    created_at: datetime
    updated_at: datetime
    voided_at: datetime | None
    void_reason: str

    @staticmethod
    def resolve_id_number(obj):
        return selectors.shown_id_number(obj)

    @staticmethod
    def resolve_phone(obj):
        return selectors.shown_phone(obj)

    @staticmethod
    def resolve_identity_masked(obj):
        return not getattr(obj, "identity_visible", False)

    @staticmethod
    def resolve_groups(obj):
        return list(obj.groups.all())


class ResidentIn(Schema):
    region: str = Field(description="12-digit code of a community-level region", examples=["110105001001"])
    name: str = Field(examples=["张三丰"])
    document_type: DocumentType = DocumentType.RESIDENT_ID
    id_number: str = Field("", examples=["11010519491231002X"])
    birth_date: date | None = Field(None, description="Ignored for a citizen ID: derived from the number.")
    sex: Sex = Field(Sex.UNKNOWN, description="Ignored for a citizen ID: derived from the number.")
    ethnicity: str = ""
    phone: str = Field("", examples=["13912345678"])
    address: str = ""
    groups: list[str] = Field([], description="Population group codes", examples=[["empty_nest_elderly"]])
    consent_basis: ConsentBasis = ConsentBasis.NOT_RECORDED
    notes: str = ""
    household: UUID | None = None
    relation_to_head: str = ""


class ResidentPatch(Schema):
    region: str | None = None
    name: str | None = None
    document_type: DocumentType | None = None
    id_number: str | None = None
    birth_date: date | None = None
    sex: Sex | None = None
    ethnicity: str | None = None
    phone: str | None = None
    address: str | None = None
    groups: list[str] | None = None
    consent_basis: ConsentBasis | None = None
    notes: str | None = None
    relation_to_head: str | None = None


class VoidIn(Schema):
    reason: str = Field(examples=["重复登记"])


class HouseholdOut(Schema):
    public_id: UUID
    name: str
    region: RegionRef
    address: str
    head: RecordRef | None = Field(None, description="The head resident")
    member_count: int | None = None
    notes: str
    created_at: datetime
    updated_at: datetime
    voided_at: datetime | None
    void_reason: str


class MemberOut(Schema):
    public_id: UUID
    name: str
    relation_to_head: str
    is_head: bool
    sex: str
    age: int | None
    id_number: str
    identity_masked: bool

    @staticmethod
    def resolve_id_number(obj):
        return selectors.shown_id_number(obj)

    @staticmethod
    def resolve_identity_masked(obj):
        return not getattr(obj, "identity_visible", False)


class HouseholdDetailOut(HouseholdOut):
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj):
        return obj.member_list


class HouseholdIn(Schema):
    region: str = Field(examples=["110105001001"])
    name: str = Field(examples=["张三丰户"])
    address: str = ""
    notes: str = ""


class HouseholdPatch(Schema):
    region: str | None = None
    name: str | None = None
    address: str | None = None
    notes: str | None = None
    head: UUID | None = Field(None, description="public_id of an active member")


class MemberIn(Schema):
    resident: UUID
    relation_to_head: str = ""
    is_head: bool = False


class HistoryChange(Schema):
    field: str
    old: str
    new: str


class HistoryEntry(Schema):
    at: datetime
    actor: str | None
    kind: str
    reason: str
    changes: list[HistoryChange]

    @staticmethod
    def resolve_actor(obj):
        return str(obj["actor"]) if obj["actor"] else None

    @staticmethod
    def resolve_kind(obj):
        return str(obj["kind"])

    @staticmethod
    def resolve_changes(obj):
        return [{"field": str(c["field"]), "old": c["old"], "new": c["new"]} for c in obj["changes"]]


# --- helpers --------------------------------------------------------------------------------------------

def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": MSG_UNKNOWN_REGION})
    return region


def _groups(codes: list[str]) -> list[PopulationGroup]:
    groups = list(PopulationGroup.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {g.code for g in groups})
    if missing:
        raise ValidationError({"groups": MSG_UNKNOWN_GROUPS % {"codes": ", ".join(missing)}})
    return groups


def _resident(request, public_id, action=Action.VIEW) -> Resident:
    resident = get_object_for(request.user, Resource.RESIDENT, selectors.resident_queryset(), action=action,
                              public_id=public_id)
    return selectors.mark_identity(request.user, resident)


def _household(request, public_id, action=Action.VIEW) -> Household:
    return get_object_for(request.user, Resource.HOUSEHOLD, selectors.household_queryset(), action=action,
                          public_id=public_id)


def _household_detail(request, household: Household) -> Household:
    household.member_list = list(selectors.household_members(request.user, household))
    household.member_count = len(household.member_list)
    return household


# --- residents ------------------------------------------------------------------------------------------

@router.get("/groups", response=list[GroupOut], summary="Population groups")
def list_groups(request):
    return selectors.population_groups()


@router.get("/residents", response=list[ResidentOut], summary="List residents")
@paginate
def list_residents(request, q: str = "", region: str = "", group: str = "", sex: str = "", age_band: str = "",
                   status: str = selectors.STATUS_ACTIVE):
    require(request.user, Resource.RESIDENT, Action.VIEW)
    return selectors.resident_list(request.user, query=q, region=region, group=group, sex=sex,
                                   age_band=age_band, status=status)


@router.post("/residents", response={201: ResidentOut}, summary="Register a resident")
def create_resident(request, payload: ResidentIn):
    require(request.user, Resource.RESIDENT, Action.CHANGE)
    data = payload.dict()
    data["region"] = _region(data["region"])
    data["groups"] = _groups(data["groups"])
    if data["household"]:
        data["household"] = _household(request, data["household"], Action.CHANGE)
    resident = services.resident_create(actor=request.user, **data)
    return Status(201, _resident(request, resident.public_id))


@router.get("/residents/{public_id}", response=ResidentOut, summary="One resident")
def get_resident(request, public_id: UUID):
    resident = _resident(request, public_id)
    services.resident_record_read(actor=request.user, resident=resident)
    return resident


@router.patch("/residents/{public_id}", response=ResidentOut, summary="Change a resident")
def update_resident(request, public_id: UUID, payload: ResidentPatch):
    resident = _resident(request, public_id, Action.CHANGE)
    data = payload.dict(exclude_unset=True)
    if "region" in data:
        data["region"] = _region(data["region"] or "")
    if "groups" in data:
        data["groups"] = _groups(data["groups"] or [])
    services.resident_update(actor=request.user, resident=resident, **data)
    return _resident(request, public_id)


@router.post("/residents/{public_id}/void", response=ResidentOut, summary="Void a resident (with a reason)")
def void_resident(request, public_id: UUID, payload: VoidIn):
    resident = _resident(request, public_id, Action.CHANGE)
    services.resident_void(actor=request.user, resident=resident, reason=payload.reason)
    return _resident(request, public_id)


@router.get("/residents/{public_id}/history", response=list[HistoryEntry], summary="Change history")
def resident_history(request, public_id: UUID):
    resident = _resident(request, public_id, Action.HISTORY)
    return selectors.resident_history(request.user, resident)


# --- households -----------------------------------------------------------------------------------------

@router.get("/households", response=list[HouseholdOut], summary="List households")
@paginate
def list_households(request, q: str = "", region: str = "", status: str = selectors.STATUS_ACTIVE):
    require(request.user, Resource.HOUSEHOLD, Action.VIEW)
    return selectors.household_list(request.user, query=q, region=region, status=status)


@router.post("/households", response={201: HouseholdDetailOut}, summary="Register a household")
def create_household(request, payload: HouseholdIn):
    require(request.user, Resource.HOUSEHOLD, Action.CHANGE)
    data = payload.dict()
    data["region"] = _region(data["region"])
    household = services.household_create(actor=request.user, **data)
    return Status(201, _household_detail(request, household))


@router.get("/households/{public_id}", response=HouseholdDetailOut, summary="One household with its members")
def get_household(request, public_id: UUID):
    return _household_detail(request, _household(request, public_id))


@router.patch("/households/{public_id}", response=HouseholdDetailOut, summary="Change a household")
def update_household(request, public_id: UUID, payload: HouseholdPatch):
    household = _household(request, public_id, Action.CHANGE)
    data = payload.dict(exclude_unset=True)
    if "region" in data:
        data["region"] = _region(data["region"] or "")
    if "head" in data:
        data["head"] = household.members.active().filter(public_id=data["head"]).first() if data["head"] else None
        if payload.head and data["head"] is None:
            raise ValidationError({"head": services.MSG_HEAD_NOT_MEMBER})
    services.household_update(actor=request.user, household=household, **data)
    return _household_detail(request, _household(request, public_id))


@router.post("/households/{public_id}/void", response=HouseholdDetailOut, summary="Void a household")
def void_household(request, public_id: UUID, payload: VoidIn):
    household = _household(request, public_id, Action.CHANGE)
    services.household_void(actor=request.user, household=household, reason=payload.reason)
    return _household_detail(request, _household(request, public_id))


@router.post("/households/{public_id}/members", response=HouseholdDetailOut, summary="Add a member")
def add_member(request, public_id: UUID, payload: MemberIn):
    household = _household(request, public_id, Action.CHANGE)
    resident = _resident(request, payload.resident, Action.CHANGE)
    services.household_add_member(actor=request.user, household=household, resident=resident,
                                  relation_to_head=payload.relation_to_head, is_head=payload.is_head)
    return _household_detail(request, _household(request, public_id))


@router.post("/households/{public_id}/members/{resident_id}/remove", response=HouseholdDetailOut,
             summary="Remove a member")
def remove_member(request, public_id: UUID, resident_id: UUID):
    household = _household(request, public_id, Action.CHANGE)
    resident = _resident(request, resident_id, Action.CHANGE)
    services.household_remove_member(actor=request.user, household=household, resident=resident)
    return _household_detail(request, _household(request, public_id))
