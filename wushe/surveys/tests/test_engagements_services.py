"""Focus groups and interviews: record, edit, void, raise needs; rules and history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wushe.surveys.models import EngagementKind, NeedSource, NeedStatus
from wushe.surveys.services import engagements as services
from wushe.surveys.services import needs as need_services

from .needs_factories import DAY, group, make_engagement

pytestmark = pytest.mark.django_db


def test_record_a_focus_group_with_participants(world):
    engagement = make_engagement(world, participant_groups=[group("oldest_old"), group("empty_nest_elderly")],
                                 participant_description="老年居民 6 人、楼门长 2 人", notes="大家最关心吃饭问题")
    assert engagement.participant_count == 8
    assert {g.code for g in engagement.participant_groups.all()} == {"oldest_old", "empty_nest_elderly"}
    assert engagement.created_by == world.social_worker
    assert engagement.history.first().history_user == world.social_worker


def test_facilitator_may_be_a_name_only(world):
    engagement = make_engagement(world, kind=EngagementKind.INTERVIEW, facilitator=None, facilitator_name="周老师",
                                 participant_count=1)
    assert engagement.facilitator is None and engagement.facilitator_name == "周老师"


def test_validation(world):
    with pytest.raises(ValidationError) as error:
        make_engagement(world, facilitator=None, participant_count=0, title=" ",
                        held_on=datetime.date.today() + datetime.timedelta(days=2))
    assert set(error.value.message_dict) == {"facilitator", "participant_count", "title", "held_on"}
    with pytest.raises(ValidationError) as error:
        make_engagement(world, actor=world.community_staff, region=world.community2)
    assert error.value.message_dict == {"region": [str(need_services.MSG_REGION_OUT_OF_SCOPE)]}


def test_raise_need_takes_source_community_and_date_from_the_engagement(world):
    engagement = make_engagement(world, kind=EngagementKind.INTERVIEW, participant_count=1)
    need = services.engagement_raise_need(actor=world.community_staff, engagement=engagement,
                                          title="独居老人夜间紧急呼叫", category="elderly_care", priority="high")
    assert need.source == NeedSource.INTERVIEW and need.engagement == engagement
    assert need.region == world.community and need.identified_on == DAY and need.status == NeedStatus.OPEN


def test_update_with_groups_and_locks_once_needs_exist(world):
    engagement = make_engagement(world)
    services.engagement_update(actor=world.community_staff, engagement=engagement, participant_count=12,
                               participant_groups=[group("migrant_children")])
    engagement.refresh_from_db()
    assert engagement.participant_count == 12
    assert [g.code for g in engagement.participant_groups.all()] == ["migrant_children"]
    services.engagement_raise_need(actor=world.community_staff, engagement=engagement, title="课后托管",
                                   category="children")
    with pytest.raises(ValidationError) as error:
        services.engagement_update(actor=world.community_staff, engagement=engagement, kind=EngagementKind.INTERVIEW)
    assert error.value.message_dict == {"kind": [str(services.MSG_KIND_LOCKED)]}


def test_void_refused_while_needs_raised_are_active(world):
    engagement = make_engagement(world)
    need = services.engagement_raise_need(actor=world.community_staff, engagement=engagement, title="课后托管",
                                          category="children")
    with pytest.raises(ValidationError) as error:
        services.engagement_void(actor=world.community_staff, engagement=engagement, reason="重复")
    assert error.value.messages == [str(services.MSG_HAS_NEEDS)]
    need_services.need_void(actor=world.community_staff, need=need, reason="重复")
    services.engagement_void(actor=world.community_staff, engagement=engagement, reason="重复")
    engagement.refresh_from_db()
    assert engagement.is_voided
    with pytest.raises(ValidationError):
        services.engagement_raise_need(actor=world.community_staff, engagement=engagement, title="x",
                                       category="other")


@pytest.mark.parametrize("persona", ["org_leader", "outsider", "supervisor"])
def test_who_may_not_change_engagements(world, persona):
    engagement = make_engagement(world)
    with pytest.raises(PermissionDenied):
        services.engagement_update(actor=world.users[persona], engagement=engagement, title="x")
    with pytest.raises(PermissionDenied):
        services.engagement_raise_need(actor=world.users[persona], engagement=engagement, title="x",
                                       category="other")
