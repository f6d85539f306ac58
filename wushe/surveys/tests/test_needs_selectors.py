"""Needs register reads: filters, scope, the uncovered summary per community (hand-computed counts)."""

import pytest
from django.http import Http404

from wushe.projects.models import ProjectStatus
from wushe.projects.tests.factories import make_project
from wushe.surveys.models import NeedCategory, NeedPriority, NeedSource
from wushe.surveys.selectors import needs as selectors
from wushe.surveys.services import needs as services

from .needs_factories import DAY, group, make_need

pytestmark = pytest.mark.django_db


@pytest.fixture
def register(world):
    """将台: 2 uncovered (elderly/high, children/medium), 1 answered, 1 met, 1 voided;
    丽都: 2 uncovered (health/low, elderly/high); 枣营 (another street): 1 uncovered."""
    officer = world.street_officer
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    needs = {
        "meals": make_need(world, title="高龄独居老人助餐", priority=NeedPriority.HIGH,
                           population_group=group("oldest_old")),
        "homework": make_need(world, title="流动儿童课后托管", category=NeedCategory.CHILDREN,
                              population_group=group("migrant_children"), source=NeedSource.FOCUS_GROUP),
        "visits": make_need(world, title="空巢老人定期探访", population_group=group("empty_nest_elderly"),
                            priority=NeedPriority.HIGH),
        "met": make_need(world, title="楼道照明改造", category=NeedCategory.SAFETY),
        "voided": make_need(world, title="重复登记的需求"),
        "clinic": make_need(world, region=world.community2, title="慢病随访", category=NeedCategory.HEALTH,
                            priority=NeedPriority.LOW),
        "canteen": make_need(world, region=world.community2, title="老年餐桌", priority=NeedPriority.HIGH),
        "other": make_need(world, actor=world.admin, region=world.other_community, title="停车秩序",
                           category=NeedCategory.ENVIRONMENT),
    }
    services.need_link_project(actor=officer, need=needs["visits"], project=project)
    services.need_link_project(actor=officer, need=needs["met"], project=project)
    services.need_mark_met(actor=officer, need=needs["met"], met_on=DAY, note="已完成改造")
    services.need_void(actor=officer, need=needs["voided"], reason="重复")
    return {"project": project, **needs}


def titles(queryset) -> set[str]:
    return {n.title for n in queryset}


def test_filters(world, register):
    user = world.street_officer
    F = selectors.NeedFilters
    assert titles(selectors.needs_for(user, F(region=world.community2))) == {"慢病随访", "老年餐桌"}
    assert titles(selectors.needs_for(user, F(category=NeedCategory.CHILDREN))) == {"流动儿童课后托管"}
    assert titles(selectors.needs_for(user, F(status="answered"))) == {"空巢老人定期探访"}
    assert titles(selectors.needs_for(user, F(priority="low"))) == {"慢病随访"}
    assert titles(selectors.needs_for(user, F(population_group=group("oldest_old")))) == {"高龄独居老人助餐"}
    assert titles(selectors.needs_for(user, F(source=NeedSource.FOCUS_GROUP))) == {"流动儿童课后托管"}
    assert titles(selectors.needs_for(user, F(query="托管"))) == {"流动儿童课后托管"}
    assert titles(selectors.needs_for(user, F(query="lncz"))) == {"老年餐桌"}  # pinyin initials
    assert titles(selectors.needs_for(user, F(uncovered=True))) == {"高龄独居老人助餐", "流动儿童课后托管",
                                                                   "慢病随访", "老年餐桌"}


def test_filters_parse_from_query_parameters(world, register):
    filters = selectors.NeedFilters.from_params({"region": world.community.code, "uncovered": "1",
                                                 "category": "bogus", "group": "migrant_children"})
    assert filters.region == world.community and filters.uncovered and filters.category == ""
    assert titles(selectors.needs_for(world.street_officer, filters)) == {"流动儿童课后托管"}


def test_scope(world, register):
    assert "停车秩序" not in titles(selectors.needs_for(world.street_officer))
    assert titles(selectors.needs_for(world.outsider)) == {"停车秩序"}
    assert titles(selectors.needs_for(world.org_leader)) == {"高龄独居老人助餐", "流动儿童课后托管",
                                                             "空巢老人定期探访", "楼道照明改造"}
    assert len(titles(selectors.needs_for(world.district_officer))) == 7


