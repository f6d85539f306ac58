"""Needs register writes: the status flow, project links and their rules, voiding and history."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wushe.projects.models import ProjectStatus
from wushe.projects.tests.factories import make_org, make_project, make_round
from wushe.surveys.models import NeedProjectLink, NeedSource, NeedStatus
from wushe.surveys.services import needs as services

from .needs_factories import DAY, group, make_need

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(world):
    return make_project(world, status=ProjectStatus.IN_PROGRESS)


def messages_of(error: ValidationError) -> list[str]:
    return [str(m) for m in error.messages]


def test_need_starts_open_with_search_text_and_creator(world):
    need = make_need(world, population_group=group("oldest_old"), evidence="座谈会 8 人提出")
    assert need.status == NeedStatus.OPEN
    assert need.created_by == world.street_officer
    assert "zhucan" in need.search_text.replace(" ", "") or "助餐" in need.search_text


def test_need_must_belong_to_a_community_in_scope(world):
    with pytest.raises(ValidationError) as error:
        make_need(world, actor=world.community_staff, region=world.community2)
    assert str(services.MSG_REGION_OUT_OF_SCOPE) in messages_of(error.value)
    with pytest.raises(ValidationError) as error:
        make_need(world, region=world.street)
    assert str(services.MSG_REGION_NOT_COMMUNITY) in messages_of(error.value)


def test_title_is_required_and_date_not_in_future(world):
    with pytest.raises(ValidationError) as error:
        make_need(world, title="  ", identified_on=datetime.date.today() + datetime.timedelta(days=3))
    assert set(error.value.message_dict) == {"title", "identified_on"}


def test_status_flow_open_answered_met_and_back(world, project):
    need = make_need(world)
    link = services.need_link_project(actor=world.community_staff, need=need, project=project, note="项目主要内容")
    need.refresh_from_db()
    assert need.status == NeedStatus.ANSWERED and link.linked_by == world.community_staff
    services.need_mark_met(actor=world.community_staff, need=need, met_on=DAY + datetime.timedelta(days=30),
                           note="已开设老年餐桌")
    need.refresh_from_db()
    assert need.status == NeedStatus.MET and need.met_note == "已开设老年餐桌"
    services.need_reopen(actor=world.community_staff, need=need, reason="餐桌停办")
    need.refresh_from_db()
    assert need.status == NeedStatus.ANSWERED and need.met_on is None  # the project still answers it
    services.need_unlink_project(actor=world.community_staff, link=link, reason="项目调整内容")
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


def test_reopen_without_links_goes_back_to_open(world, project):
    need = make_need(world)
    link = services.need_link_project(actor=world.street_officer, need=need, project=project)
    services.need_mark_met(actor=world.street_officer, need=need, met_on=DAY, note="已满足")
    services.need_unlink_project(actor=world.street_officer, link=link, reason="关联有误")
    need.refresh_from_db()
    assert need.status == NeedStatus.MET  # unlinking does not undo a met need
    services.need_reopen(actor=world.street_officer, need=need, reason="复查未满足")
    need.refresh_from_db()
    assert need.status == NeedStatus.OPEN


def test_mark_met_only_from_answered_and_needs_a_note(world, project):
    need = make_need(world)
    with pytest.raises(ValidationError) as error:
        services.need_mark_met(actor=world.street_officer, need=need, met_on=DAY, note="好了")
    assert messages_of(error.value) == [str(services.MSG_MET_ONLY_FROM_ANSWERED)]
    services.need_link_project(actor=world.street_officer, need=need, project=project)
    with pytest.raises(ValidationError) as error:
        services.need_mark_met(actor=world.street_officer, need=need, met_on=DAY - datetime.timedelta(days=1),
                               note=" ")
    assert error.value.message_dict == {"met_on": [str(services.MSG_MET_BEFORE_IDENTIFIED)],
                                        "note": [str(services.MSG_MET_NOTE_REQUIRED)]}


def test_reopen_only_met_and_with_reason(world, project):
    need = make_need(world)
    with pytest.raises(ValidationError) as error:
        services.need_reopen(actor=world.street_officer, need=need, reason="x")
    assert messages_of(error.value) == [str(services.MSG_REOPEN_ONLY_MET)]
    services.need_link_project(actor=world.street_officer, need=need, project=project)
    services.need_mark_met(actor=world.street_officer, need=need, met_on=DAY, note="已满足")
    with pytest.raises(ValidationError):
        services.need_reopen(actor=world.street_officer, need=need, reason="  ")


def test_duplicate_active_link_is_refused_but_relinking_after_unlink_works(world, project):
    need = make_need(world)
    link = services.need_link_project(actor=world.street_officer, need=need, project=project)
    with pytest.raises(ValidationError) as error:
        services.need_link_project(actor=world.street_officer, need=need, project=project)
    assert messages_of(error.value) == [str(services.MSG_LINK_DUPLICATE)]
    services.need_unlink_project(actor=world.street_officer, link=link, reason="误关联")
    services.need_link_project(actor=world.street_officer, need=need, project=project)
    assert NeedProjectLink.objects.filter(need=need).count() == 2
    assert NeedProjectLink.objects.active().filter(need=need).count() == 1


def test_project_of_another_community_is_refused(world):
    other = make_project(world, status=ProjectStatus.IN_PROGRESS, region=world.community2)
    need = make_need(world)
    with pytest.raises(ValidationError) as error:
        services.need_link_project(actor=world.street_officer, need=need, project=other)
    assert messages_of(error.value) == [str(services.MSG_PROJECT_OTHER_REGION)]


def test_project_of_the_street_may_answer_a_community_need(world):
    street_project = make_project(world, status=ProjectStatus.CONTRACTED, region=world.street)
    need = make_need(world)
    services.need_link_project(actor=world.street_officer, need=need, project=street_project)
    need.refresh_from_db()
    assert need.status == NeedStatus.ANSWERED


@pytest.mark.parametrize("status", [ProjectStatus.REJECTED, ProjectStatus.TERMINATED])
def test_rejected_or_terminated_project_is_refused(world, status):
    project = make_project(world, status=status)
    need = make_need(world)
    with pytest.raises(ValidationError) as error:
        services.need_link_project(actor=world.street_officer, need=need, project=project)
    assert messages_of(error.value) == [str(services.MSG_PROJECT_NOT_ACTIVE)]


def test_voided_project_is_refused(world, project):
    from wushe.core.services import record_void

    record_void(actor=world.admin, obj=project, reason="重复申报")
    need = make_need(world)
    with pytest.raises(ValidationError) as error:
        services.need_link_project(actor=world.street_officer, need=need, project=project)
    assert messages_of(error.value) == [str(services.MSG_PROJECT_VOIDED)]


def test_leader_links_a_need_to_own_project_but_not_to_another_organizations(world, project):
    need = make_need(world)
    services.need_link_project(actor=world.org_leader, need=need, project=project)
    need.refresh_from_db()
    assert need.status == NeedStatus.ANSWERED
    stranger = make_org(world, "丽都邻里互助会")
    foreign = make_project(world, make_round(world, title="另一轮"), status=ProjectStatus.IN_PROGRESS,
                           applicant=stranger)
    with pytest.raises(ValidationError) as error:
        services.need_link_project(actor=world.org_leader, need=need, project=foreign)
    assert messages_of(error.value) == [str(services.MSG_PROJECT_UNAVAILABLE)]


def test_leader_cannot_link_a_visible_project_they_cannot_change(world):
    # The supervisor sees the worker's projects but may change neither the project nor the need.
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    need = make_need(world)
    with pytest.raises(PermissionDenied):
        services.need_link_project(actor=world.supervisor, need=need, project=project)


def test_leader_may_not_edit_mark_or_void_needs(world, project):
    need = make_need(world)
    with pytest.raises(PermissionDenied):
        services.need_update(actor=world.org_leader, need=need, title="改名")
    with pytest.raises(PermissionDenied):
        services.need_void(actor=world.org_leader, need=need, reason="x")


def test_outsider_cannot_change_a_need(world):
    need = make_need(world)
    with pytest.raises(PermissionDenied):
        services.need_update(actor=world.outsider, need=need, title="改名")


def test_update_keeps_status_and_refuses_moving_an_answered_need(world, project):
    need = make_need(world)
    services.need_link_project(actor=world.street_officer, need=need, project=project)
    with pytest.raises(ValidationError) as error:
        services.need_update(actor=world.street_officer, need=need, region=world.community2)
    assert error.value.message_dict == {"region": [str(services.MSG_REGION_LOCKED)]}
    need.refresh_from_db()
    services.need_update(actor=world.street_officer, need=need, title="高龄老人午餐配送", priority="high")
    need.refresh_from_db()
    assert need.title == "高龄老人午餐配送" and need.status == NeedStatus.ANSWERED
    assert "wucan" in need.search_text.replace(" ", "") or "午餐" in need.search_text


def test_void_needs_reason_and_voids_links(world, project):
    need = make_need(world)
    services.need_link_project(actor=world.street_officer, need=need, project=project)
    with pytest.raises(ValidationError):
        services.need_void(actor=world.street_officer, need=need, reason="")
    services.need_void(actor=world.street_officer, need=need, reason="重复登记")
    need.refresh_from_db()
    assert need.is_voided
    assert not NeedProjectLink.objects.active().filter(need=need).exists()
    with pytest.raises(ValidationError) as error:
        services.need_update(actor=world.street_officer, need=need, title="x")
    assert messages_of(error.value) == [str(services.MSG_NEED_VOIDED)]


def test_history_names_the_actor_and_the_reason(world, project):
    need = make_need(world, actor=world.community_staff)
    services.need_link_project(actor=world.social_worker, need=need, project=project)
    services.need_mark_met(actor=world.social_worker, need=need, met_on=DAY, note="已满足")
    services.need_reopen(actor=world.street_officer, need=need, reason="居民反映仍有困难")
    rows = list(need.history.order_by("history_id"))
    assert [r.status for r in rows] == ["open", "answered", "met", "answered"]
    assert rows[0].history_user == world.community_staff
    assert rows[-1].history_user == world.street_officer
    assert "居民反映仍有困难" in rows[-1].history_change_reason
    link = NeedProjectLink.objects.get(need=need)
    assert link.history.first().history_user == world.social_worker


def test_survey_source_must_match(world):
    from wushe.surveys.models import Survey

    survey = Survey.objects.create(region=world.street, title="东风街道居民需求调查", owner=world.street_officer)
    with pytest.raises(ValidationError) as error:
        make_need(world, survey=survey, source=NeedSource.MEETING)
    assert error.value.message_dict == {"source": [str(services.MSG_SOURCE_NOT_SURVEY)]}
    need = make_need(world, survey=survey, source=NeedSource.SURVEY)
    assert need.survey == survey
