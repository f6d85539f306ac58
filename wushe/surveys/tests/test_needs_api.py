"""/api/v1/surveys/needs: round trips over the same services, and permissions."""

import pytest

from wushe.projects.models import ProjectStatus
from wushe.projects.tests.factories import make_org, make_project
from wushe.surveys.models import NeedStatus
from wushe.surveys.services import needs as services

from .needs_factories import DAY, make_need

pytestmark = pytest.mark.django_db
BASE = "/api/v1/surveys/needs"


@pytest.fixture
def project(world):
    return make_project(world, status=ProjectStatus.IN_PROGRESS)


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_round_trip(world, api_for, project):
    api = api_for("community_staff")
    response = post(api, f"{BASE}/", {"region": world.community.code, "title": "高龄独居老人助餐",
                                      "category": "elderly_care", "source": "meeting", "priority": "high",
                                      "population_group": "oldest_old", "evidence": "座谈会 8 人提出",
                                      "identified_on": "2026-03-01"})
    assert response.status_code == 201, response.content
    need = response.json()
    assert need["status"] == "open" and need["population_group"] == "oldest_old" and need["projects"] == []
    url = f"{BASE}/{need['public_id']}"
    response = api.patch(url, {"title": "高龄老人助餐配送"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["title"] == "高龄老人助餐配送"
    response = post(api, f"{url}/projects", {"project": str(project.public_id), "note": "回应"})
    assert response.status_code == 201 and response.json()["status"] == "answered"
    assert response.json()["projects"][0]["project_id"] == str(project.public_id)
    response = post(api, f"{url}/projects", {"project": str(project.public_id)})
    assert response.status_code == 422
    assert response.json()["error"]["message"] == str(services.MSG_LINK_DUPLICATE)
    response = post(api, f"{url}/met", {"met_on": DAY.isoformat(), "note": "老年餐桌已开办"})
    assert response.json()["status"] == "met" and response.json()["met_note"] == "老年餐桌已开办"
    response = post(api, f"{url}/reopen", {"reason": "餐桌停办"})
    assert response.json()["status"] == "answered"
    response = post(api, f"{url}/projects/{project.public_id}/unlink", {"reason": "项目调整"})
    assert response.status_code == 200 and response.json()["status"] == "open" and response.json()["projects"] == []
    response = post(api, f"{url}/void", {"reason": "重复"})
    assert response.status_code == 200 and response.json()["voided_at"]
    assert api.get(url).json()["void_reason"] == "重复"


def test_list_filters_and_uncovered(world, api_for, project, django_assert_max_num_queries):
    meals = make_need(world)
    linked = make_need(world, title="空巢老人探访")
    services.need_link_project(actor=world.street_officer, need=linked, project=project)
    make_need(world, region=world.community2, title="慢病随访", category="health", priority="low")
    api = api_for("street_officer")
    items = api.get(f"{BASE}/", {"uncovered": "true"}).json()["items"]
    assert {i["title"] for i in items} == {meals.title, "慢病随访"}
    items = api.get(f"{BASE}/", {"region": world.community2.code}).json()["items"]
    assert [i["title"] for i in items] == ["慢病随访"]
    with django_assert_max_num_queries(8):
        response = api.get(f"{BASE}/")
    assert response.json()["count"] == 3
    summary = api.get(f"{BASE}/uncovered", {"region": world.street.code}).json()
    rows = {row["code"]: row for row in summary["communities"]}
    assert set(rows) == {world.community.code, world.community2.code, world.village.code}
    assert rows[world.community.code]["by_status"] == {"open": 1, "answered": 1}
    assert rows[world.community.code]["uncovered_by_category"] == {"elderly_care": 1}
    assert rows[world.community2.code]["uncovered_by_priority"] == {"low": 1}
    assert summary["totals"]["uncovered"] == 2


def test_leader_links_own_project_but_not_another(world, api_for, project):
    need = make_need(world)
    other = make_project(world, status=ProjectStatus.IN_PROGRESS, region=world.community2,
                         applicant=make_org(world, "丽都邻里互助会", region=world.community2))
    api = api_for("org_leader")
    assert post(api, f"{BASE}/{need.public_id}/projects", {"project": str(other.public_id)}).status_code == 422
    response = post(api, f"{BASE}/{need.public_id}/projects", {"project": str(project.public_id)})
    assert response.status_code == 201 and response.json()["status"] == NeedStatus.ANSWERED
    assert api.patch(f"{BASE}/{need.public_id}", {"title": "x"}, content_type="application/json").status_code == 403
    assert post(api, f"{BASE}/", {"region": world.community.code, "title": "x", "category": "other",
                                  "source": "other"}).status_code == 403


@pytest.mark.parametrize("persona", ["outsider", "resident", "volunteer", "expert_reviewer"])
def test_record_endpoints_are_404_for_who_may_not_see_the_need(world, api_for, project, persona):
    need = make_need(world)
    services.need_link_project(actor=world.street_officer, need=need, project=project)
    api = api_for(persona)
    url = f"{BASE}/{need.public_id}"
    assert api.get(url).status_code == 404
    assert api.patch(url, {"title": "x"}, content_type="application/json").status_code == 404
    for suffix, data in (("/met", {"met_on": "2026-03-10", "note": "x"}), ("/reopen", {"reason": "x"}),
                         ("/void", {"reason": "x"}), ("/projects", {"project": str(project.public_id)}),
                         (f"/projects/{project.public_id}/unlink", {"reason": "x"})):
        assert post(api, url + suffix, data).status_code == 404, suffix
    need.refresh_from_db()
    assert not need.is_voided and need.status == NeedStatus.ANSWERED


def test_outsider_gets_404_for_the_uncovered_summary_of_another_street(world, api_for):
    assert api_for("outsider").get(f"{BASE}/uncovered", {"region": world.street.code}).status_code == 404


@pytest.mark.parametrize("persona", ["resident", "volunteer"])
def test_list_is_403_for_residents_and_volunteers(api_for, persona):
    assert api_for(persona).get(f"{BASE}/").status_code == 403
    assert api_for(persona).get(f"{BASE}/uncovered").status_code == 403


def test_endpoints_carry_the_surveys_tag(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = [p for p in schema["paths"] if p.startswith("/api/v1/surveys/needs")
             or p.startswith("/api/v1/surveys/engagements")]
    assert len(paths) >= 10
    for path in paths:
        for operation in schema["paths"][path].values():
            assert operation["tags"] == ["surveys"], path
