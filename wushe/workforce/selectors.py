"""Reads for the social-worker registry; every read takes the viewer and goes through the policy."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from wushe.accounts.policy import Action, Resource, may_ever, regions_for, restrict
from wushe.core.search import apply_search
from wushe.regions.models import Level, Region

from .models import CertificateLevel, Placement, SocialWorker


def socialworkers_visible_to(user, action: Action = Action.VIEW) -> QuerySet:
    return restrict(user, Resource.SOCIAL_WORKER, SocialWorker.objects.active(), action)


def in_region_subtree(queryset: QuerySet, region: Region) -> QuerySet:
    """Workers homed in the subtree or serving a community in it (each worker once)."""
    low, high = region.code_range
    serves = SocialWorker.communities.through.objects.filter(
        socialworker_id=OuterRef("pk"), region__code__gte=low, region__code__lte=high)
    return queryset.filter(Q(region__code__gte=low, region__code__lte=high) | Q(Exists(serves)))


def socialworker_list(user, *, query: str = "", certificate_level: str = "", placement: str = "",
                      community: Region | None = None, employer=None, within: Region | None = None) -> QuerySet:
    workers = socialworkers_visible_to(user)
    if within is not None:
        workers = in_region_subtree(workers, within)
    if certificate_level == "certified":
        workers = workers.exclude(certificate_level=CertificateLevel.NONE)
    elif certificate_level:
        workers = workers.filter(certificate_level=certificate_level)
    if placement:
        workers = workers.filter(placement=placement)
    if community is not None:
        workers = workers.filter(Exists(SocialWorker.communities.through.objects.filter(
            socialworker_id=OuterRef("pk"), region_id=community.pk)))
    if employer is not None:
        workers = workers.filter(employer=employer)
    workers = apply_search(workers, query)
    return (workers.select_related("region", "employer", "mentor")
            .prefetch_related("communities").order_by("name", "id"))


CERTIFIED = ~Q(certificate_level=CertificateLevel.NONE)
COMMUNITY_WORKER = Q(placement=Placement.COMMUNITY_WORKER)


def socialworker_counts(user, *, within: Region | None = None, placement: str = "") -> dict[str, int]:
    """Total and certified workers the viewer may see, optionally in a region subtree and one placement."""
    workers = socialworkers_visible_to(user)
    if within is not None:
        workers = in_region_subtree(workers, within)
    if placement:
        workers = workers.filter(placement=placement)
    # Aggregate over the primary keys: the policy filter may join (and repeat rows) for some roles.
    counts = SocialWorker.objects.filter(pk__in=workers.values("pk")).aggregate(
        total=Count("pk"), certified=Count("pk", filter=CERTIFIED))
    return {"total": counts["total"] or 0, "certified": counts["certified"] or 0}


def socialworker_overview(user, *, within: Region | None = None) -> dict[str, int]:
    """The list header in one query: all workers and community workers (社区工作者), each with the certified."""
    workers = socialworkers_visible_to(user)
    if within is not None:
        workers = in_region_subtree(workers, within)
    counts = SocialWorker.objects.filter(pk__in=workers.values("pk")).aggregate(
        total=Count("pk"), certified=Count("pk", filter=CERTIFIED),
        community_workers=Count("pk", filter=COMMUNITY_WORKER),
        community_workers_certified=Count("pk", filter=COMMUNITY_WORKER & CERTIFIED))
    return {key: value or 0 for key, value in counts.items()}


def socialworker_detail_queryset() -> QuerySet:
    """What `get_object_for` reads a single worker from (voided ones too: their page shows the void)."""
    return SocialWorker.objects.select_related("region", "employer", "mentor", "user", "voided_by")


def mentees_of(user, worker: SocialWorker) -> QuerySet:
    return socialworkers_visible_to(user).filter(mentor=worker).select_related("region").order_by("name", "id")


def community_choices(user, action: Action = Action.VIEW) -> QuerySet:
    """Community-level regions in the viewer's scope (filters and the served-communities picker)."""
    return regions_for(user, Resource.SOCIAL_WORKER, action).filter(level=Level.COMMUNITY).order_by("code")


def region_choices(user) -> QuerySet:
    """Regions a worker may be homed in by this actor."""
    return regions_for(user, Resource.SOCIAL_WORKER, Action.CHANGE).filter(level__gte=Level.COUNTY).order_by("code")


def employer_choices(user) -> QuerySet:
    """Organizations the viewer may see, as possible employers."""
    from wushe.orgs.models import Organization

    if not may_ever(user, Resource.ORGANIZATION):
        return Organization.objects.none()
    return restrict(user, Resource.ORGANIZATION, Organization.objects.active()).order_by("name", "id")


def employer_filter_choices(user) -> QuerySet:
    """Employers of the workers the viewer may see (list filter)."""
    from wushe.orgs.models import Organization

    return (Organization.objects.filter(pk__in=socialworkers_visible_to(user).filter(employer__isnull=False)
                                        .values("employer_id"))
            .order_by("name", "id"))


def mentor_choices(user, *, exclude: SocialWorker | None = None) -> QuerySet:
    workers = socialworkers_visible_to(user).order_by("name", "id")
    return workers.exclude(pk=exclude.pk) if exclude is not None else workers
