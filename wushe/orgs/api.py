"""/api/v1/orgs/: organizations, their board members, members and growth records.

Same selectors, services and access checks as the pages; errors in the one shape of wushe.core.api.
"""

import os
from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, get_object_for, regions_for, require
from wushe.core.api import ErrorOut
from wushe.core.masking import mask_phone
from wushe.regions.models import Region

from . import selectors, services
from .models import (
    BoardPosition,
    GrowthMilestone,
    Organization,
    OrganizationKind,
    RegistrationStatus,
    ServiceOrientation,
)

router = Router(tags=["orgs"])

MSG_UNKNOWN_REGION = _("区划代码不存在。")
MSG_FIELD_REQUIRED = _("该字段不能为空。")

# PATCH: null clears these dates, is refused for these fields, and clears any other text field.
PATCH_NULLABLE = {"registered_on", "founded_on"}
PATCH_REQUIRED = {"name", "kind", "region", "registration_status", "orientation"}

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
Kind = OrganizationKind
Status = RegistrationStatus
Orientation = ServiceOrientation


# Schemas ------------------------------------------------------------------------------------------------


class OrganizationOut(Schema):
    public_id: UUID
    name: str
    kind: str
    kind_display: str
    region_code: str
    region_name: str
    registration_status: str
    credit_code: str
    registered_on: date | None
    founded_on: date | None
    orientation: str
    leader_name: str
    contact_phone: str
    address: str
    description: str
    charter: str
    voided_at: datetime | None
    void_reason: str

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
    def resolve_contact_phone(obj):
        # Set by the endpoint from the policy (list rows carry it as an annotation).
        return obj.contact_phone if getattr(obj, "can_view_identity", False) else mask_phone(obj.contact_phone)


class OrganizationIn(Schema):
    name: str
    kind: Kind
    region: str
    registration_status: Status = Status.UNREGISTERED
    credit_code: str = ""
    registered_on: date | None = None
    founded_on: date | None = None
    orientation: Orientation = Orientation.RECREATIONAL
    leader_name: str = ""
    contact_phone: str = ""
    address: str = ""
    description: str = ""
    charter: str = ""


class OrganizationPatch(Schema):
    name: str | None = None
    kind: Kind | None = None
    region: str | None = None
    registration_status: Status | None = None
    credit_code: str | None = None
    registered_on: date | None = None
    founded_on: date | None = None
    orientation: Orientation | None = None
    leader_name: str | None = None
    contact_phone: str | None = None
    address: str | None = None
    description: str | None = None
    charter: str | None = None
    growth_evidence: str = ""


class VoidIn(Schema):
    reason: str


class BoardMemberOut(Schema):
    public_id: UUID
    name: str
    position: str
    term_start: date
    term_end: date | None
    elected_by_residents: bool
    appointed_warning: bool

    @staticmethod
    def resolve_appointed_warning(obj):
        return not obj.elected_by_residents


class BoardMemberIn(Schema):
    name: str
    position: BoardPosition = BoardPosition.DIRECTOR
    term_start: date
    term_end: date | None = None
    elected_by_residents: bool = True


class MemberOut(Schema):
    public_id: UUID
    name: str
    joined_on: date
    left_on: date | None
    serves_regularly: bool
    takes_part_in_governance: bool


class MemberIn(Schema):
    name: str
    joined_on: date
    left_on: date | None = None
    serves_regularly: bool = False
    takes_part_in_governance: bool = False


class GrowthRecordOut(Schema):
    public_id: UUID
    milestone: str
    milestone_display: str
    achieved_on: date
    evidence: str
    evidence_file_name: str
    evidence_url: str | None

    @staticmethod
    def resolve_milestone_display(obj):
        return str(obj.get_milestone_display())

    @staticmethod
    def resolve_evidence_file_name(obj):
        return os.path.basename(obj.evidence_file.name) if obj.evidence_file else ""

    @staticmethod
    def resolve_evidence_url(obj):
        if not obj.evidence_file:
            return None
        return reverse("api-v1:orgs_growth_evidence", args=[obj.organization.public_id, obj.public_id])


class GrowthRecordIn(Schema):
    milestone: GrowthMilestone
    achieved_on: date
    evidence: str


