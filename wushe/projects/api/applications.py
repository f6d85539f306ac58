"""/api/v1/projects/applications: applications (申报书) and the projects they become.

PATCH saves a draft partially (any subset of fields); submit runs the eligibility check and, when refused,
answers 422 with one entry per broken rule in `error.fields` (keyed by the rule's code).
"""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, get_object_for, require
from wushe.core.api import ErrorOut
from wushe.core.masking import mask_phone
from wushe.orgs.models import Organization
from wushe.regions.models import Region
from wushe.volunteers.models import Volunteer
from wushe.workforce.models import SocialWorker

from ..models import ApplicantType, ContentCategory, Project, ProjectType, ScopeCategory
from ..selectors import projects as selectors
from ..selectors import rounds as round_selectors
from ..services import applications as services

router = Router(tags=["projects"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MSG_UNKNOWN_REGION = _("区划代码不存在。")
MSG_UNKNOWN_APPLICANT = _("申报组织不存在。")
MSG_FIELD_REQUIRED = _("该字段不能为空。")

# PATCH: null is refused for these (a draft always has them), and clears any other field.
PATCH_REQUIRED = {"title", "applicant", "applicant_type", "region"}


# Schemas ------------------------------------------------------------------------------------------------


class ApplicationOrganizationRef(Schema):
    public_id: UUID
    name: str
    kind: str


class ApplicationWorkerRef(Schema):
    public_id: UUID
    name: str
    certificate_level: str
    certified: bool

    @staticmethod
    def resolve_certified(obj):
        return obj.is_certified


class ApplicationVolunteerRef(Schema):
    public_id: UUID
    volunteer_number: str
    name: str


class ApplicationSectionOut(Schema):
    key: str
    title: str
    complete: bool
    missing: list[str]


class EligibilityRuleOut(Schema):
    code: str
    passed: bool
    message: str
    label: str
    section: str


class EligibilityOut(Schema):
    eligible: bool
    results: list[EligibilityRuleOut]


class ApplicationOut(Schema):
    public_id: UUID
    title: str
    status: str
    status_display: str
    round_id: UUID
    round_title: str
    applicant: ApplicationOrganizationRef
    applicant_type: str
    implementer: ApplicationOrganizationRef | None
    lead_worker: ApplicationWorkerRef | None
    community_code: str
    community_name: str
    contact_name: str
    contact_phone: str
    project_type: str
    scope: str
    content: str
    summary: str
    need_statement: str
    org_growth: str
    worker_capacity: str
    objectives: str
    activities_plan: str
    beneficiaries: str
    expected_beneficiaries: int | None
    volunteers_plan: str
    resources_plan: str
    sustainability: str
    volunteers: list[ApplicationVolunteerRef]
    requested_amount: Decimal | None
    self_raised_amount: Decimal
    duration_months: int | None
    starts_on: date | None
    ends_on: date | None
    other_funding: str
    submitted_at: datetime | None
    approved_amount: Decimal | None
    created_at: datetime
    voided_at: datetime | None
    void_reason: str

    @staticmethod
    def resolve_status_display(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_round_id(obj):
        return obj.funding_round.public_id

    @staticmethod
    def resolve_round_title(obj):
        return obj.funding_round.title

    @staticmethod
    def resolve_community_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_community_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_contact_phone(obj):
        # List rows carry `can_view_identity` from the selector; a single project gets it in `_out`.
        return obj.contact_phone if getattr(obj, "can_view_identity", False) else mask_phone(obj.contact_phone)

    @staticmethod
    def resolve_volunteers(obj):
        return obj.volunteer_list


class ApplicationDetailOut(ApplicationOut):
    sections: list[ApplicationSectionOut]


class ApplicationFieldsIn(Schema):
    implementer: UUID | None = None
    lead_worker: UUID | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    project_type: ProjectType | None = None
    scope: ScopeCategory | None = None
    content: ContentCategory | None = None
    summary: str | None = None
    need_statement: str | None = None
    org_growth: str | None = None
    worker_capacity: str | None = None
    objectives: str | None = None
    activities_plan: str | None = None
    beneficiaries: str | None = None
    expected_beneficiaries: int | None = None
    volunteers_plan: str | None = None
    resources_plan: str | None = None
    sustainability: str | None = None
    volunteers: list[UUID] | None = None
    requested_amount: Decimal | None = None
    self_raised_amount: Decimal | None = None
    duration_months: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    other_funding: str | None = None


class ApplicationIn(ApplicationFieldsIn):
    round: UUID
    title: str
    applicant: UUID
    applicant_type: ApplicantType | None = None
    region: str


class ApplicationPatch(ApplicationFieldsIn):
    title: str | None = None
    applicant: UUID | None = None
    applicant_type: ApplicantType | None = None
    region: str | None = None


class ApplicationReasonIn(Schema):
    reason: str = ""


class ApplicationVoidIn(Schema):
    reason: str


# Helpers ------------------------------------------------------------------------------------------------


def _volunteers_prefetch():
    return Prefetch("volunteers", queryset=Volunteer.objects.active().order_by("volunteer_number"),
                    to_attr="volunteer_list")


def _project(request, public_id, action=Action.VIEW) -> Project:
    queryset = selectors.project_detail_queryset().prefetch_related(_volunteers_prefetch())
    return get_object_for(request.user, Resource.PROJECT, queryset, action=action, public_id=public_id)


def _out(request, project: Project, *, detail: bool = True) -> Project:
    """Reload what the schema reads (after a save) and decide masking and progress for this viewer."""
    project = selectors.project_detail_queryset().prefetch_related(_volunteers_prefetch()).get(pk=project.pk)
    selectors.display_contact_phone(request.user, project)  # sets can_view_identity from the policy
    if detail:
        project.sections = [{**s, "title": str(s["title"])} for s in services.section_progress(
            project, volunteer_count=len(project.volunteer_list))]
    return project


def _resolve(data: dict) -> dict:
    """Identifiers in the payload → objects. Unknown organizations, workers and volunteers get the same
    answer as ones the actor may not pick (nothing reveals what exists elsewhere)."""
    if "region" in data and data["region"] is not None:
        region = Region.objects.filter(code=data["region"]).first()
        if region is None:
            raise ValidationError({"region": ValidationError(MSG_UNKNOWN_REGION, code="unknown_region")})
        data["region"] = region
    if data.get("applicant") is not None:
        applicant = Organization.objects.active().filter(public_id=data["applicant"]).first()
        if applicant is None:
            raise ValidationError({"applicant": ValidationError(MSG_UNKNOWN_APPLICANT, code="unknown_applicant")})
        data["applicant"] = applicant
    if data.get("implementer") is not None:
        implementer = Organization.objects.active().filter(public_id=data["implementer"]).first()
        if implementer is None:
            raise ValidationError({"implementer": ValidationError(services.MSG_IMPLEMENTER_NOT_AVAILABLE,
                                                                  code="implementer_not_available")})
        data["implementer"] = implementer
    if data.get("lead_worker") is not None:
        worker = SocialWorker.objects.active().filter(public_id=data["lead_worker"]).first()
        if worker is None:
            raise ValidationError({"lead_worker": ValidationError(services.MSG_LEAD_WORKER_NOT_AVAILABLE,
                                                                  code="lead_worker_not_available")})
        data["lead_worker"] = worker
    if data.get("volunteers") is not None:
        ids = set(data["volunteers"])
        volunteers = list(Volunteer.objects.active().filter(public_id__in=ids))
        if len(volunteers) != len(ids):
            raise ValidationError({"volunteers": ValidationError(services.MSG_VOLUNTEER_NOT_AVAILABLE,
                                                                 code="volunteer_not_available")})
        data["volunteers"] = volunteers
    for name in ("project_type", "scope", "content", "applicant_type"):
        if data.get(name) is not None:
            data[name] = str(data[name])
    return data


# Endpoints ----------------------------------------------------------------------------------------------


@router.get("/applications", response={200: list[ApplicationOut], **ERRORS},
            summary="Applications and projects the viewer may see")
@paginate
def list_applications(request, q: str = "", round: UUID | None = None, status: str = "", community: str = "",
                      project_type: str = ""):
    user = request.user
    require(user, Resource.PROJECT, Action.VIEW)
    funding_round = None
    if round is not None:
        funding_round = round_selectors.rounds_visible_to(user).filter(public_id=round).first()
        if funding_round is None:
            return Project.objects.none()
    within = None
    if community:
        within = Region.objects.filter(code=community).first()
        if within is None:
            return Project.objects.none()
    return selectors.project_list(user, query=q, funding_round=funding_round, status=status, community=within,
                                  project_type=project_type).prefetch_related(_volunteers_prefetch())


@router.post("/applications", response={201: ApplicationDetailOut, **ERRORS},
             summary="Start a draft application for an open round")
def create_application(request, payload: ApplicationIn):
    user = request.user
    require(user, Resource.PROJECT, Action.CHANGE)
    data = payload.dict(exclude_unset=True)
    funding_round = get_object_for(user, Resource.FUNDING_ROUND, round_selectors.round_detail_queryset(user),
                                   public_id=data.pop("round"))
    data = _resolve({name: value for name, value in data.items() if value is not None})
    project = services.application_create(actor=user, funding_round=funding_round, **data)
    return Status(201, _out(request, project))


@router.get("/applications/{public_id}", response={200: ApplicationDetailOut, **ERRORS},
            summary="One application or project")
def get_application(request, public_id: UUID):
    return _out(request, _project(request, public_id))


@router.patch("/applications/{public_id}", response={200: ApplicationDetailOut, **ERRORS},
              summary="Save a draft: only the fields sent (null clears a field)")
def update_application(request, public_id: UUID, payload: ApplicationPatch):
    project = _project(request, public_id, Action.CHANGE)
    data = payload.dict(exclude_unset=True)
    for name, value in data.items():
        if value is None and name in PATCH_REQUIRED:
            raise ValidationError({name: ValidationError(MSG_FIELD_REQUIRED, code="required")})
    if data.get("volunteers") is None and "volunteers" in data:
        data["volunteers"] = []
    services.application_update(actor=request.user, project=project, **_resolve(data))
    return _out(request, project)


@router.get("/applications/{public_id}/eligibility", response={200: EligibilityOut, **ERRORS},
            summary="Check the application against every rule of its round")
def application_eligibility(request, public_id: UUID):
    project = _project(request, public_id)
    results = services.check_eligibility(project)
    return {"eligible": all(r.passed for r in results), "results": [r.as_dict() for r in results]}


@router.post("/applications/{public_id}/submit", response={200: ApplicationDetailOut, **ERRORS},
             summary="Submit a draft (422 lists every broken rule by code)")
def submit_application(request, public_id: UUID):
    project = _project(request, public_id, Action.CHANGE)
    try:
        services.application_submit(actor=request.user, project=project)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        fields: dict[str, list] = {"__all__": [services.MSG_SUBMIT_REFUSED]}
        for error in exc.error_list:
            fields.setdefault(error.code or "__all__", []).extend(error.messages)
        raise ValidationError(fields) from None
    return _out(request, project)


@router.post("/applications/{public_id}/withdraw", response={200: ApplicationDetailOut, **ERRORS},
             summary="Take a submitted application back to draft (before review)")
def withdraw_application(request, public_id: UUID, payload: ApplicationReasonIn):
    project = _project(request, public_id, Action.CHANGE)
    services.application_withdraw(actor=request.user, project=project, reason=payload.reason)
    return _out(request, project)


@router.post("/applications/{public_id}/void", response={200: ApplicationDetailOut, **ERRORS},
             summary="Void a draft application (with a reason)")
def void_application(request, public_id: UUID, payload: ApplicationVoidIn):
    project = _project(request, public_id, Action.CHANGE)
    services.application_void(actor=request.user, project=project, reason=payload.reason)
    return _out(request, project)
