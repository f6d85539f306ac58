"""Reads for funding rounds. Every list starts from `rounds_visible_to(viewer)`.

Non-draft rounds are public information for every signed-in role (policy PUBLIC_RECORDS); a draft round
is seen only by those who may manage a round in its region.
"""

from django.db.models import Count, Q, QuerySet

from wushe.accounts.policy import Action, Resource, may_ever, regions_for, restrict, scope_q
from wushe.regions.models import Level

from ..models import FundingRound, Project, ProjectStatus, RoundStatus


def rounds_visible_to(user, *, include_voided: bool = False) -> QuerySet:
    rounds = restrict(user, Resource.FUNDING_ROUND, FundingRound.objects.all(), Action.VIEW)
    manage = scope_q(user, Resource.FUNDING_ROUND, Action.MANAGE)
    if manage is not None:
        # Drafts (and voided rounds) only for those who could manage them.
        rounds = rounds.filter(Q(~Q(status=RoundStatus.DRAFT) & Q(voided_at__isnull=True)) | manage)
    return rounds if include_voided else rounds.filter(voided_at__isnull=True)


def round_list(user, *, query: str = "", status: str = "", round_type: str = "", region=None,
               include_voided: bool = False) -> QuerySet:
    rounds = rounds_visible_to(user, include_voided=include_voided).select_related("region", "operator")
    if query:
        rounds = rounds.filter(title__icontains=query.strip())
    if status:
        rounds = rounds.filter(status=status)
    if round_type:
        rounds = rounds.filter(round_type=round_type)
    if region is not None:
        low, high = region.code_range
        rounds = rounds.filter(region__code__gte=low, region__code__lte=high)
    return rounds.order_by("-created_at", "-id")


def round_detail_queryset() -> QuerySet:
    return FundingRound.objects.select_related("region", "operator", "created_by", "voided_by")


def round_open_for_applications(user) -> QuerySet:
    """Rounds accepting applications now (the "apply" entry points)."""
    return rounds_visible_to(user).filter(status=RoundStatus.OPEN).select_related("region").order_by("closes_on")


def application_counts(user, funding_round: FundingRound) -> list[dict]:
    """Applications of the round by status, counted over what the viewer may see."""
    from .projects import projects_visible_to

    rows = (projects_visible_to(user).filter(funding_round=funding_round)
            .values("status").annotate(total=Count("id")).order_by())
    totals = {row["status"]: row["total"] for row in rows}
    return [{"status": value, "label": label, "count": totals.get(value, 0)}
            for value, label in ProjectStatus.choices if totals.get(value)]


def round_owner_regions(user) -> QuerySet:
    """Regions in which the viewer may open a round: a district, a street or above, within MANAGE scope."""
    return (regions_for(user, Resource.FUNDING_ROUND, Action.MANAGE)
            .filter(level__lte=Level.TOWNSHIP).order_by("code"))


def may_create_round(user) -> bool:
    return may_ever(user, Resource.FUNDING_ROUND, Action.MANAGE) and round_owner_regions(user).exists()


def round_project_count(funding_round: FundingRound) -> int:
    """Applications beyond draft (used to refuse voiding a round others have applied to)."""
    return Project.objects.active().filter(funding_round=funding_round).exclude(status=ProjectStatus.DRAFT).count()
