"""Finding residents for sign-up and identity review, within what the viewer may see."""

from django.db.models import Q, QuerySet

from wushe.accounts.policy import Resource, restrict
from wushe.core.identity import validate_mobile
from wushe.people.models import Resident


def _street_residents(activity) -> QuerySet:
    area = activity.region.parent if activity.region.parent_id else activity.region
    low, high = area.code_range
    return Resident.objects.active().filter(region__code__gte=low, region__code__lte=high)


def resident_by_phone(user, activity, phone: str, name: str = ""):
    """The one visible resident of the activity's street with this phone (and name, when given)."""
    try:
        phone = validate_mobile(phone)
    except Exception:
        return None
    residents = restrict(user, Resource.RESIDENT, _street_residents(activity).filter(phone=phone))
    if name.strip():
        residents = residents.filter(name=name.strip())
    found = list(residents[:2])
    return found[0] if len(found) == 1 else None


def match_candidates(user, activity, *, name: str, phone: str) -> list:
    """Residents a pending walk-in could be: same phone or same name in the activity's street."""
    query = Q(phone=phone) if phone else Q(pk__in=[])
    if name:
        query |= Q(name=name)
    residents = restrict(user, Resource.RESIDENT, _street_residents(activity).filter(query))
    return list(residents.select_related("region").order_by("name", "id")[:10])
