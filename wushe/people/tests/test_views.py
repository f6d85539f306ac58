import pytest
from django.urls import reverse

from wushe.people import services
from wushe.people.models import Household, Resident
from wushe.testing.personas import ALL_PERSONAS

from .factories import HouseholdFactory, ResidentFactory

pytestmark = pytest.mark.django_db

VIEWERS = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "social_worker"}
EDITORS = {"admin", "street_officer", "community_staff", "social_worker"}
IDENTITY = {"admin", "community_staff", "social_worker"}
HISTORY = EDITORS
NO_ACCESS = {"supervisor", "org_leader", "volunteer", "expert_reviewer"}


def expected_for_record(persona: str, *, change: bool) -> int:
    """What the policy yields for a record in the home community: 404 unseen, 403 seen but read-only."""
    if persona not in VIEWERS:
        return 404
    if change and persona not in EDITORS:
        return 403
    return 200


@pytest.fixture
def resident(world):
    return ResidentFactory(region=world.community, name="张三丰", id_number="11010519491231002X",
                           phone="13912345678", groups=["empty_nest_elderly"])


@pytest.fixture
def household(world, resident):
    return HouseholdFactory(region=world.community, name="张三丰户", members=[resident], head=resident)


# --- permission matrix over every persona -------------------------------------------------------------
# One test per URL walks all personas through one world (a fresh target where the request changes it), and
# compares the whole persona → status map, so a failure shows every deviation at once.

def statuses(client_for, request) -> dict[str, int]:
    return {persona: request(client_for(persona), persona).status_code for persona in ALL_PERSONAS}


def expected_map(change: bool, success: int = 200) -> dict[str, int]:
    codes = {persona: expected_for_record(persona, change=change) for persona in ALL_PERSONAS}
    return {persona: success if code == 200 else code for persona, code in codes.items()}


def test_resident_list_permissions(client_for, world, resident):
    pages = {p: client_for(p).get(reverse("people:resident_list")) for p in ALL_PERSONAS}
    assert {p: r.status_code for p, r in pages.items()} == {p: 403 if p in NO_ACCESS else 200 for p in ALL_PERSONAS}
    assert {p for p, r in pages.items() if "张三丰" in r.content.decode()} == VIEWERS


def test_resident_detail_permissions(client_for, resident):
    url = reverse("people:resident_detail", args=[resident.public_id])
    assert statuses(client_for, lambda client, _p: client.get(url)) == expected_map(change=False)


def test_resident_edit_permissions(client_for, resident):
    url = reverse("people:resident_edit", args=[resident.public_id])
    assert statuses(client_for, lambda client, _p: client.get(url)) == expected_map(change=True)
    response = client_for("district_officer").post(url, {"name": "改名"})
    assert response.status_code == 403


def test_resident_void_permissions(client_for, world):
    targets = {p: ResidentFactory(region=world.community) for p in ALL_PERSONAS}

    def void(client, persona):
        return client.post(reverse("people:resident_void", args=[targets[persona].public_id]), {"reason": "重复登记"})

    assert statuses(client_for, void) == expected_map(change=True, success=302)
    voided = {p for p, r in targets.items() if Resident.objects.get(pk=r.pk).is_voided}
    assert voided == EDITORS


def test_resident_create_permissions(client_for, world):
    url = reverse("people:resident_create")
    assert statuses(client_for, lambda client, _p: client.get(url)) == {
        p: 200 if p in EDITORS | {"outsider"} else 403 for p in ALL_PERSONAS}


def test_household_list_permissions(client_for, household):
    url = reverse("people:household_list")
    assert statuses(client_for, lambda client, _p: client.get(url)) == {
        p: 200 if p in VIEWERS | {"outsider"} else 403 for p in ALL_PERSONAS}


def test_household_detail_permissions(client_for, household):
    url = reverse("people:household_detail", args=[household.public_id])
    assert statuses(client_for, lambda client, _p: client.get(url)) == expected_map(change=False)


