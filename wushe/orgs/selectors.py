"""Reads for organizations. Every list starts from `organizations_visible_to(viewer)`."""

from dataclasses import dataclass, field

from django.db.models import BooleanField, Case, Count, Q, Value, When
from django.utils import timezone

from wushe.accounts.policy import Action, Resource, can, restrict, scope_q
from wushe.core.history import history_for
from wushe.core.masking import mask_phone
from wushe.core.search import apply_search

from .models import (
    BoardMember,
    BoardPosition,
    GrowthMilestone,
    GrowthRecord,
    Organization,
    OrganizationMember,
    RegistrationStatus,
    ServiceOrientation,
)

# The milestones of the checklist, in the order of PRODUCT.md's growth list ("other" is not a milestone).
CHECKLIST_MILESTONES = [m for m in GrowthMilestone if m != GrowthMilestone.OTHER]
POSITION_ORDER = {value: index for index, value in enumerate(BoardPosition.values)}
ORIENTATION_STEPS = list(ServiceOrientation)


def organizations_visible_to(user, *, include_voided: bool = False):
    organizations = restrict(user, Resource.ORGANIZATION, Organization.objects.all(), Action.VIEW)
    return organizations if include_voided else organizations.active()


def _identity_annotation(user):
    """`can_view_identity` per row, decided in the same query (no per-row policy calls)."""
    query = scope_q(user, Resource.ORGANIZATION, Action.VIEW_IDENTITY)
    if query is None:
        return Value(True, output_field=BooleanField())
    return Case(When(query, then=Value(True)), default=Value(False), output_field=BooleanField())


def organization_list(user, *, query: str = "", kind: str = "", status: str = "", orientation: str = "",
                      region=None):
    organizations = (
        organizations_visible_to(user)
        .select_related("region")
        .annotate(
            can_view_identity=_identity_annotation(user),
            member_count=Count("members", filter=Q(members__voided_at__isnull=True, members__left_on__isnull=True),
                               distinct=True),
            milestones_reached=Count("growth_records__milestone", distinct=True,
                                     filter=Q(growth_records__voided_at__isnull=True)
                                     & ~Q(growth_records__milestone=GrowthMilestone.OTHER)),
        )
    )
    organizations = apply_search(organizations, query)
    if kind:
        organizations = organizations.filter(kind=kind)
    if status:
        organizations = organizations.filter(registration_status=status)
    if orientation:
        organizations = organizations.filter(orientation=orientation)
    if region is not None:
        low, high = region.code_range
        organizations = organizations.filter(region__code__gte=low, region__code__lte=high)
    return organizations.order_by("name", "id")


def display_phone(user, organization: Organization) -> str:
    """The contact phone as this viewer may see it (list rows carry `can_view_identity`)."""
    allowed = getattr(organization, "can_view_identity", None)
    if allowed is None:
        allowed = can(user, Action.VIEW_IDENTITY, Resource.ORGANIZATION, organization)
        organization.can_view_identity = allowed
    return organization.contact_phone if allowed else mask_phone(organization.contact_phone)


def organization_history(organization: Organization, *, identity_visible: bool) -> list[dict]:
    """The change history, with old and new phone numbers masked unless the viewer may see them."""
    entries = history_for(organization)
    if identity_visible:
        return entries
    phone_label = str(Organization._meta.get_field("contact_phone").verbose_name)
    for entry in entries:
        for change in entry["changes"]:
            if str(change["field"]) == phone_label:
                change["old"], change["new"] = mask_phone(change["old"]), mask_phone(change["new"])
    return entries


# One organization --------------------------------------------------------------------------------------


def board_for(organization: Organization) -> list[BoardMember]:
    """Active board members, chair first; each carries `is_current` (term not yet ended)."""
    today = timezone.localdate()
    members = list(organization.board_members.active())
    for member in members:
        member.is_current = member.term_end is None or member.term_end >= today
    members.sort(key=lambda m: (not m.is_current, POSITION_ORDER.get(m.position, 99), m.term_start, m.pk))
    return members


def members_for(organization: Organization) -> list[OrganizationMember]:
    return list(organization.members.active().order_by("left_on", "joined_on", "id"))


@dataclass
class MemberCounts:
    current: int = 0
    serving_regularly: int = 0
    in_governance: int = 0
    former: int = 0


def member_counts(members: list[OrganizationMember]) -> MemberCounts:
    counts = MemberCounts()
    for member in members:
        if member.left_on is not None and member.left_on <= timezone.localdate():
            counts.former += 1
            continue
        counts.current += 1
        counts.serving_regularly += member.serves_regularly
        counts.in_governance += member.takes_part_in_governance
    return counts


def growth_timeline(organization: Organization) -> list[GrowthRecord]:
    """Active growth records, oldest first, so the page reads as the organization's story."""
    return list(organization.growth_records.active().select_related("recorded_by").order_by("achieved_on", "id"))


@dataclass
class MilestoneStatus:
    milestone: str
    label: str
    records: list = field(default_factory=list)
    # The registry data suggest it is reached, but no evidenced growth record says so yet.
    suggested: bool = False

    @property
    def reached(self) -> bool:
        return bool(self.records)

    @property
    def first(self):
        return self.records[0] if self.records else None


def milestone_checklist(organization: Organization, *, timeline: list[GrowthRecord],
                        board: list[BoardMember] | None = None,
                        members: list[OrganizationMember] | None = None) -> list[MilestoneStatus]:
    """PRODUCT.md's growth milestones, each with the records that evidence it (earliest first)."""
    statuses = {m.value: MilestoneStatus(milestone=m.value, label=str(m.label)) for m in CHECKLIST_MILESTONES}
    for record in timeline:
        if record.milestone in statuses:
            statuses[record.milestone].records.append(record)
    hints = {
        GrowthMilestone.REGISTERED: organization.registration_status in (RegistrationStatus.REGISTERED,
                                                                          RegistrationStatus.FILED),
        GrowthMilestone.BOARD: bool(board),
        GrowthMilestone.REGISTERED_MEMBERS: bool(members),
        GrowthMilestone.MEMBERS_SERVE: any(m.serves_regularly for m in members or []),
        GrowthMilestone.MEMBERS_GOVERN: any(m.takes_part_in_governance for m in members or []),
        GrowthMilestone.ORIENTATION_CHANGE: organization.orientation != ServiceOrientation.RECREATIONAL,
    }
    for milestone, hinted in hints.items():
        status = statuses[milestone]
        status.suggested = hinted and not status.reached
    return list(statuses.values())


def growth_summary(checklist: list[MilestoneStatus]) -> dict:
    reached = sum(1 for status in checklist if status.reached)
    return {"reached": reached, "total": len(checklist),
            "percent": round(100 * reached / len(checklist)) if checklist else 0}


def orientation_steps(organization: Organization) -> list[dict]:
    """The path recreational → mutual aid → service → support, marking where the organization stands."""
    current = ORIENTATION_STEPS.index(ServiceOrientation(organization.orientation))
    return [{"value": step.value, "label": step.label, "done": index <= current, "current": index == current}
            for index, step in enumerate(ORIENTATION_STEPS)]


def has_appointed_board(board: list[BoardMember]) -> bool:
    """PRODUCT.md: boards are elected by residents, never appointed by the committee."""
    return any(member.is_current and not member.elected_by_residents for member in board)
