"""Sign-up (报名) and attendance (签到): the source of person-times, unique persons and volunteer hours."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import PublicIdModel, TimeStampedModel, VoidableModel


class ParticipantRole(models.TextChoices):
    PARTICIPANT = "participant", _("参与居民")
    VOLUNTEER = "volunteer", _("志愿者")


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", _("已报名")
    CANCELLED = "cancelled", _("已取消")


class Registration(PublicIdModel, TimeStampedModel):
    """A resident's sign-up, or a volunteer recruited with a duty (志愿者角色/岗位)."""

    activity = models.ForeignKey("activities.Activity", verbose_name=_("活动"), on_delete=models.PROTECT,
                                 related_name="registrations")
    role = models.CharField(_("身份"), max_length=12, choices=ParticipantRole.choices)
    resident = models.ForeignKey("people.Resident", verbose_name=_("居民"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="activity_registrations")
    volunteer = models.ForeignKey("volunteers.Volunteer", verbose_name=_("志愿者"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="activity_registrations")
    duty = models.CharField(_("志愿岗位"), max_length=60, blank=True, help_text=_("如：签到引导、摄影、安全员。"))
    status = models.CharField(_("状态"), max_length=12, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.REGISTERED)
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "resident"],
                                    condition=Q(resident__isnull=False, status="registered"),
                                    name="registration_unique_resident"),
            models.UniqueConstraint(fields=["activity", "volunteer"],
                                    condition=Q(volunteer__isnull=False, status="registered"),
                                    name="registration_unique_volunteer"),
            models.CheckConstraint(condition=Q(resident__isnull=False) | Q(volunteer__isnull=False),
                                   name="registration_names_a_person"),
        ]


class AttendanceSource(models.TextChoices):
    QR = "qr", _("扫码签到")
    ROSTER = "roster", _("名单点名")
    BATCH = "batch", _("事后批量录入")


class MatchStatus(models.TextChoices):
    MATCHED = "matched", _("已匹配档案")
    PENDING = "pending", _("待审核")
    REJECTED = "rejected", _("已驳回")


class HoursStatus(models.TextChoices):
    UNCONFIRMED = "unconfirmed", _("待确认")
    CONFIRMED = "confirmed", _("已确认")


class Attendance(PublicIdModel, TimeStampedModel, VoidableModel):
    """One person at one session (one person-time, 人次). A person who scans twice keeps one row.

    A resident not yet registered signs in with name and phone: the row keeps `claimed_name` and
    `claimed_phone`, stays `pending` until staff match it to a record (or create one), and is counted as
    one person by its phone meanwhile.
    Volunteers' `service_minutes` are the actual service time on site (travel excluded); they count as
    volunteer hours only once the organizer has confirmed them.
    """

    session = models.ForeignKey("activities.ActivitySession", verbose_name=_("场次"), on_delete=models.PROTECT,
                                related_name="attendances")
    role = models.CharField(_("身份"), max_length=12, choices=ParticipantRole.choices,
                            default=ParticipantRole.PARTICIPANT)
    resident = models.ForeignKey("people.Resident", verbose_name=_("居民"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="attendances")
    volunteer = models.ForeignKey("volunteers.Volunteer", verbose_name=_("志愿者"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="attendances")
    claimed_name = models.CharField(_("登记姓名"), max_length=50, blank=True)
    claimed_phone = models.CharField(_("登记手机号"), max_length=11, blank=True)
    match_status = models.CharField(_("身份核验"), max_length=10, choices=MatchStatus.choices,
                                    default=MatchStatus.MATCHED, db_index=True)
    source = models.CharField(_("记录方式"), max_length=10, choices=AttendanceSource.choices)
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    signed_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    service_minutes = models.PositiveIntegerField(_("服务时长（分钟）"), null=True, blank=True)
    hours_status = models.CharField(_("时长状态"), max_length=12, choices=HoursStatus.choices,
                                    default=HoursStatus.UNCONFIRMED)
    hours_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("时长确认人"), null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="+")
    hours_confirmed_at = models.DateTimeField(_("时长确认时间"), null=True, blank=True)
    service_content = models.CharField(_("服务内容"), max_length=200, blank=True)
    evaluation = models.CharField(_("服务评价"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")
        ordering = ["session", "signed_in_at", "id"]
        indexes = [models.Index(fields=["volunteer", "hours_status"]), models.Index(fields=["resident"])]
        constraints = [
            models.UniqueConstraint(fields=["session", "resident"],
                                    condition=Q(voided_at__isnull=True, resident__isnull=False),
                                    name="attendance_unique_resident"),
            models.UniqueConstraint(fields=["session", "volunteer"],
                                    condition=Q(voided_at__isnull=True, volunteer__isnull=False),
                                    name="attendance_unique_volunteer"),
            models.UniqueConstraint(fields=["session", "claimed_phone"],
                                    condition=Q(voided_at__isnull=True, resident__isnull=True,
                                                volunteer__isnull=True) & ~Q(claimed_phone=""),
                                    name="attendance_unique_claimed_phone"),
            models.CheckConstraint(condition=Q(resident__isnull=False) | Q(volunteer__isnull=False)
                                   | ~Q(claimed_phone=""), name="attendance_names_a_person"),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.person_name}"

    @property
    def person_name(self) -> str:
        if self.volunteer_id:
            return self.volunteer.name
        if self.resident_id:
            return self.resident.name
        return self.claimed_name

    @property
    def service_hours(self):
        from decimal import Decimal

        if self.service_minutes is None:
            return None
        return (Decimal(self.service_minutes) / 60).quantize(Decimal("0.1"))
