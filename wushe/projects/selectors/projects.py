"""Reads for applications and projects. Every list starts from `projects_visible_to(viewer)`; the pickers
of the application form (applicant, implementer, lead worker, community, volunteers) live here too."""

from django.db.models import BooleanField, Case, QuerySet, Value, When

from wushe.accounts.policy import Action, Resource, can, may_ever, regions_for, restrict, roles_of, scope_q
from wushe.accounts.roles import Role
from wushe.core.masking import mask_phone
from wushe.core.search import apply_search
from wushe.orgs.models import Organization
from wushe.regions.models import Level, Region
from wushe.workforce.models import SocialWorker

from ..models import FundingRound, Project, RoundStatus


def projects_visible_to(user, action: Action = Action.VIEW, *, include_voided: bool = False) -> QuerySet:
    projects = restrict(user, Resource.PROJECT, Project.objects.all(), action)
    return projects if include_voided else projects.filter(voided_at__isnull=True)


def _identity_annotation(user):
    """`can_view_identity` per row, decided in the same query (no per-row policy calls)."""
    query = scope_q(user, Resource.PROJECT, Action.VIEW_IDENTITY)
    if query is None:
        return Value(True, output_field=BooleanField())
    return Case(When(query, then=Value(True)), default=Value(False), output_field=BooleanField())


def project_list(user, *, query: str = "", funding_round: FundingRound | None = None, status: str = "",
                 community: Region | None = None, project_type: str = "", include_voided: bool = False) -> QuerySet:
    projects = (
        projects_visible_to(user, include_voided=include_voided)
        .select_related("funding_round", "region", "applicant", "implementer", "lead_worker")
        .annotate(can_view_identity=_identity_annotation(user))
    )
    if query:
        query = query.strip()
        projects = apply_search(projects, query) | projects.filter(applicant__name__icontains=query)
    if funding_round is not None:
        projects = projects.filter(funding_round=funding_round)
    if status:
        projects = projects.filter(status=status)
    if community is not None:
        low, high = community.code_range
        projects = projects.filter(region__code__gte=low, region__code__lte=high)
    if project_type:
        projects = projects.filter(project_type=project_type)
    return projects.order_by("-created_at", "-id")


def project_detail_queryset() -> QuerySet:
    return Project.objects.select_related(
        "funding_round", "funding_round__region", "funding_round__operator", "region", "applicant",
        "implementer", "lead_worker", "lead_worker__employer", "created_by", "voided_by")


def display_contact_phone(user, project: Project) -> str:
    """The contact phone as this viewer may see it (list rows carry `can_view_identity`)."""
    allowed = getattr(project, "can_view_identity", None)
    if allowed is None:
        allowed = can(user, Action.VIEW_IDENTITY, Resource.PROJECT, project)
        project.can_view_identity = allowed
    return project.contact_phone if allowed else mask_phone(project.contact_phone)


def project_volunteers(project: Project) -> QuerySet:
    return project.volunteers.filter(voided_at__isnull=True).select_related("region").order_by("volunteer_number")


# Pickers of the application form ------------------------------------------------------------------------


def applicant_choices(user) -> QuerySet:
    """Organizations the viewer may apply for: an org leader their own, community staff those of their
    community (the organizations they may change)."""
    return restrict(user, Resource.ORGANIZATION, Organization.objects.active(), Action.CHANGE).order_by("name", "id")


def implementer_choices(user, community: Region | None = None) -> QuerySet:
    """Organizations the viewer may see, plus every organization of the project's community (a name is no
    personal data, and the implementer is often not the applicant)."""
    visible = restrict(user, Resource.ORGANIZATION, Organization.objects.active(), Action.VIEW)
    if community is None:
        return visible.order_by("name", "id")
    in_community = Organization.objects.active().filter(region=community)
    return (visible | in_community).order_by("name", "id")


def lead_worker_choices(community: Region | None) -> QuerySet:
    """Social workers homed in the project's community or serving it (the world's station workers serve
    communities of their street)."""
    from wushe.workforce.selectors import in_region_subtree

    if community is None:
        return SocialWorker.objects.none()
    return in_region_subtree(SocialWorker.objects.active(), community).select_related("employer").order_by("name")


def community_choices(user, funding_round: FundingRound) -> QuerySet:
    """Communities of the round's region the viewer may coordinate an application in.

    Someone acting through an organization (an org leader) may name any community of the round; region
    staff only those in their own scope. The service decides in the end (the actor must be able to change
    the application it creates)."""
    communities = (Region.objects.current().subtree_of(funding_round.region)
                   .filter(level=Level.COMMUNITY).order_by("code"))
    if scope_q(user, Resource.PROJECT, Action.CHANGE) is None:
        return communities
    if Role.ORG_LEADER in roles_of(user) and applicant_choices(user).exists():
        return communities
    in_scope = regions_for(user, Resource.PROJECT, Action.CHANGE)
    return communities.filter(pk__in=in_scope.values("pk"))


def volunteer_choices(user) -> QuerySet:
    """Volunteers from the registry the viewer may see (an org leader: those of their organization's teams)."""
    from wushe.volunteers.selectors import volunteers_visible_to

    return volunteers_visible_to(user).order_by("volunteer_number")


def may_apply(user, funding_round: FundingRound) -> bool:
    """Whether to offer "apply" for this round: it is open and the viewer has an organization and a
    community to apply with."""
    return (funding_round.status == RoundStatus.OPEN and not funding_round.is_voided
            and may_ever(user, Resource.PROJECT, Action.CHANGE)
            and applicant_choices(user).exists() and community_choices(user, funding_round).exists())

