from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import PublicIdModel, TimeStampedModel, VoidableModel


class RoundType(models.TextChoices):
    PAIRING_COMPETITION = "pairing_competition", _("项目对接展示大赛")
    MICRO_PROJECT = "micro_project", _("社区公益金微小项目")
    VENTURE = "venture", _("公益创投")
    GOVERNMENT_PURCHASE = "government_purchase", _("政府购买服务")


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("征集中")
    REVIEW = "review", _("评审中")
    PUBLICITY = "publicity", _("公示中")
    CONTRACTING = "contracting", _("签约实施")
    FINISHED = "finished", _("已结束")


class ApplicantType(models.TextChoices):
    """Who may apply. The first six are the 东风地区 micro-project applicant types."""

    RESIDENT_LED_ORG = "resident_led_org", _("居民为主体的公益服务类社区社会组织")
    COMMITTEE_WORKING_GROUP = "committee_working_group", _("居委会下属工作委员会")
    SOCIAL_WORKER_GROUP = "social_worker_group", _("社区专业社工小组（3名以上持证社工）")
    OWNERS_COMMITTEE = "owners_committee", _("小区业主委员会")
    PROPERTY_MANAGEMENT = "property_management", _("小区物业服务企业")
    CONVENIENCE_BUSINESS = "convenience_business", _("社区便民服务类企业")
    COMMUNITY_SOCIAL_ORG = "community_social_org", _("社区社会组织")
    SOCIAL_WORK_AGENCY = "social_work_agency", _("社会工作服务机构")
    OTHER_SOCIAL_ORG = "other_social_org", _("其他社会组织")


MICRO_PROJECT_APPLICANTS = [
    ApplicantType.RESIDENT_LED_ORG, ApplicantType.COMMITTEE_WORKING_GROUP, ApplicantType.SOCIAL_WORKER_GROUP,
    ApplicantType.OWNERS_COMMITTEE, ApplicantType.PROPERTY_MANAGEMENT, ApplicantType.CONVENIENCE_BUSINESS,
]


class ScopeCategory(models.TextChoices):
    COMMUNITY_PUBLIC_INTEREST = "community_public_interest", _("社区公益类服务")
    PUBLIC_SERVICE_SUPPLEMENT = "public_service_supplement", _("政府公共服务的补充")
    CONVENIENCE_EXTENSION = "convenience_extension", _("社区便民服务（有偿）的延伸")


class ContentCategory(models.TextChoices):
    VULNERABLE_GROUPS = "vulnerable_groups", _("为社区弱势群体提供服务")
    RESIDENT_INTEGRATION = "resident_integration", _("促进居民融合、融入的活动")
    PROPERTY_SELF_MANAGEMENT = "property_self_management", _("物业服务领域的居民自管服务")


class ProjectType(models.TextChoices):
    COMMUNITY_CARE = "community_care", _("社区照顾")
    MUTUAL_AID = "mutual_aid", _("社区互助")
    INTEGRATION = "integration", _("社区融入")
    PARTICIPATION = "participation", _("社区参与")
    SELF_GOVERNANCE = "self_governance", _("社区自治")


DEFAULT_GRADE_BANDS = [{"grade": "A", "min": 85}, {"grade": "B", "min": 60}, {"grade": "C", "min": 0}]
DEFAULT_TRANCHES = [{"percent": 50, "condition": "agreement"}, {"percent": 50, "condition": "midterm"}]
DEFAULT_CRITERIA = [
    {"key": "need", "label": "回应社区需求", "max": 20},
    {"key": "org_growth", "label": "促进组织成长", "max": 15},
    {"key": "worker_capacity", "label": "提升社工专业能力", "max": 15},
    {"key": "participation", "label": "居民参与", "max": 15},
    {"key": "feasibility", "label": "可行性", "max": 15},
    {"key": "sustainability", "label": "可持续性", "max": 10},
    {"key": "budget", "label": "预算合理", "max": 10},
]


class FundingRound(PublicIdModel, TimeStampedModel, VoidableModel):
    """A call for projects (征集) with its own rules. `region` is the owner: a district or a street."""

    region = models.ForeignKey("regions.Region", verbose_name=_("发起区划"), on_delete=models.PROTECT,
                               related_name="+")
    title = models.CharField(_("名称"), max_length=200)
    round_type = models.CharField(_("类型"), max_length=24, choices=RoundType.choices)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    opens_on = models.DateField(_("申报开始"), null=True, blank=True)
    closes_on = models.DateField(_("申报截止"), null=True, blank=True)
    total_budget = models.DecimalField(_("资金总额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    operator = models.ForeignKey("orgs.Organization", verbose_name=_("第三方运营方"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="operated_rounds")
    # Rules.
    amount_cap = models.DecimalField(_("单个项目金额上限（元）"), max_digits=12, decimal_places=2,
                                     default=Decimal("10000"))
    duration_cap_months = models.PositiveSmallIntegerField(_("实施周期上限（月）"), default=6)
    allowed_applicant_types = models.JSONField(_("允许的申报主体"), default=list, blank=True)
    scopes = models.JSONField(_("申报范围"), default=list, blank=True)
    contents = models.JSONField(_("申报内容"), default=list, blank=True)
    project_types = models.JSONField(_("项目类型"), default=list, blank=True)
    self_raised_min_percent = models.DecimalField(_("自筹比例下限（%）"), max_digits=5, decimal_places=2,
                                                  default=Decimal("0"))
    one_grant_per_org = models.BooleanField(_("每个组织限获一项资助"), default=True)
    no_double_funding = models.BooleanField(_("禁止重复资助"), default=True)
    require_community_org_implementer = models.BooleanField(_("须由社区社会组织实施"), default=False)
    require_social_worker_lead = models.BooleanField(_("须由社工担任专业主责"), default=False)
    operator_may_apply = models.BooleanField(_("运营方可以申报"), default=False)
    breach_ban_years = models.PositiveSmallIntegerField(_("违规禁入年限"), default=3)
    expert_weight = models.PositiveSmallIntegerField(_("专家评审权重（%）"), default=70)
    resident_weight = models.PositiveSmallIntegerField(_("居民评审权重（%）"), default=30)
    review_criteria = models.JSONField(_("评审指标"), default=list, blank=True)
    grade_bands = models.JSONField(_("等级划分"), default=list, blank=True)
    tranche_plan = models.JSONField(_("拨付计划"), default=list, blank=True)
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    publicity_starts_on = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_ends_on = models.DateField(_("公示结束"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("资助轮次")
        verbose_name_plural = _("资助轮次")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class OrganizationBan(PublicIdModel, TimeStampedModel, VoidableModel):
    """An organization barred from applying after a breach, until `ends_on`."""

    organization = models.ForeignKey("orgs.Organization", verbose_name=_("组织"), on_delete=models.PROTECT,
                                     related_name="funding_bans")
    reason = models.TextField(_("原因"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    source_project = models.ForeignKey("projects.Project", verbose_name=_("相关项目"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("申报禁入")
        verbose_name_plural = _("申报禁入")

    def __str__(self) -> str:
        return f"{self.organization} {self.starts_on}–{self.ends_on}"
