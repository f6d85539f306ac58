from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.identity import DocumentType, Sex
from wushe.core.models import RegistryRecord


class CertificateLevel(models.TextChoices):
    NONE = "none", _("无")
    ASSISTANT = "assistant", _("助理社会工作师")
    INTERMEDIATE = "intermediate", _("社会工作师")
    SENIOR = "senior", _("高级社会工作师")


class Placement(models.TextChoices):
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    AGENCY = "agency", _("机构社工")
    DISPATCHED = "dispatched", _("选派社工")
    LOCAL_TRAINEE = "local_trainee", _("在培本土社工")
    STATION = "station", _("社工站社工")


class SocialWorker(RegistryRecord):
    """A social worker or community worker. `region` is the home node (usually the street or station)."""

    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    document_type = models.CharField(_("证件类型"), max_length=16, choices=DocumentType.choices,
                                     default=DocumentType.RESIDENT_ID)
    id_number = models.CharField(_("证件号码"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    certificate_level = models.CharField(_("职业资格"), max_length=16, choices=CertificateLevel.choices,
                                         default=CertificateLevel.NONE)
    certificate_number = models.CharField(_("证书编号"), max_length=40, blank=True)
    certified_on = models.DateField(_("取证日期"), null=True, blank=True)
    placement = models.CharField(_("岗位类型"), max_length=20, choices=Placement.choices,
                                 default=Placement.COMMUNITY_WORKER)
    employer = models.ForeignKey("orgs.Organization", verbose_name=_("所在单位"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="social_workers")
    communities = models.ManyToManyField("regions.Region", verbose_name=_("服务社区"), blank=True,
                                         related_name="social_workers")
    mentor = models.ForeignKey("self", verbose_name=_("带教督导"), null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="mentees")
    started_on = models.DateField(_("从业日期"), null=True, blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("平台账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="social_worker")

    history = HistoricalRecords(m2m_fields=[communities])

    class Meta:
        verbose_name = _("社会工作者")
        verbose_name_plural = _("社会工作者")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["region", "certificate_level"])]
        constraints = [
            models.UniqueConstraint(fields=["document_type", "id_number"],
                                    condition=Q(voided_at__isnull=True) & ~Q(id_number=""),
                                    name="social_worker_unique_document"),
        ]

    def __str__(self) -> str:
        return self.name

    def searchable_values(self) -> tuple:
        """What search_text is built from (wushe.core.text.build_search_text)."""
        return (self.name, self.certificate_number)

    @property
    def is_certified(self) -> bool:
        return self.certificate_level != CertificateLevel.NONE
