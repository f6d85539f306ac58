from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import PublicIdModel, RegistryRecord, TimeStampedModel, VoidableModel


class OrganizationKind(models.TextChoices):
    COMMUNITY_SOCIAL_ORG = "community_social_org", _("社区社会组织")
    SOCIAL_WORK_AGENCY = "social_work_agency", _("社会工作服务机构")
    SUPPORTIVE_ORG = "supportive_org", _("支持性社会组织")
    RESIDENTS_COMMITTEE = "residents_committee", _("居民委员会")
    VILLAGE_COMMITTEE = "village_committee", _("村民委员会")
    COMMITTEE_WORKING_GROUP = "committee_working_group", _("居委会下属委员会")
    OWNERS_COMMITTEE = "owners_committee", _("业主委员会")
    PROPERTY_MANAGEMENT = "property_management", _("物业服务企业")
    CONVENIENCE_BUSINESS = "convenience_business", _("社区便民服务商户")
    FOUNDATION = "foundation", _("基金会")
    COMPANY = "company", _("企业")
    OTHER = "other", _("其他")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("已登记")
    FILED = "filed", _("已备案")
    UNREGISTERED = "unregistered", _("未登记/未备案")
    DEREGISTERED = "deregistered", _("已注销")


class ServiceOrientation(models.TextChoices):
    RECREATIONAL = "recreational", _("文体娱乐（自娱自乐）")
    MUTUAL_AID = "mutual_aid", _("互助")
    SERVICE = "service", _("公益服务")
    SUPPORT = "support", _("支持性/专业服务")


class Organization(RegistryRecord):
    name = models.CharField(_("名称"), max_length=150)
    kind = models.CharField(_("类型"), max_length=32, choices=OrganizationKind.choices)
    registration_status = models.CharField(_("登记状态"), max_length=16, choices=RegistrationStatus.choices,
                                           default=RegistrationStatus.UNREGISTERED)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    registered_on = models.DateField(_("登记/备案日期"), null=True, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    orientation = models.CharField(_("服务取向"), max_length=16, choices=ServiceOrientation.choices,
                                   default=ServiceOrientation.RECREATIONAL)
    leader_name = models.CharField(_("负责人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=11, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    description = models.TextField(_("简介"), blank=True)
    charter = models.TextField(_("章程"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["region", "kind"])]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=Q(voided_at__isnull=True) & ~Q(credit_code=""),
                                    name="organization_unique_credit_code"),
        ]

    def __str__(self) -> str:
        return self.name

    def searchable_values(self) -> tuple:
        """What search_text is built from (wushe.core.text.build_search_text)."""
        return (self.name, self.leader_name, self.credit_code, self.address)


class BoardPosition(models.TextChoices):
    CHAIR = "chair", _("理事长")
    VICE_CHAIR = "vice_chair", _("副理事长")
    SECRETARY = "secretary", _("秘书长")
    DIRECTOR = "director", _("理事")
    SUPERVISOR = "supervisor", _("监事")


class BoardMember(PublicIdModel, TimeStampedModel, VoidableModel):
    organization = models.ForeignKey(Organization, verbose_name=_("组织"), on_delete=models.PROTECT,
                                     related_name="board_members")
    name = models.CharField(_("姓名"), max_length=50)
    resident = models.ForeignKey("people.Resident", verbose_name=_("居民"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    position = models.CharField(_("职务"), max_length=16, choices=BoardPosition.choices,
                                default=BoardPosition.DIRECTOR)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"), null=True, blank=True)
    elected_by_residents = models.BooleanField(_("由居民选举产生"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("理事会成员")
        verbose_name_plural = _("理事会成员")
        ordering = ["position", "term_start"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_position_display()}）"


class OrganizationMember(PublicIdModel, TimeStampedModel, VoidableModel):
    organization = models.ForeignKey(Organization, verbose_name=_("组织"), on_delete=models.PROTECT,
                                     related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    resident = models.ForeignKey("people.Resident", verbose_name=_("居民"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    joined_on = models.DateField(_("加入日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    serves_regularly = models.BooleanField(_("经常参与服务"), default=False)
    takes_part_in_governance = models.BooleanField(_("参与组织治理"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会员")
        verbose_name_plural = _("会员")
        ordering = ["joined_on", "id"]

    def __str__(self) -> str:
        return self.name


class GrowthMilestone(models.TextChoices):
    """The pilot's before/after items for an organization's growth (PRODUCT.md)."""

    REGISTERED = "registered", _("正式备案")
    BOARD = "board", _("建立理事会")
    WRITTEN_RULES = "written_rules", _("制度化管理")
    PROJECT_OPERATION = "project_operation", _("项目化运作")
    SERVICE_PROCESS = "service_process", _("规范的服务流程")
    REGISTERED_MEMBERS = "registered_members", _("注册会员")
    MEMBERS_SERVE = "members_serve", _("会员经常参与服务")
    MEMBERS_GOVERN = "members_govern", _("会员参与组织治理")
    SOCIAL_WORKER_GUIDES_VOLUNTEERS = "sw_guides_volunteers", _("社工指导志愿者")
    ORIENTATION_CHANGE = "orientation_change", _("服务取向转变")
    OTHER = "other", _("其他")


class GrowthRecord(PublicIdModel, TimeStampedModel, VoidableModel):
    organization = models.ForeignKey(Organization, verbose_name=_("组织"), on_delete=models.PROTECT,
                                     related_name="growth_records")
    milestone = models.CharField(_("成长事项"), max_length=32, choices=GrowthMilestone.choices)
    achieved_on = models.DateField(_("日期"))
    evidence = models.TextField(_("佐证说明"))
    evidence_file = models.FileField(_("佐证材料"), upload_to="orgs/growth/%Y/", blank=True)
    recorded_by = models.ForeignKey("accounts.User", verbose_name=_("记录人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("成长记录")
        verbose_name_plural = _("成长记录")
        ordering = ["achieved_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_milestone_display()} {self.achieved_on}"
