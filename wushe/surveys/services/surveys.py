"""Writes for questionnaires: create from an XLSForm upload, edit, replace the form, open and close
collection, quotas, the public link, void.

Status flow: draft → open → closed, and closed → open again. The form can be replaced only while no
response exists (answers are kept against the form they were given to).
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can, can_in_region, roles_of
from wushe.accounts.roles import Role
from wushe.core.services import record_void, save_with_history
from wushe.core.text import build_search_text
from wushe.regions.models import Level
from wushe.surveys.models import QuotaDimension, Survey, SurveyQuota, SurveyResponse, SurveyStatus
from wushe.surveys.models.surveys import new_link_secret
from wushe.surveys.xlsform import import_xlsform

MSG_TITLE_REQUIRED = _("请填写问卷名称。")
MSG_REGION_OUT_OF_SCOPE = _("问卷覆盖的区划不在您的管辖范围内。")
MSG_REGION_REVOKED = _("问卷覆盖的区划已撤销，请选择现行区划。")
MSG_REGION_LEVEL = _("问卷须覆盖一个区县、街道乡镇或社区。")
MSG_ORGANIZATION_UNAVAILABLE = _("所选组织不存在、已作废或不在您的管辖范围内。")
MSG_PROJECT_UNAVAILABLE = _("所选项目不存在、已作废或不在您的管辖范围内。")
MSG_CLOSES_BEFORE_OPENS = _("截止日期不能早于开始日期。")
MSG_FORM_REQUIRED = _("请上传 XLSForm 问卷文件（.xlsx）。")
MSG_FORM_TOO_LARGE = _("文件过大：XLSForm 文件不能超过 5 MB。")
MSG_FORM_REJECTED = _("XLSForm 文件有 %(count)s 处问题，未能导入；请按下表逐行修改后重新上传。")
MSG_FORM_LOCKED = _("该问卷已有答卷，不能更换表单；可“复制为新问卷”后在副本中更换。")
MSG_NO_QUESTIONS = _("问卷没有任何题目，不能开始收集。")
MSG_BAD_TRANSITION = _("当前状态不能进行该操作。")
MSG_VOIDED = _("该问卷已作废，不能修改。")
MSG_QUOTA_DIMENSION = _("请先选择抽样配额方式（按社区或按人群类别）。")
MSG_QUOTA_REGION = _("配额社区“%(name)s”不在问卷覆盖范围内。")
MSG_QUOTA_TARGET = _("配额必须是 0 到 100000 之间的整数。")
MSG_HAS_RESPONSES = _("该问卷已有答卷，只能在收集结束后作废，并须说明原因。")

MAX_FORM_BYTES = 5 * 1024 * 1024
QUOTA_MAX = 100_000
SURVEY_FIELDS = {"title", "description", "audience", "organization", "project", "allow_link", "allow_anonymous",
                 "capture_group", "opens_on", "closes_on", "quota_by"}


class FormRejected(ValidationError):
    """The uploaded XLSForm was refused; `problems` lists them row by row (wushe.surveys.xlsform.RowProblem)."""

    def __init__(self, problems, warnings=()):
        self.problems = list(problems)
        self.warnings = list(warnings)
        super().__init__({"source_file": [MSG_FORM_REJECTED % {"count": len(self.problems)}]}, code="form_rejected")


def _leader_of(actor, organization) -> bool:
    if organization is None or Role.ORG_LEADER not in roles_of(actor):
        return False
    return can(actor, Action.CHANGE, Resource.ORGANIZATION, organization)


def require_change(actor, survey: Survey) -> None:
    if not getattr(actor, "is_authenticated", False) or not can(actor, Action.CHANGE, Resource.SURVEY, survey):
        raise PermissionDenied
    if survey.is_voided:
        raise ValidationError(MSG_VOIDED, code="voided")


def _validate(actor, survey: Survey, *, region_changed: bool) -> None:
    errors: dict[str, list] = {}
    survey.title = (survey.title or "").strip()
    if not survey.title:
        errors.setdefault("title", []).append(MSG_TITLE_REQUIRED)
    organization = survey.organization if survey.organization_id else None
    if organization is not None and (organization.is_voided
                                     or not can(actor, Action.VIEW, Resource.ORGANIZATION, organization)):
        errors.setdefault("organization", []).append(MSG_ORGANIZATION_UNAVAILABLE)
        organization = None
    if survey.project_id and (survey.project.is_voided or not can(actor, Action.VIEW, Resource.PROJECT,
                                                                  survey.project)):
        errors.setdefault("project", []).append(MSG_PROJECT_UNAVAILABLE)
    if region_changed:
        region = survey.region if survey.region_id else None
        if region is None:
            errors.setdefault("region", []).append(MSG_REGION_OUT_OF_SCOPE)
        elif region.is_revoked:
            errors.setdefault("region", []).append(MSG_REGION_REVOKED)
        elif region.level < Level.COUNTY:
            errors.setdefault("region", []).append(MSG_REGION_LEVEL)
        elif not can_in_region(actor, Action.CHANGE, Resource.SURVEY, region) and not (
                _leader_of(actor, organization) and organization.region.contains(region)):
            errors.setdefault("region", []).append(MSG_REGION_OUT_OF_SCOPE)
    if survey.opens_on and survey.closes_on and survey.closes_on < survey.opens_on:
        errors.setdefault("closes_on", []).append(MSG_CLOSES_BEFORE_OPENS)
    if survey.quota_by not in QuotaDimension.values:
        errors.setdefault("quota_by", []).append(MSG_BAD_TRANSITION)
    if errors:
        raise ValidationError(errors)


def _store(actor, survey: Survey, *, reason: str = "") -> Survey:
    survey.search_text = build_search_text(*survey.searchable_values())
    save_with_history(survey, actor=actor, reason=reason)
    if not can(actor, Action.CHANGE, Resource.SURVEY, survey):
        raise PermissionDenied
    return survey


def read_form(data: bytes | None, filename: str):
    """Check and convert an uploaded XLSForm; raise FormRejected with every problem row by row."""
    if not data:
        raise ValidationError({"source_file": [MSG_FORM_REQUIRED]}, code="form_required")
    if len(data) > MAX_FORM_BYTES:
        raise ValidationError({"source_file": [MSG_FORM_TOO_LARGE]}, code="form_too_large")
    result = import_xlsform(data, filename or "form.xlsx")
    if not result.ok:
        raise FormRejected(result.errors, result.warnings)
    return result


def _apply_form(survey: Survey, result, data: bytes, filename: str) -> None:
    definition = result.definition
    survey.definition = definition
    survey.form_id = str(definition.get("form_id") or "")[:100]
    survey.form_version = str(definition.get("form_version") or "")[:50]
    survey.source_name = (filename or "form.xlsx")[:200]
    survey.source_file.save(survey.source_name, ContentFile(data), save=False)


def form_title(definition: dict) -> str:
    title = definition.get("title") or {}
    if isinstance(title, dict):
        language = definition.get("default_language")
        return str(title.get(language) or next(iter(title.values()), ""))
    return str(title)


@transaction.atomic
def survey_create(*, actor, region, data: bytes | None, filename: str = "", title: str = "", description: str = "",
                  audience: str = "residents", organization=None, project=None, allow_link: bool = True,
                  allow_anonymous: bool = True, capture_group: bool = True, opens_on: datetime.date | None = None,
                  closes_on: datetime.date | None = None, quota_by: str = "") -> Survey:
    """A new draft questionnaire from an uploaded XLSForm workbook. The title defaults to the form's."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    result = read_form(data, filename)
    survey = Survey(region=region, owner=actor, created_by=actor, title=title or form_title(result.definition),
                    description=description, audience=audience, organization=organization, project=project,
                    allow_link=allow_link, allow_anonymous=allow_anonymous, capture_group=capture_group,
                    opens_on=opens_on, closes_on=closes_on, quota_by=quota_by or "")
    _validate(actor, survey, region_changed=True)
    _apply_form(survey, result, data, filename)
    return _store(actor, survey)


