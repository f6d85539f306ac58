"""Reads for group work; a group is visible exactly when its activity is (`activities_visible_to`)."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from wushe.accounts.policy import Action, Resource, can
from wushe.core.masking import mask_phone

from ..models import (
    STAGE_ORDER,
    ActivityKind,
    ActivitySession,
    Attendance,
    GroupMember,
    GroupStage,
    GroupStageChange,
    GroupWork,
    ParticipantRole,
)
from .activities import activities_visible_to, get_activity_for

GROUP_RELATED = ("activity", "activity__region", "activity__organization", "activity__lead_worker")

SESSION_PLANNED, SESSION_DUE, SESSION_RECORDED = "planned", "due", "recorded"


def _count(queryset: QuerySet, outer: str):
    counts = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def _participants() -> Q:
    return Q(attendances__voided_at__isnull=True, attendances__role=ParticipantRole.PARTICIPANT)


# Groups -------------------------------------------------------------------------------------------------

def groups_visible_to(user, action: Action = Action.VIEW) -> QuerySet:
    activities = activities_visible_to(user, kind=ActivityKind.GROUP_SESSION, action=action)
    return GroupWork.objects.filter(activity__in=activities)


def group_list(user, *, stage: str = "", group_kind: str = "", query: str = "") -> QuerySet:
    """Visible groups, newest first, with current members, sessions and recorded sessions counted."""
    from wushe.core.search import apply_search

    groups = groups_visible_to(user)
    if stage:
        groups = groups.filter(stage=stage)
    if group_kind:
        groups = groups.filter(group_kind=group_kind)
    groups = apply_search(groups, query, field="activity__search_text")
    sessions = ActivitySession.objects.active()
    return (groups.select_related(*GROUP_RELATED)
            .annotate(member_count=_count(GroupMember.objects.active().filter(left_on__isnull=True), "group"),
                      session_count=_count(sessions, "activity__group"),
                      recorded_count=_count(sessions.filter(recorded_at__isnull=False), "activity__group"))
            .order_by("-activity__starts_at", "-id"))


def get_group_for(user, public_id, action: Action = Action.VIEW) -> GroupWork:
    """The group of the activity `public_id`: 404 when hidden or not a group, 403 when read-only."""
    activity = get_activity_for(user, public_id, action=action)
    group = GroupWork.objects.select_related(*GROUP_RELATED).filter(activity=activity).first()
    if group is None:
        raise Http404
    return group


def may_change(user, group: GroupWork) -> bool:
    from wushe.activities.models import ActivityStatus

    activity = group.activity
    return (not activity.is_voided and activity.status != ActivityStatus.CANCELLED
            and can(user, Action.CHANGE, Resource.ACTIVITY, activity))


def next_stage(group: GroupWork) -> str | None:
    index = STAGE_ORDER.index(group.stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def previous_stage(group: GroupWork) -> str | None:
    index = STAGE_ORDER.index(group.stage)
    return STAGE_ORDER[index - 1] if index > 0 else None


def stage_timeline(group: GroupWork) -> dict:
    """The five stages with done / current / upcoming and when each was last entered, and every change."""
    changes = list(GroupStageChange.objects.filter(group=group).select_related("changed_by").order_by("changed_at",
                                                                                                      "id"))
    entered: dict[str, datetime.datetime] = {GroupStage.PREPARATION: group.created_at}
    for change in changes:
        entered[change.to_stage] = change.changed_at
        change.is_correction = STAGE_ORDER.index(change.to_stage) < STAGE_ORDER.index(change.from_stage)
    current = STAGE_ORDER.index(group.stage)
    stages = [{"value": stage.value, "label": stage.label,
               "state": "done" if index < current else "current" if index == current else "upcoming",
               "entered_at": entered.get(stage) if index <= current else None}
              for index, stage in enumerate(STAGE_ORDER)]
    return {"stages": stages, "changes": changes}


# Sessions -----------------------------------------------------------------------------------------------

def group_sessions(group: GroupWork) -> list[ActivitySession]:
    """Active sessions in order with `person_times` (participant attendance rows) and `status`."""
    sessions = list(ActivitySession.objects.active().filter(activity_id=group.activity_id)
                    .select_related("recorded_by")
                    .annotate(person_times=Count("attendances", filter=_participants()))
                    .order_by("sequence"))
    now = timezone.now()
    for session in sessions:
        session.status = (SESSION_RECORDED if session.recorded_at else
                          SESSION_PLANNED if session.starts_at > now else SESSION_DUE)
        session.has_started = session.starts_at <= now
    return sessions


def group_session_for(group: GroupWork, public_id) -> ActivitySession:
    session = (ActivitySession.objects.active().filter(activity_id=group.activity_id, public_id=public_id)
               .select_related("activity", "activity__group", "recorded_by")
               .annotate(person_times=Count("attendances", filter=_participants())).first())
    if session is None:
        raise Http404
    session.has_started = session.starts_at <= timezone.now()
    return session


# Members ------------------------------------------------------------------------------------------------

def group_members(user, group: GroupWork, *, current_only: bool = False) -> list[GroupMember]:
    """Members (current first, then those who left); phones masked unless the viewer may see identities."""
    members = GroupMember.objects.active().filter(group=group).select_related("resident")
    if current_only:
        members = members.filter(left_on__isnull=True)
    members = sorted(members, key=lambda m: (m.left_on is not None, m.joined_on, m.pk))
    if not members:
        return []
    from wushe.people.selectors import residents_visible_to

    show_identity = can(user, Action.VIEW_IDENTITY, Resource.ACTIVITY, group.activity)
    visible = set(residents_visible_to(user).filter(pk__in=[m.resident_id for m in members])
                  .values_list("pk", flat=True))
    for member in members:
        member.phone_display = member.resident.phone if show_identity else mask_phone(member.resident.phone)
        member.resident_visible = member.resident_id in visible
    return members


def group_member_for(group: GroupWork, public_id) -> GroupMember:
    member = (GroupMember.objects.active().filter(group=group, public_id=public_id)
              .select_related("resident", "group", "group__activity").first())
    if member is None:
        raise Http404
    return member


def resident_candidates(user, group: GroupWork, query: str, limit: int = 10) -> list:
    """Residents the viewer may see who match `query` and are not (or were not) members of the group."""
    from wushe.people.selectors import resident_list, shown_phone

    if not (query or "").strip():
        return []
    taken = GroupMember.objects.active().filter(group=group).values("resident_id")
    residents = list(resident_list(user, query=query).exclude(pk__in=taken)[:limit])
    for resident in residents:
        resident.phone_display = shown_phone(resident)
    return residents


def resident_for_member_add(user, public_id):
    """The resident a member is added from: one the viewer may see, active (None otherwise)."""
    from django.core.exceptions import ValidationError

    from wushe.people.selectors import residents_visible_to

    try:
        return residents_visible_to(user).active().filter(public_id=public_id).first()
    except ValidationError:
        return None


def session_roster(group: GroupWork, session: ActivitySession) -> list[dict]:
    """The attendance checklist of one session: every member on the session's date and whether present."""
    from ..services.groups import member_on

    day = timezone.localtime(session.starts_at).date()
    members = [m for m in GroupMember.objects.active().filter(group=group).select_related("resident")
               .order_by("joined_on", "id") if member_on(m, day)]
    present = set(Attendance.objects.active().filter(session=session, role=ParticipantRole.PARTICIPANT,
                                                     resident_id__in=[m.resident_id for m in members])
                  .values_list("resident_id", flat=True))
    return [{"member": m, "present": m.resident_id in present} for m in members]


