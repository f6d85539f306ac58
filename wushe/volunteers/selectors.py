"""Reads for volunteers and teams; every read takes the viewer and goes through the policy."""

import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from wushe.accounts.policy import Action, Resource, may_ever, regions_for, restrict
from wushe.core.search import apply_search
from wushe.regions.models import Level, Region

from .models import GUARDIAN_CONSENT_AGE, Team, TeamMembership, TeamRole, Volunteer

ROLE_ORDER = {TeamRole.LEADER: 0, TeamRole.CORE: 1, TeamRole.MEMBER: 2}


def _years_ago(years: int, today: datetime.date | None = None) -> datetime.date:
    today = today or datetime.date.today()
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


# Volunteers ---------------------------------------------------------------------------------------------

def volunteers_visible_to(user, action: Action = Action.VIEW) -> QuerySet:
    return restrict(user, Resource.VOLUNTEER, Volunteer.objects.active(), action)


def volunteer_list(user, *, query: str = "", within: Region | None = None, team: Team | None = None,
                   minors: bool = False) -> QuerySet:
    volunteers = volunteers_visible_to(user)
    if within is not None:
        low, high = within.code_range
        volunteers = volunteers.filter(region__code__gte=low, region__code__lte=high)
    if team is not None:
        volunteers = volunteers.filter(Exists(TeamMembership.objects.active().filter(
            team=team, volunteer=OuterRef("pk"))))
    if minors:
        volunteers = volunteers.filter(birth_date__gt=_years_ago(GUARDIAN_CONSENT_AGE))
    volunteers = apply_search(volunteers, query)
    return volunteers.select_related("region").order_by("volunteer_number")


def volunteer_detail_queryset() -> QuerySet:
    """What `get_object_for` reads one volunteer from (voided ones too: their page shows the void)."""
    return Volunteer.objects.select_related("region", "user", "voided_by")


def own_volunteer(user) -> Volunteer | None:
    """The viewer's own volunteer record (for "my volunteer profile")."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Volunteer.objects.active().filter(user=user).first()


def memberships_of_volunteer(user, volunteer: Volunteer) -> QuerySet:
    """The volunteer's active memberships in teams the viewer may see."""
    return (TeamMembership.objects.active().filter(volunteer=volunteer, team__in=teams_visible_to(user))
            .select_related("team", "team__organization").order_by("team__name"))


def volunteer_for_membership(user, *, number: str, name: str = "") -> Volunteer | None:
    """The volunteer a team manager means by a volunteer number.

    Inside the viewer's scope the number is enough. Outside it (e.g. an organization leader recruiting a
    new member) the name must match too, so guessing sequential numbers reveals nobody.
    """
    number = (number or "").strip().upper()
    if not number:
        return None
    visible = volunteers_visible_to(user).filter(volunteer_number=number).first()
    if visible is not None:
        return visible
    name = (name or "").strip()
    if not name:
        return None
    return Volunteer.objects.active().filter(volunteer_number=number, name=name).first()


def volunteer_region_choices(user) -> QuerySet:
    return (regions_for(user, Resource.VOLUNTEER, Action.CHANGE).filter(level__gte=Level.TOWNSHIP)
            .order_by("code"))


def volunteer_filter_regions(user) -> QuerySet:
    """Community-level regions in the viewer's scope (list filter)."""
    return regions_for(user, Resource.VOLUNTEER, Action.VIEW).filter(level=Level.COMMUNITY).order_by("code")


# Teams --------------------------------------------------------------------------------------------------

def _active_member_count():
    counts = (TeamMembership.objects.active().filter(team=OuterRef("pk")).order_by()
              .values("team").annotate(count=Count("pk")).values("count"))
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def teams_visible_to(user, action: Action = Action.VIEW) -> QuerySet:
    return restrict(user, Resource.TEAM, Team.objects.active(), action)


def team_list(user, *, query: str = "", organization=None, within: Region | None = None) -> QuerySet:
    teams = teams_visible_to(user)
    if organization is not None:
        teams = teams.filter(organization=organization)
    if within is not None:
        low, high = within.code_range
        teams = teams.filter(region__code__gte=low, region__code__lte=high)
    teams = apply_search(teams, query)
    return (teams.select_related("region", "organization").annotate(member_count=_active_member_count())
            .order_by("name", "id"))


def team_detail_queryset() -> QuerySet:
    return Team.objects.select_related("region", "organization", "voided_by")


def team_members(user, team: Team) -> list[TeamMembership]:
    """Active memberships; `volunteer_visible` says whether the viewer may open the volunteer's record."""
    memberships = sorted(TeamMembership.objects.active().filter(team=team).select_related("volunteer"),
                         key=lambda m: (ROLE_ORDER.get(m.role, len(ROLE_ORDER)), m.volunteer.volunteer_number))
    visible = set(volunteers_visible_to(user).filter(pk__in=[m.volunteer_id for m in memberships])
                  .values_list("pk", flat=True)) if memberships else set()
    for membership in memberships:
        membership.volunteer_visible = membership.volunteer_id in visible
    return memberships


def team_membership_for(team: Team, public_id) -> TeamMembership | None:
    return TeamMembership.objects.active().filter(team=team, public_id=public_id).select_related("volunteer").first()


def organization_choices(user) -> QuerySet:
    """Organizations a team may belong to: those the viewer may see."""
    from wushe.orgs.models import Organization

    if not may_ever(user, Resource.ORGANIZATION):
        return Organization.objects.none()
    return restrict(user, Resource.ORGANIZATION, Organization.objects.active()).order_by("name", "id")


def team_region_choices(user) -> QuerySet:
    return regions_for(user, Resource.TEAM, Action.CHANGE).filter(level__gte=Level.TOWNSHIP).order_by("code")


def team_filter_choices(user) -> QuerySet:
    return teams_visible_to(user).order_by("name", "id")