@transaction.atomic
def survey_update(*, actor, survey: Survey, **fields) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    require_change(actor, survey)
    unknown = set(fields) - SURVEY_FIELDS
    if unknown:
        raise ValueError(f"not survey fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(survey, name, value if value is not None or name not in {"quota_by"} else "")
    _validate(actor, survey, region_changed=False)
    return _store(actor, survey)


@transaction.atomic
def survey_replace_form(*, actor, survey: Survey, data: bytes | None, filename: str = "") -> Survey:
    """Swap the XLSForm of a survey nobody has answered yet."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    require_change(actor, survey)
    if SurveyResponse.objects.filter(survey=survey).exists():
        raise ValidationError({"source_file": [MSG_FORM_LOCKED]}, code="form_locked")
    result = read_form(data, filename)
    _apply_form(survey, result, data, filename)
    return _store(actor, survey, reason=str(_("更换表单")))


TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "open": ({SurveyStatus.DRAFT, SurveyStatus.CLOSED}, SurveyStatus.OPEN),
    "close": ({SurveyStatus.OPEN}, SurveyStatus.CLOSED),
}


@transaction.atomic
def survey_transition(*, actor, survey: Survey, transition: str) -> Survey:
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    require_change(actor, survey)
    if transition not in TRANSITIONS or survey.status not in TRANSITIONS[transition][0]:
        raise ValidationError(MSG_BAD_TRANSITION, code="bad_transition")
    if transition == "open" and not survey.definition.get("questions"):
        raise ValidationError(MSG_NO_QUESTIONS, code="no_questions")
    survey.status = TRANSITIONS[transition][1]
    if transition == "open":
        survey.opened_at = timezone.now()
        survey.closed_at = None
    else:
        survey.closed_at = timezone.now()
    return _store(actor, survey)


@transaction.atomic
def survey_rotate_link(*, actor, survey: Survey) -> Survey:
    """A new public link: printed QR codes and shared links of the survey stop working."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    require_change(actor, survey)
    survey.link_secret = new_link_secret()
    return _store(actor, survey, reason=str(_("更换填写链接")))


@transaction.atomic
def quotas_set(*, actor, survey: Survey, targets: dict) -> list[SurveyQuota]:
    """Set the sampling targets of the survey's quota dimension: `targets` maps a community (Region) or a
    PopulationGroup to a number; 0 removes that quota. Other quotas of the same dimension stay."""
    from wushe.surveys.selectors.surveys import communities_of

    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    require_change(actor, survey)
    if not survey.quota_by:
        raise ValidationError({"quota_by": [MSG_QUOTA_DIMENSION]}, code="quota_dimension")
    by_community = survey.quota_by == QuotaDimension.COMMUNITY
    allowed = set(communities_of(survey).values_list("pk", flat=True)) if by_community else None
    errors: dict[str, list] = {}
    for subject, target in targets.items():
        if not isinstance(target, int) or isinstance(target, bool) or not 0 <= target <= QUOTA_MAX:
            errors.setdefault("targets", []).append(MSG_QUOTA_TARGET)
        if by_community and subject.pk not in allowed:
            errors.setdefault("targets", []).append(MSG_QUOTA_REGION % {"name": subject.name})
    if errors:
        raise ValidationError(errors)
    for subject, target in targets.items():
        lookup = {"region": subject} if by_community else {"population_group": subject}
        quota = SurveyQuota.objects.filter(survey=survey, **lookup).first()
        if target == 0:
            if quota is not None:
                quota._history_user = actor
                quota.delete()  # a target, not a record: its history row keeps what it was
            continue
        if quota is None:
            quota = SurveyQuota(survey=survey, target=target, **lookup)
        quota.target = target
        save_with_history(quota, actor=actor)
    _store(actor, survey, reason=str(_("调整抽样配额")))
    return list(survey.quotas.all())


@transaction.atomic
def survey_void(*, actor, survey: Survey, reason: str) -> Survey:
    """Void a questionnaire; one still collecting must be closed first."""
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    require_change(actor, survey)
    if survey.status == SurveyStatus.OPEN:
        raise ValidationError(MSG_HAS_RESPONSES, code="still_open")
    return record_void(actor=actor, obj=survey, reason=reason)


@transaction.atomic
def survey_copy(*, actor, survey: Survey, title: str = "", region=None) -> Survey:
    """A new draft with the same form, settings and quotas (for the next round, or to change a form that
    already has answers); the copy has no responses and its own public link."""
    if not getattr(actor, "is_authenticated", False) or not can(actor, Action.VIEW, Resource.SURVEY, survey):
        raise PermissionDenied
    copy = Survey(
        region=region or survey.region, owner=actor, created_by=actor,
        title=(title or "").strip() or str(_("%(title)s（副本）") % {"title": survey.title}),
        description=survey.description, audience=survey.audience, organization=survey.organization,
        project=survey.project, allow_link=survey.allow_link, allow_anonymous=survey.allow_anonymous,
        capture_group=survey.capture_group, quota_by=survey.quota_by, definition=survey.definition,
        form_id=survey.form_id, form_version=survey.form_version, source_name=survey.source_name)
    _validate(actor, copy, region_changed=True)
    if survey.source_file:
        with survey.source_file.open("rb") as source:
            copy.source_file.save(survey.source_name or "form.xlsx", ContentFile(source.read()), save=False)
    _store(actor, copy, reason=str(_("复制自问卷：%(title)s") % {"title": survey.title})[:100])
    if copy.region_id == survey.region_id:
        for quota in survey.quotas.all():
            save_with_history(SurveyQuota(survey=copy, region=quota.region, population_group=quota.population_group,
                                          target=quota.target), actor=actor)
    return copy
