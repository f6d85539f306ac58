"""/api/v1/surveys/: questionnaires from XLSForm uploads, their settings, status, quotas and public link."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, require, restrict
from wushe.core.api import ErrorOut, unknown_reference
from wushe.orgs.models import Organization
from wushe.people.models import PopulationGroup
from wushe.projects.models import Project
from wushe.regions.models import Region

from ..models import QuotaDimension, SurveyStatus
from ..selectors import surveys as selectors
from ..services import surveys as services
from ..xlsform import import_xlsform
from ..xlsform.engine import iter_questions
from .schemas import (
    FormCheckOut,
    FormRejectedOut,
    LinkOut,
    QuotaOut,
    QuotasIn,
    ReasonIn,
    SurveyCreateIn,
    SurveyDetailOut,
    SurveyOut,
    SurveySettingsIn,
    TransitionIn,
)

router = Router()

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
FORM_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: FormRejectedOut}



def _resolve(user, data: dict) -> dict:
    if "region" in data:
        data["region"] = Region.objects.filter(code=data["region"]).first()
        if data["region"] is None:
            raise unknown_reference("region")
    for field, (resource, model) in {"organization": (Resource.ORGANIZATION, Organization),
                                     "project": (Resource.PROJECT, Project)}.items():
        if data.get(field):
            found = restrict(user, resource, model.objects.active()).filter(public_id=data[field]).first()
            if found is None:
                raise unknown_reference(field)
            data[field] = found
    return data


def _problem(problem) -> dict:
    return {"sheet": problem.sheet, "row": problem.row, "column": problem.column, "message": str(problem.message)}


def _rejected(request, error: services.FormRejected):
    """422 with the usual error shape plus `problems`: every problem of the workbook, row by row."""
    from wushe.core.api import api

    messages = [str(m) for m in error.messages]
    body = {"error": {"code": "form_rejected", "message": messages[0], "fields": {"source_file": messages},
                      "problems": [_problem(p) for p in error.problems]}}
    return api.create_response(request, body, status=422)


@router.get("/", response={200: list[SurveyOut], **ERRORS}, summary="Questionnaires the viewer may see")
@paginate
def list_surveys(request, status: str = ""):
    require(request.user, Resource.SURVEY, Action.VIEW)
    surveys = selectors.surveys_for(request.user)
    if status in SurveyStatus.values:
        surveys = surveys.filter(status=status)
    return surveys


@router.post("/check", response={200: FormCheckOut, **ERRORS},
             summary="Check an XLSForm workbook without importing it: every problem, row by row")
def check_form(request, source_file: File[UploadedFile]):
    require(request.user, Resource.SURVEY, Action.CHANGE)
    data = source_file.read()
    if len(data) > services.MAX_FORM_BYTES:
        raise ValidationError({"source_file": [services.MSG_FORM_TOO_LARGE]})
    result = import_xlsform(data, source_file.name or "form.xlsx")
    definition = result.definition or {}
    return {"ok": result.ok, "title": services.form_title(definition) if definition else "",
            "questions": sum(1 for _q in iter_questions(definition)) if definition else 0,
            "errors": [_problem(p) for p in result.errors], "warnings": [_problem(p) for p in result.warnings]}


@router.post("/", response={201: SurveyDetailOut, **FORM_ERRORS},
             summary="Import an XLSForm workbook as a new draft questionnaire (multipart: source_file + fields)")
def create_survey(request, payload: Form[SurveyCreateIn], source_file: File[UploadedFile]):
    require(request.user, Resource.SURVEY, Action.CHANGE)
    data = _resolve(request.user, payload.dict())
    try:
        survey = services.survey_create(actor=request.user, data=source_file.read(),
                                        filename=source_file.name or "form.xlsx", **data)
    except services.FormRejected as error:
        return _rejected(request, error)
    return Status(201, survey)


@router.get("/{uuid:survey_id}", response={200: SurveyDetailOut, **ERRORS}, summary="One questionnaire with its form")
def get_survey(request, survey_id: UUID):
    return selectors.get_survey(request.user, survey_id)


@router.patch("/{uuid:survey_id}", response={200: SurveyDetailOut, **ERRORS}, summary="Change settings (fields sent)")
def update_survey(request, survey_id: UUID, payload: SurveySettingsIn):
    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    data = _resolve(request.user, payload.dict(exclude_unset=True))
    services.survey_update(actor=request.user, survey=survey, **data)
    return selectors.get_survey(request.user, survey_id)


@router.post("/{uuid:survey_id}/form", response={200: SurveyDetailOut, **FORM_ERRORS},
             summary="Replace the XLSForm (only while nobody has answered)")
def replace_form(request, survey_id: UUID, source_file: File[UploadedFile]):
    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    try:
        services.survey_replace_form(actor=request.user, survey=survey, data=source_file.read(),
                                     filename=source_file.name or "form.xlsx")
    except services.FormRejected as error:
        return _rejected(request, error)
    return selectors.get_survey(request.user, survey_id)


@router.post("/{uuid:survey_id}/transition", response={200: SurveyDetailOut, **ERRORS},
             summary="open (start or resume collecting) · close")
def transition_survey(request, survey_id: UUID, payload: TransitionIn):
    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    services.survey_transition(actor=request.user, survey=survey, transition=payload.transition)
    return selectors.get_survey(request.user, survey_id)


def _quota_out(row: dict) -> dict:
    quota = row["quota"]
    return {"label": row["label"], "community": quota.region.code if quota.region_id else None,
            "group": quota.population_group.code if quota.population_group_id else None,
            "target": row["target"], "count": row["count"], "percent": row["percent"], "full": row["full"]}


@router.get("/{uuid:survey_id}/quotas", response={200: list[QuotaOut], **ERRORS},
            summary="Sampling quotas and submitted responses against them")
def list_quotas(request, survey_id: UUID):
    survey = selectors.get_survey(request.user, survey_id)
    return [_quota_out(row) for row in selectors.quota_progress(survey)]


@router.put("/{uuid:survey_id}/quotas", response={200: list[QuotaOut], **ERRORS},
            summary="Set quotas of the survey's dimension (target 0 removes one)")
def set_quotas(request, survey_id: UUID, payload: QuotasIn):
    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    by_community = survey.quota_by == QuotaDimension.COMMUNITY
    targets = {}
    for item in payload.quotas:
        if by_community:
            subject = selectors.communities_of(survey).filter(code=item.community or "").first()
        else:
            subject = PopulationGroup.objects.filter(code=item.group or "").first()
        if subject is None and survey.quota_by:
            raise unknown_reference("quotas")
        if subject is not None:
            targets[subject] = item.target
    services.quotas_set(actor=request.user, survey=survey, targets=targets)
    return [_quota_out(row) for row in selectors.quota_progress(survey)]


@router.get("/{uuid:survey_id}/link", response={200: LinkOut, **ERRORS},
            summary="The public link (and QR code content) for respondents")
def get_link(request, survey_id: UUID):
    from ..services.links import survey_link_path

    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    if not survey.allow_link:
        raise ValidationError(_("该问卷不允许通过链接填写。"))
    return {"url": request.build_absolute_uri(survey_link_path(survey))}


@router.post("/{uuid:survey_id}/link/rotate", response={200: LinkOut, **ERRORS},
             summary="A new public link: the old link and printed QR codes stop working")
def rotate_link(request, survey_id: UUID):
    from ..services.links import survey_link_path

    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    survey = services.survey_rotate_link(actor=request.user, survey=survey)
    return {"url": request.build_absolute_uri(survey_link_path(survey))}


@router.post("/{uuid:survey_id}/void", response={200: SurveyDetailOut, **ERRORS},
             summary="Void a questionnaire that is not collecting (with a reason)")
def void_survey(request, survey_id: UUID, payload: ReasonIn):
    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    return services.survey_void(actor=request.user, survey=survey, reason=payload.reason)
