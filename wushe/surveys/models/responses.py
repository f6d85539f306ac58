"""Responses (答卷): the answers as given, and one analysis row per answered value."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import PublicIdModel, TimeStampedModel, VoidableModel


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("未提交")
    SUBMITTED = "submitted", _("已提交")


class CollectionMode(models.TextChoices):
    INTERVIEW = "interview", _("访员代填")
    SELF = "self", _("受访者自填")


def new_resume_code() -> str:
    return secrets.token_urlsafe(12)


class SurveyResponse(PublicIdModel, TimeStampedModel, VoidableModel):
    """One filled-in questionnaire. `region` is the respondent's community; `population_group` the group
    the respondent was counted in. Identified responses name the resident or the signed-in user; anonymous
    ones name nobody. A draft can be resumed with `resume_code` (kept in the respondent's browser)."""

    survey = models.ForeignKey("surveys.Survey", verbose_name=_("问卷"), on_delete=models.PROTECT,
                               related_name="responses")
    region = models.ForeignKey("regions.Region", verbose_name=_("受访者所在社区"), on_delete=models.PROTECT,
                               related_name="+")
    population_group = models.ForeignKey("people.PopulationGroup", verbose_name=_("受访者人群类别"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="+")
    respondent = models.ForeignKey("people.Resident", verbose_name=_("受访居民"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="survey_responses")
    respondent_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("填写账号"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="survey_responses")
    mode = models.CharField(_("填写方式"), max_length=10, choices=CollectionMode.choices)
    collected_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("访员"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="collected_responses")
    status = models.CharField(_("状态"), max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    answers = models.JSONField(_("答案"), default=dict, blank=True)
    language = models.CharField(_("填写语言"), max_length=10, blank=True)
    resume_code = models.CharField(max_length=40, default=new_resume_code, unique=True, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["answers", "resume_code"])

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["survey", "status", "region"]),
                   models.Index(fields=["survey", "status", "population_group"])]
        constraints = [models.CheckConstraint(
            condition=Q(status="draft") | Q(submitted_at__isnull=False), name="survey_response_submitted_has_time")]

    def __str__(self) -> str:
        return str(self.public_id)[:8]

    @property
    def is_anonymous(self) -> bool:
        return self.respondent_id is None and self.respondent_user_id is None


class AnswerValue(models.Model):
    """Derived analysis rows of submitted, non-voided responses, rewritten by the services whenever a
    response is submitted, edited or voided (the response's `answers` stay the source of truth).

    One row per answered value: a select_multiple answer gives one row per chosen option. Survey, community
    and population group are copied from the response so that frequencies and cross-tabs read one table."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="values")
    survey = models.ForeignKey("surveys.Survey", on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    population_group = models.ForeignKey("people.PopulationGroup", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+")
    question = models.CharField(max_length=100)
    repeat_index = models.PositiveIntegerField(null=True, blank=True)
    choice = models.CharField(max_length=100, blank=True)
    number = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)

    class Meta:
        # Each analysis query is an index-only scan of one question's rows (benchmarks/surveys.py).
        indexes = [models.Index(fields=["survey", "question", "choice", "response"], name="surveys_ans_question"),
                   models.Index(fields=["survey", "question", "response"], name="surveys_ans_q_response"),
                   models.Index(fields=["survey", "question", "number"], name="surveys_ans_q_number"),
                   models.Index(fields=["survey", "question", "region", "choice"], name="surveys_ans_region"),
                   models.Index(fields=["survey", "question", "region", "response"], name="surveys_ans_q_region_resp"),
                   models.Index(fields=["survey", "question", "population_group", "response"],
                                name="surveys_ans_q_group_resp"),
                   models.Index(fields=["response"], name="surveys_ans_response")]

    def __str__(self) -> str:
        return f"{self.question}={self.choice or self.number or self.text}"
