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
