import datetime
import json

import pytest

from wushe.testing.personas import ALL_PERSONAS
from wushe.volunteers import services
from wushe.volunteers.models import Team, TeamMembership, Volunteer
from wushe.workforce.tests.factories import citizen_id

from .factories import TeamFactory, TeamMembershipFactory, VolunteerFactory
from .test_views import (
    TEAM_CHANGERS,
    TEAM_LIST,
    TEAM_VIEWERS,
    VOLUNTEER_CHANGERS,
    VOLUNTEER_LIST,
    VOLUNTEER_VIEWERS,
    expected,
    expected_all,
)

pytestmark = pytest.mark.django_db
BASE = "/api/v1/volunteers/"


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


# Volunteers ---------------------------------------------------------------------------------------------

def api_statuses(api_for, url) -> dict[str, int]:
    return {p: api_for(p).get(url).status_code for p in ALL_PERSONAS}


def test_list_permissions(api_for, world):
    for persona in ALL_PERSONAS:
        response = api_for(persona).get(BASE)
        assert response.status_code == (200 if persona in VOLUNTEER_LIST else 403), persona
        if response.status_code == 200:
            names = {item["name"] for item in response.json()["items"]}
            assert ("王志愿" in names) == (persona in VOLUNTEER_VIEWERS), persona


def test_detail_permissions(api_for, world):
    assert api_statuses(api_for, f"{BASE}{world.objects['volunteer'].public_id}") == expected_all(
        VOLUNTEER_VIEWERS, VOLUNTEER_CHANGERS, change=False)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_patch_permissions(api_for, world, persona):
    response = patch(api_for(persona), f"{BASE}{world.objects['volunteer'].public_id}", {"skills": "摄影"})
    status = expected(persona, VOLUNTEER_VIEWERS, VOLUNTEER_CHANGERS, change=True)
    assert response.status_code == status
    assert (Volunteer.objects.get(pk=world.objects["volunteer"].pk).skills == "摄影") == (status == 200)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_void_permissions(api_for, world, persona):
    response = post(api_for(persona), f"{BASE}{world.objects['volunteer'].public_id}/void", {"reason": "测试"})
    assert response.status_code == expected(persona, VOLUNTEER_VIEWERS, VOLUNTEER_CHANGERS, change=True)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_create_permissions(api_for, world, persona):
    response = post(api_for(persona), BASE, {"name": "邓晨", "region_code": world.community.code})
    if persona in VOLUNTEER_CHANGERS:
        assert response.status_code == 201
        assert response.json()["volunteer_number"] == f"V{world.community.code}0001"
    elif persona == "outsider":  # may register volunteers, but only in their own community
        assert response.status_code == 422
    else:
        assert response.status_code == 403
    assert Volunteer.objects.filter(name="邓晨").exists() == (persona in VOLUNTEER_CHANGERS)


def test_me_endpoint(api_for, world):
    assert api_statuses(api_for, f"{BASE}me") == {p: 200 if p == "volunteer" else 404 for p in ALL_PERSONAS}
    assert api_for("volunteer").get(f"{BASE}me").json()["volunteer_number"] == "V110105001001"


def test_identity_masked_unless_allowed(api_for, world):
    volunteer = world.objects["volunteer"]
    number = citizen_id(datetime.date(1999, 9, 9))
    services.volunteer_update(actor=world.admin, volunteer=volunteer, id_number=number, phone="13811112222")
    own = api_for("volunteer").get(f"{BASE}me").json()
    assert own["id_number"] == number and own["phone"] == "13811112222"
    other = api_for("social_worker").get(f"{BASE}{volunteer.public_id}").json()
    assert other["id_number"] == number[:4] + "*" * 10 + number[-4:] and other["phone"] == "138****2222"
    assert api_for("admin").get(BASE).json()["items"][0]["phone"] == "138****2222"


def test_create_validation_errors_are_translated(api_for, world):
    response = post(api_for("community_staff"), BASE, {
        "name": "邓晨", "region_code": world.community.code, "id_number": "11010519491231002Y"})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["id_number"]
    response = post(api_for("community_staff"), BASE, {"name": "邓晨", "region_code": world.community2.code})
    assert response.json()["error"]["fields"]["region"] == [str(services.MSG_REGION_OUT_OF_SCOPE)]


def test_minor_flag_in_api(api_for, world):
    client = api_for("community_staff")
    birth = (datetime.date.today() - datetime.timedelta(days=365 * 8)).isoformat()
    refused = post(client, BASE, {"name": "小明", "region_code": world.community.code, "birth_date": birth})
    assert refused.status_code == 422
    assert refused.json()["error"]["fields"]["guardian_name"] == [str(services.MSG_GUARDIAN_NAME_REQUIRED)]
    data = post(client, BASE, {"name": "小明", "region_code": world.community.code, "birth_date": birth,
                               "guardian_name": "小明妈妈", "guardian_consent_on": datetime.date.today().isoformat()}
                ).json()
    assert data["has_guardian_consent"] is True
    assert data["needs_guardian_consent"] is True and data["age"] in (7, 8)
    listed = client.get(BASE, {"minors": "true"}).json()["items"]
    assert [item["name"] for item in listed] == ["小明"]


@pytest.mark.parametrize("rows", [3, 30])
def test_api_list_query_count_does_not_grow(api_for, world, rows, django_assert_max_num_queries):
    VolunteerFactory.create_batch(rows, region=world.community)
    client = api_for("community_staff")
    with django_assert_max_num_queries(6):
        response = client.get(BASE)
    assert response.json()["count"] == rows + 1


