"""ORM factories for the volunteer-records tests: activities, sessions and volunteer attendance rows
(synthetic data only; independent of the activities app's services)."""

import datetime

from django.utils import timezone

from wushe.activities.models import (
    Activity,
    ActivitySession,
    ActivityStatus,
    Attendance,
    AttendanceSource,
    HoursStatus,
    ParticipantRole,
)
from wushe.core.text import build_search_text
from wushe.volunteers.records import services

# A valid GB 11643 number (synthetic); tests assert that it and its fragments never appear in public.
SAMPLE_ID_NUMBER = "11010519491231002X"


def days_ago(days: int, hour: int = 9) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def make_activity(world, *, title="社区敬老志愿服务", organization=None, region=None, days=3, hours=3,
                  organizer=None) -> Activity:
    """A completed activity `days` ago with one session of `hours` hours."""
    starts_at = days_ago(days)
    ends_at = starts_at + datetime.timedelta(hours=hours)
    activity = Activity.objects.create(
        region=region or world.community, title=title, place="将台社区活动室", starts_at=starts_at,
        ends_at=ends_at, status=ActivityStatus.COMPLETED, organization=organization,
        organizer=organizer or world.users["community_staff"], search_text=build_search_text(title))
    ActivitySession.objects.create(activity=activity, sequence=1, starts_at=starts_at, ends_at=ends_at)
    return activity


def session_of(activity) -> ActivitySession:
    return activity.sessions.order_by("sequence").first()


def volunteer_row(activity, volunteer, *, minutes=None, signed_in_after=0, signed_out_after=None,
                  confirmed=False, confirmed_by=None, content="") -> Attendance:
    """A volunteer's attendance at the first session; sign-in/out offsets are minutes after the start."""
    session = session_of(activity)
    signed_in_at = session.starts_at + datetime.timedelta(minutes=signed_in_after)
    signed_out_at = (session.starts_at + datetime.timedelta(minutes=signed_out_after)
                     if signed_out_after is not None else None)
    if minutes is None and signed_out_at is not None:
        minutes = services.service_minutes_for(session, signed_in_at, signed_out_at)
    row = Attendance.objects.create(
        session=session, role=ParticipantRole.VOLUNTEER, volunteer=volunteer, source=AttendanceSource.QR,
        signed_in_at=signed_in_at, signed_out_at=signed_out_at, service_minutes=minutes, service_content=content,
        hours_status=HoursStatus.CONFIRMED if confirmed else HoursStatus.UNCONFIRMED,
        hours_confirmed_by=confirmed_by if confirmed else None,
        hours_confirmed_at=timezone.now() if confirmed else None)
    return row


def issue(world, volunteer, *, actor="community_staff", organization=None, region=None, **overrides):
    arguments = {
        "actor": world.users[actor], "volunteer": volunteer, "issuer_organization": organization,
        "issuer_region": region if organization is None else None,
        "period_start": timezone.localdate() - datetime.timedelta(days=30), "period_end": timezone.localdate(),
        "person_in_charge": "张主任", "handler_name": "李经办", "contact": "010-12345678",
    } | overrides
    if arguments["issuer_organization"] is None and arguments["issuer_region"] is None:
        arguments["issuer_region"] = world.community
    return services.extract_issue(**arguments)
