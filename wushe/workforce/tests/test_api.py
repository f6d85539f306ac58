import datetime
import json

import pytest

from wushe.testing.personas import ALL_PERSONAS
from wushe.workforce import services
from wushe.workforce.models import SocialWorker

from .factories import SocialWorkerFactory, citizen_id
from .test_views import DETAIL_STATUS, EDIT_STATUS, MAY_CHANGE, MAY_VIEW

pytestmark = pytest.mark.django_db
BASE = "/api/v1/workforce/"


@pytest.fixture(autouse=True)
def _complete_certificate(world):
    """The shared world's worker holds a level without the certificate details the services require."""
    SocialWorker.objects.filter(pk=world.objects["worker"].pk).update(
        certificate_number="ZS-0001", certified_on=datetime.date(2020, 9, 1))
    world.objects["worker"].refresh_from_db()


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_list_permissions(api_for, world):
    for persona in ALL_PERSONAS:
        response = api_for(persona).get(BASE)
        assert response.status_code == (200 if persona in MAY_VIEW else 403), persona
        if response.status_code == 200:
            names = {item["name"] for item in response.json()["items"]}
            assert ("李社工" in names) == (DETAIL_STATUS[persona] == 200), persona
        else:
            assert response.json()["error"]["code"] == "forbidden"


def test_detail_permissions(api_for, world):
    url = f"{BASE}{world.objects['worker'].public_id}"
    assert {p: api_for(p).get(url).status_code for p in ALL_PERSONAS} == DETAIL_STATUS


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_patch_permissions(api_for, world, persona):
    response = patch(api_for(persona), f"{BASE}{world.objects['worker'].public_id}", {"placement": "station"})
    assert response.status_code == (200 if persona in MAY_CHANGE else EDIT_STATUS[persona])
    assert (SocialWorker.objects.get(pk=world.objects["worker"].pk).placement == "station") == (
        persona in MAY_CHANGE)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_void_permissions(api_for, world, persona):
    response = post(api_for(persona), f"{BASE}{world.objects['worker'].public_id}/void", {"reason": "测试"})
    assert response.status_code == (200 if persona in MAY_CHANGE else EDIT_STATUS[persona])


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_create_permissions(api_for, world, persona):
    response = post(api_for(persona), BASE, {"name": "冯晓", "region_code": world.street.code})
    if persona in MAY_CHANGE:
        assert response.status_code == 201
    else:
        assert response.status_code in (403, 422)
        assert not SocialWorker.objects.filter(name="冯晓").exists()


def test_counts_permissions(api_for, world):
    assert {p: api_for(p).get(f"{BASE}counts").status_code for p in ALL_PERSONAS} == {
        p: 200 if p in MAY_VIEW else 403 for p in ALL_PERSONAS}


def test_create_validates_with_translated_messages(api_for, world):
    response = post(api_for("street_officer"), BASE, {
        "name": "冯晓", "region_code": world.street.code, "certificate_level": "intermediate",
        "community_codes": [world.other_community.code],
    })
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert fields["certificate_number"] == [str(services.MSG_CERTIFICATE_NUMBER_REQUIRED)]
    assert fields["communities"] == [str(services.MSG_COMMUNITY_OUT_OF_SCOPE)]


def test_create_out_of_scope_region_is_a_field_error(api_for, world):
    response = post(api_for("street_officer"), BASE, {"name": "冯晓", "region_code": world.other_street.code})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["region"] == [str(services.MSG_REGION_OUT_OF_SCOPE)]


def test_create_and_read_back(api_for, world):
    client = api_for("station_staff")
    number = citizen_id(datetime.date(1992, 2, 29), sequence=35)
    response = post(client, BASE, {
        "name": "冯晓", "region_code": world.street.code, "certificate_level": "assistant",
        "certificate_number": "ZS-1", "certified_on": "2023-01-01", "community_codes": [world.village.code],
        "mentor_id": str(world.objects["worker"].public_id), "id_number": number, "phone": "13612345678",
    })
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["community_codes"] == [world.village.code]
    assert data["birth_date"] == "1992-02-29" and data["sex"] == "M"
    assert data["id_number"] == number and data["phone"] == "13612345678"  # station staff may view identity
    mentor = api_for("street_officer").get(f"{BASE}{world.objects['worker'].public_id}").json()
    assert data["public_id"] in mentor["mentee_ids"]


def test_identity_masked_for_roles_without_view_identity(api_for, world):
    worker = world.objects["worker"]
    number = citizen_id(datetime.date(1980, 1, 1))
    services.socialworker_update(actor=world.admin, worker=worker, id_number=number, phone="13512345678")
    data = api_for("supervisor").get(f"{BASE}{worker.public_id}").json()
    assert data["id_number"] == number[:4] + "*" * 10 + number[-4:]
    assert data["phone"] == "135****5678"
    listed = api_for("admin").get(BASE).json()["items"][0]
    assert listed["phone"] == "135****5678"  # lists are always masked


def test_list_filters_and_search(api_for, world):
    SocialWorkerFactory(region=world.street, name="周文静", certified=True, communities=[world.village])
    SocialWorkerFactory(region=world.street, name="孙浩")
    client = api_for("street_officer")
    names = {i["name"] for i in client.get(BASE, {"q": "zwj"}).json()["items"]}
    assert names == {"周文静"}
    names = {i["name"] for i in client.get(BASE, {"community": world.village.code}).json()["items"]}
    assert names == {"周文静"}
    assert client.get(BASE, {"community": world.other_community.code}).json()["items"] == []
    names = {i["name"] for i in client.get(BASE, {"certificate_level": "certified"}).json()["items"]}
    assert names == {"周文静", "李社工"}
    assert client.get(f"{BASE}counts", {"within": world.street.code}).json() == {
        "total": 3, "certified": 2, "community_workers": 3, "community_workers_certified": 2}


def test_patch_mentor_cycle_is_422(api_for, world):
    senior = world.objects["worker"]
    junior = services.socialworker_create(actor=world.admin, region=world.street, name="新人", mentor=senior)
    response = patch(api_for("admin"), f"{BASE}{senior.public_id}", {"mentor_id": str(junior.public_id)})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["mentor"] == [str(services.MSG_MENTOR_CYCLE)]


@pytest.mark.parametrize("rows", [3, 30])
def test_api_list_query_count_does_not_grow(api_for, world, rows, django_assert_max_num_queries):
    SocialWorkerFactory.create_batch(rows, region=world.street, employer=world.objects["organization"],
                                     mentor=world.objects["worker"], communities=[world.community])
    client = api_for("street_officer")
    with django_assert_max_num_queries(9):
        response = client.get(BASE)
    assert response.json()["count"] == rows + 1
