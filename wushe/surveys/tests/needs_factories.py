"""Helpers for the needs-register and engagement tests (synthetic data only)."""

import datetime

from wushe.people.models import PopulationGroup
from wushe.surveys.models import EngagementKind, NeedCategory, NeedSource
from wushe.surveys.services import engagements as engagement_services
from wushe.surveys.services import needs as need_services

DAY = datetime.date(2026, 3, 10)


def group(code: str) -> PopulationGroup:
    return PopulationGroup.objects.get(code=code)


def make_need(world, *, actor=None, region=None, title="高龄独居老人助餐", category=NeedCategory.ELDERLY_CARE,
              source=NeedSource.MEETING, **fields):
    actor = actor or world.street_officer
    return need_services.need_create(actor=actor, region=region or world.community, title=title, category=category,
                                     source=source, identified_on=fields.pop("identified_on", DAY), **fields)


def make_engagement(world, *, actor=None, region=None, kind=EngagementKind.FOCUS_GROUP, **fields):
    values = {"title": "老年居民座谈会", "held_on": DAY, "participant_count": 8, "place": "社区活动室",
              "facilitator": world.social_worker}
    values.update(fields)
    return engagement_services.engagement_create(actor=actor or world.social_worker, region=region or world.community,
                                                 kind=kind, **values)


def make_survey(world, *, region=None, title="东风街道居民需求调查"):
    from wushe.surveys.models import Survey

    return Survey.objects.create(region=region or world.street, title=title, owner=world.street_officer)
