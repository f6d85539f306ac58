"""Reads of the needs register and of focus groups / interviews; every one takes the viewer.

"Uncovered" (无项目回应) means: status open and no active project link.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from wushe.accounts import policy
from wushe.accounts.policy import Action, Resource
from wushe.accounts.roles import Role
from wushe.core.search import apply_search
from wushe.people.models import PopulationGroup
from wushe.projects.models import Project
from wushe.regions.models import Level, Region

from ..models import (
    Engagement,
    EngagementKind,
    Need,
    NeedCategory,
    NeedPriority,
    NeedProjectLink,
    NeedSource,
    NeedStatus,
)
from ..services.needs import CLOSED_PROJECT_STATUSES

TRUE_VALUES = {"1", "true", "yes", "on"}


@dataclass
class NeedFilters:
    region: Region | None = None  # a community, or an area: every community inside it
    category: str = ""
    status: str = ""
    priority: str = ""
    population_group: PopulationGroup | None = None
    source: str = ""
    query: str = ""
    uncovered: bool = False
    include_voided: bool = False

    @classmethod
    def from_params(cls, params: Mapping) -> NeedFilters:
        """Parse query parameters (a page's GET or the API's); unknown values are ignored, not errors."""
        def choice(name, choices):
            value = (params.get(name) or "").strip()
            return value if value in choices.values else ""

        region = Region.objects.filter(code=params["region"]).first() if params.get("region") else None
        group = (PopulationGroup.objects.filter(code=params["group"]).first() if params.get("group") else None)
        return cls(region=region, category=choice("category", NeedCategory), status=choice("status", NeedStatus),
                   priority=choice("priority", NeedPriority), population_group=group,
                   source=choice("source", NeedSource), query=(params.get("q") or "").strip(),
                   uncovered=str(params.get("uncovered") or "").lower() in TRUE_VALUES)


def _active_links() -> QuerySet:
    return NeedProjectLink.objects.filter(voided_at__isnull=True)


def uncovered_q() -> Q:
    return Q(status=NeedStatus.OPEN) & ~Exists(_active_links().filter(need=OuterRef("pk")))


def _within(queryset: QuerySet, region: Region | None) -> QuerySet:
    if region is None:
        return queryset
    low, high = region.code_range
    return queryset.filter(region__code__gte=low, region__code__lte=high)


def visible_needs(viewer, action: Action = Action.VIEW, *, include_voided: bool = False) -> QuerySet:
    queryset = Need.objects.all() if include_voided else Need.objects.active()
    return policy.restrict(viewer, Resource.NEED, queryset, action)


def needs_for(viewer, filters: NeedFilters | None = None) -> QuerySet[Need]:
    """The register as the viewer may see it, filtered; each row carries its active project links."""
    filters = filters or NeedFilters()
    needs = _within(visible_needs(viewer, include_voided=filters.include_voided), filters.region)
    for name in ("category", "status", "priority", "source"):
        if getattr(filters, name):
            needs = needs.filter(**{name: getattr(filters, name)})
    if filters.population_group is not None:
        needs = needs.filter(population_group=filters.population_group)
    if filters.uncovered:
        needs = needs.filter(uncovered_q())
    if filters.query:
        needs = apply_search(needs, filters.query)
    links = _active_links().select_related("project").order_by("id")
    return (needs.select_related("region", "population_group")
            .prefetch_related(Prefetch("project_links", queryset=links, to_attr="active_links"))
            .order_by("region__code", "-identified_on", "-id"))


def _detail_queryset() -> QuerySet:
    return Need.objects.select_related("region", "population_group", "survey", "engagement", "created_by",
                                       "voided_by")


def get_need(viewer, public_id, *, action: Action = Action.VIEW) -> Need:
    """404 when hidden from the viewer, 403 when seen but `action` is not allowed."""
    return policy.get_object_for(viewer, Resource.NEED, _detail_queryset(), action=action, public_id=public_id)


def links_of(need: Need) -> list[NeedProjectLink]:
    return list(_active_links().filter(need=need).select_related("project", "project__region", "project__implementer",
                                                                 "linked_by").order_by("id"))


def get_link(need: Need, project_public_id) -> NeedProjectLink:
    link = (_active_links().filter(need=need, project__public_id=project_public_id)
            .select_related("need", "need__region", "project", "project__region").first())
    if link is None:
        raise Http404
    return link


def needs_for_project(viewer, project: Project) -> QuerySet[Need]:
    """The needs a project answers (active links), as far as the viewer may see the register."""
    answered = _active_links().filter(project=project).values("need_id")
    return (visible_needs(viewer).filter(pk__in=answered).select_related("region", "population_group")
            .order_by("status", "-identified_on", "-id"))


def linkable_projects(viewer, need: Need) -> QuerySet[Project]:
    """Projects the viewer may link to the need: visible, of its community or a region containing it, not
    voided, refused or terminated, not linked yet; only their own projects when they cannot change the need."""
    from wushe.projects.selectors.projects import projects_visible_to

    region = need.region
    codes = [region.code[:digits].ljust(12, "0") for level, digits in _level_digits() if level <= region.level]
    action = Action.VIEW if policy.can(viewer, Action.CHANGE, Resource.NEED, need) else Action.CHANGE
    linked = _active_links().filter(need=need).values("project_id")
    return (projects_visible_to(viewer, action).filter(region__code__in=codes)
            .exclude(status__in=CLOSED_PROJECT_STATUSES).exclude(pk__in=linked)
            .select_related("funding_round").order_by("-created_at", "-id"))


def _level_digits():
    from wushe.regions.models import LEVEL_DIGITS

    return LEVEL_DIGITS.items()


# Uncovered needs per community ---------------------------------------------------------------------------

@dataclass
class CommunityNeeds:
    community: Region
    by_status: dict[str, int] = field(default_factory=dict)
    uncovered: int = 0
    uncovered_by_category: dict[str, int] = field(default_factory=dict)
    uncovered_by_priority: dict[str, int] = field(default_factory=dict)
    category_cells: list[int] = field(default_factory=list)  # uncovered per category column of the table

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def status_counts(self) -> list[int]:
        return [self.by_status.get(value, 0) for value in NeedStatus.values]

    def priority_counts(self) -> list[int]:
        return [self.uncovered_by_priority.get(value, 0) for value in NeedPriority.values]

    def category_counts(self, categories: list[str]) -> list[int]:
        return [self.uncovered_by_category.get(value, 0) for value in categories]


@dataclass
class UncoveredSummary:
    region: Region
    rows: list[CommunityNeeds]
    # Categories with at least one uncovered need, in the choices' order (the table's columns).
    categories: list[tuple[str, str]]
    totals: CommunityNeeds

    @property
    def category_values(self) -> list[str]:
        return [value for value, _label in self.categories]


def uncovered_region_choices(viewer) -> QuerySet[Region]:
    """Areas the viewer may open the uncovered view for: the districts, streets and communities within their
    region roles, and an organization leader's communities."""
    roles = policy.roles_of(viewer) & policy.allowed_roles(Resource.NEED, Action.VIEW)
    regions = Region.objects.current().filter(level__gte=Level.COUNTY)
    if Role.PLATFORM_ADMIN in roles:
        return regions.order_by("code")
    query = Q(pk__in=[])
    for low, high in policy.region_ranges(viewer, roles):
        query |= Q(code__gte=low, code__lte=high)
    if Role.ORG_LEADER in roles:
        query |= Q(pk__in=policy._organization_regions(viewer))
    return regions.filter(query).order_by("code")


