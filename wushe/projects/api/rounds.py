"""/api/v1/projects/rounds: funding rounds over the same selectors, services and policy as the pages.

Drafts are visible only to those who may manage a round in their region; creating, editing, moving the
status and voiding need MANAGE in the round's region.
"""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, get_object_for, require
from wushe.core.api import ErrorOut
from wushe.orgs.models import Organization
from wushe.regions.models import Region

from ..models import FundingRound, RoundStatus, RoundType
from ..selectors import rounds as selectors
from ..services import rounds as services

router = Router(tags=["projects"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MSG_UNKNOWN_REGION = _("区划代码不存在。")
MSG_UNKNOWN_OPERATOR = _("运营方组织不存在。")
MSG_FIELD_REQUIRED = _("该字段不能为空。")

# PATCH: null clears these; null for any other field is refused.
PATCH_NULLABLE = {"opens_on", "closes_on", "total_budget", "operator", "publicity_starts_on", "publicity_ends_on"}


# Schemas ------------------------------------------------------------------------------------------------


class RoundCriterion(Schema):
    key: str = ""
    label: str
    max: int


class RoundGradeBand(Schema):
    grade: str
    min: int


class RoundTrancheRow(Schema):
    percent: Decimal
    condition: str


class RoundRuleText(Schema):
    title: str
    text: str


class RoundStatusCount(Schema):
    status: str
    label: str
    count: int


class RoundOut(Schema):
    public_id: UUID
    title: str
    round_type: str
    round_type_display: str
    status: str
    status_display: str
    region_code: str
    region_name: str
    description: str
    opens_on: date | None
    closes_on: date | None
    total_budget: Decimal | None
    operator_id: UUID | None
    operator_name: str
    amount_cap: Decimal
    duration_cap_months: int
    allowed_applicant_types: list[str]
    scopes: list[str]
    contents: list[str]
    project_types: list[str]
    self_raised_min_percent: Decimal
    one_grant_per_org: bool
    no_double_funding: bool
    require_community_org_implementer: bool
    require_social_worker_lead: bool
    operator_may_apply: bool
    breach_ban_years: int
    expert_weight: int
    resident_weight: int
    review_criteria: list[RoundCriterion]
    grade_bands: list[RoundGradeBand]
    tranche_plan: list[RoundTrancheRow]
    publicity_days: int
    publicity_starts_on: date | None
    publicity_ends_on: date | None
    created_at: datetime
    voided_at: datetime | None
    void_reason: str

    @staticmethod
    def resolve_round_type_display(obj):
        return str(obj.get_round_type_display())

    @staticmethod
    def resolve_status_display(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_operator_id(obj):
        return obj.operator.public_id if obj.operator_id else None

    @staticmethod
    def resolve_operator_name(obj):
        return obj.operator.name if obj.operator_id else ""


class RoundDetailOut(RoundOut):
    rules: list[RoundRuleText]
    application_counts: list[RoundStatusCount]
    next_status: str | None


class RoundIn(Schema):
    """Unset rules take the defaults of the round type (see GET /rounds/defaults)."""

    title: str
    round_type: RoundType
    region: str
    description: str = ""
    opens_on: date | None = None
    closes_on: date | None = None
    total_budget: Decimal | None = None
    operator: UUID | None = None
    amount_cap: Decimal | None = None
    duration_cap_months: int | None = None
    allowed_applicant_types: list[str] | None = None
    scopes: list[str] | None = None
    contents: list[str] | None = None
    project_types: list[str] | None = None
    self_raised_min_percent: Decimal | None = None
    one_grant_per_org: bool | None = None
    no_double_funding: bool | None = None
    require_community_org_implementer: bool | None = None
    require_social_worker_lead: bool | None = None
    operator_may_apply: bool | None = None
    breach_ban_years: int | None = None
    expert_weight: int | None = None
    resident_weight: int | None = None
    review_criteria: list[RoundCriterion] | None = None
    grade_bands: list[RoundGradeBand] | None = None
    tranche_plan: list[RoundTrancheRow] | None = None
    publicity_days: int | None = None


class RoundPatch(Schema):
    title: str | None = None
    round_type: RoundType | None = None
    region: str | None = None
    description: str | None = None
    opens_on: date | None = None
    closes_on: date | None = None
    total_budget: Decimal | None = None
    operator: UUID | None = None
    amount_cap: Decimal | None = None
    duration_cap_months: int | None = None
    allowed_applicant_types: list[str] | None = None
    scopes: list[str] | None = None
    contents: list[str] | None = None
    project_types: list[str] | None = None
    self_raised_min_percent: Decimal | None = None
    one_grant_per_org: bool | None = None
    no_double_funding: bool | None = None
    require_community_org_implementer: bool | None = None
    require_social_worker_lead: bool | None = None
    operator_may_apply: bool | None = None
    breach_ban_years: int | None = None
    expert_weight: int | None = None
    resident_weight: int | None = None
    review_criteria: list[RoundCriterion] | None = None
    grade_bands: list[RoundGradeBand] | None = None
    tranche_plan: list[RoundTrancheRow] | None = None
    publicity_days: int | None = None
    publicity_starts_on: date | None = None
    publicity_ends_on: date | None = None


class RoundTransitionIn(Schema):
    """`to` may be left out: the round moves to its next status."""

    to: RoundStatus | None = None
    reason: str = ""


class RoundVoidIn(Schema):
    reason: str


class RoundDefaultsOut(Schema):
    round_type: str
    amount_cap: Decimal
    duration_cap_months: int
    allowed_applicant_types: list[str]
    scopes: list[str]
    contents: list[str]
    project_types: list[str]
    self_raised_min_percent: Decimal
    one_grant_per_org: bool
    no_double_funding: bool
    require_community_org_implementer: bool
    require_social_worker_lead: bool
    operator_may_apply: bool
    breach_ban_years: int
    expert_weight: int
    resident_weight: int
    review_criteria: list[RoundCriterion]
    grade_bands: list[RoundGradeBand]
    tranche_plan: list[RoundTrancheRow]
    publicity_days: int


# Helpers ------------------------------------------------------------------------------------------------


def _round(request, public_id, action=Action.VIEW) -> FundingRound:
    return get_object_for(request.user, Resource.FUNDING_ROUND, selectors.round_detail_queryset(request.user),
                          action=action, public_id=public_id)


def _detail(request, funding_round: FundingRound) -> FundingRound:
    funding_round.rules = [{"title": str(r["title"]), "text": str(r["text"])}
                           for r in selectors.round_rules(funding_round)]
    funding_round.application_counts = [{**row, "label": str(row["label"])}
                                        for row in selectors.application_counts(request.user, funding_round)]
    funding_round.next_status = services.next_status(funding_round)
    return funding_round


def _resolve(data: dict) -> dict:
    """Region codes and organization ids → objects; schema rows → plain dicts for the service."""
    if "region" in data:
        region = Region.objects.filter(code=data["region"]).first() if data["region"] else None
        if region is None:
            raise ValidationError({"region": ValidationError(MSG_UNKNOWN_REGION, code="unknown_region")})
        data["region"] = region
    if data.get("operator"):
        operator = Organization.objects.active().filter(public_id=data["operator"]).first()
        if operator is None:
            raise ValidationError({"operator": ValidationError(MSG_UNKNOWN_OPERATOR, code="unknown_operator")})
        data["operator"] = operator
    for name in ("review_criteria", "grade_bands", "tranche_plan"):
        if data.get(name) is not None:
            data[name] = [dict(row) for row in data[name]]
    if data.get("round_type") is not None:
        data["round_type"] = str(data["round_type"])
    return data


# Endpoints ----------------------------------------------------------------------------------------------


@router.get("/rounds", response={200: list[RoundOut], **ERRORS}, summary="List funding rounds")
@paginate
def list_rounds(request, q: str = "", status: str = "", round_type: str = ""):
    require(request.user, Resource.FUNDING_ROUND, Action.VIEW)
    return selectors.round_list(request.user, query=q, status=status, round_type=round_type)


@router.get("/rounds/defaults", response={200: RoundDefaultsOut, **ERRORS},
            summary="The rules a new round of a type starts with")
def round_defaults(request, round_type: RoundType):
    require(request.user, Resource.FUNDING_ROUND, Action.MANAGE)
    return services.round_defaults(str(round_type))


@router.post("/rounds", response={201: RoundDetailOut, **ERRORS}, summary="Open a draft round (MANAGE in its region)")
def create_round(request, payload: RoundIn):
    require(request.user, Resource.FUNDING_ROUND, Action.MANAGE)
    if not selectors.round_owner_regions(request.user).exists():
        raise PermissionDenied
    data = {name: value for name, value in payload.dict().items() if value is not None}
    data = _resolve(data)
    funding_round = services.round_create(actor=request.user, **data)
    funding_round.refresh_from_db()
    return Status(201, _detail(request, funding_round))


@router.get("/rounds/{public_id}", response={200: RoundDetailOut, **ERRORS}, summary="One funding round")
def get_round(request, public_id: UUID):
    return _detail(request, _round(request, public_id))


@router.patch("/rounds/{public_id}", response={200: RoundDetailOut, **ERRORS},
              summary="Change a round's rules (only the fields sent)")
def update_round(request, public_id: UUID, payload: RoundPatch):
    funding_round = _round(request, public_id, Action.MANAGE)
    data = payload.dict(exclude_unset=True)
    for name, value in list(data.items()):
        if value is None and name not in PATCH_NULLABLE:
            raise ValidationError({name: ValidationError(MSG_FIELD_REQUIRED, code="required")})
    data = _resolve(data)
    services.round_update(actor=request.user, funding_round=funding_round, **data)
    return _detail(request, funding_round)


@router.post("/rounds/{public_id}/transition", response={200: RoundDetailOut, **ERRORS},
             summary="Move the round to its next status (open → review puts submitted applications under review)")
def transition_round(request, public_id: UUID, payload: RoundTransitionIn):
    funding_round = _round(request, public_id, Action.MANAGE)
    services.round_advance(actor=request.user, funding_round=funding_round,
                           to=str(payload.to) if payload.to else None, reason=payload.reason)
    return _detail(request, funding_round)


@router.post("/rounds/{public_id}/void", response={200: RoundDetailOut, **ERRORS},
             summary="Void a round nobody has submitted to (with a reason)")
def void_round(request, public_id: UUID, payload: RoundVoidIn):
    funding_round = _round(request, public_id, Action.MANAGE)
    services.round_void(actor=request.user, funding_round=funding_round, reason=payload.reason)
    return _detail(request, funding_round)
