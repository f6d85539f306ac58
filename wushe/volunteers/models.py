import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.identity import DocumentType, Sex
from wushe.core.models import PublicIdModel, RegistryRecord, TimeStampedModel, VoidableModel

# Under this age a volunteer needs a guardian's consent (志愿服务条例; PIPL art. 31).
GUARDIAN_CONSENT_AGE = 14


def age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    """Age in full years on `day` (None when the birth date is unknown)."""
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class Volunteer(RegistryRecord):
    """A volunteer. The public identifier is `volunteer_number`, never the ID number (DOMAIN.md)."""

    volunteer_number = models.CharField(_("志愿者编号"), max_length=20, unique=True)
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    document_type = models.CharField(_("证件类型"), max_length=16, choices=DocumentType.choices,
                                     default=DocumentType.RESIDENT_ID)
    id_number = models.CharField(_("证件号码"), max_length=20, blank=True)
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    skills = models.CharField(_("技能特长"), max_length=200, blank=True)
    registered_on = models.DateField(_("注册日期"), null=True, blank=True)
    resident = models.ForeignKey("people.Resident", verbose_name=_("居民档案"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="volunteer_profiles")
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("平台账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="volunteer")
    # Under 14 a volunteer may serve only with a guardian's consent (志愿服务条例; PIPL art. 31).
    guardian_name = models.CharField(_("监护人姓名"), max_length=50, blank=True)
    guardian_phone = models.CharField(_("监护人手机号"), max_length=11, blank=True)
    guardian_consent_on = models.DateField(_("监护人同意日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["volunteer_number"]
        constraints = [
            models.UniqueConstraint(fields=["document_type", "id_number"],
                                    condition=Q(voided_at__isnull=True) & ~Q(id_number=""),
                                    name="volunteer_unique_document"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.volunteer_number}）"

    def searchable_values(self) -> tuple:
        """What search_text is built from (wushe.core.text.build_search_text)."""
        return (self.name, self.volunteer_number, self.skills)

    @property
    def age(self) -> int | None:
        return age_on(self.birth_date, datetime.date.today())

    @property
    def needs_guardian_consent(self) -> bool:
        age = self.age
        return age is not None and age < GUARDIAN_CONSENT_AGE

    @property
    def has_guardian_consent(self) -> bool:
        return bool(self.guardian_name and self.guardian_consent_on)


class Team(RegistryRecord):
    name = models.CharField(_("队伍名称"), max_length=100)
    organization = models.ForeignKey("orgs.Organization", verbose_name=_("所属组织"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="volunteer_teams")
    description = models.TextField(_("简介"), blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def searchable_values(self) -> tuple:
        """What search_text is built from (wushe.core.text.build_search_text)."""
        return (self.name,)


class TeamRole(models.TextChoices):
    LEADER = "leader", _("队长")
    CORE = "core", _("骨干")
    MEMBER = "member", _("队员")


class TeamMembership(PublicIdModel, TimeStampedModel, VoidableModel):
    team = models.ForeignKey(Team, verbose_name=_("队伍"), on_delete=models.PROTECT, related_name="memberships")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT,
                                  related_name="memberships")
    role = models.CharField(_("角色"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER)
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("队员")
        verbose_name_plural = _("队员")
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], condition=Q(voided_at__isnull=True),
                                    name="team_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.volunteer}"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已更正")
    REJECTED = "rejected", _("不予更正")


class HoursCorrection(PublicIdModel, TimeStampedModel):
    """A volunteer's request to correct one service record (志愿服务记录更正); only the organizer answers it,
    and only an accepted request changes the hours."""

    attendance = models.ForeignKey("activities.Attendance", verbose_name=_("服务记录"), on_delete=models.PROTECT,
                                   related_name="corrections")
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT,
                                  related_name="hours_corrections")
    minutes_before = models.PositiveIntegerField(_("原时长（分钟）"), null=True, blank=True)
    requested_minutes = models.PositiveIntegerField(_("申请更正为（分钟）"))
    reason = models.TextField(_("更正理由"))
    status = models.CharField(_("状态"), max_length=10, choices=CorrectionStatus.choices,
                              default=CorrectionStatus.PENDING, db_index=True)
    answer = models.TextField(_("处理意见"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    minutes_after = models.PositiveIntegerField(_("更正后时长（分钟）"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("时长更正申请")
        verbose_name_plural = _("时长更正申请")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["attendance"], condition=Q(status="pending"),
                                    name="hours_correction_one_pending"),
        ]


class ServiceRecordExtract(PublicIdModel, TimeStampedModel, VoidableModel):
    """志愿服务记录证明 as the organizer's own record extract (not the national system's certificate).

    The issuer is the organizing unit: an organization, or the community (region) when the activities had
    no organization. The public page verifies it by `number` and shows no ID number.
    """

    number = models.CharField(_("证明编号"), max_length=40, unique=True)
    volunteer = models.ForeignKey(Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT,
                                  related_name="record_extracts")
    region = models.ForeignKey("regions.Region", verbose_name=_("出具单位所在区划"), on_delete=models.PROTECT,
                               related_name="+")
    issuer_organization = models.ForeignKey("orgs.Organization", verbose_name=_("出具组织"), null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="record_extracts")
    issuer_name = models.CharField(_("出具单位"), max_length=120)
    person_in_charge = models.CharField(_("单位负责人"), max_length=50)
    handler_name = models.CharField(_("经办人"), max_length=50)
    contact = models.CharField(_("联系电话"), max_length=30)
    period_start = models.DateField(_("服务起始日期"))
    period_end = models.DateField(_("服务截止日期"))
    total_minutes = models.PositiveIntegerField(_("服务总时长（分钟）"))
    service_summary = models.TextField(_("服务内容"))
    issued_on = models.DateField(_("出具日期"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("出具人"), on_delete=models.PROTECT,
                                  related_name="+")
    attendances = models.ManyToManyField("activities.Attendance", verbose_name=_("所含服务记录"),
                                         related_name="record_extracts")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("志愿服务记录证明")
        verbose_name_plural = _("志愿服务记录证明")
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def total_hours(self):
        from decimal import Decimal

        return (Decimal(self.total_minutes) / 60).quantize(Decimal("0.1"))
