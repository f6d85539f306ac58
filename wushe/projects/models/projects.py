from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import RegistryRecord

from .rounds import ApplicantType, ContentCategory, ProjectType, ScopeCategory


class ProjectStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    UNDER_REVIEW = "under_review", _("评审中")
    APPROVED = "approved", _("拟立项（公示中）")
    REJECTED = "rejected", _("未立项")
    CONTRACTED = "contracted", _("已签约")
    IN_PROGRESS = "in_progress", _("实施中")
    MIDTERM_FAILED = "midterm_failed", _("中期评估未通过")
    FINAL_REVIEW = "final_review", _("终期评估中")
    CLOSED = "closed", _("已结项")
    ARCHIVED = "archived", _("已归档")
    TERMINATED = "terminated", _("已终止")


class Project(RegistryRecord):
    """An application (申报书) that becomes a project once approved.

    A project is a three-party pairing: the implementing organization (实施方), the lead social worker
    (主责社工) and the community (`region`, a community-level node) as coordinator and supervisor.
    """

    funding_round = models.ForeignKey("projects.FundingRound", verbose_name=_("资助轮次"), on_delete=models.PROTECT,
                                      related_name="projects")
    title = models.CharField(_("项目名称"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.DRAFT,
                              db_index=True)
    applicant = models.ForeignKey("orgs.Organization", verbose_name=_("申报主体"), on_delete=models.PROTECT,
                                  related_name="applications")
    applicant_type = models.CharField(_("申报主体类型"), max_length=32, choices=ApplicantType.choices)
    implementer = models.ForeignKey("orgs.Organization", verbose_name=_("实施组织"), on_delete=models.PROTECT,
                                    related_name="implemented_projects", null=True, blank=True)
    lead_worker = models.ForeignKey("workforce.SocialWorker", verbose_name=_("主责社工"), on_delete=models.PROTECT,
                                    related_name="led_projects", null=True, blank=True)
    contact_name = models.CharField(_("项目负责人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=11, blank=True)
    project_type = models.CharField(_("项目类型"), max_length=20, choices=ProjectType.choices, blank=True)
    scope = models.CharField(_("申报范围"), max_length=32, choices=ScopeCategory.choices, blank=True)
    content = models.CharField(_("申报内容"), max_length=32, choices=ContentCategory.choices, blank=True)
    # The application (申报书), section by section.
    summary = models.TextField(_("项目概述"), blank=True)
    need_statement = models.TextField(_("回应的社区需求"), blank=True)
    org_growth = models.TextField(_("如何促进组织成长"), blank=True)
    worker_capacity = models.TextField(_("如何提升社工专业能力"), blank=True)
    objectives = models.TextField(_("项目目标"), blank=True)
    activities_plan = models.TextField(_("活动安排"), blank=True)
    beneficiaries = models.TextField(_("服务对象"), blank=True)
    expected_beneficiaries = models.PositiveIntegerField(_("预计直接受益人数"), null=True, blank=True)
    volunteers_plan = models.TextField(_("志愿者参与"), blank=True)
    resources_plan = models.TextField(_("资源整合"), blank=True)
    sustainability = models.TextField(_("可持续性"), blank=True)
    volunteers = models.ManyToManyField("volunteers.Volunteer", verbose_name=_("参与志愿者"), blank=True,
                                        related_name="projects")
    requested_amount = models.DecimalField(_("申请金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    self_raised_amount = models.DecimalField(_("自筹金额（元）"), max_digits=12, decimal_places=2, default=0)
    duration_months = models.PositiveSmallIntegerField(_("实施周期（月）"), null=True, blank=True)
    starts_on = models.DateField(_("计划开始"), null=True, blank=True)
    ends_on = models.DateField(_("计划结束"), null=True, blank=True)
    other_funding = models.TextField(_("其他资助来源"), blank=True,
                                     help_text=_("同一内容获得的其他资助，用于防止重复资助。"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # Review and decision.
    expert_score = models.DecimalField(_("专家评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    resident_score = models.DecimalField(_("居民评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    total_score = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("排名"), null=True, blank=True)
    approved_amount = models.DecimalField(_("批准金额（元）"), max_digits=12, decimal_places=2, null=True, blank=True)
    decision_note = models.TextField(_("决定说明"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("决定人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    final_grade = models.CharField(_("终期等级"), max_length=4, blank=True)
    closed_at = models.DateTimeField(_("结项时间"), null=True, blank=True)

    history = HistoricalRecords(m2m_fields=[volunteers])

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["funding_round", "status"]), models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return self.title

    def searchable_values(self) -> tuple:
        """What search_text is built from (wushe.core.text.build_search_text)."""
        return (self.title, self.contact_name)
