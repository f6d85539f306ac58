"""Reads of activities for a viewer, and their counts: unique persons versus person-times (人次).

A person-time is one active attendance row; a unique person is a distinct resident, volunteer or — for a
walk-in not yet matched — a distinct phone, across the sessions counted. Rejected identities are not
counted. Participants and volunteers are counted apart. Indirect beneficiaries are an estimate kept with
its basis and never added to the counts.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Prefetch, Q, QuerySet, Sum

from wushe.accounts.policy import Action, Resource, get_object_for, restrict
from wushe.core.search import apply_search

from ..models import (
    Activity,
    ActivitySession,
    Attendance,
    Feedback,
    MatchStatus,
    ParticipantRole,
    Registration,
    RegistrationStatus,
)


def _base() -> QuerySet:
    return Activity.objects.select_related("region", "organization", "project", "lead_worker", "organizer")


def activities_visible_to(user, *, kind: str | None = None, status: str | None = None, region=None,
                          query: str = "", action: Action = Action.VIEW, include_voided: bool = False,
                          exclude_kind: str | None = None) -> QuerySet:
    """Activities the viewer may see (or take `action` on), newest first, filtered."""
    activities = _base()
    if not include_voided:
        activities = activities.filter(voided_at__isnull=True)
    if kind:
        activities = activities.filter(kind=kind)
    if exclude_kind:
        activities = activities.exclude(kind=exclude_kind)
    if status:
        activities = activities.filter(status=status)
    if region is not None:
        low, high = region.code_range
        activities = activities.filter(region__code__gte=low, region__code__lte=high)
    if query:
        activities = apply_search(activities, query)
    return restrict(user, Resource.ACTIVITY, activities, action).order_by("-starts_at", "id")


def get_activity_for(user, public_id, action: Action = Action.VIEW) -> Activity:
    """404 if hidden from the viewer, 403 if visible but `action` is not allowed."""
    return get_object_for(user, Resource.ACTIVITY, _base(), action=action, public_id=public_id)


def get_session_for(user, activity: Activity, public_id) -> ActivitySession:
    from django.http import Http404

    session = activity.sessions.active().filter(public_id=public_id).first()
    if session is None:
        raise Http404
    session.activity = activity
    return session


def sessions_of(activity: Activity) -> QuerySet:
    return activity.sessions.active().annotate(
        attendance_count=Count("attendances", filter=Q(attendances__voided_at__isnull=True)
                               & ~Q(attendances__match_status=MatchStatus.REJECTED)),
    ).order_by("sequence")


def registrations_of(activity: Activity) -> QuerySet:
    return (Registration.objects.filter(activity=activity, status=RegistrationStatus.REGISTERED)
            .select_related("resident", "volunteer").order_by("role", "created_at", "id"))


def attendance_of(session: ActivitySession) -> QuerySet:
    return (Attendance.objects.active().filter(session=session)
            .select_related("resident", "volunteer", "recorded_by").order_by("role", "signed_in_at", "id"))


def pending_of(activity: Activity) -> QuerySet:
    return (Attendance.objects.active().filter(session__activity=activity, match_status=MatchStatus.PENDING)
            .select_related("session").order_by("claimed_phone", "session__sequence", "id"))


def feedback_of(activity: Activity) -> QuerySet:
    return Feedback.objects.active().filter(activity=activity).select_related("resident")


def with_sessions(activities: QuerySet) -> QuerySet:
    return activities.prefetch_related(Prefetch("sessions", queryset=ActivitySession.objects.active()))


@dataclass
class HeadCount:
    persons: int = 0  # unique persons (人数)
    person_times: int = 0  # 人次


@dataclass
class ActivityStats:
    sessions: int = 0
    participants: HeadCount = field(default_factory=HeadCount)
    volunteers: HeadCount = field(default_factory=HeadCount)
    pending_identities: int = 0
    indirect_beneficiaries: int | None = None
    indirect_bases: list[str] = field(default_factory=list)
    feedback_count: int = 0
    average_satisfaction: Decimal | None = None
    volunteer_minutes: int = 0

    @property
    def indirect_basis(self) -> str:
        return "；".join(self.indirect_bases)


def _attendance_counts(rows: QuerySet) -> dict:
    walk_in = Q(resident__isnull=True, volunteer__isnull=True)
    counts = rows.aggregate(
        person_times=Count("pk"),
        residents=Count("resident", distinct=True),
        volunteers=Count("volunteer", distinct=True),
        phones=Count("claimed_phone", filter=walk_in, distinct=True),
    )
    return counts


def stats_for(activities: QuerySet) -> ActivityStats:
    """Counts over a set of activities (a person at several activities or sessions is one person)."""
    ids = activities.order_by().values("pk")
    sessions = ActivitySession.objects.active().filter(activity__in=ids)
    rows = (Attendance.objects.active().filter(session__in=sessions.values("pk"))
            .exclude(match_status=MatchStatus.REJECTED))
    people = _attendance_counts(rows.filter(role=ParticipantRole.PARTICIPANT))
    helpers = _attendance_counts(rows.filter(role=ParticipantRole.VOLUNTEER))

    minutes = rows.filter(role=ParticipantRole.VOLUNTEER).aggregate(total=Sum("service_minutes"))["total"] or 0
    feedback = Feedback.objects.active().filter(activity__in=ids).aggregate(count=Count("pk"),
                                                                            average=Avg("satisfaction"))
    indirect = list(Activity.objects.filter(pk__in=ids, indirect_beneficiaries__isnull=False)
                    .values_list("indirect_beneficiaries", "indirect_basis"))
    average = feedback["average"]
    return ActivityStats(
        sessions=sessions.count(),
        participants=HeadCount(persons=people["residents"] + people["phones"],
                               person_times=people["person_times"]),
        volunteers=HeadCount(persons=helpers["volunteers"], person_times=helpers["person_times"]),
        pending_identities=rows.filter(match_status=MatchStatus.PENDING).values("claimed_phone").distinct().count(),
        indirect_beneficiaries=sum(n for n, _b in indirect) if indirect else None,
        indirect_bases=[basis for _n, basis in indirect if basis],
        feedback_count=feedback["count"],
        average_satisfaction=Decimal(str(average)).quantize(Decimal("0.1")) if average is not None else None,
        volunteer_minutes=minutes,
    )


def activity_stats(activity: Activity) -> ActivityStats:
    return stats_for(Activity.objects.filter(pk=activity.pk))
