"""Activity factories shared by the activities tests (and by group-work tests)."""

import datetime

from django.utils import timezone

from wushe.activities.models import Activity, ActivityKind, ActivitySession, ActivityStatus
from wushe.core.text import build_search_text
from wushe.people.models import Resident
from wushe.volunteers.models import Volunteer


def at(days=0, hours=0):
    """An aware datetime relative to now, rounded to the minute."""
    return (timezone.now() + datetime.timedelta(days=days, hours=hours)).replace(second=0, microsecond=0)


def make_activity(world, *, title="重阳节敬老活动", kind=ActivityKind.ACTIVITY, status=ActivityStatus.PLANNED,
                  region=None, starts_at=None, ends_at=None, organizer=None, **overrides) -> Activity:
    """An activity in the world's community with one session (today, two hours, starting in 30 minutes)."""
    starts_at = starts_at or at(hours=0.5)
    ends_at = ends_at or starts_at + datetime.timedelta(hours=2)
    activity = Activity.objects.create(
        region=region or world.community, title=title, kind=kind, status=status, place="将台社区活动室",
        starts_at=starts_at, ends_at=ends_at, organizer=organizer or world.users["community_staff"],
        search_text=build_search_text(title), **overrides)
    ActivitySession.objects.create(activity=activity, sequence=1, starts_at=starts_at, ends_at=ends_at)
    return activity


def add_session(activity, *, sequence=2, days=7) -> ActivitySession:
    first = activity.sessions.order_by("sequence").first()
    delta = datetime.timedelta(days=days)
    return ActivitySession.objects.create(activity=activity, sequence=sequence, starts_at=first.starts_at + delta,
                                          ends_at=first.ends_at + delta)


def make_resident(world, name="钱测试", phone="13900000001", *, region=None) -> Resident:
    return Resident.objects.create(region=region or world.community, name=name, phone=phone,
                                   search_text=build_search_text(name))


def make_volunteer(world, name="孙测试", number="V1101050010010099", *, birth_date=None, **fields) -> Volunteer:
    return Volunteer.objects.create(region=world.community, volunteer_number=number, name=name,
                                    birth_date=birth_date, search_text=build_search_text(name), **fields)
