"""Collecting responses: start (community, group, quota), save a draft or submit (validated by the form
engine with the form's own rules), edit a submitted response, void.

Quotas: when `survey.quota_by` is set and the survey has quota rows for that dimension, a response must
name a community (or group) that has a quota, and that quota must not be full yet (submitted responses >=
target). Both are checked at start and again at submit, with the survey row locked, so two simultaneous
submissions cannot overshoot a quota on PostgreSQL. A survey with `quota_by` set but no quota rows yet
collects without limits.
"""

import copy

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts import policy
from wushe.accounts.policy import Action, Resource
from wushe.core.services import record_void, save_with_history
from wushe.surveys.models import (
    CollectionMode,
    QuotaDimension,
    ResponseStatus,
    Survey,
    SurveyResponse,
    SurveyStatus,
)
from wushe.surveys.selectors.surveys import collect_communities, communities_of
from wushe.surveys.services.values import refresh_values
from wushe.surveys.xlsform import engine

MSG_NOT_OPEN = _("该问卷当前未在收集答卷。")
MSG_NOT_YET_OPEN = _("该问卷将于 %(date)s 开始收集答卷。")
MSG_CLOSED_ON = _("该问卷已于 %(date)s 截止收集。")
MSG_COMMUNITY_OUTSIDE = _("所选社区不在本问卷的调查范围内。")
MSG_COMMUNITY_NOT_YOURS = _("您不能在所选社区代填本问卷。")
MSG_GROUP_REQUIRED = _("请选择受访者的人群类别。")
MSG_QUOTA_FULL = _("“%(name)s”的样本配额（%(target)s 份）已满，不再接收新的答卷。")
MSG_NO_QUOTA = _("“%(name)s”不在本问卷的抽样计划内，不接收答卷。")
MSG_LINK_DISABLED = _("该问卷不接受受访者自填。")
MSG_LOGIN_REQUIRED = _("该问卷须登录后填写。")
MSG_INTERVIEWER_REQUIRED = _("访员代填须登录。")
MSG_RESPONDENT_OUTSIDE = _("受访居民不属于所选社区或不在您的管辖范围内。")
MSG_RESPONDENT_SELF_MODE = _("受访者自填的答卷不能指定受访居民。")
MSG_MODE_UNKNOWN = _("填写方式无效。")
MSG_RESPONSE_VOIDED = _("该答卷已作废。")
MSG_SUBMITTED_LOCKED = _("答卷已提交，只有可管理本问卷的工作人员可以修改。")


