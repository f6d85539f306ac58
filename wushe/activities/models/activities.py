"""Activities (活动, 社区活动, 小组活动, 培训) and their sessions (场次)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import PublicIdModel, RegistryRecord, TimeStampedModel, VoidableModel


class ActivityKind(models.TextChoices):
    ACTIVITY = "activity", _("服务活动")
    COMMUNITY_EVENT = "community_event", _("社区活动")
    GROUP_SESSION = "group_session", _("小组活动")
    TRAINING = "training", _("培训")


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("筹备中")
    OPEN = "open", _("报名中")
    CLOSED = "closed", _("报名截止")
    COMPLETED = "completed", _("已完成")
    CANCELLED = "cancelled", _("已取消")


def new_signin_secret() -> str:
    return secrets.token_urlsafe(16)


class Activity(RegistryRecord):
    """One activity. `region` is the community where it takes place; the organizing unit is
    `organization` when set, otherwise the community itself (谁组织谁记录)."""

    title = models.CharField(_("活动名称"), max_length=120)
    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices, default=ActivityKind.ACTIVITY)
    status = models.CharField(_("状态"), max_length=12, choices=ActivityStatus.choices,
                              default=ActivityStatus.PLANNED, db_index=True)
    description = models.TextField(_("活动内容"), blank=True)
    place = models.CharField(_("地点"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("活动负责人"), on_delete=models.PROTECT,
                                  related_name="organized_activities")
    organization = models.ForeignKey("orgs.Organization", verbose_name=_("组织单位"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="activities")
    project = models.ForeignKey("projects.Project", verbose_name=_("所属项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="activities")
    lead_worker = models.ForeignKey("workforce.SocialWorker", verbose_name=_("负责社工"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="activities")
    target_groups = models.ManyToManyField("people.PopulationGroup", verbose_name=_("服务对象"), blank=True,
                                           related_name="activities")
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True)
    signup_deadline = models.DateTimeField(_("报名截止时间"), null=True, blank=True)
    volunteers_needed = models.PositiveIntegerField(_("招募志愿者人数"), default=0)
    is_risky = models.BooleanField(_("具有一定危险性"), default=False,
                                   help_text=_("如户外、涉水、高空、大型活动等：开放报名前须登记意外保险。"))
    insurance_insurer = models.CharField(_("保险公司"), max_length=100, blank=True)
    insurance_policy_number = models.CharField(_("保单号"), max_length=60, blank=True)
    insurance_valid_until = models.DateField(_("保险有效期至"), null=True, blank=True)
    indirect_beneficiaries = models.PositiveIntegerField(_("间接受益人数（估计）"), null=True, blank=True)
    indirect_basis = models.CharField(_("间接受益估算依据"), max_length=300, blank=True)
    summary = models.TextField(_("活动总结"), blank=True)
    signin_secret = models.CharField(max_length=40, default=new_signin_secret, editable=False,
                                     help_text="Part of every signed sign-in token; rotating it revokes printed QR codes.")
    hours_confirmed_at = models.DateTimeField(_("时长确认时间"), null=True, blank=True)
    hours_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("时长确认人"), null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords(m2m_fields=[target_groups])

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_at", "id"]
        indexes = [models.Index(fields=["region", "starts_at"]), models.Index(fields=["project", "starts_at"])]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                              name="activity_ends_after_start")]

    def __str__(self) -> str:
        return self.title

    def searchable_values(self) -> tuple:
        """What search_text is built from (wushe.core.text.build_search_text)."""
        return (self.title, self.place)

    @property
    def insurance_recorded(self) -> bool:
        return bool(self.insurance_insurer and self.insurance_policy_number)


class ActivitySession(PublicIdModel, TimeStampedModel, VoidableModel):
    """A 场次: every activity has at least one; a person-time (人次) is one person at one session.
    For group work a session also carries the session record (小组节次记录)."""

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="sessions")
    sequence = models.PositiveSmallIntegerField(_("场次序号"), default=1)
    title = models.CharField(_("场次主题"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=200, blank=True)
    # Session record, used by group sessions and available to all.
    goals = models.TextField(_("本节目标"), blank=True)
    content = models.TextField(_("活动内容与过程"), blank=True)
    observations = models.TextField(_("成员表现与小组动力"), blank=True)
    reflection = models.TextField(_("工作者反思与下节安排"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("场次")
        verbose_name_plural = _("场次")
        ordering = ["activity", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "sequence"], condition=Q(voided_at__isnull=True),
                                    name="activity_session_unique_sequence"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.sequence}"


class ActivityPhoto(PublicIdModel, TimeStampedModel, VoidableModel):
    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="activities/photos/%Y/%m/")
    caption = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                    related_name="+")

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["created_at", "id"]


class Feedback(PublicIdModel, TimeStampedModel, VoidableModel):
    """Participant feedback with a 1–5 satisfaction score; a resident gives at most one per activity."""

    activity = models.ForeignKey(Activity, verbose_name=_("活动"), on_delete=models.PROTECT, related_name="feedback")
    resident = models.ForeignKey("people.Resident", verbose_name=_("居民"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="activity_feedback")
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), choices=[(n, str(n)) for n in range(1, 6)])
    comment = models.TextField(_("意见建议"), blank=True)

    class Meta:
        verbose_name = _("活动反馈")
        verbose_name_plural = _("活动反馈")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "resident"],
                                    condition=Q(voided_at__isnull=True, resident__isnull=False),
                                    name="feedback_one_per_resident"),
            models.CheckConstraint(condition=Q(satisfaction__gte=1, satisfaction__lte=5),
                                   name="feedback_satisfaction_range"),
        ]
