"""Focus groups and interviews, and the needs register (需求清单) per community."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import RegistryRecord, TimeStampedModel, VoidableModel


class EngagementKind(models.TextChoices):
    FOCUS_GROUP = "focus_group", _("焦点小组")
    INTERVIEW = "interview", _("访谈")


class Engagement(RegistryRecord):
    """A focus group (焦点小组/座谈会) or an interview (访谈). `region` is the community it was held for."""

    kind = models.CharField(_("类型"), max_length=20, choices=EngagementKind.choices)
    title = models.CharField(_("主题"), max_length=200)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    facilitator = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("主持人/访谈员"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="facilitated_engagements")
    facilitator_name = models.CharField(_("主持人/访谈员姓名"), max_length=100, blank=True,
                                        help_text=_("主持人不是平台用户时填写。"))
    participant_count = models.PositiveIntegerField(_("参与人数"))
    participant_groups = models.ManyToManyField("people.PopulationGroup", verbose_name=_("参与者人群类别"),
                                                blank=True, related_name="+")
    participant_description = models.CharField(_("参与者构成"), max_length=300, blank=True,
                                               help_text=_("如：老年居民 5 人、楼门长 2 人、社工 1 人。"))
    notes = models.TextField(_("记录"), blank=True)
    survey = models.ForeignKey("surveys.Survey", verbose_name=_("关联问卷"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="engagements")

    history = HistoricalRecords(m2m_fields=[participant_groups])

    class Meta:
        verbose_name = _("座谈与访谈")
        verbose_name_plural = _("座谈与访谈")
        ordering = ["-held_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(participant_count__gte=1),
                                              name="engagement_has_participants")]

    def __str__(self) -> str:
        return self.title

    def searchable_values(self):
        return [self.title, self.place, self.facilitator_name, self.participant_description]


class NeedCategory(models.TextChoices):
    ELDERLY_CARE = "elderly_care", _("养老照护")
    CHILDREN = "children", _("儿童关爱")
    DISABILITY = "disability", _("助残服务")
    HEALTH = "health", _("健康医疗")
    MENTAL_HEALTH = "mental_health", _("心理支持")
    EMPLOYMENT = "employment", _("就业帮扶")
    EDUCATION = "education", _("教育学习")
    FAMILY = "family", _("家庭关系")
    LIVING = "living", _("生活便利")
    ENVIRONMENT = "environment", _("环境治理")
    SAFETY = "safety", _("安全")
    CULTURE = "culture", _("文体活动")
    PARTICIPATION = "participation", _("社区参与")
    INTEGRATION = "integration", _("社区融入")
    OTHER = "other", _("其他")


class NeedSource(models.TextChoices):
    SURVEY = "survey", _("问卷调查")
    FOCUS_GROUP = "focus_group", _("焦点小组")
    INTERVIEW = "interview", _("访谈")
    MEETING = "meeting", _("会议")
    CONSULTATION = "consultation", _("咨询专线")
    OTHER = "other", _("其他")


class NeedPriority(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("待回应")
    ANSWERED = "answered", _("项目回应中")
    MET = "met", _("已满足")


class Need(RegistryRecord):
    """One entry of a community's needs register. `region` is the community. Status moves
    open → answered (some project links to it) → met; it returns to open when no project answers it."""

    title = models.CharField(_("需求"), max_length=200)
    description = models.TextField(_("描述"), blank=True)
    category = models.CharField(_("类别"), max_length=20, choices=NeedCategory.choices)
    population_group = models.ForeignKey("people.PopulationGroup", verbose_name=_("涉及人群"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=20, choices=NeedSource.choices)
    priority = models.CharField(_("优先级"), max_length=10, choices=NeedPriority.choices, default=NeedPriority.MEDIUM)
    status = models.CharField(_("状态"), max_length=10, choices=NeedStatus.choices, default=NeedStatus.OPEN,
                              db_index=True)
    evidence = models.TextField(_("依据"), blank=True,
                                help_text=_("如：问卷中 70.4% 的受访者选择此项；座谈会 8 人提出。"))
    survey = models.ForeignKey("surveys.Survey", verbose_name=_("来源问卷"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="needs")
    engagement = models.ForeignKey(Engagement, verbose_name=_("来源座谈/访谈"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="needs")
    identified_on = models.DateField(_("提出日期"))
    met_on = models.DateField(_("满足日期"), null=True, blank=True)
    met_note = models.TextField(_("满足情况说明"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("社区需求")
        verbose_name_plural = _("需求清单")
        ordering = ["region__code", "-identified_on", "-id"]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return self.title

    def searchable_values(self):
        return [self.title, self.description, self.evidence]


class NeedProjectLink(TimeStampedModel, VoidableModel):
    """A project that answers a need (a project may answer several needs, a need several projects)."""

    need = models.ForeignKey(Need, verbose_name=_("需求"), on_delete=models.PROTECT, related_name="project_links")
    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="need_links")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("关联人"), on_delete=models.PROTECT,
                                  related_name="+")
    note = models.CharField(_("说明"), max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("需求与项目关联")
        verbose_name_plural = _("需求与项目关联")
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["need", "project"], condition=Q(voided_at__isnull=True),
                                               name="need_project_link_once")]