def get_uncovered_region(viewer, code: str) -> Region:
    region = uncovered_region_choices(viewer).filter(code=code).first()
    if region is None:
        raise Http404
    return region


def default_uncovered_region(viewer) -> Region | None:
    """The viewer's widest area (their first region role, or their organization's community)."""
    return uncovered_region_choices(viewer).order_by("level", "code").first()


def uncovered_summary(viewer, region: Region) -> UncoveredSummary:
    """Per community of `region` the viewer sees: needs by status, and the uncovered ones by category and
    priority. Three queries whatever the number of communities."""
    needs = _within(visible_needs(viewer), region)
    reachable = Q(pk__in=needs.values("region_id")) | Q(pk__in=uncovered_region_choices(viewer).values("pk"))
    communities = list(Region.objects.subtree_of(region).filter(level=Level.COMMUNITY)
                       .filter(reachable).order_by("code"))
    rows = {c.pk: CommunityNeeds(community=c) for c in communities}
    for region_id, status, count in needs.order_by().values_list("region_id", "status").annotate(n=Count("pk")):
        if region_id in rows:
            rows[region_id].by_status[status] = count
    uncovered = needs.filter(uncovered_q()).order_by().values_list("region_id", "category", "priority")
    totals = CommunityNeeds(community=region)
    for region_id, category, priority, count in uncovered.annotate(n=Count("pk")):
        row = rows.get(region_id)
        if row is None:
            continue
        for target in (row, totals):
            target.uncovered += count
            target.uncovered_by_category[category] = target.uncovered_by_category.get(category, 0) + count
            target.uncovered_by_priority[priority] = target.uncovered_by_priority.get(priority, 0) + count
    for row in rows.values():
        for status, count in row.by_status.items():
            totals.by_status[status] = totals.by_status.get(status, 0) + count
    categories = [(value, label) for value, label in NeedCategory.choices if value in totals.uncovered_by_category]
    for row in [*rows.values(), totals]:
        row.category_cells = row.category_counts([value for value, _label in categories])
    return UncoveredSummary(region=region, rows=list(rows.values()), categories=categories, totals=totals)


