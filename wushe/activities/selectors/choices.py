"""Choices for the activity forms, scoped to the viewer."""

from django.db.models import Q, QuerySet

from wushe.accounts.policy import Action, Resource, _object_ids, regions_for
from wushe.accounts.roles import Role
from wushe.regions.models import Region


def activity_region_choices(user) -> QuerySet:
    """Current regions where the user may organize: region roles, plus a leader's organizations' regions."""
    regions = regions_for(user, Resource.ACTIVITY, Action.CHANGE)
    led = _object_ids(user, Role.ORG_LEADER, "organization") if getattr(user, "is_authenticated", False) else []
    if led:
        from wushe.orgs.models import Organization

        regions = Region.objects.current().filter(
            Q(pk__in=regions.values("pk")) | Q(pk__in=Organization.objects.filter(pk__in=led).values("region")))
    return regions.order_by("code")


def filter_region_choices(user) -> QuerySet:
    """Regions offered in the list filter: communities within the viewer's region roles."""
    return regions_for(user, Resource.ACTIVITY, Action.VIEW).filter(level__gte=4).order_by("code")[:200]
