from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import PublicIdModel, TimeStampedModel, VoidableModel


class ReviewStage(models.TextChoices):
    APPLICATION = "application", _("立项评审")
    MIDTERM = "midterm", _("中期评估")
    FINAL = "final", _("终期评估")


class ReviewerAssignment(PublicIdModel, TimeStampedModel, VoidableModel):
    """An expert assigned to review one project at one stage; must declare no conflict before scoring."""

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="reviewer_assignments")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评审专家"), on_delete=models.PROTECT,
                                 related_name="review_assignments")
    stage = models.CharField(_("阶段"), max_length=12, choices=ReviewStage.choices, default=ReviewStage.APPLICATION)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("指派人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    conflict_declared_at = models.DateTimeField(_("利益冲突声明时间"), null=True, blank=True)
    has_conflict = models.BooleanField(_("存在利益冲突"), default=False)
    conflict_note = models.TextField(_("利益冲突说明"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评审指派")
        verbose_name_plural = _("评审指派")
        constraints = [
            models.UniqueConstraint(fields=["project", "reviewer", "stage"], condition=Q(voided_at__isnull=True),
                                    name="reviewer_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} · {self.project} · {self.get_stage_display()}"


class ExpertReview(PublicIdModel, TimeStampedModel):
    """Scores per criterion (keys from the round's `review_criteria`) with comments."""

    assignment = models.OneToOneField(ReviewerAssignment, verbose_name=_("评审指派"), on_delete=models.PROTECT,
                                      related_name="review")
    scores = models.JSONField(_("各项得分"), default=dict)
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2)
    comment = models.TextField(_("评审意见"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("专家评分")
        verbose_name_plural = _("专家评分")

    def __str__(self) -> str:
        return f"{self.assignment} {self.total}"


class VoteChallenge(TimeStampedModel):
    """A one-time code sent to a resident's registered phone to verify a resident-review vote."""

    resident = models.ForeignKey("people.Resident", verbose_name=_("居民"), on_delete=models.CASCADE,
                                 related_name="+")
    funding_round = models.ForeignKey("projects.FundingRound", verbose_name=_("资助轮次"), on_delete=models.CASCADE,
                                      related_name="+")
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("投票验证码")
        verbose_name_plural = _("投票验证码")


class BallotToken(PublicIdModel, TimeStampedModel):
    """A paper ballot token handed out at a roadshow: one token, one resident, one vote per application."""

    funding_round = models.ForeignKey("projects.FundingRound", verbose_name=_("资助轮次"), on_delete=models.PROTECT,
                                      related_name="ballot_tokens")
    community = models.ForeignKey("regions.Region", verbose_name=_("社区"), on_delete=models.PROTECT,
                                  related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    serial = models.CharField(_("票号"), max_length=20)
    issued_to = models.ForeignKey("people.Resident", verbose_name=_("领票居民"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发放人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("选票凭证")
        verbose_name_plural = _("选票凭证")

    def __str__(self) -> str:
        return self.serial


class ResidentVote(PublicIdModel, TimeStampedModel):
    """One verified resident's vote on one application (or a final-evaluation rating)."""

    class Method(models.TextChoices):
        PHONE_CODE = "phone_code", _("手机验证码")
        BALLOT_TOKEN = "ballot_token", _("现场选票凭证")
        ACCOUNT = "account", _("居民账号")

    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), on_delete=models.PROTECT,
                                related_name="resident_votes")
    stage = models.CharField(_("阶段"), max_length=12, choices=ReviewStage.choices, default=ReviewStage.APPLICATION)
    resident = models.ForeignKey("people.Resident", verbose_name=_("居民"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    ballot = models.ForeignKey(BallotToken, verbose_name=_("选票凭证"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="votes")
    community = models.ForeignKey("regions.Region", verbose_name=_("社区"), on_delete=models.PROTECT,
                                  related_name="+")
    method = models.CharField(_("验证方式"), max_length=16, choices=Method.choices)
    score = models.PositiveSmallIntegerField(_("评分"), help_text=_("支持=100；终期评估时为满意度 0–100。"))

    class Meta:
        verbose_name = _("居民投票")
        verbose_name_plural = _("居民投票")
        constraints = [
            models.UniqueConstraint(fields=["project", "stage", "resident"], condition=Q(resident__isnull=False),
                                    name="one_vote_per_resident"),
            models.UniqueConstraint(fields=["project", "stage", "ballot"], condition=Q(ballot__isnull=False),
                                    name="one_vote_per_ballot"),
        ]


class Objection(PublicIdModel, TimeStampedModel):
    """An objection filed during the publicity period (公示); must be answered before agreements."""

    funding_round = models.ForeignKey("projects.FundingRound", verbose_name=_("资助轮次"), on_delete=models.PROTECT,
                                      related_name="objections")
    project = models.ForeignKey("projects.Project", verbose_name=_("项目"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="objections")
    filer_name = models.CharField(_("提出人"), max_length=50)
    filer_contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    content = models.TextField(_("异议内容"))
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    upheld = models.BooleanField(_("异议成立"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.filer_name}: {self.content[:20]}"