class MilestoneOut(Schema):
    milestone: str
    label: str
    reached: bool
    achieved_on: date | None
    suggested: bool

    @staticmethod
    def resolve_achieved_on(obj):
        return obj.first.achieved_on if obj.first else None


# Helpers ------------------------------------------------------------------------------------------------


def _organization(request, public_id, action=Action.VIEW) -> Organization:
    organization = get_object_for(request.user, Resource.ORGANIZATION, Organization.objects.select_related("region"),
                                  action=action, public_id=public_id)
    if action == Action.CHANGE and organization.is_voided:
        raise PermissionDenied
    return organization


def _with_identity(request, organization: Organization) -> Organization:
    selectors.display_phone(request.user, organization)  # sets can_view_identity from the policy
    return organization


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": ValidationError(MSG_UNKNOWN_REGION, code="unknown_region")})
    return region


# Organizations ------------------------------------------------------------------------------------------


@router.get("/organizations", response={200: list[OrganizationOut], **ERRORS}, summary="List organizations")
@paginate
def list_organizations(request, q: str = "", kind: str = "", status: str = "", orientation: str = "",
                       region: str = ""):
    require(request.user, Resource.ORGANIZATION, Action.VIEW)
    within = Region.objects.filter(code=region).first() if region else None
    if region and within is None:
        return Organization.objects.none()
    return selectors.organization_list(request.user, query=q, kind=kind, status=status, orientation=orientation,
                                       region=within)


@router.post("/organizations", response={201: OrganizationOut, **ERRORS}, summary="Register an organization")
def create_organization(request, payload: OrganizationIn):
    require(request.user, Resource.ORGANIZATION, Action.CHANGE)
    if not regions_for(request.user, Resource.ORGANIZATION, Action.CHANGE).exists():
        raise PermissionDenied
    data = payload.dict()
    data["region"] = _region(data["region"])
    organization = services.organization_create(actor=request.user, **data)
    return 201, _with_identity(request, organization)


@router.get("/organizations/{public_id}", response={200: OrganizationOut, **ERRORS}, summary="One organization")
def get_organization(request, public_id: UUID):
    return _with_identity(request, _organization(request, public_id))


@router.patch("/organizations/{public_id}", response={200: OrganizationOut, **ERRORS},
              summary="Change an organization (only the fields sent)")
def update_organization(request, public_id: UUID, payload: OrganizationPatch):
    organization = _organization(request, public_id, Action.CHANGE)
    data = payload.dict(exclude_unset=True)
    growth_evidence = data.pop("growth_evidence", "")
    for name, value in list(data.items()):
        if value is None and name in PATCH_REQUIRED:
            raise ValidationError({name: ValidationError(MSG_FIELD_REQUIRED, code="required")})
        if value is None and name not in PATCH_NULLABLE:
            data[name] = ""
    if "region" in data:
        data["region"] = _region(data["region"])
    services.organization_update(actor=request.user, organization=organization, growth_evidence=growth_evidence,
                                 **data)
    return _with_identity(request, organization)


@router.post("/organizations/{public_id}/void", response={200: OrganizationOut, **ERRORS},
             summary="Void an organization with a reason")
def void_organization(request, public_id: UUID, payload: VoidIn):
    organization = _organization(request, public_id, Action.CHANGE)
    services.organization_void(actor=request.user, organization=organization, reason=payload.reason)
    return _with_identity(request, organization)


@router.get("/organizations/{public_id}/milestones", response={200: list[MilestoneOut], **ERRORS},
            summary="The growth-milestone checklist of an organization")
def organization_milestones(request, public_id: UUID):
    organization = _organization(request, public_id)
    board = selectors.board_for(organization)
    members = selectors.members_for(organization)
    return selectors.milestone_checklist(organization, timeline=selectors.growth_timeline(organization),
                                         board=board, members=members)


# Board members ------------------------------------------------------------------------------------------


@router.get("/organizations/{public_id}/board-members", response={200: list[BoardMemberOut], **ERRORS},
            summary="Board members")
def list_board_members(request, public_id: UUID):
    return selectors.board_for(_organization(request, public_id))


@router.post("/organizations/{public_id}/board-members", response={201: BoardMemberOut, **ERRORS},
             summary="Add a board member")