# Teams --------------------------------------------------------------------------------------------------

def test_team_list_permissions(api_for, world, team):
    for persona in ALL_PERSONAS:
        response = api_for(persona).get(f"{BASE}teams/")
        assert response.status_code == (200 if persona in TEAM_LIST else 403), persona
        if response.status_code == 200:
            items = response.json()["items"]
            assert bool(items) == (persona in TEAM_VIEWERS), persona
            if items:
                assert items[0]["member_count"] == 1


def test_team_detail_permissions(api_for, world, team):
    assert api_statuses(api_for, f"{BASE}teams/{team.public_id}") == expected_all(
        TEAM_VIEWERS, TEAM_CHANGERS, change=False)


def test_team_members_permissions(api_for, world, team):
    assert api_statuses(api_for, f"{BASE}teams/{team.public_id}/members") == expected_all(
        TEAM_VIEWERS, TEAM_CHANGERS, change=False)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_team_patch_permissions(api_for, world, team, persona):
    response = patch(api_for(persona), f"{BASE}teams/{team.public_id}", {"description": "每周三巡访"})
    status = expected(persona, TEAM_VIEWERS, TEAM_CHANGERS, change=True)
    assert response.status_code == status
    assert (Team.objects.get(pk=team.pk).description == "每周三巡访") == (status == 200)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_team_void_permissions(api_for, world, team, persona):
    response = post(api_for(persona), f"{BASE}teams/{team.public_id}/void", {"reason": "解散"})
    assert response.status_code == expected(persona, TEAM_VIEWERS, TEAM_CHANGERS, change=True)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_team_create_permissions(api_for, world, persona):
    response = post(api_for(persona), f"{BASE}teams/", {
        "name": "银龄二队", "organization_id": str(world.objects["organization"].public_id)})
    # Anyone allowed to change teams who can see the organization and its region may create it.
    allowed = {"admin", "street_officer", "station_staff", "community_staff", "social_worker", "org_leader"}
    if persona in allowed:
        assert response.status_code == 201
        assert response.json()["region_code"] == world.community.code
    elif persona == "outsider":
        assert response.status_code == 422  # the organization is not visible to them
    else:
        assert response.status_code == 403
    assert Team.objects.filter(name="银龄二队").exists() == (persona in allowed)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_member_add_permissions(api_for, world, team, persona):
    newcomer = VolunteerFactory(region=world.community, name="新队员")
    response = post(api_for(persona), f"{BASE}teams/{team.public_id}/members",
                    {"volunteer_number": newcomer.volunteer_number, "name": "新队员", "role": "core"})
    status = expected(persona, TEAM_VIEWERS, TEAM_CHANGERS, change=True)
    assert response.status_code == (201 if status == 200 else status)
    assert TeamMembership.objects.active().filter(team=team, volunteer=newcomer).exists() == (status == 200)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_member_void_permissions(api_for, world, team, persona):
    membership = TeamMembership.objects.get(team=team)
    response = post(api_for(persona), f"{BASE}teams/{team.public_id}/members/{membership.public_id}/void",
                    {"reason": "退出"})
    assert response.status_code == expected(persona, TEAM_VIEWERS, TEAM_CHANGERS, change=True)


def test_member_add_unknown_number_is_422_without_leak(api_for, world, team):
    stranger = VolunteerFactory(region=world.other_community, name="远方")
    client = api_for("org_leader")
    for payload in ({"volunteer_number": "V000000000000000"}, {"volunteer_number": stranger.volunteer_number}):
        response = post(client, f"{BASE}teams/{team.public_id}/members", payload)
        assert response.status_code == 422
        assert response.json()["error"]["fields"]["volunteer_number"] == [str(services.MSG_VOLUNTEER_NOT_FOUND)]


def test_members_hide_records_the_viewer_may_not_open(api_for, world, team):
    fellow = VolunteerFactory(region=world.community, name="队友甲")
    TeamMembershipFactory(team=team, volunteer=fellow)
    members = {m["name"]: m for m in api_for("volunteer").get(f"{BASE}teams/{team.public_id}/members").json()}
    assert members["王志愿"]["volunteer_number"] == "V110105001001"
    assert members["队友甲"]["volunteer_id"] is None and members["队友甲"]["volunteer_number"] == ""
    assert members["王志愿"]["role"] == "leader"


def test_volunteer_detail_lists_teams(api_for, world, team):
    data = api_for("community_staff").get(f"{BASE}{world.objects['volunteer'].public_id}").json()
    assert data["teams"] == [{"team_id": str(team.public_id), "team_name": team.name, "role": "leader"}]


@pytest.mark.parametrize("rows", [3, 30])
def test_team_api_query_counts_do_not_grow(api_for, world, rows, django_assert_max_num_queries):
    teams = TeamFactory.create_batch(rows, region=world.community, organization=world.objects["organization"])
    for volunteer in VolunteerFactory.create_batch(rows, region=world.community):
        TeamMembershipFactory(team=teams[0], volunteer=volunteer)
    client = api_for("community_staff")
    with django_assert_max_num_queries(6):
        client.get(f"{BASE}teams/")
    with django_assert_max_num_queries(7):
        client.get(f"{BASE}teams/{teams[0].public_id}/members")
