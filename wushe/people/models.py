import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.identity import DocumentType, Sex
from wushe.core.models import RegistryRecord


class PopulationGroup(models.Model):
    """Tags such as 三留守 children, 空巢 elderly, 残障人士 (PRODUCT.md §Capabilities 3)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    is_sensitive = models.BooleanField(_("敏感个人信息"), default=False,
                                       help_text=_("健康、残障、特定身份等属于敏感个人信息。"))
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("人群类别")
        verbose_name_plural = _("人群类别")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Household(RegistryRecord):
    name = models.CharField(_("户名"), max_length=100, help_text=_("通常为户主姓名，如“张三户”。"))
    address = models.CharField(_("住址"), max_length=200, blank=True)
    head = models.ForeignKey("people.Resident", verbose_name=_("户主"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    notes = models.TextField(_("备注"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("家庭户")
        verbose_name_plural = _("家庭户")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def searchable_values(self) -> tuple:
        """What search_text is built from (wushe.core.text.build_search_text)."""
        return (self.name, self.address)


class ConsentBasis(models.TextChoices):
    CONSENT = "consent", _("本人同意")
    GUARDIAN_CONSENT = "guardian_consent", _("监护人同意（未满14周岁）")
    STATUTORY_DUTY = "statutory_duty", _("履行法定职责")
    NOT_RECORDED = "not_recorded", _("未记录")


class Resident(RegistryRecord):
    name = models.CharField(_("姓名"), max_length=50)
    document_type = models.CharField(_("证件类型"), max_length=16, choices=DocumentType.choices,
                                     default=DocumentType.RESIDENT_ID)
    id_number = models.CharField(_("证件号码"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    ethnicity = models.CharField(_("民族"), max_length=20, blank=True)
    phone = models.CharField(_("手机号"), max_length=11, blank=True)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    household = models.ForeignKey(Household, verbose_name=_("家庭户"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="members")
    relation_to_head = models.CharField(_("与户主关系"), max_length=20, blank=True)
    groups = models.ManyToManyField(PopulationGroup, verbose_name=_("人群类别"), blank=True, related_name="residents")
    consent_basis = models.CharField(_("信息处理依据"), max_length=20, choices=ConsentBasis.choices,
                                     default=ConsentBasis.NOT_RECORDED)
    notes = models.TextField(_("备注"), blank=True)
    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name=_("平台账号"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="resident")

    history = HistoricalRecords(m2m_fields=[groups])

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["region", "name"]), models.Index(fields=["phone"])]
        constraints = [
            models.UniqueConstraint(
                fields=["document_type", "id_number"],
                condition=Q(voided_at__isnull=True) & ~Q(id_number=""),
                name="resident_unique_document",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def searchable_values(self) -> tuple:
        """What search_text is built from (wushe.core.text.build_search_text)."""
        return (self.name, self.address)

    @property
    def age(self) -> int | None:
        """Age in full years today (None when the birth date is unknown)."""
        return age_on(self.birth_date, datetime.date.today())


def age_on(birth_date: datetime.date | None, day: datetime.date) -> int | None:
    if birth_date is None:
        return None
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
