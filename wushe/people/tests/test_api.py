import json
import uuid

import pytest

from wushe.core.identity import MSG_ID_CHECKSUM
from wushe.people import services
from wushe.people.models import Household, Resident
from wushe.testing.personas import ALL_PERSONAS

from .factories import HouseholdFactory, ResidentFactory, citizen_id
from .test_views import EDITORS, IDENTITY, NO_ACCESS, VIEWERS, expected_for_record

pytestmark = pytest.mark.django_db
API = "/api/v1/people"


def send(client, method, url, payload=None):
    return getattr(client, method)(url, data=json.dumps(payload or {}), content_type="application/json")


@pytest.fixture
def resident(world):
    return ResidentFactory(region=world.community, name="张三丰", id_number="11010519491231002X",
                           phone="13912345678", groups=["empty_nest_elderly"])


@pytest.fixture
def household(world, resident):
    return HouseholdFactory(region=world.community, name="张三丰户", members=[resident], head=resident)


def new_resident_payload(world, **overrides):
    payload = {"region": world.community.code, "name": "李四光", "id_number": "11010519491231002X",
               "birth_date": "2001-01-01", "sex": "M", "phone": "13912345678", "groups": ["oldest_old"]}
    payload.update(overrides)
    return payload


# --- permission matrix (one world per endpoint, every persona, fresh targets for writes) -------------------

def statuses(api_for, request) -> dict[str, int]:
    return {persona: request(api_for(persona), persona).status_code for persona in ALL_PERSONAS}


def expected_map(change: bool) -> dict[str, int]:
    return {persona: expected_for_record(persona, change=change) for persona in ALL_PERSONAS}


def test_list_permissions(api_for, resident):
    responses = {p: api_for(p).get(f"{API}/residents") for p in ALL_PERSONAS}
    assert {p: r.status_code for p, r in responses.items()} == {
        p: 403 if p in NO_ACCESS else 200 for p in ALL_PERSONAS}
    assert {p for p, r in responses.items() if r.status_code == 200
            and "张三丰" in {i["name"] for i in r.json()["items"]}} == VIEWERS
    assert responses["volunteer"].json()["error"]["code"] == "forbidden"


def test_detail_permissions(api_for, resident):
    url = f"{API}/residents/{resident.public_id}"
    assert statuses(api_for, lambda client, _p: client.get(url)) == expected_map(change=False)


def test_create_permissions(api_for, world):
    numbers = {p: citizen_id(100 + i) for i, p in enumerate(ALL_PERSONAS)}
    responses = {p: send(api_for(p), "post", f"{API}/residents", new_resident_payload(world, id_number=numbers[p]))
                 for p in ALL_PERSONAS}
    # The outsider may register residents, but only in its own community.
    assert {p: r.status_code for p, r in responses.items()} == {
        p: 201 if p in EDITORS else 422 if p == "outsider" else 403 for p in ALL_PERSONAS}
    assert responses["outsider"].json()["error"]["fields"]["region"] == [str(services.MSG_REGION_OUT_OF_SCOPE)]


def test_update_permissions(api_for, world):
    targets = {p: ResidentFactory(region=world.community) for p in ALL_PERSONAS}

    def patch(client, persona):
        return send(client, "patch", f"{API}/residents/{targets[persona].public_id}", {"address": "新地址"})

    assert statuses(api_for, patch) == expected_map(change=True)
    assert {p for p, r in targets.items() if Resident.objects.get(pk=r.pk).address == "新地址"} == EDITORS


def test_void_permissions(api_for, world):
    targets = {p: ResidentFactory(region=world.community) for p in ALL_PERSONAS}

    def void(client, persona):
        return send(client, "post", f"{API}/residents/{targets[persona].public_id}/void", {"reason": "重复"})

    assert statuses(api_for, void) == expected_map(change=True)
    assert {p for p, r in targets.items() if Resident.objects.get(pk=r.pk).is_voided} == EDITORS


