"""Case work (个案工作, MZ/T 094-2017): intake → assessment → plan → intervention → evaluation → closing,
with the not-accepted and referral branches and follow-up after closing.

Case records are sensitive personal information: only the case's workers, their supervisor and explicit
grants may read them (wushe/accounts/policy.py, Resource.CASE); every read is written to `CaseReadLog`;
narrative fields are encrypted at rest (`EncryptedTextField`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.crypto import EncryptedTextField
from wushe.core.models import PublicIdModel, RegistryRecord, TimeStampedModel, VoidableModel
from wushe.people.models import ConsentBasis


class CaseStatus(models.TextChoices):
    INTAKE = "intake", _("接案")
    ASSESSMENT = "assessment", _("预估")
    PLAN = "plan", _("计划")
    INTERVENTION = "intervention", _("介入")
    EVALUATION = "evaluation", _("评估")
    CLOSED = "closed", _("结案")
    NOT_ACCEPTED = "not_accepted", _("不接案")
    REFERRED = "referred", _("已转介")


# The steps of the standard, in order; the branches end a case outside this line.
STEP_ORDER = [CaseStatus.INTAKE, CaseStatus.ASSESSMENT, CaseStatus.PLAN, CaseStatus.INTERVENTION,
              CaseStatus.EVALUATION, CaseStatus.CLOSED]
OPEN_STATUSES = {CaseStatus.INTAKE, CaseStatus.ASSESSMENT, CaseStatus.PLAN, CaseStatus.INTERVENTION,
                 CaseStatus.EVALUATION}


class ClientSource(models.TextChoices):
    SELF = "self", _("主动求助")
    REFERRED = "referred", _("他人/机构转介")
    OUTREACH = "outreach", _("外展发现")


class ClosingReason(models.TextChoices):
    GOAL_REACHED = "goal_reached", _("服务目标达成")
    CLIENT_WITHDREW = "client_withdrew", _("服务对象主动退出")
    UNREACHABLE = "unreachable", _("客观原因无法继续（转介）")
    ROLE_CHANGE = "role_change", _("社工或服务对象角色变化")


class Case(RegistryRecord):
    """`region` is the client's community. `case_number` is the agency's file number."""

    case_number = models.CharField(_("个案编号"), max_length=40, unique=True)
    client = models.ForeignKey("people.Resident", verbose_name=_("服务对象"), on_delete=models.PROTECT,
                               related_name="cases")
    status = models.CharField(_("阶段"), max_length=14, choices=CaseStatus.choices, default=CaseStatus.INTAKE,
                              db_index=True)
    source = models.CharField(_("个案来源"), max_length=10, choices=ClientSource.choices)
    referral_source = models.CharField(_("转介来源"), max_length=120, blank=True)
    voluntary = models.BooleanField(_("自愿求助"), default=True,
                                    help_text=_("非自愿服务对象（如法院、学校要求）请取消勾选。"))
    intake_on = models.DateField(_("接案日期"))
    presenting_problem = EncryptedTextField(_("求助问题"))
    background = EncryptedTextField(_("背景资料"), blank=True)
    consent_basis = models.CharField(_("信息处理依据"), max_length=20, choices=ConsentBasis.choices)
    consent_recorded_on = models.DateField(_("同意记录日期"), null=True, blank=True)
    guardian_name = models.CharField(_("监护人姓名"), max_length=50, blank=True)
    guardian_relation = models.CharField(_("监护人关系"), max_length=20, blank=True)
    risk_level = models.CharField(_("风险等级"), max_length=8, blank=True,
                                  choices=[("low", _("低")), ("medium", _("中")), ("high", _("高"))])
    suspected_minor_harm = models.BooleanField(_("疑似未成年人受侵害"), default=False)
    not_accepted_reason = models.TextField(_("不接案原因"), blank=True)
    closing_reason = models.CharField(_("结案原因"), max_length=16, choices=ClosingReason.choices, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["presenting_problem", "background"])

    class Meta:
        verbose_name = _("个案")
        verbose_name_plural = _("个案")
        ordering = ["-intake_on", "-id"]
        indexes = [models.Index(fields=["region", "status"])]

    def __str__(self) -> str:
        return self.case_number

    def searchable_values(self) -> tuple:
        """Only the file number: client names are not indexed in the case table."""
        return (self.case_number,)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CaseWorkerRole(models.TextChoices):
    LEAD = "lead", _("主责社工")
    CO = "co", _("协同社工")


class CaseWorker(TimeStampedModel):
    """A worker on the case. Ending an assignment (`ended_at`) ends that worker's access."""

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="assignments")
    worker = models.ForeignKey("workforce.SocialWorker", verbose_name=_("社工"), on_delete=models.PROTECT,
                               related_name="case_assignments")
    role = models.CharField(_("角色"), max_length=8, choices=CaseWorkerRole.choices, default=CaseWorkerRole.LEAD)
    started_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("个案社工")
        verbose_name_plural = _("个案社工")
        constraints = [
            models.UniqueConstraint(fields=["case", "worker"], condition=Q(ended_at__isnull=True),
                                    name="case_worker_unique_active"),
        ]


