"""Group work rules: stage order, ending needs an evaluation, members and their cap, session records and
attendance as a set."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wushe.activities.models import (
    ActivityKind,
    ActivityStatus,
    Attendance,
    GroupKind,
    GroupStage,
    GroupStageChange,
)
from wushe.activities.selectors import groups as selectors
from wushe.activities.services import groups as services
from wushe.activities.services.activities import activity_cancel
from wushe.people.tests.factories import ResidentFactory

from .factories import at
from .group_factories import add_member, make_group, session

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.value.messages]


def advance(world, group, to_stage, note="", **kwargs):
    return services.group_stage_advance(actor=world.community_staff, group=group, to_stage=to_stage, note=note,
                                        **kwargs)


# Creating and editing ----------------------------------------------------------------------------------

def test_group_create_makes_a_group_activity_with_its_first_session(world):
    group = services.group_create(
        actor=world.community_staff, region=world.community, title="亲子沟通成长小组", place="将台社区活动室",
        starts_at=at(days=3), ends_at=at(days=3, hours=2), group_kind=GroupKind.GROWTH, goals="改善亲子沟通",
        target_description="辖区初中生家长", planned_sessions=6, max_members=12)
    activity = group.activity
    assert activity.kind == ActivityKind.GROUP_SESSION and activity.status == ActivityStatus.PLANNED
    assert activity.organizer == world.community_staff and activity.capacity == 12
    assert group.stage == GroupStage.PREPARATION
    assert list(activity.sessions.values_list("sequence", flat=True)) == [1]
    assert group.history.count() == 1


def test_group_create_collects_group_and_activity_errors(world):
    with pytest.raises(ValidationError) as error:
        services.group_create(actor=world.community_staff, region=world.community, title="", place="活动室",
                              starts_at=at(days=3), ends_at=at(days=3, hours=2), group_kind="bogus", goals="",
                              planned_sessions=0)
    fields = error.value.message_dict
    assert fields["group_kind"] == [str(services.MSG_GROUP_KIND_INVALID)]
    assert fields["goals"] == [str(services.MSG_GOALS_REQUIRED)]
    assert fields["planned_sessions"] == [str(services.MSG_PLANNED_SESSIONS_INVALID)]
    assert "title" in fields


def test_group_create_outside_scope_is_refused(world):
    with pytest.raises(ValidationError) as error:
        services.group_create(actor=world.outsider, region=world.community, title="小组", place="活动室",
                              starts_at=at(days=3), ends_at=at(days=3, hours=2), group_kind=GroupKind.SUPPORT,
                              goals="目标")
    assert "region" in error.value.message_dict


def test_group_update_changes_group_and_activity(world):
    group = make_group(world)
    services.group_update(actor=world.community_staff, group=group, title="长者互助支持小组", goals="新的目标",
                          max_members=8)
    group.refresh_from_db()
    assert group.goals == "新的目标" and group.max_members == 8
    assert group.activity.title == "长者互助支持小组" and group.activity.capacity == 8


def test_group_update_cannot_lower_the_cap_below_current_members(world):
    group = make_group(world)
    add_member(group)
    add_member(group)
    with pytest.raises(ValidationError) as error:
        services.group_update(actor=world.community_staff, group=group, max_members=1)
    assert error.value.message_dict["max_members"] == [str(services.MSG_MAX_MEMBERS_BELOW_CURRENT % {"count": 2})]


def test_read_only_viewer_cannot_update(world):
    group = make_group(world)
    with pytest.raises(PermissionDenied):
        services.group_update(actor=world.district_officer, group=group, goals="改")


def test_cancelled_group_cannot_be_changed(world):
    group = make_group(world)
    activity_cancel(actor=world.community_staff, activity=group.activity, reason="场地无法使用")
    with pytest.raises(ValidationError):
        services.group_update(actor=world.community_staff, group=group, goals="改")


# Stages ------------------------------------------------------------------------------------------------

def test_stages_advance_one_step_at_a_time_and_are_recorded(world):
    group = make_group(world)
    for stage in (GroupStage.FORMATION, GroupStage.TRANSITION, GroupStage.MATURITY):
        advance(world, group, stage, note="阶段小结")
    group.refresh_from_db()
    assert group.stage == GroupStage.MATURITY
    assert list(GroupStageChange.objects.filter(group=group).values_list("from_stage", "to_stage")) == [
        ("preparation", "formation"), ("formation", "transition"), ("transition", "maturity")]
    assert GroupStageChange.objects.filter(group=group, changed_by=world.community_staff).count() == 3


def test_skipping_a_stage_is_refused(world):
    group = make_group(world)
    with pytest.raises(ValidationError) as error:
        advance(world, group, GroupStage.TRANSITION)
    assert messages_of(error) == [str(services.MSG_STAGE_SKIP)]
    assert not GroupStageChange.objects.exists()


def test_staying_in_the_same_stage_is_refused(world):
    group = make_group(world)
    with pytest.raises(ValidationError) as error:
        advance(world, group, GroupStage.PREPARATION)
    assert messages_of(error) == [str(services.MSG_STAGE_SAME)]


def test_going_back_needs_a_correction_note(world):
    group = make_group(world, stage=GroupStage.TRANSITION)
    with pytest.raises(ValidationError) as error:
        advance(world, group, GroupStage.FORMATION)
    assert messages_of(error) == [str(services.MSG_STAGE_CORRECTION_NOTE)]
    change = advance(world, group, GroupStage.FORMATION, note="误操作，成员尚未建立信任")
    assert (change.from_stage, change.to_stage) == ("transition", "formation")
    assert selectors.stage_timeline(group)["changes"][0].is_correction


def test_going_back_two_stages_is_refused_even_with_a_note(world):
    group = make_group(world, stage=GroupStage.MATURITY)
    with pytest.raises(ValidationError) as error:
        advance(world, group, GroupStage.FORMATION, note="更正")
    assert messages_of(error) == [str(services.MSG_STAGE_BACK_TOO_FAR)]


def test_unknown_stage_is_refused(world):
    group = make_group(world)
    with pytest.raises(ValidationError) as error:
        advance(world, group, "nirvana")
    assert messages_of(error) == [str(services.MSG_STAGE_UNKNOWN)]


def test_ending_needs_the_evaluation(world):
    group = make_group(world, stage=GroupStage.MATURITY)
    with pytest.raises(ValidationError) as error:
        advance(world, group, GroupStage.ENDING, note="最后一节")
    assert error.value.message_dict["evaluation"] == [str(services.MSG_ENDING_NEEDS_EVALUATION)]
    advance(world, group, GroupStage.ENDING, note="最后一节", evaluation="成员孤独感量表平均下降20%")
    group.refresh_from_db()
    assert group.stage == GroupStage.ENDING and group.evaluation.startswith("成员孤独感")


def test_an_ended_group_keeps_its_evaluation(world):
    group = make_group(world, stage=GroupStage.ENDING)
    group.evaluation = "目标达成"
    group.save()
    with pytest.raises(ValidationError) as error:
        services.group_update(actor=world.community_staff, group=group, evaluation="")
    assert error.value.message_dict["evaluation"] == [str(services.MSG_ENDING_NEEDS_EVALUATION)]


def test_stage_timeline_marks_done_current_and_upcoming(world):
    group = make_group(world)
    advance(world, group, GroupStage.FORMATION)
    states = [s["state"] for s in selectors.stage_timeline(group)["stages"]]
    assert states == ["done", "current", "upcoming", "upcoming", "upcoming"]


def test_read_only_viewer_cannot_advance(world):
    group = make_group(world)
    with pytest.raises(PermissionDenied):
        services.group_stage_advance(actor=world.district_officer, group=group, to_stage=GroupStage.FORMATION)


# Members -----------------------------------------------------------------------------------------------

def test_member_add_and_leave(world):
    group = make_group(world)
    resident = ResidentFactory(region=world.community)
    member = services.group_member_add(actor=world.community_staff, group=group, resident=resident,
                                       joined_on=TODAY())
    assert member.left_on is None
    services.group_member_leave(actor=world.community_staff, member=member, left_on=TODAY(), reason="身体原因")
    member.refresh_from_db()
    assert member.left_on == TODAY() and member.left_reason == "身体原因"
    assert services.current_members(group).count() == 0


def test_member_cap_is_enforced(world):
    group = make_group(world, max_members=2)
    add_member(group)
    add_member(group)
    with pytest.raises(ValidationError) as error:
        services.group_member_add(actor=world.community_staff, group=group,
                                  resident=ResidentFactory(region=world.community), joined_on=TODAY())
    assert error.value.message_dict["resident"] == [str(services.MSG_GROUP_FULL % {"max": 2})]


def test_a_member_who_left_frees_a_place(world):
    group = make_group(world, max_members=1)
    add_member(group, left_on=TODAY())
    services.group_member_add(actor=world.community_staff, group=group,
                              resident=ResidentFactory(region=world.community), joined_on=TODAY())
    assert services.current_members(group).count() == 1


def test_duplicate_and_former_members_are_refused(world):
    group = make_group(world)
    current = add_member(group)
    former = add_member(group, left_on=TODAY())
    for member, message in ((current, services.MSG_ALREADY_MEMBER), (former, services.MSG_FORMER_MEMBER)):
        with pytest.raises(ValidationError) as error:
            services.group_member_add(actor=world.community_staff, group=group, resident=member.resident,
                                      joined_on=TODAY())
        assert error.value.message_dict["resident"] == [str(message)]


def test_resident_outside_the_actors_scope_is_refused(world):
    group = make_group(world)
    stranger = ResidentFactory(region=world.other_community)
    with pytest.raises(ValidationError) as error:
        services.group_member_add(actor=world.community_staff, group=group, resident=stranger, joined_on=TODAY())
    assert error.value.message_dict["resident"] == [str(services.MSG_RESIDENT_NOT_VISIBLE)]


def test_member_dates_and_reason_are_checked(world):
    group = make_group(world)
    with pytest.raises(ValidationError) as error:
        services.group_member_add(actor=world.community_staff, group=group,
                                  resident=ResidentFactory(region=world.community),
                                  joined_on=TODAY() + datetime.timedelta(days=1))
    assert error.value.message_dict["joined_on"] == [str(services.MSG_JOINED_ON_FUTURE)]
    member = add_member(group, joined_on=TODAY())
    with pytest.raises(ValidationError) as error:
        services.group_member_leave(actor=world.community_staff, member=member,
                                    left_on=TODAY() - datetime.timedelta(days=1), reason="")
    assert error.value.message_dict == {"left_on": [str(services.MSG_LEFT_BEFORE_JOINED)],
                                        "reason": [str(services.MSG_LEAVE_REASON_REQUIRED)]}


def test_no_new_members_once_ending(world):
    group = make_group(world, stage=GroupStage.ENDING)
    with pytest.raises(ValidationError) as error:
        services.group_member_add(actor=world.community_staff, group=group,
                                  resident=ResidentFactory(region=world.community), joined_on=TODAY())
    assert messages_of(error) == [str(services.MSG_GROUP_ENDED)]


# Sessions and their records ----------------------------------------------------------------------------

def test_session_plan_adds_the_next_session_at_the_groups_place(world):
    group = make_group(world, sessions=2)
    planned = services.group_session_plan(actor=world.community_staff, group=group, starts_at=at(days=7),
                                          ends_at=at(days=7, hours=2), title="第三节：我的支持网络")
    assert planned.sequence == 3 and planned.place == group.activity.place
    assert [s.status for s in selectors.group_sessions(group)] == ["due", "due", "planned"]


def test_session_record_only_after_the_session_started(world):
    group = make_group(world, first_days=2)
    with pytest.raises(ValidationError) as error:
        services.group_session_record(actor=world.community_staff, session=session(group), goals="相互认识",
                                      content="破冰游戏")
    assert messages_of(error) == [str(services.MSG_SESSION_NOT_STARTED)]


def test_session_record_is_saved_with_recorder(world):
    group = make_group(world)
    recorded = services.group_session_record(actor=world.community_staff, session=session(group), goals="相互认识",
                                             content="破冰游戏、订立小组契约", observations="成员较拘谨",
                                             reflection="下节增加分享环节")
    assert recorded.recorded_by == world.community_staff and recorded.recorded_at is not None
    assert selectors.group_sessions(group)[0].status == "recorded"
    with pytest.raises(ValidationError) as error:
        services.group_session_record(actor=world.community_staff, session=session(group), goals="", content=" ")
    assert error.value.message_dict["content"] == [str(services.MSG_RECORD_CONTENT_REQUIRED)]


def test_session_of_an_ordinary_activity_is_not_a_group_session(world):
    from .factories import make_activity

    activity = make_activity(world, starts_at=at(days=-1))
    with pytest.raises(ValidationError) as error:
        services.group_session_record(actor=world.community_staff, session=activity.sessions.get(), goals="",
                                      content="内容")
    assert messages_of(error) == [str(services.MSG_NOT_A_GROUP)]


# Attendance --------------------------------------------------------------------------------------------

def present_residents(target_session):
    return set(Attendance.objects.active().filter(session=target_session).values_list("resident_id", flat=True))


def test_attendance_save_makes_the_roster_equal_the_submitted_set(world):
    group = make_group(world)
    a, b, c = add_member(group), add_member(group), add_member(group)
    first = session(group)
    services.group_attendance_save(actor=world.community_staff, session=first,
                                   present_member_ids=[a.public_id, b.public_id])
    assert present_residents(first) == {a.resident_id, b.resident_id}
    services.group_attendance_save(actor=world.community_staff, session=first,
                                   present_member_ids=[str(b.public_id), str(c.public_id)])
    assert present_residents(first) == {b.resident_id, c.resident_id}
    # The unmarked row is voided with a reason, never deleted.
    voided = Attendance.objects.voided().get(session=first, resident=a.resident)
    assert voided.void_reason == str(services.MSG_ABSENT_REASON)
    # Saving the same set again changes nothing (idempotent).
    services.group_attendance_save(actor=world.community_staff, session=first,
                                   present_member_ids=[b.public_id, c.public_id])
    assert Attendance.objects.filter(session=first).count() == 3


def test_attendance_save_with_an_empty_set_unmarks_everyone(world):
    group = make_group(world)
    member = add_member(group)
    services.group_attendance_save(actor=world.community_staff, session=session(group),
                                   present_member_ids=[member.public_id])
    services.group_attendance_save(actor=world.community_staff, session=session(group), present_member_ids=[])
    assert present_residents(session(group)) == set()


def test_non_members_cannot_be_marked(world):
    group = make_group(world)
    member = add_member(group)
    other_group = make_group(world, title="另一个小组")
    outsider = add_member(other_group)
    with pytest.raises(ValidationError) as error:
        services.group_attendance_save(actor=world.community_staff, session=session(group),
                                       present_member_ids=[member.public_id, outsider.public_id])
    assert error.value.message_dict["present_member_ids"] == [str(services.MSG_NOT_A_MEMBER)]
    assert present_residents(session(group)) == set()


def test_members_who_joined_later_or_left_before_cannot_be_marked(world):
    group = make_group(world, first_days=-21)
    first_day = timezone.localtime(session(group).starts_at).date()
    late = add_member(group, joined_on=first_day + datetime.timedelta(days=1))
    gone = add_member(group, joined_on=first_day - datetime.timedelta(days=30),
                      left_on=first_day - datetime.timedelta(days=1))
    for member in (late, gone):
        with pytest.raises(ValidationError):
            services.group_attendance_save(actor=world.community_staff, session=session(group),
                                           present_member_ids=[member.public_id])


def test_attendance_of_non_members_is_left_alone(world):
    from wushe.activities.services.attendance import attendance_mark

    group = make_group(world)
    member = add_member(group)
    walk_in = ResidentFactory(region=world.community)
    attendance_mark(actor=world.community_staff, session=session(group), resident=walk_in, source="roster")
    services.group_attendance_save(actor=world.community_staff, session=session(group),
                                   present_member_ids=[member.public_id])
    assert present_residents(session(group)) == {member.resident_id, walk_in.pk}


def test_attendance_only_after_the_session_started(world):
    group = make_group(world, first_days=1)
    member = add_member(group)
    with pytest.raises(ValidationError) as error:
        services.group_attendance_save(actor=world.community_staff, session=session(group),
                                       present_member_ids=[member.public_id])
    assert messages_of(error) == [str(services.MSG_SESSION_NOT_STARTED)]


def test_read_only_viewer_cannot_save_attendance(world):
    group = make_group(world)
    member = add_member(group)
    with pytest.raises(PermissionDenied):
        services.group_attendance_save(actor=world.district_officer, session=session(group),
                                       present_member_ids=[member.public_id])


def test_person_times_per_session_and_rates_per_member(world):
    group = make_group(world, sessions=3, first_days=-14)  # sessions 14 and 7 days ago, and today
    a, b = add_member(group), add_member(group)
    services.group_attendance_save(actor=world.community_staff, session=session(group, 1),
                                   present_member_ids=[a.public_id, b.public_id])
    services.group_attendance_save(actor=world.community_staff, session=session(group, 2),
                                   present_member_ids=[a.public_id])
    sessions = selectors.group_sessions(group)
    assert [s.person_times for s in sessions] == [2, 1, 0]
    matrix = selectors.attendance_matrix(group)
    rows = {row.member.pk: row for row in matrix.rows}
    assert rows[a.pk].cells[:2] == ["present", "present"] and rows[b.pk].cells[:2] == ["present", "absent"]
    assert matrix.members_present == [2, 1, 0]
    assert matrix.person_times == 3


def test_rate_counts_only_sessions_held_while_a_member(world):
    group = make_group(world, sessions=3, first_days=-13)  # 13 and 6 days ago, tomorrow
    first_day = timezone.localtime(session(group, 1).starts_at).date()
    late = add_member(group, joined_on=first_day + datetime.timedelta(days=3))
    services.group_attendance_save(actor=world.community_staff, session=session(group, 2),
                                   present_member_ids=[late.public_id])
    row = selectors.attendance_matrix(group).rows[0]
    assert row.cells == ["not_member", "present", "upcoming"]
    assert (row.attended, row.eligible, row.rate) == (1, 1, 100)


def test_evaluation_can_be_edited_after_the_activity_completed(world):
    from wushe.activities.services.activities import activity_complete, activity_open

    group = make_group(world, stage=GroupStage.ENDING)
    group.evaluation = "初稿"
    group.save()
    activity_open(actor=world.community_staff, activity=group.activity)
    activity_complete(actor=world.community_staff, activity=group.activity)
    services.group_update(actor=world.community_staff, group=group, title=group.activity.title,
                          place=group.activity.place, evaluation="终稿")
    group.refresh_from_db()
    assert group.evaluation == "终稿"


def test_stage_is_read_afresh_before_advancing(world):
    group = make_group(world)
    stale = type(group).objects.get(pk=group.pk)
    advance(world, group, GroupStage.FORMATION)
    with pytest.raises(ValidationError) as error:
        advance(world, stale, GroupStage.FORMATION)
    assert messages_of(error) == [str(services.MSG_STAGE_SAME)]