def test_history_permissions(api_for, resident):
    url = f"{API}/residents/{resident.public_id}/history"
    expected = {p: 403 if code == 200 and p not in EDITORS else code
                for p, code in expected_map(change=False).items()}
    assert statuses(api_for, lambda client, _p: client.get(url)) == expected


def test_household_read_permissions(api_for, household):
    assert statuses(api_for, lambda client, _p: client.get(f"{API}/households")) == {
        p: 200 if p in VIEWERS | {"outsider"} else 403 for p in ALL_PERSONAS}
    url = f"{API}/households/{household.public_id}"
    assert statuses(api_for, lambda client, _p: client.get(url)) == expected_map(change=False)


def test_household_write_permissions(api_for, world):
    households = {p: HouseholdFactory(region=world.community) for p in ALL_PERSONAS}
    newcomers = {p: ResidentFactory(region=world.community) for p in ALL_PERSONAS}
    members = {p: ResidentFactory(region=world.community, household=households[p]) for p in ALL_PERSONAS}

    def url(persona):
        return f"{API}/households/{households[persona].public_id}"

    expected = expected_map(change=True)
    assert statuses(api_for, lambda c, p: send(c, "patch", url(p), {"address": "新址"})) == expected
    assert statuses(api_for, lambda c, p: send(c, "post", f"{url(p)}/members",
                                               {"resident": str(newcomers[p].public_id)})) == expected
    assert statuses(api_for, lambda c, p: send(c, "post", f"{url(p)}/members/{members[p].public_id}/remove")) \
        == expected
    assert statuses(api_for, lambda c, p: send(c, "post", f"{url(p)}/void", {"reason": "分户"})) == expected
    assert {p for p, h in households.items() if Household.objects.get(pk=h.pk).is_voided} == EDITORS
    created = statuses(api_for, lambda c, p: send(c, "post", f"{API}/households",
                                                  {"region": world.community.code, "name": "新户"}))
    assert created == {p: 201 if p in EDITORS else 422 if p == "outsider" else 403 for p in ALL_PERSONAS}


# --- behaviour --------------------------------------------------------------------------------------------

def test_output_masks_identity_unless_allowed(api_for, resident):
    clear = ("11010519491231002X", "13912345678", False)
    masked = ("1101**********002X", "139****5678", True)
    for persona in VIEWERS:
        client = api_for(persona)
        detail = client.get(f"{API}/residents/{resident.public_id}").json()
        listed = next(i for i in client.get(f"{API}/residents").json()["items"] if i["name"] == "张三丰")
        for item in (detail, listed):
            shown = (item["id_number"], item["phone"], item["identity_masked"])
            assert shown == (clear if persona in IDENTITY else masked), persona


def test_resident_persona_gets_only_themself(api_for, world, resident):
    items = api_for("resident").get(f"{API}/residents").json()["items"]
    assert [i["public_id"] for i in items] == [str(world.objects["resident"].public_id)]


def test_create_derives_from_the_number_and_returns_the_record(api_for, world):
    response = send(api_for("community_staff"), "post", f"{API}/residents", new_resident_payload(world))
    assert response.status_code == 201
    body = response.json()
    assert (body["birth_date"], body["sex"], body["region"]["code"]) == ("1949-12-31", "F", world.community.code)
    assert [g["code"] for g in body["groups"]] == ["oldest_old"]
    assert Resident.objects.get(public_id=body["public_id"]).created_by == world.community_staff


def test_validation_errors_have_the_one_shape(api_for, world, resident):
    client = api_for("community_staff")
    bad = send(client, "post", f"{API}/residents", new_resident_payload(world, id_number="110105194912310021"))
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"]["id_number"] == [str(MSG_ID_CHECKSUM)]
    duplicate = send(client, "post", f"{API}/residents", new_resident_payload(world))
    assert duplicate.json()["error"]["message"] == str(services.MSG_DUPLICATE_DOCUMENT)
    unknown = send(client, "post", f"{API}/residents", new_resident_payload(world, id_number="", groups=["nope"]))
    assert unknown.status_code == 422 and "groups" in unknown.json()["error"]["fields"]
    schema = send(client, "post", f"{API}/residents", {"name": "无区划"})
    assert schema.status_code == 422 and set(schema.json()["error"]) == {"code", "message", "fields"}


