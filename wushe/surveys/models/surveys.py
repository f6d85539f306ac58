"""Questionnaires (问卷) imported from XLSForm workbooks, and their sampling quotas."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import RegistryRecord, TimeStampedModel


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("收集中")
    CLOSED = "closed", _("已结束")


class Audience(models.TextChoices):
    RESIDENTS = "residents", _("居民")
    SOCIAL_WORKERS = "social_workers", _("社会工作者")
    ORGANIZATIONS = "organizations", _("社区社会组织")
    VOLUNTEERS = "volunteers", _("志愿者")
    OTHER = "other", _("其他")


class QuotaDimension(models.TextChoices):
    NONE = "", _("不设配额")
    COMMUNITY = "community", _("按社区")
    GROUP = "group", _("按人群类别")


def new_link_secret() -> str:
    return secrets.token_urlsafe(16)


class Survey(RegistryRecord):
    """One questionnaire. `region` is the area it covers (a community, a street or a district): every
    response names a community inside that subtree. The form itself is the normalized `definition`
    produced from the uploaded XLSForm (docs/surveys.md); the workbook is kept as it was uploaded."""

    title = models.CharField(_("问卷名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT,
                              db_index=True)
    audience = models.CharField(_("调查对象"), max_length=20, choices=Audience.choices, default=Audience.RESIDENTS)
    organization = models.ForeignKey("orgs.Organization", verbose_name=_("实施单位"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="surveys")
    project = models.ForeignKey("projects.Project", verbose_name=_("所属项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="surveys")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("负责人"), on_delete=models.PROTECT,
                              related_name="owned_surveys")
    definition = models.JSONField(_("问卷结构"), default=dict, blank=True, editable=False)
    form_id = models.CharField(_("表单编号"), max_length=100, blank=True)
    form_version = models.CharField(_("表单版本"), max_length=50, blank=True)
    source_file = models.FileField(_("XLSForm 文件"), upload_to="surveys/forms/%Y/%m/", blank=True)
    source_name = models.CharField(_("原文件名"), max_length=200, blank=True)
    allow_link = models.BooleanField(_("允许通过链接/二维码填写"), default=True)
    allow_anonymous = models.BooleanField(_("允许匿名填写"), default=True,
                                          help_text=_("关闭后，通过链接填写须先登录。"))
    capture_group = models.BooleanField(_("登记受访者人群类别"), default=True)
    opens_on = models.DateField(_("开始日期"), null=True, blank=True)
    closes_on = models.DateField(_("截止日期"), null=True, blank=True)
    quota_by = models.CharField(_("抽样配额"), max_length=10, choices=QuotaDimension.choices, blank=True, default="")
    link_secret = models.CharField(max_length=40, default=new_link_secret, editable=False,
                                   help_text="Part of the signed public link; rotating it revokes printed QR codes.")
    opened_at = models.DateTimeField(_("开始收集时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束收集时间"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["definition"])

    class Meta:
        verbose_name = _("问卷")
        verbose_name_plural = _("问卷")
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["region", "status"])]
        constraints = [models.CheckConstraint(
            condition=Q(closes_on__isnull=True) | Q(opens_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")),
            name="survey_closes_after_opening")]

    def __str__(self) -> str:
        return self.title

    def searchable_values(self):
        return [self.title, self.description, self.form_id]


class SurveyQuota(TimeStampedModel):
    """A sampling target: how many submitted responses the survey wants from one community or one
    population group (`Survey.quota_by` says which)."""

    survey = models.ForeignKey(Survey, verbose_name=_("问卷"), on_delete=models.CASCADE, related_name="quotas")
    region = models.ForeignKey("regions.Region", verbose_name=_("社区"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    population_group = models.ForeignKey("people.PopulationGroup", verbose_name=_("人群类别"), null=True,
                                         blank=True, on_delete=models.PROTECT, related_name="+")
    target = models.PositiveIntegerField(_("目标样本量"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("抽样配额")
        verbose_name_plural = _("抽样配额")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "region"], condition=Q(region__isnull=False),
                                    name="survey_quota_one_per_region"),
            models.UniqueConstraint(fields=["survey", "population_group"],
                                    condition=Q(population_group__isnull=False), name="survey_quota_one_per_group"),
            models.CheckConstraint(condition=Q(region__isnull=True) ^ Q(population_group__isnull=True),
                                   name="survey_quota_region_xor_group"),
        ]
