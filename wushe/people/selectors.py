"""Reads of the residents and households registry; every read takes the viewer and goes through the policy."""

import contextlib
import datetime
import re

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can, may_ever, regions_for, restrict, scope_q
from wushe.core.history import history_for
from wushe.core.identity import validate_mobile
from wushe.core.masking import mask_id_number, mask_phone
from wushe.core.search import apply_search
from wushe.regions.models import Level, Region

from .models import Household, PopulationGroup, Resident


class AgeBand:
    """Age bands for filtering: (code, label, lowest age, highest age inclusive)."""

    BANDS = [
        ("0-13", _("未满14周岁"), 0, 13),
        ("14-17", _("14–17周岁"), 14, 17),
        ("18-59", _("18–59周岁"), 18, 59),
        ("60-79", _("60–79周岁"), 60, 79),
        ("80+", _("80周岁及以上（高龄）"), 80, None),
    ]
    choices = [(code, label) for code, label, _low, _high in BANDS]

    @classmethod
    def birth_date_q(cls, code: str, today: datetime.date | None = None) -> Q | None:
        """Birth dates of people whose age today lies in the band; None for an unknown code."""
        band = next((b for b in cls.BANDS if b[0] == code), None)
        if band is None:
            return None
        today = today or datetime.date.today()
        _code, _label, low, high = band
        query = Q(birth_date__lte=_years_before(today, low))
        if high is not None:
            query &= Q(birth_date__gt=_years_before(today, high + 1))
        return query


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


STATUS_ACTIVE, STATUS_VOIDED = "active", "voided"
STATUS_CHOICES = [(STATUS_ACTIVE, _("在册")), (STATUS_VOIDED, _("已作废"))]


# --- identity visibility --------------------------------------------------------------------------------

def with_identity_flag(user, queryset: QuerySet) -> QuerySet:
    """Annotate `identity_visible`: may this viewer see the row's ID number and phone unmasked?"""
    if not may_ever(user, Resource.RESIDENT, Action.VIEW_IDENTITY):
        return queryset.annotate(identity_visible=Value(False, output_field=BooleanField()))
    scope = scope_q(user, Resource.RESIDENT, Action.VIEW_IDENTITY)
    if scope is None:
        return queryset.annotate(identity_visible=Value(True, output_field=BooleanField()))
    return queryset.annotate(identity_visible=Case(When(scope, then=Value(True)), default=Value(False),
                                                   output_field=BooleanField()))


def mark_identity(user, resident: Resident) -> Resident:
    """Set `identity_visible` on one resident fetched by `get_object_for`."""
    resident.identity_visible = can(user, Action.VIEW_IDENTITY, Resource.RESIDENT, resident)
    return resident


def shown_id_number(resident: Resident) -> str:
    """The ID number as this viewer may see it (masked unless `identity_visible` was set to True)."""
    return resident.id_number if getattr(resident, "identity_visible", False) else mask_id_number(resident.id_number)


def shown_phone(resident: Resident) -> str:
    return resident.phone if getattr(resident, "identity_visible", False) else mask_phone(resident.phone)


_DOCUMENT_LIKE = re.compile(r"[0-9A-Z()（）-]{5,20}")


def _identity_match(user, query: str) -> Q | None:
    """An exact ID-number or phone match, only within the viewer's VIEW_IDENTITY scope: a viewer who
    sees masked numbers must not be able to probe them by searching."""
    if not may_ever(user, Resource.RESIDENT, Action.VIEW_IDENTITY):
        return None
    compact = query.replace(" ", "").upper()
    match = Q(pk__in=[])
    if _DOCUMENT_LIKE.fullmatch(compact):
        match |= Q(id_number=compact)
    with contextlib.suppress(ValidationError):
        match |= Q(phone=validate_mobile(query))
    scope = scope_q(user, Resource.RESIDENT, Action.VIEW_IDENTITY)
    return match if scope is None else match & scope


# --- residents ------------------------------------------------------------------------------------------

def residents_visible_to(user, action: Action = Action.VIEW) -> QuerySet:
    """Residents (active and voided) the user may `action`."""
    return restrict(user, Resource.RESIDENT, Resident.objects.all(), action)


def resident_queryset() -> QuerySet:
    """Residents with what their pages show, for `get_object_for`."""
    return (Resident.objects.select_related("region", "household", "created_by", "voided_by")
            .prefetch_related(Prefetch("groups", queryset=PopulationGroup.objects.order_by("sort_order"))))


