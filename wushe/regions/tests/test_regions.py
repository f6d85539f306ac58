import pytest
from django.urls import reverse

from wushe.regions.models import Level, Region, level_for_code, parent_code_for

pytestmark = pytest.mark.django_db


def test_level_and_parent_from_code():
    assert level_for_code("110105001201") == Level.COMMUNITY
    assert level_for_code("110105001000") == Level.TOWNSHIP
    assert parent_code_for("110105001201") == "110105001000"
    assert parent_code_for("110000000000") is None


def test_subtree_is_one_range_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = list(Region.objects.subtree_of(world.street).values_list("code", flat=True))
    assert world.village.code in codes and world.other_community.code not in codes


def test_committee_kinds(world):
    assert world.community.committee_kind == "residents"
    assert world.village.committee_kind == "village"
    assert world.street.township_kind == "street"


def test_region_list_page(client_for, world, django_assert_max_num_queries):
    client = client_for("community_staff")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("regions:region_list"), {"q": "东风"})
    assert response.status_code == 200 and "东风街道" in response.content.decode()


def test_region_detail_shows_children(client_for, world):
    response = client_for("street_officer").get(reverse("regions:region_detail", args=[world.street.code]))
    assert "将台社区" in response.content.decode()


def test_region_api_requires_auth(db):
    from django.test import Client

    response = Client().get("/api/v1/regions/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_region_api_lists_subtree(api_for, world):
    response = api_for("street_officer").get("/api/v1/regions/", {"within": world.street.code})
    assert response.status_code == 200
    codes = {item["code"] for item in response.json()["items"]}
    assert world.village.code in codes and world.other_community.code not in codes


def test_unknown_region_is_404_with_error_shape(api_for, world):
    response = api_for("admin").get("/api/v1/regions/999999999999")
    assert response.status_code == 404
    assert set(response.json()["error"]) == {"code", "message", "fields"}


def test_openapi_document(api_for, world):
    response = api_for("admin").get("/api/v1/openapi.json")
    assert response.status_code == 200 and "/api/v1/regions/" in response.json()["paths"]