class RecordKind(models.TextChoices):
    INTAKE = "intake", _("接案记录")
    ASSESSMENT = "assessment", _("预估记录")
    PLAN = "plan", _("服务计划")
    INTERVENTION = "intervention", _("介入记录")
    EVALUATION = "evaluation", _("评估记录")
    CLOSING = "closing", _("结案记录")
    NOT_ACCEPTED = "not_accepted", _("不接案记录")
    REFERRAL = "referral", _("转介记录")
    FOLLOW_UP = "follow_up", _("跟进记录")


class CaseRecord(PublicIdModel, TimeStampedModel, VoidableModel):
    """A dated record of one step by a worker; a supervisor may review or sign it off."""

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="records")
    kind = models.CharField(_("记录类型"), max_length=14, choices=RecordKind.choices)
    recorded_on = models.DateField(_("记录日期"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT,
                               related_name="+")
    content = EncryptedTextField(_("内容"))
    supervisor_comment = models.TextField(_("督导意见"), blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("督导"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(_("审阅时间"), null=True, blank=True)
    signed_off = models.BooleanField(_("督导签核"), default=False)

    class Meta:
        verbose_name = _("个案记录")
        verbose_name_plural = _("个案记录")
        ordering = ["recorded_on", "id"]


class GoalStatus(models.TextChoices):
    OPEN = "open", _("进行中")
    ACHIEVED = "achieved", _("已达成")
    PARTLY = "partly", _("部分达成")
    NOT_ACHIEVED = "not_achieved", _("未达成")


class CaseGoal(PublicIdModel, TimeStampedModel, VoidableModel):
    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="goals")
    description = models.CharField(_("服务目标"), max_length=300)
    measure = models.CharField(_("衡量方式"), max_length=300, blank=True)
    status = models.CharField(_("达成情况"), max_length=14, choices=GoalStatus.choices, default=GoalStatus.OPEN)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("服务目标")
        verbose_name_plural = _("服务目标")
        ordering = ["created_at", "id"]


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("待回复")
    ACCEPTED = "accepted", _("已接收")
    DECLINED = "declined", _("已拒绝")


class CaseReferral(PublicIdModel, TimeStampedModel):
    """A referral (转介) to another worker on the platform, or to an outside agency whose answer the
    case worker records."""

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="referrals")
    to_worker = models.ForeignKey("workforce.SocialWorker", verbose_name=_("转介至社工"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="incoming_referrals")
    to_agency = models.CharField(_("转介至机构"), max_length=120, blank=True)
    reason = models.TextField(_("转介原因"))
    status = models.CharField(_("状态"), max_length=10, choices=ReferralStatus.choices,
                              default=ReferralStatus.PENDING, db_index=True)
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("转介人"), on_delete=models.PROTECT,
                                    related_name="+")
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("回复人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    answer_note = models.TextField(_("回复说明"), blank=True)
    status_before = models.CharField(max_length=14, choices=CaseStatus.choices, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("转介")
        verbose_name_plural = _("转介")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(to_worker__isnull=False) | ~Q(to_agency=""),
                                   name="referral_names_a_receiver"),
            models.UniqueConstraint(fields=["case"], condition=Q(status="pending"),
                                    name="referral_one_pending_per_case"),
        ]


class CaseFollowUp(PublicIdModel, TimeStampedModel, VoidableModel):
    """A follow-up (后追) scheduled after closing; done when its record is written."""

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="follow_ups")
    due_on = models.DateField(_("计划跟进日期"), db_index=True)
    done_on = models.DateField(_("实际跟进日期"), null=True, blank=True)
    record = models.OneToOneField(CaseRecord, verbose_name=_("跟进记录"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="follow_up")
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("安排人"), on_delete=models.PROTECT,
                                     related_name="+")

    class Meta:
        verbose_name = _("结案跟进")
        verbose_name_plural = _("结案跟进")
        ordering = ["due_on", "id"]


