"""The administrative-region tree with statistical division codes (统计用区划代码).

A 12-digit code encodes its own ancestry (province 2 + prefecture 2 + county 2 + township 3 + village 3),
so a subtree is one index-backed range over `code`: no recursive walks, no extra tree table.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from wushe.core.models import PublicIdModel, TimeStampedModel

# Number of significant leading digits of the code at each level.
LEVEL_DIGITS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    PREFECTURE = 2, _("市/州")
    COUNTY = 3, _("县/区")
    TOWNSHIP = 4, _("街道/乡镇")
    COMMUNITY = 5, _("社区/村")


class UrbanRuralClass(models.TextChoices):
    MAIN_CITY = "111", _("主城区")
    URBAN_FRINGE = "112", _("城乡接合区")
    TOWN_CENTRE = "121", _("镇中心区")
    TOWN_FRINGE = "122", _("镇乡接合区")
    SPECIAL_AREA = "123", _("特殊区域")
    TOWNSHIP_CENTRE = "210", _("乡中心区")
    VILLAGE = "220", _("村庄")


class RegionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(revoked_on__isnull=True)

    def subtree_of(self, region: "Region"):
        low, high = region.code_range
        return self.filter(code__gte=low, code__lte=high)


class Region(PublicIdModel, TimeStampedModel):
    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    level = models.PositiveSmallIntegerField(_("层级"), choices=Level.choices)
    parent = models.ForeignKey("self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    urban_rural_class = models.CharField(_("城乡分类"), max_length=3, choices=UrbanRuralClass.choices, blank=True)
    revoked_on = models.DateField(_("撤销日期"), null=True, blank=True)
    replaced_by = models.ForeignKey("self", verbose_name=_("继承区划"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="replaces")

    objects = RegionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return self.code[: LEVEL_DIGITS[self.level]]

    @property
    def code_range(self) -> tuple[str, str]:
        prefix = self.prefix
        return prefix.ljust(12, "0"), prefix.ljust(12, "9")

    @property
    def is_revoked(self) -> bool:
        return self.revoked_on is not None

    @property
    def township_kind(self) -> str:
        """街道 / 镇 / 乡 from the township digits (001–099, 100–199, 200–399)."""
        if self.level < Level.TOWNSHIP:
            return ""
        number = int(self.code[6:9])
        return "street" if number < 100 else "town" if number < 200 else "township"

    @property
    def committee_kind(self) -> str:
        """居委会 (001–199) or 村委会 (200–399) for a community-level code."""
        if self.level != Level.COMMUNITY:
            return ""
        return "residents" if int(self.code[9:12]) < 200 else "village"

    def ancestors(self):
        """Ancestors from the top down, read in one query by code prefix."""
        codes = [self.code[:digits].ljust(12, "0") for level, digits in LEVEL_DIGITS.items() if level < self.level]
        return Region.objects.filter(code__in=codes).order_by("level")

    def contains(self, other: "Region") -> bool:
        low, high = self.code_range
        return low <= other.code <= high


def level_for_code(code: str) -> int:
    """The deepest level whose digits are not all zero."""
    if code[9:12] != "000":
        return Level.COMMUNITY
    if code[6:9] != "000":
        return Level.TOWNSHIP
    if code[4:6] != "00":
        return Level.COUNTY
    if code[2:4] != "00":
        return Level.PREFECTURE
    return Level.PROVINCE


def parent_code_for(code: str) -> str | None:
    level = level_for_code(code)
    if level == Level.PROVINCE:
        return None
    return code[: LEVEL_DIGITS[level - 1]].ljust(12, "0")
