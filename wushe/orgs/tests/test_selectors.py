import datetime

import pytest

from wushe.orgs import selectors
from wushe.orgs.models import GrowthMilestone, RegistrationStatus, ServiceOrientation

from .factories import BoardMemberFactory, GrowthRecordFactory, OrganizationFactory, OrganizationMemberFactory

pytestmark = pytest.mark.django_db


def test_visible_organizations_follow_the_region_tree(world):
    neighbour = OrganizationFactory(region=world.community2)
    elsewhere = OrganizationFactory(region=world.other_community)
    own = world.objects["organization"]
    assert set(selectors.organizations_visible_to(world.street_officer)) == {own, neighbour}
    assert set(selectors.organizations_visible_to(world.community_staff)) == {own}
    assert set(selectors.organizations_visible_to(world.outsider)) == {elsewhere}
    assert set(selectors.organizations_visible_to(world.org_leader)) == {own}
    assert set(selectors.organizations_visible_to(world.volunteer)) == set()


def test_voided_organizations_are_left_out_unless_asked(world):
    voided = OrganizationFactory(region=world.community, voided_at=datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC))
    assert voided not in selectors.organizations_visible_to(world.admin)
    assert voided in selectors.organizations_visible_to(world.admin, include_voided=True)


def test_list_counts_current_members_and_distinct_milestones(world):
    organization = world.objects["organization"]
    OrganizationMemberFactory.create_batch(2, organization=organization)
    OrganizationMemberFactory(organization=organization, left_on=datetime.date(2025, 1, 1))
    GrowthRecordFactory.create_batch(2, organization=organization, milestone=GrowthMilestone.BOARD)
    GrowthRecordFactory(organization=organization, milestone=GrowthMilestone.OTHER)
    row = selectors.organization_list(world.admin).get(pk=organization.pk)
    assert row.member_count == 2 and row.milestones_reached == 1 and row.can_view_identity


def test_list_filters(world):
    target = OrganizationFactory(region=world.community2, name="丽都合唱团", orientation=ServiceOrientation.SERVICE,
                                 registration_status=RegistrationStatus.FILED)
    found = selectors.organization_list(world.admin, query="合唱", status="filed", orientation="service",
                                        kind=target.kind, region=world.street)
    assert list(found) == [target]
    assert not selectors.organization_list(world.admin, region=world.community).filter(pk=target.pk).exists()


def test_checklist_marks_reached_and_suggested_milestones(world):
    organization = world.objects["organization"]
    organization.registration_status = RegistrationStatus.FILED
    GrowthRecordFactory(organization=organization, milestone=GrowthMilestone.BOARD,
                        achieved_on=datetime.date(2024, 1, 1), evidence="第一次选举")
    GrowthRecordFactory(organization=organization, milestone=GrowthMilestone.BOARD,
                        achieved_on=datetime.date(2025, 1, 1), evidence="换届选举")
    board = selectors.board_for(organization)
    timeline = selectors.growth_timeline(organization)
    checklist = {s.milestone: s for s in selectors.milestone_checklist(organization, timeline=timeline,
                                                                         board=board, members=[])}
    assert GrowthMilestone.OTHER not in checklist and len(checklist) == len(GrowthMilestone) - 1
    assert checklist[GrowthMilestone.BOARD].first.evidence == "第一次选举"
    assert checklist[GrowthMilestone.REGISTERED].suggested and not checklist[GrowthMilestone.REGISTERED].reached
    assert not checklist[GrowthMilestone.MEMBERS_SERVE].suggested
    summary = selectors.growth_summary(list(checklist.values()))
    assert summary == {"reached": 1, "total": 10, "percent": 10}


def test_board_orders_current_members_by_position_and_flags_appointments(world):
    organization = world.objects["organization"]
    director = BoardMemberFactory(organization=organization, position="director")
    chair = BoardMemberFactory(organization=organization, position="chair", elected_by_residents=False)
    former = BoardMemberFactory(organization=organization, position="chair", term_end=datetime.date(2020, 1, 1),
                                term_start=datetime.date(2017, 1, 1))
    board = selectors.board_for(organization)
    assert board == [chair, director, former] and not board[2].is_current
    assert selectors.has_appointed_board(board)


def test_orientation_steps_mark_the_path(world):
    organization = world.objects["organization"]
    organization.orientation = ServiceOrientation.SERVICE
    steps = selectors.orientation_steps(organization)
    assert [s["done"] for s in steps] == [True, True, True, False]
    assert [s["current"] for s in steps] == [False, False, True, False]