def uncovered_needs(viewer, region: Region) -> QuerySet[Need]:
    """The uncovered needs of the area, high priority first."""
    priority_order = {value: index for index, value in enumerate(NeedPriority.values)}
    from django.db.models import Case, IntegerField, Value, When

    rank = Case(*[When(priority=value, then=Value(index)) for value, index in priority_order.items()],
                default=Value(len(priority_order)), output_field=IntegerField())
    return (_within(visible_needs(viewer), region).filter(uncovered_q())
            .select_related("region", "population_group").annotate(priority_rank=rank)
            .order_by("region__code", "priority_rank", "-identified_on", "-id"))


# Focus groups and interviews -----------------------------------------------------------------------------

@dataclass
class EngagementFilters:
    region: Region | None = None
    kind: str = ""
    query: str = ""

    @classmethod
    def from_params(cls, params: Mapping) -> EngagementFilters:
        region = Region.objects.filter(code=params["region"]).first() if params.get("region") else None
        kind = (params.get("kind") or "").strip()
        return cls(region=region, kind=kind if kind in EngagementKind.values else "",
                   query=(params.get("q") or "").strip())


def engagements_for(viewer, filters: EngagementFilters | None = None, *,
                    action: Action = Action.VIEW) -> QuerySet[Engagement]:
    filters = filters or EngagementFilters()
    engagements = _within(policy.restrict(viewer, Resource.NEED, Engagement.objects.active(), action),
                          filters.region)
    if filters.kind:
        engagements = engagements.filter(kind=filters.kind)
    if filters.query:
        engagements = apply_search(engagements, filters.query)
    return (engagements.select_related("region", "facilitator")
            .annotate(need_count=Count("needs", filter=Q(needs__voided_at__isnull=True)))
            .order_by("-held_on", "-id"))


def get_engagement(viewer, public_id, *, action: Action = Action.VIEW) -> Engagement:
    queryset = Engagement.objects.select_related("region", "facilitator", "survey", "created_by", "voided_by")
    return policy.get_object_for(viewer, Resource.NEED, queryset, action=action, public_id=public_id)


def needs_of_engagement(viewer, engagement: Engagement) -> QuerySet[Need]:
    return (visible_needs(viewer).filter(engagement=engagement).select_related("region", "population_group")
            .order_by("-id"))


def community_choices(viewer) -> QuerySet[Region]:
    """Current communities in which the viewer may register needs and engagements."""
    return policy.regions_for(viewer, Resource.NEED, Action.CHANGE).filter(level=Level.COMMUNITY).order_by("code")


def filter_region_choices(viewer) -> QuerySet[Region]:
    """Streets and communities offered in the list filters."""
    return uncovered_region_choices(viewer).filter(level__gte=Level.TOWNSHIP)[:200]


def facilitator_choices(viewer, engagement: Engagement | None = None):
    """Platform users who may lead a focus group: the viewer and staff holding a register role in the
    viewer's area (plus the current facilitator when editing)."""
    from wushe.accounts.models import RoleAssignment, User

    roles = policy.allowed_roles(Resource.NEED, Action.CHANGE)
    ranges = policy.region_ranges(viewer, policy.roles_of(viewer) & roles)
    query = Q(pk=viewer.pk)
    if engagement is not None and engagement.facilitator_id:
        query |= Q(pk=engagement.facilitator_id)
    in_area = Q(pk__in=[])
    for low, high in ranges:
        in_area |= Q(region__code__gte=low, region__code__lte=high)
    if policy.is_platform_admin(viewer):
        in_area = Q(region__isnull=False)
    staff = RoleAssignment.objects.active().filter(role__in=[r.value for r in roles]).filter(in_area)
    query |= Q(pk__in=staff.values("user_id"))
    return User.objects.filter(query, is_active=True).order_by("display_name", "username")


def linkable_needs(viewer, project: Project) -> QuerySet[Need]:
    """Needs of the project's area the viewer may link to it (from the project page): visible, not met or
    voided, not linked to it yet. Empty when the viewer may change neither the project nor any need."""
    if project.is_voided or project.status in CLOSED_PROJECT_STATUSES:
        return Need.objects.none()
    may_change_project = policy.can(viewer, Action.CHANGE, Resource.PROJECT, project)
    needs = visible_needs(viewer, Action.VIEW if may_change_project else Action.CHANGE)
    region = Region.objects.get(pk=project.region_id)
    low, high = region.code_range
    linked = _active_links().filter(project=project).values("need_id")
    return (needs.filter(region__code__gte=low, region__code__lte=high).exclude(status=NeedStatus.MET)
            .exclude(pk__in=linked).select_related("region").order_by("region__code", "status", "-identified_on"))