def create_board_member(request, public_id: UUID, payload: BoardMemberIn):
    organization = _organization(request, public_id, Action.CHANGE)
    return 201, services.board_member_create(actor=request.user, organization=organization, **payload.dict())


@router.post("/organizations/{public_id}/board-members/{record_id}/void", response={200: BoardMemberOut, **ERRORS},
             summary="Void a board member with a reason")
def void_board_member(request, public_id: UUID, record_id: UUID, payload: VoidIn):
    organization = _organization(request, public_id, Action.CHANGE)
    member = get_object_or_404(organization.board_members.all(), public_id=record_id)
    return services.board_member_void(actor=request.user, member=member, reason=payload.reason)


# Members ------------------------------------------------------------------------------------------------


@router.get("/organizations/{public_id}/members", response={200: list[MemberOut], **ERRORS}, summary="Members")
def list_members(request, public_id: UUID):
    return selectors.members_for(_organization(request, public_id))


@router.post("/organizations/{public_id}/members", response={201: MemberOut, **ERRORS}, summary="Add a member")
def create_member(request, public_id: UUID, payload: MemberIn):
    organization = _organization(request, public_id, Action.CHANGE)
    return 201, services.organization_member_create(actor=request.user, organization=organization,
                                                    **payload.dict())


@router.post("/organizations/{public_id}/members/{record_id}/void", response={200: MemberOut, **ERRORS},
             summary="Void a member with a reason")
def void_member(request, public_id: UUID, record_id: UUID, payload: VoidIn):
    organization = _organization(request, public_id, Action.CHANGE)
    member = get_object_or_404(organization.members.all(), public_id=record_id)
    return services.organization_member_void(actor=request.user, member=member, reason=payload.reason)


# Growth records -----------------------------------------------------------------------------------------


@router.get("/organizations/{public_id}/growth-records", response={200: list[GrowthRecordOut], **ERRORS},
            summary="Growth timeline (oldest first)")
def list_growth_records(request, public_id: UUID):
    organization = _organization(request, public_id)
    timeline = selectors.growth_timeline(organization)
    for record in timeline:
        record.organization = organization
    return timeline


@router.post("/organizations/{public_id}/growth-records", response={201: GrowthRecordOut, **ERRORS},
             summary="Record a growth milestone (upload the evidence file separately)")
def create_growth_record(request, public_id: UUID, payload: GrowthRecordIn):
    organization = _organization(request, public_id, Action.CHANGE)
    return 201, services.growth_record_create(actor=request.user, organization=organization, **payload.dict())


@router.post("/organizations/{public_id}/growth-records/{record_id}/evidence",
             response={200: GrowthRecordOut, **ERRORS},
             summary="Attach or replace the evidence file (multipart; pdf/jpg/png/docx/xlsx, ≤ 10 MB)")
def upload_growth_evidence(request, public_id: UUID, record_id: UUID, file: File[UploadedFile]):
    organization = _organization(request, public_id, Action.CHANGE)
    record = get_object_or_404(organization.growth_records.active(), public_id=record_id)
    return services.growth_record_update(actor=request.user, record=record, evidence_file=file)


@router.get("/organizations/{public_id}/growth-records/{record_id}/evidence", response={200: None, **ERRORS},
            url_name="orgs_growth_evidence", summary="Download the evidence file")
def download_growth_evidence(request, public_id: UUID, record_id: UUID):
    organization = _organization(request, public_id)
    record = get_object_or_404(organization.growth_records.active(), public_id=record_id)
    if not record.evidence_file:
        raise Http404
    return FileResponse(record.evidence_file.open("rb"), as_attachment=True,
                        filename=os.path.basename(record.evidence_file.name))


@router.post("/organizations/{public_id}/growth-records/{record_id}/void",
             response={200: GrowthRecordOut, **ERRORS}, summary="Void a growth record with a reason")
def void_growth_record(request, public_id: UUID, record_id: UUID, payload: VoidIn):
    organization = _organization(request, public_id, Action.CHANGE)
    record = get_object_or_404(organization.growth_records.all(), public_id=record_id)
    return services.growth_record_void(actor=request.user, record=record, reason=payload.reason)
