"""/api/v1/workforce/: the social-worker registry over the same selectors, services and policy as the pages."""

from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, can, get_object_for, require
from wushe.core.masking import mask_id_number, mask_phone
from wushe.regions.models import Region

from . import selectors, services
from .models import CertificateLevel, Placement, SocialWorker
from .services import (
    MSG_COMMUNITY_OUT_OF_SCOPE,
    MSG_EMPLOYER_UNAVAILABLE,
    MSG_MENTOR_UNAVAILABLE,
    MSG_REGION_OUT_OF_SCOPE,
)

router = Router(tags=["workforce"])


class SocialWorkerOut(Schema):
    public_id: UUID
    name: str
    sex: str
    region_code: str
    region_name: str
    placement: str
    certificate_level: str
    certificate_number: str
    certified_on: date | None
    employer_id: UUID | None
    employer_name: str
    mentor_id: UUID | None
    community_codes: list[str]
    phone: str
    started_on: date | None
    voided: bool

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_employer_id(obj):
        return obj.employer.public_id if obj.employer_id else None

    @staticmethod
    def resolve_employer_name(obj):
        return obj.employer.name if obj.employer_id else ""

    @staticmethod
    def resolve_mentor_id(obj):
        return obj.mentor.public_id if obj.mentor_id else None

    @staticmethod
    def resolve_community_codes(obj):
        return sorted(c.code for c in obj.communities.all())

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_voided(obj):
        return obj.is_voided


class SocialWorkerDetailOut(SocialWorkerOut):
    document_type: str
    id_number: str
    birth_date: date | None
    mentee_ids: list[UUID] = []

    @staticmethod
    def resolve_id_number(obj):
        return obj.id_number if getattr(obj, "_show_identity", False) else mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj):
        return obj.phone if getattr(obj, "_show_identity", False) else mask_phone(obj.phone)

    @staticmethod
    def resolve_mentee_ids(obj):
        return getattr(obj, "_mentee_ids", [])


class CountsOut(Schema):
    total: int
    certified: int
    community_workers: int
    community_workers_certified: int


class SocialWorkerIn(Schema):
    name: str
    region_code: str
    placement: Placement = Placement.COMMUNITY_WORKER
    certificate_level: CertificateLevel = CertificateLevel.NONE
    certificate_number: str = ""
    certified_on: date | None = None
    employer_id: UUID | None = None
    mentor_id: UUID | None = None
    community_codes: list[str] = []
    started_on: date | None = None
    document_type: str = "ric"
    id_number: str = ""
    sex: str = "U"
    birth_date: date | None = None
    phone: str = ""


class SocialWorkerPatch(Schema):
    name: str | None = None
    region_code: str | None = None
    placement: Placement | None = None
    certificate_level: CertificateLevel | None = None
    certificate_number: str | None = None
    certified_on: date | None = None
    employer_id: UUID | None = None
    mentor_id: UUID | None = None
    community_codes: list[str] | None = None
    started_on: date | None = None
    document_type: str | None = None
    id_number: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    phone: str | None = None


class VoidIn(Schema):
    reason: str


def _resolve(user, data: dict) -> dict:
    """Turn public identifiers into objects; unknown or invisible ones are field errors, never leaks."""
    arguments = dict(data)
    if "region_code" in arguments:
        region = selectors.region_choices(user).filter(code=arguments.pop("region_code")).first()
        if region is None:
            raise ValidationError({"region": [MSG_REGION_OUT_OF_SCOPE]})
        arguments["region"] = region
    if "employer_id" in arguments:
        public_id = arguments.pop("employer_id")
        arguments["employer"] = None
        if public_id is not None:
            arguments["employer"] = selectors.employer_choices(user).filter(public_id=public_id).first()
            if arguments["employer"] is None:
                raise ValidationError({"employer": [MSG_EMPLOYER_UNAVAILABLE]})
    if "mentor_id" in arguments:
        public_id = arguments.pop("mentor_id")
        arguments["mentor"] = None
        if public_id is not None:
            arguments["mentor"] = selectors.socialworkers_visible_to(user).filter(public_id=public_id).first()
            if arguments["mentor"] is None:
                raise ValidationError({"mentor": [MSG_MENTOR_UNAVAILABLE]})
    if "community_codes" in arguments:
        codes = set(arguments.pop("community_codes") or [])
        communities = list(Region.objects.filter(code__in=codes))
        if len(communities) != len(codes):
            raise ValidationError({"communities": [MSG_COMMUNITY_OUT_OF_SCOPE]})
        arguments["communities"] = communities
    return arguments


