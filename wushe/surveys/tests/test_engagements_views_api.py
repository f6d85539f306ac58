"""Focus group and interview pages and /api/v1/surveys/engagements: round trips and permissions."""

import pytest
from django.urls import reverse

from wushe.surveys.models import Engagement, Need
from wushe.surveys.services import engagements as services

from .needs_factories import group, make_engagement

pytestmark = pytest.mark.django_db
BASE = "/api/v1/surveys/engagements"


@pytest.fixture
def engagement(world):
    return make_engagement(world, participant_groups=[group("oldest_old")], notes="居民反映午餐难")


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.mark.parametrize("persona", ["outsider", "resident", "volunteer", "expert_reviewer"])
def test_pages_and_endpoints_are_404_for_who_may_not_see_it(world, client_for, api_for, engagement, persona):
    client, api = client_for(persona), api_for(persona)
    assert client.get(reverse("surveys:engagement_detail", args=[engagement.public_id])).status_code == 404
    assert client.get(reverse("surveys:engagement_edit", args=[engagement.public_id])).status_code == 404
    for name in ("surveys:engagement_void", "surveys:engagement_raise_need"):
        response = client.post(reverse(name, args=[engagement.public_id]),
                               {"reason": "x", "title": "x", "category": "other", "priority": "low"})
        assert response.status_code == 404
    url = f"{BASE}/{engagement.public_id}"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"title": "x"}, content_type="application/json").status_code == 404
    assert post(api, f"{url}/void", {"reason": "x"}).status_code == 404
    assert post(api, f"{url}/needs", {"title": "x", "category": "other"}).status_code == 404
    engagement.refresh_from_db()
    assert not engagement.is_voided and not Need.objects.exists()


@pytest.mark.parametrize("persona", ["resident", "volunteer"])
def test_lists_are_403_for_residents_and_volunteers(client_for, api_for, persona):
    assert client_for(persona).get(reverse("surveys:engagement_list")).status_code == 403
    assert client_for(persona).get(reverse("surveys:engagement_create")).status_code == 403
    assert api_for(persona).get(f"{BASE}/").status_code == 403


def test_leader_sees_but_may_not_change(world, client_for, engagement):
    client = client_for("org_leader")
    page = client.get(reverse("surveys:engagement_detail", args=[engagement.public_id])).content.decode()
    assert engagement.title in page and 'data-testid="raise-form"' not in page
    assert client.get(reverse("surveys:engagement_edit", args=[engagement.public_id])).status_code == 403


def test_list_with_filters_htmx_and_query_count(world, client_for, engagement, django_assert_max_num_queries):
    make_engagement(world, region=world.community2, actor=world.street_officer, title="丽都社区家长访谈",
                    kind="interview", participant_count=1)
    client = client_for("street_officer")
    page = client.get(reverse("surveys:engagement_list"), {"kind": "interview"}).content.decode()
    assert "丽都社区家长访谈" in page and engagement.title not in page
    for index in range(4):
        make_engagement(world, title=f"座谈{index}")
    client.get(reverse("surveys:engagement_list"))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("surveys:engagement_list"), HTTP_HX_REQUEST="true")
    assert response.content.decode().count('data-testid="engagement-row"') == 6
    assert "丽都社区家长访谈" not in client_for("community_staff").get(reverse("surveys:engagement_list")).content.decode()


def test_create_raise_need_edit_and_void_through_the_pages(world, client_for):
    client = client_for("community_staff")
    response = client.post(reverse("surveys:engagement_create"), {
        "region": world.community.code, "kind": "focus_group", "title": "流动家庭家长座谈会",
        "held_on": "2026-03-05", "facilitator": str(world.community_staff.public_id), "participant_count": "9",
        "participant_groups": [group("migrant").pk, group("migrant_children").pk],
        "participant_description": "家长 8 人、社工 1 人", "notes": "放学后无人照看"})
    engagement = Engagement.objects.get(title="流动家庭家长座谈会")
    assert response.status_code == 302 and engagement.facilitator == world.community_staff
    detail = reverse("surveys:engagement_detail", args=[engagement.public_id])
    assert 'data-testid="raise-form"' in client.get(detail).content.decode()
    response = client.post(reverse("surveys:engagement_raise_need", args=[engagement.public_id]), {
        "title": "流动儿童课后托管", "category": "children", "priority": "high",
        "population_group": "migrant_children", "evidence": "9 位家长中 7 位提出"})
    assert response.status_code == 302
    need = Need.objects.get(engagement=engagement)
    assert need.source == "focus_group" and need.population_group.code == "migrant_children"
    page = client.get(detail).content.decode()
    assert page.count('data-testid="raised-need"') == 1 and "修改记录" in page
    response = client.post(reverse("surveys:engagement_raise_need", args=[engagement.public_id]), {"title": ""})
    assert response.status_code == 422
    response = client.post(reverse("surveys:engagement_edit", args=[engagement.public_id]), {
        "region": world.community.code, "kind": "focus_group", "title": "流动家庭家长座谈会（第一次）",
        "held_on": "2026-03-05", "facilitator_name": "外请主持人", "participant_count": "10"})
    engagement.refresh_from_db()
    assert response.status_code == 302 and engagement.facilitator is None and engagement.participant_count == 10
    response = client.post(reverse("surveys:engagement_void", args=[engagement.public_id]), {"reason": "重复"},
                           follow=True)
    assert str(services.MSG_HAS_NEEDS) in response.content.decode()
    need_detail = client.get(reverse("surveys:need_detail", args=[need.public_id])).content.decode()
    assert 'data-testid="source-engagement"' in need_detail


def test_api_round_trip(world, api_for):
    api = api_for("social_worker")
    response = post(api, f"{BASE}/", {
        "region": world.community.code, "kind": "interview", "title": "独居老人入户访谈", "held_on": "2026-03-02",
        "participant_count": 1, "facilitator": str(world.social_worker.public_id),
        "participant_groups": ["oldest_old"], "notes": "老人夜间独处"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["participant_groups"] == ["oldest_old"] and body["facilitator_id"] == str(world.social_worker.public_id)
    url = f"{BASE}/{body['public_id']}"
    response = api.patch(url, {"participant_count": 2, "participant_groups": []}, content_type="application/json")
    assert response.json()["participant_count"] == 2 and response.json()["participant_groups"] == []
    response = post(api, f"{url}/needs", {"title": "夜间紧急呼叫", "category": "elderly_care", "priority": "high"})
    assert response.status_code == 201 and response.json()["source"] == "interview"
    assert response.json()["engagement_id"] == body["public_id"]
    listed = api.get(f"{BASE}/", {"kind": "interview"}).json()
    assert listed["count"] == 1 and listed["items"][0]["need_count"] == 1
    assert api.get(url).json()["needs"] == [response.json()["public_id"]]
    assert post(api, f"{url}/void", {"reason": "重复"}).status_code == 422
    response = post(api, f"{BASE}/", {"region": world.community.code, "kind": "interview", "title": "x",
                                      "held_on": "2026-03-02", "participant_count": 1,
                                      "facilitator": str(world.outsider.public_id)})
    assert response.status_code == 422  # not a facilitator the worker may name