def test_household_edit_permissions(client_for, household):
    url = reverse("people:household_edit", args=[household.public_id])
    assert statuses(client_for, lambda client, _p: client.get(url)) == expected_map(change=True)


def test_household_create_permissions(client_for, world):
    url = reverse("people:household_create")
    assert statuses(client_for, lambda client, _p: client.get(url)) == {
        p: 200 if p in EDITORS | {"outsider"} else 403 for p in ALL_PERSONAS}


def test_household_void_permissions(client_for, world):
    targets = {p: HouseholdFactory(region=world.community) for p in ALL_PERSONAS}

    def void(client, persona):
        return client.post(reverse("people:household_void", args=[targets[persona].public_id]), {"reason": "分户"})

    assert statuses(client_for, void) == expected_map(change=True, success=302)
    assert {p for p, h in targets.items() if Household.objects.get(pk=h.pk).is_voided} == EDITORS


def test_household_member_add_and_remove_permissions(client_for, world):
    households = {p: HouseholdFactory(region=world.community) for p in ALL_PERSONAS}
    newcomers = {p: ResidentFactory(region=world.community) for p in ALL_PERSONAS}
    members = {p: ResidentFactory(region=world.community, household=households[p]) for p in ALL_PERSONAS}

    def add(client, persona):
        return client.post(reverse("people:household_member_add", args=[households[persona].public_id]),
                           {"resident": newcomers[persona].public_id, "relation_to_head": "配偶"})

    def remove(client, persona):
        return client.post(reverse("people:household_member_remove",
                                   args=[households[persona].public_id, members[persona].public_id]))

    assert statuses(client_for, add) == expected_map(change=True, success=302)
    assert statuses(client_for, remove) == expected_map(change=True, success=302)
    assert {p for p, r in newcomers.items() if Resident.objects.get(pk=r.pk).household_id} == EDITORS
    assert {p for p, r in members.items() if Resident.objects.get(pk=r.pk).household_id is None} == EDITORS


def test_unknown_record_is_404(client_for, world):
    import uuid

    assert client_for("admin").get(reverse("people:resident_detail", args=[uuid.uuid4()])).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("people:resident_list"))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


# --- what each role sees --------------------------------------------------------------------------------

def pages_for(client_for, url, personas=VIEWERS) -> dict[str, str]:
    return {persona: client_for(persona).get(url).content.decode() for persona in personas}


def test_detail_masks_identity_unless_allowed(client_for, resident):
    pages = pages_for(client_for, reverse("people:resident_detail", args=[resident.public_id]))
    assert {p for p, html in pages.items() if "11010519491231002X" in html and "13912345678" in html} == IDENTITY
    assert {p for p, html in pages.items() if "1101**********002X" in html and "139****5678" in html} == \
        VIEWERS - IDENTITY


def test_list_masks_identity_unless_allowed(client_for, resident):
    pages = pages_for(client_for, reverse("people:resident_list"))
    assert {p for p, html in pages.items() if "11010519491231002X" in html} == IDENTITY
    assert {p for p, html in pages.items() if "1101**********002X" in html and "139****5678" in html} == \
        VIEWERS - IDENTITY


def test_history_and_buttons_only_for_allowed_roles(client_for, world, resident):
    services.resident_update(actor=world.community_staff, resident=resident, address="将台路8号")
    pages = pages_for(client_for, reverse("people:resident_detail", args=[resident.public_id]))
    assert all("将台路8号" in html for html in pages.values())
    assert {p for p, html in pages.items() if "修改记录" in html} == HISTORY
    edit_url = reverse("people:resident_edit", args=[resident.public_id])
    void_url = reverse("people:resident_void", args=[resident.public_id])
    assert {p for p, html in pages.items() if edit_url in html and void_url in html} == EDITORS
    assert {p for p, html in pages.items() if edit_url in html or void_url in html} == EDITORS