def test_filters_and_search(api_for, world, resident):
    ResidentFactory(region=world.community, name="李四光")
    client = api_for("community_staff")
    assert [i["name"] for i in client.get(f"{API}/residents", {"q": "zsf"}).json()["items"]] == ["张三丰"]
    assert [i["name"] for i in client.get(f"{API}/residents", {"group": "empty_nest_elderly"}).json()["items"]] \
        == ["张三丰"]
    assert [i["name"] for i in client.get(f"{API}/residents", {"q": "11010519491231002X"}).json()["items"]] \
        == ["张三丰"]
    assert api_for("street_officer").get(f"{API}/residents", {"q": "11010519491231002X"}).json()["count"] == 0


def test_patch_groups_and_void_keeps_the_row(api_for, resident):
    client = api_for("social_worker")
    response = send(client, "patch", f"{API}/residents/{resident.public_id}", {"groups": ["migrant"]})
    assert [g["code"] for g in response.json()["groups"]] == ["migrant"]
    voided = send(client, "post", f"{API}/residents/{resident.public_id}/void", {"reason": "迁出"})
    assert voided.status_code == 200 and voided.json()["void_reason"] == "迁出"
    again = send(client, "post", f"{API}/residents/{resident.public_id}/void", {"reason": "迁出"})
    assert again.status_code == 422
    history = client.get(f"{API}/residents/{resident.public_id}/history").json()
    assert history[0]["reason"] == "迁出" and history[0]["actor"] == "social_worker"


def test_history_masks_numbers_for_street_officer(api_for, world, resident):
    services.resident_update(actor=world.community_staff, resident=resident, phone="13800138000")
    changes = [c for e in api_for("street_officer").get(f"{API}/residents/{resident.public_id}/history").json()
               for c in e["changes"]]
    assert {"field": "手机号", "old": "139****5678", "new": "138****8000"} in changes


def test_household_members_endpoints(api_for, world, household, resident):
    client = api_for("community_staff")
    spouse = ResidentFactory(region=world.community, name="王芳")
    url = f"{API}/households/{household.public_id}"
    body = send(client, "post", f"{url}/members", {"resident": str(spouse.public_id), "relation_to_head": "配偶"}) \
        .json()
    assert {m["name"]: m["is_head"] for m in body["members"]} == {"张三丰": True, "王芳": False}
    assert body["head"]["public_id"] == str(resident.public_id) and body["member_count"] == 2
    patched = send(client, "patch", url, {"head": str(spouse.public_id)}).json()
    assert patched["head"]["name"] == "王芳"
    bad = send(client, "patch", url, {"head": str(uuid.uuid4())})
    assert bad.status_code == 422 and bad.json()["error"]["fields"]["head"] == [str(services.MSG_HEAD_NOT_MEMBER)]


def test_household_list_query_count_is_constant(api_for, world, django_assert_max_num_queries):
    for rows in (3, 30):
        HouseholdFactory.create_batch(rows, region=world.community)
        ResidentFactory.create_batch(rows, region=world.community, groups=["migrant", "oldest_old"])
        client = api_for("community_staff")
        with django_assert_max_num_queries(8):
            assert client.get(f"{API}/households").status_code == 200
        with django_assert_max_num_queries(8):
            assert client.get(f"{API}/residents").status_code == 200


def test_groups_endpoint_and_openapi(api_for, world):
    client = api_for("community_staff")
    assert len(client.get(f"{API}/groups").json()) == 15
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert f"{API}/residents/{{public_id}}/void" in paths and f"{API}/households" in paths