def test_get_need_hides_other_streets(world, register):
    with pytest.raises(Http404):
        selectors.get_need(world.outsider, register["meals"].public_id)


def test_needs_for_project(world, register):
    assert titles(selectors.needs_for_project(world.org_leader, register["project"])) == {"空巢老人定期探访",
                                                                                          "楼道照明改造"}
    assert titles(selectors.needs_for_project(world.outsider, register["project"])) == set()


def test_list_runs_a_fixed_number_of_queries(world, register, django_assert_max_num_queries):
    user = world.street_officer
    selectors.needs_for(user).count()  # warm the role cache
    with django_assert_max_num_queries(2):
        rows = list(selectors.needs_for(user))
        assert [link.project.title for n in rows for link in n.active_links]


def _row(summary, region):
    return next(r for r in summary.rows if r.community == region)


def test_uncovered_summary_for_the_street(world, register):
    summary = selectors.uncovered_summary(world.street_officer, world.street)
    assert [r.community for r in summary.rows] == [world.community, world.community2, world.village]
    home = _row(summary, world.community)
    assert home.by_status == {"open": 2, "answered": 1, "met": 1}
    assert home.uncovered == 2
    assert home.uncovered_by_category == {"elderly_care": 1, "children": 1}
    assert home.uncovered_by_priority == {"high": 1, "medium": 1}
    second = _row(summary, world.community2)
    assert second.by_status == {"open": 2} and second.uncovered == 2
    assert second.uncovered_by_category == {"health": 1, "elderly_care": 1}
    assert second.uncovered_by_priority == {"low": 1, "high": 1}
    assert _row(summary, world.village).total == 0
    assert summary.totals.by_status == {"open": 4, "answered": 1, "met": 1}
    assert summary.totals.uncovered == 4
    assert summary.totals.uncovered_by_category == {"elderly_care": 2, "children": 1, "health": 1}
    assert summary.category_values == ["elderly_care", "children", "health"]
    assert home.category_cells == [1, 1, 0]


def test_uncovered_summary_for_the_district(world, register):
    summary = selectors.uncovered_summary(world.district_officer, world.district)
    assert [r.community for r in summary.rows] == [world.community, world.community2, world.village,
                                                   world.other_community]
    assert summary.totals.uncovered == 5
    assert _row(summary, world.other_community).uncovered_by_category == {"environment": 1}
    # A street officer looking at the district only gets their own street's communities.
    narrow = selectors.uncovered_summary(world.street_officer, world.district)
    assert world.other_community not in [r.community for r in narrow.rows]


def test_uncovered_summary_and_list_for_a_community(world, register):
    summary = selectors.uncovered_summary(world.community_staff, world.community)
    assert [r.community for r in summary.rows] == [world.community]
    assert summary.totals.uncovered == 2
    listed = list(selectors.uncovered_needs(world.community_staff, world.community))
    assert [n.title for n in listed] == ["高龄独居老人助餐", "流动儿童课后托管"]  # high priority first


def test_uncovered_summary_runs_a_fixed_number_of_queries(world, register, django_assert_max_num_queries):
    from wushe.testing.personas import make_region

    selectors.uncovered_summary(world.district_officer, world.district)
    for index in range(5):
        community = make_region(f"11010500200{index + 2}", f"新社区{index}", world.other_street)
        make_need(world, actor=world.admin, region=community, title=f"需求{index}")
    with django_assert_max_num_queries(3):
        summary = selectors.uncovered_summary(world.district_officer, world.district)
    assert summary.totals.uncovered == 10


def test_uncovered_region_choices(world):
    assert selectors.get_uncovered_region(world.street_officer, world.street.code) == world.street
    with pytest.raises(Http404):
        selectors.get_uncovered_region(world.street_officer, world.district.code)
    with pytest.raises(Http404):
        selectors.get_uncovered_region(world.outsider, world.street.code)
    assert list(selectors.uncovered_region_choices(world.org_leader)) == [world.community]
    assert selectors.default_uncovered_region(world.district_officer) == world.district