def test_resident_persona_sees_only_own_record(client_for, world, resident):
    own = world.objects["resident"]
    client = client_for("resident")
    html = client.get(reverse("people:resident_list")).content.decode()
    assert own.name in html and "张三丰" not in html
    detail = client.get(reverse("people:resident_detail", args=[own.public_id]))
    assert detail.status_code == 200
    assert reverse("people:resident_edit", args=[own.public_id]) not in detail.content.decode()
    assert client.get(reverse("people:resident_edit", args=[own.public_id])).status_code == 403


def test_detail_shows_groups_household_and_age(client_for, household, resident):
    html = client_for("community_staff").get(
        reverse("people:resident_detail", args=[resident.public_id])).content.decode()
    assert "空巢老人" in html and "张三丰户" in html and "1949-12-31" in html and "女" in html


def test_voided_record_page_shows_reason_and_history(client_for, world, resident):
    client = client_for("community_staff")
    client.post(reverse("people:resident_void", args=[resident.public_id]), {"reason": "迁往外省"})
    html = client.get(reverse("people:resident_detail", args=[resident.public_id])).content.decode()
    assert "已作废" in html and "迁往外省" in html
    assert reverse("people:resident_edit", args=[resident.public_id]) not in html
    response = client.get(reverse("people:resident_edit", args=[resident.public_id]))
    assert response.status_code == 302


# --- lists: HTMX, filters and query counts ----------------------------------------------------------------

