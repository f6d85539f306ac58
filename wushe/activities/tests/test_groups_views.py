"""Group-work pages: permissions over every persona, refusals shown as messages, fixed query counts."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from wushe.activities.models import Attendance, GroupMember, GroupStage, GroupStageChange, GroupWork
from wushe.activities.services import groups as services
from wushe.people.tests.factories import ResidentFactory
from wushe.testing.personas import ALL_PERSONAS

from .factories import at
from .group_factories import add_member, make_group, session

pytestmark = pytest.mark.django_db

# The group belongs to 将台社区 and is organized by the community (no organization).
VIEWERS = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "social_worker"}
CHANGERS = {"admin", "street_officer", "station_staff", "community_staff", "social_worker"}
LIST_ALLOWED = set(ALL_PERSONAS) - {"expert_reviewer"}


def expected(persona, *, change: bool) -> int:
    if persona not in VIEWERS:
        return 404
    return 200 if not change or persona in CHANGERS else 403


@pytest.fixture
def group(world):
    group = make_group(world, sessions=2)
    add_member(group, name="测试成员甲")
    return group


def url(name, group, *args):
    return reverse(f"activities:{name}", args=[group.activity.public_id, *args])


def statuses(client_for, target) -> dict[str, int]:
    return {p: client_for(p).get(target).status_code for p in ALL_PERSONAS}


# Permissions --------------------------------------------------------------------------------------------

def test_list_permissions(client_for, group):
    for persona in ALL_PERSONAS:
        response = client_for(persona).get(reverse("activities:group_list"))
        assert response.status_code == (200 if persona in LIST_ALLOWED else 403), persona
        if response.status_code == 200:
            assert ("长者互助小组" in response.content.decode()) == (persona in VIEWERS), persona


@pytest.mark.parametrize("name", ["group_detail", "group_members", "group_sessions", "group_attendance"])
def test_read_pages_permissions(client_for, group, name):
    assert statuses(client_for, url(name, group)) == {p: expected(p, change=False) for p in ALL_PERSONAS}


def test_session_page_permissions(client_for, group):
    target = url("group_session", group, session(group).public_id)
    assert statuses(client_for, target) == {p: expected(p, change=False) for p in ALL_PERSONAS}


@pytest.mark.parametrize("name", ["group_edit", "group_session_plan"])
def test_change_pages_permissions(client_for, group, name):
    assert statuses(client_for, url(name, group)) == {p: expected(p, change=True) for p in ALL_PERSONAS}


def test_create_page_permissions(client_for, world):
    changers = CHANGERS | {"org_leader", "outsider"}
    assert statuses(client_for, reverse("activities:group_create")) == {
        p: 200 if p in changers else 403 for p in ALL_PERSONAS}


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_stage_advance_permissions(client_for, group, persona):
    response = client_for(persona).post(url("group_stage_advance", group), {"to_stage": "formation", "note": ""})
    status = expected(persona, change=True)
    assert response.status_code == (302 if status == 200 else status)
    assert GroupStageChange.objects.filter(group=group).exists() == (status == 200)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_attendance_save_permissions(client_for, group, persona):
    member = group.members.get()
    response = client_for(persona).post(url("group_attendance_save", group, session(group).public_id),
                                        {"present": [str(member.public_id)]})
    status = expected(persona, change=True)
    assert response.status_code == (302 if status == 200 else status)
    assert Attendance.objects.active().filter(session=session(group)).exists() == (status == 200)


def test_organization_leader_runs_their_organizations_group(client_for, world):
    group = make_group(world, title="银龄互助小组", organization=world.objects["organization"])
    leader = client_for("org_leader")
    assert leader.get(url("group_detail", group)).status_code == 200
    assert leader.get(url("group_edit", group)).status_code == 200
    assert "银龄互助小组" in leader.get(reverse("activities:group_list")).content.decode()


# Pages do what they say ---------------------------------------------------------------------------------

def test_create_group(client_for, world):
    response = client_for("community_staff").post(reverse("activities:group_create"), {
        "title": "亲子沟通成长小组", "group_kind": "growth", "region": world.community.code, "place": "活动室",
        "starts_at": at(days=3).strftime("%Y-%m-%dT%H:%M"), "ends_at": at(days=3, hours=2).strftime("%Y-%m-%dT%H:%M"),
        "goals": "改善亲子沟通", "target_description": "初中生家长", "planned_sessions": "6", "max_members": "10"})
    group = GroupWork.objects.get()
    assert response.status_code == 302 and response.url == url("group_detail", group)
    assert group.max_members == 10 and group.activity.title == "亲子沟通成长小组"


def test_create_group_shows_service_errors(client_for, world):
    response = client_for("community_staff").post(reverse("activities:group_create"), {
        "title": "小组", "group_kind": "growth", "region": world.community.code, "place": "活动室",
        "starts_at": at(days=3).strftime("%Y-%m-%dT%H:%M"), "ends_at": at(days=2).strftime("%Y-%m-%dT%H:%M"),
        "goals": "目标", "planned_sessions": "6"})
    assert response.status_code == 200 and not GroupWork.objects.exists()
    assert "结束时间必须晚于开始时间" in response.content.decode()


def test_edit_group(client_for, group):
    response = client_for("social_worker").post(url("group_edit", group), {
        "title": "长者互助支持小组", "place": "将台社区活动室", "group_kind": "mutual_aid", "goals": "新目标",
        "planned_sessions": "8", "max_members": "", "evaluation": ""})
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.group_kind == "mutual_aid" and group.planned_sessions == 8
    assert group.activity.title == "长者互助支持小组"


def test_detail_shows_timeline_and_refusals_as_messages(client_for, group):
    client = client_for("community_staff")
    response = client.post(url("group_stage_advance", group), {"to_stage": "transition"}, follow=True)
    assert str(services.MSG_STAGE_SKIP) in response.content.decode()
    client.post(url("group_stage_advance", group), {"to_stage": "formation", "note": "第一节后成员彼此熟悉"})
    page = client.get(url("group_detail", group)).content.decode()
    assert "第一节后成员彼此熟悉" in page and "进入转折期" in page and "退回筹备期" in page


def test_entering_ending_from_the_form_needs_the_evaluation(client_for, world):
    group = make_group(world, stage=GroupStage.MATURITY)
    client = client_for("community_staff")
    response = client.post(url("group_stage_advance", group), {"to_stage": "ending", "evaluation": ""}, follow=True)
    assert str(services.MSG_ENDING_NEEDS_EVALUATION) in response.content.decode()
    client.post(url("group_stage_advance", group), {"to_stage": "ending", "evaluation": "目标基本达成"})
    group.refresh_from_db()
    assert group.stage == GroupStage.ENDING and group.evaluation == "目标基本达成"


def test_members_page_searches_visible_residents_and_adds_one(client_for, world, group):
    candidate = ResidentFactory(region=world.community, name="周新成员")
    ResidentFactory(region=world.other_community, name="周外区")
    client = client_for("community_staff")
    response = client.get(url("group_members", group), {"q": "周"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "周新成员" in page and "周外区" not in page and "<html" not in page
    response = client.post(url("group_member_add", group), {"resident": str(candidate.public_id),
                                                             "joined_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    assert GroupMember.objects.filter(group=group, resident=candidate).exists()
    # Already a member: no longer offered.
    assert "周新成员" not in client.get(url("group_members", group), {"q": "周"}).content.decode().split("添加成员")[1]


def test_adding_an_invisible_resident_is_refused(client_for, world, group):
    stranger = ResidentFactory(region=world.other_community)
    response = client_for("community_staff").post(url("group_member_add", group), {
        "resident": str(stranger.public_id), "joined_on": timezone.localdate().isoformat()}, follow=True)
    assert str(services.MSG_RESIDENT_NOT_VISIBLE) in response.content.decode()
    assert not GroupMember.objects.filter(resident=stranger).exists()


def test_full_group_refusal_is_shown(client_for, world):
    group = make_group(world, max_members=1)
    add_member(group)
    response = client_for("community_staff").post(url("group_member_add", group), {
        "resident": str(ResidentFactory(region=world.community).public_id),
        "joined_on": timezone.localdate().isoformat()}, follow=True)
    assert str(services.MSG_GROUP_FULL % {"max": 1}) in response.content.decode()


def test_member_leaves(client_for, group):
    member = group.members.get()
    response = client_for("community_staff").post(url("group_member_leave", group, member.public_id), {
        "left_on": timezone.localdate().isoformat(), "reason": "搬离社区"}, follow=True)
    assert "已退出小组" in response.content.decode()
    member.refresh_from_db()
    assert member.left_reason == "搬离社区"


def test_member_phone_is_masked_for_viewers_without_identity_access(client_for, group):
    member = group.members.get()
    assert member.resident.phone in client_for("community_staff").get(url("group_members", group)).content.decode()
    page = client_for("street_officer").get(url("group_members", group)).content.decode()
    assert member.resident.phone not in page and member.resident.phone[-4:] in page


def test_plan_session(client_for, group):
    starts = at(days=10)
    response = client_for("community_staff").post(url("group_session_plan", group), {
        "title": "第三节：回顾与展望", "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (starts + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 302
    page = client_for("community_staff").get(url("group_sessions", group)).content.decode()
    assert "第三节：回顾与展望" in page and "已计划" in page and "待记录" in page


def test_record_session_and_take_attendance(client_for, group):
    client = client_for("community_staff")
    first = session(group)
    response = client.post(url("group_session_record", group, first.public_id), {"goals": "相互认识", "content": ""})
    assert response.status_code == 200 and "content" in response.context["record_form"].errors
    client.post(url("group_session_record", group, first.public_id), {"goals": "相互认识", "content": "破冰游戏"})
    first.refresh_from_db()
    assert first.content == "破冰游戏" and first.recorded_at is not None
    member = group.members.get()
    client.post(url("group_attendance_save", group, first.public_id), {"present": [str(member.public_id)]})
    page = client.get(url("group_session", group, first.public_id)).content.decode()
    assert "checked" in page and "1 人次" in page
    client.post(url("group_attendance_save", group, first.public_id), {})
    assert not Attendance.objects.active().filter(session=first).exists()


def test_future_session_page_shows_why_nothing_can_be_recorded(client_for, world):
    group = make_group(world, first_days=3)
    add_member(group)
    client = client_for("community_staff")
    page = client.get(url("group_session", group, session(group).public_id)).content.decode()
    assert str(services.MSG_SESSION_NOT_STARTED) in page and "保存考勤" not in page
    response = client.post(url("group_attendance_save", group, session(group).public_id),
                           {"present": [str(group.members.get().public_id)]}, follow=True)
    assert str(services.MSG_SESSION_NOT_STARTED) in response.content.decode()


def test_attendance_matrix_page(client_for, group):
    member = group.members.get()
    services.group_attendance_save(actor=group.activity.organizer, session=session(group),
                                   present_member_ids=[member.public_id])
    page = client_for("district_officer").get(url("group_attendance", group)).content.decode()
    assert "table-responsive" in page and "测试成员甲" in page and "50%" in page


# Query counts -------------------------------------------------------------------------------------------

def _list_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit):
        assert client.get(reverse("activities:group_list")).status_code == 200


def test_list_query_count_does_not_grow_with_groups(client_for, world, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("community_staff")
    make_group(world)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("activities:group_list"))
    for n in range(8):
        group = make_group(world, title=f"小组{n}", sessions=2, organization=world.objects["organization"])
        add_member(group)
    _list_queries(client, django_assert_max_num_queries, len(few.captured_queries))


@pytest.mark.parametrize("name", ["group_attendance", "group_members", "group_sessions", "group_detail"])
def test_group_pages_query_count_does_not_grow_with_members(client_for, world, django_assert_max_num_queries,
                                                            name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for("community_staff")
    group = make_group(world, sessions=2)
    add_member(group)
    with CaptureQueriesContext(connection) as few:
        client.get(url(name, group))
    for _ in range(6):
        member = add_member(group)
        Attendance.objects.create(session=session(group), resident=member.resident, source="roster")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(name, group)).status_code == 200
