from django.db.models import Q

from wushe.accounts.policy import Action, Resource, restrict

from .models import Region


def regions_visible_to(user, *, include_revoked: bool = False):
    regions = restrict(user, Resource.REGION, Region.objects.all(), Action.VIEW)
    return regions if include_revoked else regions.current()


def region_list(user, *, query: str = "", level: int | None = None, within: Region | None = None,
                include_revoked: bool = False):
    regions = regions_visible_to(user, include_revoked=include_revoked).select_related("parent")
    if within is not None:
        regions = regions.subtree_of(within)
    if level:
        regions = regions.filter(level=level)
    if query:
        regions = regions.filter(Q(name__icontains=query) | Q(code__startswith=query))
    return regions.order_by("code")


def region_subtree(region: Region, *, include_revoked: bool = False):
    regions = Region.objects.subtree_of(region)
    return regions if include_revoked else regions.current()