class CaseAccessGrant(PublicIdModel, TimeStampedModel):
    """An explicit grant to read a case (e.g. a second supervisor or an auditor), with a reason and an end."""

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="grants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("被授权人"), on_delete=models.PROTECT,
                             related_name="case_grants")
    reason = models.CharField(_("授权原因"), max_length=200)
    expires_on = models.DateField(_("有效期至"))
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("授权人"), on_delete=models.PROTECT,
                                   related_name="+")
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("个案查阅授权")
        verbose_name_plural = _("个案查阅授权")
        ordering = ["-created_at"]


class CaseReadLog(models.Model):
    """Every read of a case or of one of its records: who, when, which record, through which channel."""

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="read_log")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("查阅人"), on_delete=models.PROTECT,
                               related_name="+")
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    what = models.CharField(_("查阅内容"), max_length=80)
    channel = models.CharField(_("途径"), max_length=8, choices=[("page", _("页面")), ("api", _("接口")),
                                                                  ("export", _("导出"))])

    class Meta:
        verbose_name = _("个案查阅记录")
        verbose_name_plural = _("个案查阅记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["case", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.reader} {self.what}"


class ReportAuthority(models.TextChoices):
    POLICE = "police", _("公安机关")
    CIVIL_AFFAIRS = "civil_affairs", _("民政部门")
    EDUCATION = "education", _("教育部门")


class MandatoryReportStatus(models.TextChoices):
    TO_REPORT = "to_report", _("待报告")
    REPORTED = "reported", _("已报告")
    CLOSED = "closed", _("已办结")


class MandatoryReport(PublicIdModel, TimeStampedModel):
    """强制报告 (未成年人保护法 art. 11): opened when a case is flagged for suspected harm to a minor and
    tracked until the authority's handling is recorded."""

    case = models.ForeignKey(Case, verbose_name=_("个案"), on_delete=models.PROTECT, related_name="mandatory_reports")
    status = models.CharField(_("状态"), max_length=10, choices=MandatoryReportStatus.choices,
                              default=MandatoryReportStatus.TO_REPORT, db_index=True)
    concern = EncryptedTextField(_("疑似侵害情况"))
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发现人"), on_delete=models.PROTECT,
                                   related_name="+")
    authority = models.CharField(_("报告对象"), max_length=14, choices=ReportAuthority.choices, blank=True)
    reported_at = models.DateTimeField(_("报告时间"), null=True, blank=True)
    receipt_reference = models.CharField(_("受理回执/编号"), max_length=80, blank=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报告人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    outcome = models.TextField(_("处理结果"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["concern"])

    class Meta:
        verbose_name = _("强制报告")
        verbose_name_plural = _("强制报告")
        ordering = ["-created_at"]