def _detail(user, worker: SocialWorker) -> SocialWorker:
    worker._show_identity = can(user, Action.VIEW_IDENTITY, Resource.SOCIAL_WORKER, worker)
    worker._mentee_ids = list(selectors.mentees_of(user, worker).values_list("public_id", flat=True))
    return worker


def _get(user, public_id: UUID, action: Action = Action.VIEW) -> SocialWorker:
    return get_object_for(user, Resource.SOCIAL_WORKER,
                          selectors.socialworker_detail_queryset().prefetch_related("communities"),
                          action=action, public_id=public_id)


@router.get("/", response=list[SocialWorkerOut], summary="List social workers")
@paginate
def list_workers(request, q: str = "", certificate_level: str = "", placement: str = "", community: str = "",
                 employer: UUID | None = None, within: str = ""):
    user = request.user
    require(user, Resource.SOCIAL_WORKER, Action.VIEW)
    community_region = selectors.community_choices(user).filter(code=community).first() if community else None
    if community and community_region is None:
        return SocialWorker.objects.none()
    employer_org = None
    if employer is not None:
        employer_org = selectors.employer_filter_choices(user).filter(public_id=employer).first()
        if employer_org is None:
            return SocialWorker.objects.none()
    root = get_object_or_404(Region, code=within) if within else None
    return selectors.socialworker_list(user, query=q, certificate_level=certificate_level, placement=placement,
                                       community=community_region, employer=employer_org, within=root)


@router.get("/counts", response=CountsOut, summary="Total and certified social workers (and community workers)")
def worker_counts(request, within: str = ""):
    """Workers the caller may see, homed in or serving the `within` subtree when given."""
    require(request.user, Resource.SOCIAL_WORKER, Action.VIEW)
    root = get_object_or_404(Region, code=within) if within else None
    return selectors.socialworker_overview(request.user, within=root)


@router.get("/{uuid:public_id}", response=SocialWorkerDetailOut, summary="One social worker")
def get_worker(request, public_id: UUID):
    return _detail(request.user, _get(request.user, public_id))


@router.post("/", response={201: SocialWorkerDetailOut}, summary="Create a social worker")
def create_worker(request, payload: SocialWorkerIn):
    require(request.user, Resource.SOCIAL_WORKER, Action.CHANGE)
    worker = services.socialworker_create(actor=request.user, **_resolve(request.user, payload.dict()))
    return 201, _detail(request.user, _get(request.user, worker.public_id))


@router.patch("/{uuid:public_id}", response=SocialWorkerDetailOut, summary="Change a social worker")
def update_worker(request, public_id: UUID, payload: SocialWorkerPatch):
    worker = _get(request.user, public_id, Action.CHANGE)
    changes = _resolve(request.user, payload.dict(exclude_unset=True))
    services.socialworker_update(actor=request.user, worker=worker, **changes)
    return _detail(request.user, _get(request.user, public_id))


@router.post("/{uuid:public_id}/void", response=SocialWorkerDetailOut, summary="Void a social worker")
def void_worker(request, public_id: UUID, payload: VoidIn):
    worker = _get(request.user, public_id, Action.CHANGE)
    services.socialworker_void(actor=request.user, worker=worker, reason=payload.reason)
    return _detail(request.user, _get(request.user, public_id))
