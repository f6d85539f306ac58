from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import PublicIdModel, TimeStampedModel, VoidableModel


class Agreement(PublicIdModel, TimeStampedModel):
    """The three-party agreement (三方协议): implementer, lead social worker, community; plus the funder."""

    project = models.OneToOneField("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                   related_name="agreement")
    signed_on = models.DateField(_("签约日期"))
    funder_name = models.CharField(_("资助方"), max_length=150)
    implementer_signatory = models.CharField(_("实施方签署人"), max_length=50)
    worker_signatory = models.CharField(_("主责社工签署人"), max_length=50)
    community_signatory = models.CharField(_("社区签署人"), max_length=50)
    terms = models.TextField(_("主要条款"), blank=True)
    file = models.FileField(_("协议扫描件"), upload_to="projects/agreements/%Y/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("三方协议")
        verbose_name_plural = _("三方协议")

    def __str__(self) -> str:
        return f"{self.project} {self.signed_on}"


class TrancheCondition(models.TextChoices):
    AGREEMENT = "agreement", _("签约后")
    MIDTERM = "midterm", _("中期评估通过后")
    FINAL = "final", _("终期评估后")


class Tranche(PublicIdModel, TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("待拨付")
        RELEASED = "released", _("已拨付")
        BLOCKED = "blocked", _("暂停拨付")

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="tranches")
    sequence = models.PositiveSmallIntegerField(_("批次"))
    percent = models.DecimalField(_("比例（%）"), max_digits=5, decimal_places=2)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    condition = models.CharField(_("拨付条件"), max_length=12, choices=TrancheCondition.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    released_on = models.DateField(_("拨付日期"), null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("拨付经办人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("说明"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("拨付批次")
        verbose_name_plural = _("拨付批次")
        ordering = ["project", "sequence"]
        constraints = [models.UniqueConstraint(fields=["project", "sequence"], name="tranche_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.project} #{self.sequence}"


class BudgetLine(PublicIdModel, TimeStampedModel, VoidableModel):
    """A budget line. `spent` only moves through a conditional UPDATE that cannot pass `amount`;
    the check constraint is the database's own guarantee."""

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="budget_lines")
    category = models.CharField(_("科目"), max_length=50)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    amount = models.DecimalField(_("预算金额（元）"), max_digits=12, decimal_places=2)
    spent = models.DecimalField(_("已支出（元）"), max_digits=12, decimal_places=2, default=0)
    # Self-raised money (自筹) is budgeted on its own lines; the grant lines add up to the approved amount.
    self_raised = models.BooleanField(_("自筹资金"), default=False)
    sort_order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("预算科目")
        verbose_name_plural = _("预算科目")
        ordering = ["project", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(spent__lte=F("amount")), name="budget_line_not_overspent"),
            models.CheckConstraint(condition=Q(spent__gte=0), name="budget_line_spent_not_negative"),
        ]

    def __str__(self) -> str:
        return self.category

    @property
    def remaining(self):
        return self.amount - self.spent


class Expense(PublicIdModel, TimeStampedModel, VoidableModel):
    """One entry of the project's dedicated ledger (专款专用、单独记账)."""

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="expenses")
    line = models.ForeignKey(BudgetLine, verbose_name=_("预算科目"), on_delete=models.PROTECT, related_name="expenses")
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    payee = models.CharField(_("收款方"), max_length=100)
    spent_on = models.DateField(_("支出日期"))
    description = models.CharField(_("用途"), max_length=200)
    receipt = models.FileField(_("票据"), upload_to="projects/receipts/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记账人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("支出")
        verbose_name_plural = _("支出")
        ordering = ["spent_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="expense_amount_positive")]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.payee} {self.amount}"


class BudgetAdjustment(PublicIdModel, TimeStampedModel):
    """A requested change of a line's amount (positive or negative); applied only when approved."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="budget_adjustments")
    line = models.ForeignKey(BudgetLine, verbose_name=_("预算科目"), on_delete=models.PROTECT,
                             related_name="adjustments")
    delta = models.DecimalField(_("调整金额（元）"), max_digits=12, decimal_places=2)
    # A move between lines is two adjustments (−X on one line, +X on another) sharing this group,
    # requested, approved or rejected together.
    transfer_group = models.UUIDField(_("调剂组"), null=True, blank=True, db_index=True)
    reason = models.TextField(_("调整理由"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审批人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("预算调整")
        verbose_name_plural = _("预算调整")

    def __str__(self) -> str:
        return f"{self.line} {self.delta:+}"


class MonitoringVisit(PublicIdModel, TimeStampedModel, VoidableModel):
    """A process-monitoring visit (过程性监测) with findings the organization must answer."""

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="monitoring_visits")
    visited_on = models.DateField(_("监测日期"))
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("监测人"), on_delete=models.PROTECT,
                                related_name="+")
    method = models.CharField(_("方式"), max_length=50, blank=True, help_text=_("如：实地走访、活动观察、电话回访"))
    findings = models.TextField(_("发现"))
    recommendations = models.TextField(_("建议"))
    response = models.TextField(_("组织回应"), blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("回应人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(_("回应时间"), null=True, blank=True)
    response_due_on = models.DateField(_("回应期限"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("监测记录")
        verbose_name_plural = _("监测记录")
        ordering = ["-visited_on"]

    def __str__(self) -> str:
        return f"{self.project} {self.visited_on}"


class PeriodicReport(PublicIdModel, TimeStampedModel, VoidableModel):
    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("月度报告")
        QUARTERLY = "quarterly", _("季度报告")
        MIDTERM = "midterm", _("中期报告")
        FINAL = "final", _("结项报告")

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="reports")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    progress = models.TextField(_("进展与完成情况"))
    outcomes = models.TextField(_("成效"), blank=True)
    problems = models.TextField(_("问题与改进"), blank=True)
    next_steps = models.TextField(_("下一步计划"), blank=True)
    activities_held = models.PositiveIntegerField(_("开展活动次数"), default=0)
    direct_beneficiaries = models.PositiveIntegerField(_("直接受益人数"), default=0)
    person_times = models.PositiveIntegerField(_("服务人次"), default=0)
    indirect_beneficiaries = models.PositiveIntegerField(_("间接受益人数（估算）"), default=0)
    volunteers_involved = models.PositiveIntegerField(_("参与志愿者人数"), default=0)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目报告")
        verbose_name_plural = _("项目报告")
        ordering = ["period_start"]

    def __str__(self) -> str:
        return f"{self.project} {self.get_kind_display()} {self.period_end}"


class EvaluationStage(models.TextChoices):
    MIDTERM = "midterm", _("中期评估")
    FINAL = "final", _("终期评估")


class Evaluation(PublicIdModel, TimeStampedModel):
    """The mid-term (gates the next tranche) or final (gives the grade) evaluation of a project."""

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="evaluations")
    stage = models.CharField(_("阶段"), max_length=8, choices=EvaluationStage.choices)
    expert_score = models.DecimalField(_("专家评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    resident_score = models.DecimalField(_("居民评分"), max_digits=6, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("等级"), max_length=4, blank=True)
    passed = models.BooleanField(_("通过"))
    conclusion = models.TextField(_("评估结论"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评估决定人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("评估时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("项目评估")
        verbose_name_plural = _("项目评估")
        constraints = [models.UniqueConstraint(fields=["project", "stage"], name="evaluation_stage_unique")]

    def __str__(self) -> str:
        return f"{self.project} {self.get_stage_display()} {self.score}"
