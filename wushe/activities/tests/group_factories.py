"""Group-work factories (synthetic data only). Rows go straight to the database for test set-up; the code
under test goes through wushe.activities.services.groups."""

import datetime

from django.utils import timezone

from wushe.activities.models import (
    ActivityKind,
    ActivitySession,
    GroupKind,
    GroupMember,
    GroupStage,
    GroupWork,
)
from wushe.people.tests.factories import ResidentFactory

from .factories import at, make_activity


def make_group(world, *, title="长者互助小组", sessions=1, first_days=-21, stage=GroupStage.PREPARATION,
               max_members=None, planned_sessions=6, **activity_fields) -> GroupWork:
    """A group in the world's community organized by community staff; its sessions are weekly, the first
    `first_days` from now (in the past by default, so records and attendance may be taken)."""
    starts_at = at(days=first_days)
    activity = make_activity(world, title=title, kind=ActivityKind.GROUP_SESSION, starts_at=starts_at,
                             ends_at=starts_at + datetime.timedelta(hours=2), **activity_fields)
    for sequence in range(2, sessions + 1):
        delta = datetime.timedelta(days=7 * (sequence - 1))
        ActivitySession.objects.create(activity=activity, sequence=sequence, starts_at=starts_at + delta,
                                       ends_at=starts_at + delta + datetime.timedelta(hours=2))
    if sessions > 1:
        last = activity.sessions.order_by("-sequence").first()
        activity.ends_at = last.ends_at
        activity.save(update_fields=["ends_at"])
    return GroupWork.objects.create(activity=activity, group_kind=GroupKind.SUPPORT, stage=stage,
                                    goals="增强成员社会支持", target_description="社区独居长者",
                                    planned_sessions=planned_sessions, max_members=max_members)


def add_member(group: GroupWork, resident=None, *, joined_on=None, left_on=None, **resident_fields) -> GroupMember:
    resident = resident or ResidentFactory(region=group.activity.region, **resident_fields)
    joined_on = joined_on or (timezone.localdate() - datetime.timedelta(days=60))
    return GroupMember.objects.create(group=group, resident=resident, joined_on=joined_on, left_on=left_on,
                                      left_reason="搬离社区" if left_on else "")


def session(group: GroupWork, sequence: int = 1) -> ActivitySession:
    return group.activity.sessions.get(sequence=sequence)