# Attendance matrix --------------------------------------------------------------------------------------

@dataclass
class MatrixRow:
    member: GroupMember
    cells: list[str]  # per session: present / absent / upcoming / not_member
    attended: int = 0
    eligible: int = 0

    @property
    def rate(self) -> int | None:
        """Attendance rate in percent of the sessions held while a member (None before any)."""
        return round(100 * self.attended / self.eligible) if self.eligible else None


@dataclass
class AttendanceMatrix:
    sessions: list[ActivitySession]
    rows: list[MatrixRow] = field(default_factory=list)

    @property
    def members_present(self) -> list[int]:
        return [sum(1 for row in self.rows if row.cells[i] == "present") for i in range(len(self.sessions))]

    @property
    def person_times(self) -> int:
        return sum(getattr(s, "person_times", 0) for s in self.sessions)


PRESENT, ABSENT, UPCOMING, NOT_MEMBER = "present", "absent", "upcoming", "not_member"


def attendance_matrix(group: GroupWork, *, sessions: list[ActivitySession] | None = None,
                      members: list[GroupMember] | None = None) -> AttendanceMatrix:
    """Member × session: present, absent, upcoming (not yet started) or not a member on that day; the rate
    per member counts the sessions already started while they were a member."""
    from ..services.groups import member_on

    sessions = group_sessions(group) if sessions is None else sessions
    if members is None:
        members = sorted(GroupMember.objects.active().filter(group=group).select_related("resident"),
                         key=lambda m: (m.left_on is not None, m.joined_on, m.pk))
    present = set(Attendance.objects.active().filter(
        session__in=[s.pk for s in sessions], role=ParticipantRole.PARTICIPANT,
        resident_id__in=[m.resident_id for m in members]).values_list("resident_id", "session_id"))
    now = timezone.now()
    matrix = AttendanceMatrix(sessions=sessions)
    for member in members:
        row = MatrixRow(member=member, cells=[])
        for session in sessions:
            if not member_on(member, timezone.localtime(session.starts_at).date()):
                row.cells.append(NOT_MEMBER)
            elif (member.resident_id, session.pk) in present:
                row.cells.append(PRESENT)
                row.attended += 1
                row.eligible += 1
            elif session.starts_at > now:
                row.cells.append(UPCOMING)
            else:
                row.cells.append(ABSENT)
                row.eligible += 1
        matrix.rows.append(row)
    return matrix


def group_detail(user, group: GroupWork) -> dict:
    """What the group page shows: sessions, members, the attendance matrix and the stage timeline."""
    sessions = group_sessions(group)
    members = group_members(user, group)
    return {
        "sessions": sessions,
        "members": members,
        "matrix": attendance_matrix(group, sessions=sessions, members=members),
        "timeline": stage_timeline(group),
    }