def resident_list(user, *, query: str = "", region: Region | str | None = None,
                  group: PopulationGroup | str | None = None, sex: str = "", age_band: str = "",
                  status: str = STATUS_ACTIVE, household: Household | None = None) -> QuerySet:
    """The residents the user may see, filtered, with groups prefetched and `identity_visible` annotated."""
    residents = residents_visible_to(user).select_related("region", "household").prefetch_related(
        Prefetch("groups", queryset=PopulationGroup.objects.order_by("sort_order")))
    residents = residents.voided() if status == STATUS_VOIDED else residents.active()
    residents = _in_region(residents, region)
    if group:
        residents = residents.filter(groups__code=group.code if isinstance(group, PopulationGroup) else group)
    if sex:
        residents = residents.filter(sex=sex)
    if age_band:
        band = AgeBand.birth_date_q(age_band)
        residents = residents.filter(band) if band is not None else residents.none()
    if household is not None:
        residents = residents.filter(household=household)
    query = (query or "").strip()
    if query:
        identity = _identity_match(user, query)
        found = apply_search(residents, query)
        residents = found | residents.filter(identity) if identity is not None else found
    return with_identity_flag(user, residents).order_by("name", "id")


def _in_region(queryset: QuerySet, region: Region | str | None) -> QuerySet:
    if not region:
        return queryset
    if isinstance(region, str):
        region = Region.objects.filter(code=region).first()
        if region is None:
            return queryset.none()
    low, high = region.code_range
    return queryset.filter(region__code__gte=low, region__code__lte=high)


def household_candidates(user, household: Household, query: str, limit: int = 10) -> list[Resident]:
    """Residents the user may add to `household`: active, in no household, matching the query."""
    if not (query or "").strip():
        return []
    residents = residents_visible_to(user, Action.CHANGE).active().filter(household__isnull=True)
    residents = _in_region(residents, household.region).select_related("region")
    return list(apply_search(residents, query).order_by("name", "id")[:limit])


def resident_history(user, resident: Resident) -> list[dict] | None:
    """The change history if the user may read it (ID numbers and phones masked as on the page)."""
    if not can(user, Action.HISTORY, Resource.RESIDENT, resident):
        return None
    entries = history_for(resident)
    if not getattr(resident, "identity_visible", False):
        masks = {str(Resident._meta.get_field("id_number").verbose_name): mask_id_number,
                 str(Resident._meta.get_field("phone").verbose_name): mask_phone}
        for entry in entries:
            for change in entry["changes"]:
                mask = masks.get(str(change["field"]))
                if mask:
                    change["old"], change["new"] = mask(change["old"]), mask(change["new"])
    return entries


def population_groups() -> QuerySet:
    return PopulationGroup.objects.order_by("sort_order", "code")


def community_choices(user, resource: Resource = Resource.RESIDENT, action: Action = Action.VIEW) -> QuerySet:
    """Current community-level regions inside the user's scope (choices for filters and pickers)."""
    return regions_for(user, resource, action).filter(level=Level.COMMUNITY).select_related("parent") \
        .order_by("code")


# --- households -----------------------------------------------------------------------------------------

def households_visible_to(user, action: Action = Action.VIEW) -> QuerySet:
    return restrict(user, Resource.HOUSEHOLD, Household.objects.all(), action)


def household_queryset() -> QuerySet:
    return Household.objects.select_related("region", "head", "created_by", "voided_by")


def household_list(user, *, query: str = "", region: Region | str | None = None,
                   status: str = STATUS_ACTIVE) -> QuerySet:
    households = households_visible_to(user).select_related("region", "head").annotate(
        member_count=Count("members", filter=Q(members__voided_at__isnull=True)))
    households = households.voided() if status == STATUS_VOIDED else households.active()
    households = _in_region(households, region)
    return apply_search(households, query).order_by("name", "id")


def household_members(user, household: Household) -> QuerySet:
    """Active members the user may see, head first, with `identity_visible` annotated."""
    members = residents_visible_to(user).active().filter(household=household).select_related("region") \
        .prefetch_related(Prefetch("groups", queryset=PopulationGroup.objects.order_by("sort_order")))
    members = with_identity_flag(user, members).annotate(
        is_head=Case(When(pk=household.head_id or 0, then=Value(True)), default=Value(False),
                     output_field=BooleanField()))
    return members.order_by("-is_head", "name", "id")


def household_history(user, household: Household) -> list[dict] | None:
    if not can(user, Action.HISTORY, Resource.HOUSEHOLD, household):
        return None
    return history_for(household)