def test_htmx_request_renders_only_the_rows(client_for, resident):
    response = client_for("community_staff").get(reverse("people:resident_list"), {"q": "zsf"},
                                                 HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "张三丰" in html and "<html" not in html and 'name="q"' not in html


def test_community_filter_offers_only_visible_communities(client_for, world, resident):
    html = client_for("community_staff").get(reverse("people:resident_list")).content.decode()
    assert world.community.name in html and world.community2.name not in html
    html = client_for("street_officer").get(reverse("people:resident_list")).content.decode()
    assert world.village.name in html and world.other_community.name not in html


@pytest.mark.parametrize("rows", [3, 30])
def test_resident_list_query_count_is_constant(client_for, world, django_assert_max_num_queries, rows):
    ResidentFactory.create_batch(rows, region=world.community, groups=["migrant", "oldest_old"])
    client = client_for("community_staff")
    with django_assert_max_num_queries(11):
        response = client.get(reverse("people:resident_list"), {"q": ""})
    assert response.status_code == 200 and response.content.decode().count("流动人口") >= min(rows, 25)
    with django_assert_max_num_queries(9):
        client.get(reverse("people:resident_list"), {"group": "migrant"}, HTTP_HX_REQUEST="true")


@pytest.mark.parametrize("rows", [3, 30])
def test_household_list_and_detail_query_counts_are_constant(client_for, world, django_assert_max_num_queries,
                                                             rows):
    members = ResidentFactory.create_batch(rows, region=world.community, groups=["migrant"])
    household = HouseholdFactory(region=world.community, members=members, head=members[0])
    HouseholdFactory.create_batch(rows, region=world.community)
    client = client_for("street_officer")
    with django_assert_max_num_queries(9):
        assert client.get(reverse("people:household_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("people:household_detail", args=[household.public_id])).status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get(reverse("people:resident_detail", args=[members[0].public_id])).status_code == 200


# --- forms ------------------------------------------------------------------------------------------------

def form_data(world, **overrides):
    data = {"region": world.community.code, "name": "张三丰", "document_type": "ric",
            "id_number": "11010519491231002X", "sex": "U", "phone": "13912345678", "address": "将台路1号",
            "groups": ["empty_nest_elderly", "oldest_old"], "consent_basis": "consent", "ethnicity": "汉族"}
    data.update(overrides)
    return data


def test_create_form_registers_and_derives_from_the_number(client_for, world):
    response = client_for("community_staff").post(reverse("people:resident_create"), form_data(world))
    resident = Resident.objects.get(name="张三丰")
    assert response.status_code == 302 and response["Location"] == reverse("people:resident_detail",
                                                                           args=[resident.public_id])
    assert str(resident.birth_date) == "1949-12-31" and resident.sex == "F"
    assert {g.code for g in resident.groups.all()} == {"empty_nest_elderly", "oldest_old"}
    assert resident.history.get().history_user == world.community_staff


def test_create_form_shows_the_check_digit_error(client_for, world):
    response = client_for("community_staff").post(reverse("people:resident_create"),
                                                  form_data(world, id_number="110105194912310021"))
    assert response.status_code == 200
    assert "身份证号校验位不正确" in response.content.decode()
    assert not Resident.objects.filter(name="张三丰").exists()


def test_create_form_region_picker_is_limited_to_the_scope(client_for, world):
    client = client_for("community_staff")
    html = client.get(reverse("people:resident_create")).content.decode()
    assert world.community.code in html and world.community2.code not in html and world.street.code not in html
    response = client.post(reverse("people:resident_create"), form_data(world, region=world.community2.code))
    assert response.status_code == 200 and not Resident.objects.filter(name="张三丰").exists()


def test_duplicate_document_error_is_shown(client_for, world, resident):
    response = client_for("community_staff").post(reverse("people:resident_create"), form_data(world))
    assert str(services.MSG_DUPLICATE_DOCUMENT) in response.content.decode()


def test_editor_without_identity_never_reads_the_numbers_and_keeps_them(client_for, world, resident):
    client = client_for("street_officer")
    url = reverse("people:resident_edit", args=[resident.public_id])
    html = client.get(url).content.decode()
    assert "11010519491231002X" not in html and "13912345678" not in html
    response = client.post(url, form_data(world, name="张三丰", id_number="", phone="", address="新地址"))
    assert response.status_code == 302
    resident.refresh_from_db()
    assert resident.id_number == "11010519491231002X" and resident.phone == "13912345678"
    assert resident.address == "新地址"


def test_editor_with_identity_edits_numbers(client_for, world, resident):
    client = client_for("social_worker")
    url = reverse("people:resident_edit", args=[resident.public_id])
    assert "11010519491231002X" in client.get(url).content.decode()
    client.post(url, form_data(world, phone="13800138000", groups=["migrant"]))
    resident.refresh_from_db()
    assert resident.phone == "13800138000" and [g.code for g in resident.groups.all()] == ["migrant"]


def test_void_without_reason_is_refused(client_for, resident):
    client = client_for("community_staff")
    client.post(reverse("people:resident_void", args=[resident.public_id]), {"reason": ""})
    resident.refresh_from_db()
    assert not resident.is_voided


def test_household_pages_flow(client_for, world):
    client = client_for("community_staff")
    response = client.post(reverse("people:household_create"),
                           {"region": world.community.code, "name": "李四光户", "address": "将台路2号"})
    household = Household.objects.get(name="李四光户")
    assert response.status_code == 302
    member = ResidentFactory(region=world.community, name="李四光")
    detail = reverse("people:household_detail", args=[household.public_id])
    html = client.get(detail, {"candidate_q": "lsg"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="candidates") \
        .content.decode()
    assert "李四光" in html and "<html" not in html
    client.post(reverse("people:household_member_add", args=[household.public_id]),
                {"resident": member.public_id, "is_head": "on"})
    household.refresh_from_db()
    assert household.head == member
    response = client.post(reverse("people:household_edit", args=[household.public_id]),
                           {"region": world.community.code, "name": "李四光家", "address": "", "head": ""})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.name == "李四光家" and household.head is None
    html = client.get(detail).content.decode()
    assert "修改记录" in html and "李四光" in html


def test_household_candidates_exclude_members_and_other_scopes(client_for, world, household):
    ResidentFactory(region=world.community2, name="张三丰邻居")
    html = client_for("community_staff").get(reverse("people:household_detail", args=[household.public_id]),
                                             {"candidate_q": "张三丰"}).content.decode()
    assert "张三丰邻居" not in html
    assert 'name="resident"' not in html  # the only 张三丰 is already a member


def test_household_history_hidden_from_read_only_roles(client_for, household):
    html = client_for("district_officer").get(
        reverse("people:household_detail", args=[household.public_id])).content.decode()
    assert "修改记录" not in html and "张三丰" in html
