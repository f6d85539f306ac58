import datetime

import pytest

from wushe.people import selectors

from .factories import ResidentFactory, citizen_id

pytestmark = pytest.mark.django_db


def names(queryset) -> set[str]:
    return {r.name for r in queryset}


@pytest.fixture
def people(world):
    return {
        "zsf": ResidentFactory(region=world.community, name="张三丰", address="将台路幸福家园3号楼",
                               phone="13912340001"),
        "lsg": ResidentFactory(region=world.community, name="李四光", address="酒仙桥路10号"),
        "far": ResidentFactory(region=world.other_community, name="张三", address="枣营北里"),
    }


@pytest.mark.parametrize("query", ["张三丰", "zsf", "ZSF", "zhangsanfeng", "zhangsan", "三丰"])
def test_search_by_name_pinyin_and_initials(world, people, query):
    assert names(selectors.resident_list(world.community_staff, query=query)) == {"张三丰"}


def test_search_by_a_chinese_word_of_the_address(world, people):
    assert names(selectors.resident_list(world.community_staff, query="幸福家园")) == {"张三丰"}
    assert names(selectors.resident_list(world.community_staff, query="将台路 幸福")) == {"张三丰"}


def test_search_never_leaves_the_viewer_scope(world, people):
    assert names(selectors.resident_list(world.outsider, query="zs")) == {"张三"}
    assert names(selectors.resident_list(world.admin, query="zs")) == {"张三丰", "张三"}


@pytest.mark.parametrize("persona, found", [
    ("community_staff", True), ("social_worker", True), ("admin", True),
    ("street_officer", False), ("district_officer", False), ("station_staff", False)])
def test_exact_identity_search_only_for_viewers_who_see_identity(world, people, persona, found):
    resident = people["zsf"]
    by_number = selectors.resident_list(world.users[persona], query=resident.id_number)
    by_phone = selectors.resident_list(world.users[persona], query=resident.phone)
    assert (names(by_number) == {"张三丰"}) is found
    assert (names(by_phone) == {"张三丰"}) is found
    if not found:
        assert not by_number.exists() and not by_phone.exists()


def test_identity_search_is_exact_not_partial(world, people):
    assert not selectors.resident_list(world.community_staff, query=people["zsf"].id_number[:10]).exists()


def test_identity_flag_follows_the_view_identity_scope(world, people):
    flags = {r.name: r.identity_visible for r in selectors.resident_list(world.admin)}
    assert flags["张三丰"] and flags["张三"]
    assert not any(r.identity_visible for r in selectors.resident_list(world.street_officer))
    assert all(r.identity_visible for r in selectors.resident_list(world.community_staff))


def test_shown_numbers_are_masked_without_the_flag(world, people):
    resident = people["zsf"]
    assert selectors.shown_phone(resident) == "139****0001"
    assert selectors.shown_id_number(resident) == resident.id_number[:4] + "*" * 10 + resident.id_number[-4:]
    resident.identity_visible = True
    assert selectors.shown_id_number(resident) == resident.id_number


def test_resident_persona_sees_only_themself(world, people):
    assert list(selectors.resident_list(world.resident)) == [world.objects["resident"]]


def test_filters_by_group_sex_region_and_age(world):
    old = ResidentFactory(region=world.community, name="老人甲", groups=["oldest_old"],
                          id_number=citizen_id(1, birth_date=datetime.date(1930, 1, 1), female=True))
    child = ResidentFactory(region=world.community2, name="儿童乙",
                            id_number=citizen_id(2, birth_date=datetime.date(2018, 1, 1), female=False))
    viewer = world.street_officer
    assert names(selectors.resident_list(viewer, group="oldest_old")) == {"老人甲"}
    assert names(selectors.resident_list(viewer, sex="F")) >= {"老人甲"}
    assert "儿童乙" not in names(selectors.resident_list(viewer, sex="F"))
    assert names(selectors.resident_list(viewer, region=world.community2.code)) == {"儿童乙"}
    assert "儿童乙" in names(selectors.resident_list(viewer, region=world.street.code))
    assert names(selectors.resident_list(viewer, age_band="80+")) == {"老人甲"}
    assert names(selectors.resident_list(viewer, age_band="0-13")) == {"儿童乙"}
    assert not selectors.resident_list(viewer, age_band="bogus").exists()
    assert not selectors.resident_list(viewer, region="999999999999").exists()
    assert old.age >= 80 and child.age < 14


def test_age_band_edges():
    today = datetime.date(2024, 6, 15)
    band = selectors.AgeBand.birth_date_q("14-17", today)
    assert band.children == [("birth_date__lte", datetime.date(2010, 6, 15)),
                             ("birth_date__gt", datetime.date(2006, 6, 15))]


def test_voided_residents_are_listed_only_on_request(world):
    from wushe.people import services

    resident = ResidentFactory(region=world.community, name="作废者")
    services.resident_void(actor=world.community_staff, resident=resident, reason="重复登记")
    assert "作废者" not in names(selectors.resident_list(world.community_staff))
    assert names(selectors.resident_list(world.community_staff, status="voided")) == {"作废者"}


def test_history_masks_numbers_for_viewers_without_identity(world):
    from wushe.people import services

    resident = services.resident_create(actor=world.community_staff, region=world.community, name="王五",
                                        phone="13912345678")
    services.resident_update(actor=world.street_officer, resident=resident, phone="13987654321")
    selectors.mark_identity(world.street_officer, resident)
    changes = [c for e in selectors.resident_history(world.street_officer, resident) for c in e["changes"]]
    assert {"field": "手机号", "old": "139****5678", "new": "139****4321"} in [
        {**c, "field": str(c["field"])} for c in changes]
    assert selectors.resident_history(world.district_officer, resident) is None