def _is_user(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def check_collecting(survey: Survey, *, today=None) -> None:
    """ValidationError unless the survey is open and today lies within opens_on … closes_on."""
    today = today or timezone.localdate()
    if survey.voided_at is not None or survey.status != SurveyStatus.OPEN:
        raise ValidationError(MSG_NOT_OPEN, code="survey_not_open")
    if survey.opens_on and today < survey.opens_on:
        raise ValidationError(MSG_NOT_YET_OPEN, code="survey_not_yet_open", params={"date": survey.opens_on})
    if survey.closes_on and today > survey.closes_on:
        raise ValidationError(MSG_CLOSED_ON, code="survey_closed", params={"date": survey.closes_on})


def check_quota(survey: Survey, *, region, population_group, exclude: SurveyResponse | None = None) -> None:
    """ValidationError when the response's community/group has no quota (while quotas exist for the
    dimension) or its quota is already full."""
    if not survey.quota_by:
        return
    by_community = survey.quota_by == QuotaDimension.COMMUNITY
    if not by_community and population_group is None:
        raise ValidationError({"population_group": ValidationError(MSG_GROUP_REQUIRED, code="group_required")})
    field = "region" if by_community else "population_group"
    subject = region if by_community else population_group
    quotas = survey.quotas.filter(**{f"{field}__isnull": False})
    if not quotas.exists():
        return
    quota = quotas.filter(**{field: subject}).first()
    if quota is None:
        raise ValidationError({field: ValidationError(MSG_NO_QUOTA, code="no_quota", params={"name": subject.name})})
    submitted = SurveyResponse.objects.active().filter(survey=survey, status=ResponseStatus.SUBMITTED,
                                                       **{field: subject})
    if exclude is not None and exclude.pk:
        submitted = submitted.exclude(pk=exclude.pk)
    if submitted.count() >= quota.target:
        raise ValidationError({field: ValidationError(MSG_QUOTA_FULL, code="quota_full",
                                                      params={"name": subject.name, "target": quota.target})})


@transaction.atomic
def response_start(*, actor, survey: Survey, region, population_group=None, respondent=None, mode: str,
                   language: str = "") -> SurveyResponse:
    """Open a draft response. `actor` is None for an anonymous link respondent. INTERVIEW: the actor
    collects in one of their communities (and may name the resident interviewed); SELF: through the link,
    the signed-in actor is recorded as the respondent."""
    check_collecting(survey)
    if mode not in CollectionMode.values:
        raise ValidationError({"mode": ValidationError(MSG_MODE_UNKNOWN, code="mode_unknown")})
    if region is None or not communities_of(survey).filter(pk=region.pk).exists():
        raise ValidationError({"region": ValidationError(MSG_COMMUNITY_OUTSIDE, code="community_outside")})
    # No population group means a general resident (一般居民): most respondents belong to none.
    response = SurveyResponse(survey=survey, region=region, population_group=population_group, mode=mode,
                              language=language[:10])
    if mode == CollectionMode.INTERVIEW:
        if not _is_user(actor):
            raise ValidationError(MSG_INTERVIEWER_REQUIRED, code="interviewer_required")
        if not collect_communities(actor, survey).filter(pk=region.pk).exists():
            raise ValidationError({"region": ValidationError(MSG_COMMUNITY_NOT_YOURS, code="community_not_yours")})
        if respondent is not None and (respondent.region_id != region.pk or respondent.voided_at is not None
                                       or not policy.can(actor, Action.VIEW, Resource.RESIDENT, respondent)):
            raise ValidationError({"respondent": ValidationError(MSG_RESPONDENT_OUTSIDE, code="respondent_outside")})
        response.collected_by = actor
        response.respondent = respondent
    else:
        if not survey.allow_link:
            raise ValidationError(MSG_LINK_DISABLED, code="link_disabled")
        if respondent is not None:
            raise ValidationError({"respondent": ValidationError(MSG_RESPONDENT_SELF_MODE, code="respondent_self")})
        if _is_user(actor):
            response.respondent_user = actor
        elif not survey.allow_anonymous:
            raise ValidationError(MSG_LOGIN_REQUIRED, code="login_required")
    check_quota(survey, region=region, population_group=population_group)
    save_with_history(response, actor=actor if _is_user(actor) else None)
    return response


def may_edit_submitted(actor, response: SurveyResponse) -> bool:
    return _is_user(actor) and policy.can(actor, Action.CHANGE, Resource.SURVEY, response.survey)


def _without(raw: dict, keys) -> dict:
    """`raw` without the values named by engine keys ("age", "kids.0.kid_age")."""
    raw = copy.deepcopy(raw)
    for key in keys:
        parts = key.split(".")
        if len(parts) == 3 and parts[1].isdigit():
            instances = raw.get(parts[0])
            index = int(parts[1])
            if isinstance(instances, list) and index < len(instances) and isinstance(instances[index], dict):
                instances[index].pop(parts[2], None)
        else:
            raw.pop(key, None)
    return raw


def _valid_draft_answers(definition: dict, raw: dict, result) -> dict:
    """The cleaned answers of a draft without its invalid values, re-evaluated so that calculations and
    skip logic never rest on a value that was not kept."""
    for _attempt in range(5):
        if not result.errors:
            return result.answers
        raw = _without(raw, result.errors)
        result = engine.evaluate(definition, raw, final=False)
    return _without(result.answers, result.errors)


@transaction.atomic
def response_save(*, actor, response: SurveyResponse, raw: dict, final: bool, language: str = ""):
    """Validate `raw` with the form's rules and store the cleaned answers; returns the EvalResult.

    final=True submits: any error raises ValidationError(errors) and nothing is saved. final=False keeps a
    draft: valid values are stored, the errors are returned (in `result.errors`) for the page to show.
    A submitted response can only be edited (always re-validated as final) by those who may change the survey.
    """
    if response.voided_at is not None:
        raise ValidationError(MSG_RESPONSE_VOIDED, code="response_voided")
    submitted = response.status == ResponseStatus.SUBMITTED
    if submitted:
        if not may_edit_submitted(actor, response):
            raise PermissionDenied(MSG_SUBMITTED_LOCKED)
        final = True
    else:
        check_collecting(response.survey)
    result = engine.evaluate(response.survey.definition, raw or {}, final=final)
    if final and result.errors:
        raise ValidationError({key: ValidationError(message, code="answer") for key, message in result.errors.items()})
    if not submitted and final:
        # Lock the survey row so simultaneous submissions are counted one after the other.
        survey = Survey.objects.select_for_update().get(pk=response.survey_id)
        check_quota(survey, region=response.region, population_group=response.population_group, exclude=response)
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = timezone.now()
    response.answers = result.answers if final else _valid_draft_answers(response.survey.definition, raw or {}, result)
    if language:
        response.language = language[:10]
    save_with_history(response, actor=actor if _is_user(actor) else None)
    if final:
        refresh_values(response)
    return result


@transaction.atomic
def response_void(*, actor, response: SurveyResponse, reason: str) -> SurveyResponse:
    record_void(actor=actor, obj=response, reason=reason)
    refresh_values(response)
    return response
