"""Group work (小组工作, MZ/T 095-2017): a group is an activity of kind `group_session` whose sessions
carry session records; the group adds its stage, goals and members."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import PublicIdModel, TimeStampedModel, VoidableModel


class GroupStage(models.TextChoices):
    PREPARATION = "preparation", _("筹备期")
    FORMATION = "formation", _("形成期")
    TRANSITION = "transition", _("转折期")
    MATURITY = "maturity", _("成熟期")
    ENDING = "ending", _("结束期")


STAGE_ORDER = [GroupStage.PREPARATION, GroupStage.FORMATION, GroupStage.TRANSITION, GroupStage.MATURITY,
               GroupStage.ENDING]


class GroupKind(models.TextChoices):
    SUPPORT = "support", _("支持小组")
    GROWTH = "growth", _("成长小组")
    EDUCATION = "education", _("教育小组")
    THERAPY = "therapy", _("治疗小组")
    SOCIALIZATION = "socialization", _("社交小组")
    MUTUAL_AID = "mutual_aid", _("互助小组")


class GroupWork(TimeStampedModel):
    activity = models.OneToOneField("activities.Activity", verbose_name=_("活动"), on_delete=models.PROTECT,
                                    related_name="group")
    group_kind = models.CharField(_("小组类型"), max_length=16, choices=GroupKind.choices, default=GroupKind.SUPPORT)
    stage = models.CharField(_("小组阶段"), max_length=12, choices=GroupStage.choices,
                             default=GroupStage.PREPARATION)
    goals = models.TextField(_("小组目标"), blank=True)
    target_description = models.CharField(_("招募对象"), max_length=200, blank=True)
    planned_sessions = models.PositiveSmallIntegerField(_("计划节数"), default=6)
    max_members = models.PositiveSmallIntegerField(_("成员上限"), null=True, blank=True)
    evaluation = models.TextField(_("小组评估"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("小组")
        verbose_name_plural = _("小组")

    def __str__(self) -> str:
        return str(self.activity)


class GroupStageChange(models.Model):
    group = models.ForeignKey(GroupWork, verbose_name=_("小组"), on_delete=models.PROTECT,
                              related_name="stage_changes")
    from_stage = models.CharField(_("原阶段"), max_length=12, choices=GroupStage.choices)
    to_stage = models.CharField(_("新阶段"), max_length=12, choices=GroupStage.choices)
    note = models.TextField(_("阶段小结"), blank=True)
    changed_at = models.DateTimeField(_("时间"), auto_now_add=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT,
                                   related_name="+")

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.group}: {self.from_stage} → {self.to_stage}"


class GroupMember(PublicIdModel, TimeStampedModel, VoidableModel):
    group = models.ForeignKey(GroupWork, verbose_name=_("小组"), on_delete=models.PROTECT, related_name="members")
    resident = models.ForeignKey("people.Resident", verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="group_memberships")
    joined_on = models.DateField(_("入组日期"))
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    left_reason = models.CharField(_("退出原因"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("小组成员")
        verbose_name_plural = _("小组成员")
        ordering = ["joined_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["group", "resident"], condition=Q(voided_at__isnull=True),
                                    name="group_member_unique"),
        ]
