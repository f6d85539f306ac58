import datetime

import pytest
from django.urls import reverse

from wushe.audit.models import AuditEvent
from wushe.testing.personas import ALL_PERSONAS
from wushe.volunteers import services
from wushe.volunteers.models import Team, TeamMembership, TeamRole, Volunteer
from wushe.workforce.tests.factories import citizen_id

from .factories import TeamFactory, TeamMembershipFactory, VolunteerFactory

pytestmark = pytest.mark.django_db

# The persona volunteer 王志愿 is registered in 将台社区; the `team` fixture is the organization's team there.
VOLUNTEER_VIEWERS = {"admin", "district_officer", "street_officer", "station_staff", "community_staff",
                     "social_worker", "volunteer"}
VOLUNTEER_CHANGERS = {"admin", "street_officer", "station_staff", "community_staff", "social_worker"}
VOLUNTEER_LIST = VOLUNTEER_VIEWERS | {"org_leader", "outsider"}
TEAM_VIEWERS = {"admin", "district_officer", "street_officer", "station_staff", "community_staff",
                "social_worker", "org_leader", "volunteer"}
TEAM_CHANGERS = {"admin", "street_officer", "station_staff", "community_staff", "social_worker", "org_leader"}
TEAM_LIST = TEAM_VIEWERS | {"outsider"}


def expected(persona, viewers, changers, *, change):
    if persona not in viewers:
        return 404
    return 200 if not change or persona in changers else 403


def volunteer_url(world, name):
    return reverse(f"volunteers:{name}", args=[world.objects["volunteer"].public_id])


# Volunteers: permissions over every persona -------------------------------------------------------------

def statuses(client_for, url) -> dict[str, int]:
    """The status each persona gets for one read-only request (all personas share one world)."""
    return {p: client_for(p).get(url).status_code for p in ALL_PERSONAS}


def expected_all(viewers, changers, *, change) -> dict[str, int]:
    return {p: expected(p, viewers, changers, change=change) for p in ALL_PERSONAS}


def test_volunteer_list_permissions(client_for, world):
    for persona in ALL_PERSONAS:
        response = client_for(persona).get(reverse("volunteers:volunteer_list"))
        assert response.status_code == (200 if persona in VOLUNTEER_LIST else 403), persona
        if response.status_code == 200:
            assert ("王志愿" in response.content.decode()) == (persona in VOLUNTEER_VIEWERS), persona


def test_volunteer_detail_permissions(client_for, world):
    assert statuses(client_for, volunteer_url(world, "volunteer_detail")) == expected_all(
        VOLUNTEER_VIEWERS, VOLUNTEER_CHANGERS, change=False)


def test_volunteer_edit_permissions(client_for, world):
    assert statuses(client_for, volunteer_url(world, "volunteer_edit")) == expected_all(
        VOLUNTEER_VIEWERS, VOLUNTEER_CHANGERS, change=True)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_volunteer_void_permissions(client_for, world, persona):
    response = client_for(persona).post(volunteer_url(world, "volunteer_void"), {"reason": "测试"})
    status = expected(persona, VOLUNTEER_VIEWERS, VOLUNTEER_CHANGERS, change=True)
    assert response.status_code == (302 if status == 200 else status)
    assert Volunteer.objects.get(pk=world.objects["volunteer"].pk).is_voided == (status == 200)


def test_volunteer_create_permissions(client_for, world):
    assert statuses(client_for, reverse("volunteers:volunteer_create")) == {
        p: 200 if p in VOLUNTEER_CHANGERS | {"outsider"} else 403 for p in ALL_PERSONAS}


def test_volunteer_sees_own_profile_with_number(client_for, world):
    VolunteerFactory(region=world.community, name="邻居志愿者")
    client = client_for("volunteer")
    body = client.get(reverse("volunteers:volunteer_list")).content.decode()
    assert "王志愿" in body and "邻居志愿者" not in body
    response = client.get(reverse("volunteers:volunteer_me"), follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == volunteer_url(world, "volunteer_detail")
    assert 'data-testid="volunteer-number">V110105001001<' in body and "我的志愿者档案" in body


def test_me_is_404_without_a_volunteer_record(client_for, world):
    assert client_for("community_staff").get(reverse("volunteers:volunteer_me")).status_code == 404


def test_volunteer_cannot_open_another_volunteer(client_for, world):
    other = VolunteerFactory(region=world.community)
    response = client_for("volunteer").get(reverse("volunteers:volunteer_detail", args=[other.public_id]))
    assert response.status_code == 404


def test_identity_is_masked_without_view_identity(client_for, world):
    volunteer = world.objects["volunteer"]
    number = citizen_id(datetime.date(1999, 9, 9))
    services.volunteer_update(actor=world.admin, volunteer=volunteer, id_number=number, phone="13811112222")
    own = client_for("volunteer").get(volunteer_url(world, "volunteer_detail")).content.decode()
    assert number in own and "13811112222" in own  # a volunteer sees their own identity
    body = client_for("social_worker").get(volunteer_url(world, "volunteer_detail")).content.decode()
    assert number not in body and "1101*" in body and "138****2222" in body


def test_under_14_shows_guardian_note_and_logs_the_read(client_for, world):
    child = services.volunteer_create(actor=world.community_staff, region=world.community, name="小明",
                                      birth_date=datetime.date.today() - datetime.timedelta(days=365 * 9),
                                      guardian_name="小明爸爸", guardian_consent_on=datetime.date.today())
    response = client_for("community_staff").get(reverse("volunteers:volunteer_detail", args=[child.public_id]))
    assert 'data-testid="guardian-consent"' in response.content.decode()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.SENSITIVE_READ, target=f"volunteer:{child.public_id}",
                                     actor=world.community_staff).exists()
    listing = client_for("community_staff").get(reverse("volunteers:volunteer_list")).content.decode()
    assert "需监护人同意" in listing
    adult = client_for("community_staff").get(volunteer_url(world, "volunteer_detail")).content.decode()
    assert 'data-testid="guardian-consent"' not in adult


@pytest.mark.parametrize("rows", [3, 30])
def test_volunteer_list_query_count_does_not_grow(client_for, world, rows, django_assert_max_num_queries):
    VolunteerFactory.create_batch(rows, region=world.community, phone="13912345678")
    client = client_for("community_staff")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("volunteers:volunteer_list"))
    assert "139****5678" in response.content.decode() and "13912345678" not in response.content.decode()
    with django_assert_max_num_queries(8):
        client.get(reverse("volunteers:volunteer_list"), {"q": "v"}, HTTP_HX_REQUEST="true")


def test_register_through_the_form_shows_number(client_for, world):
    response = client_for("community_staff").post(reverse("volunteers:volunteer_create"), {
        "name": "邓晨", "region": world.community.code, "sex": "U", "document_type": "ric", "skills": "书法",
    }, follow=True)
    volunteer = Volunteer.objects.get(name="邓晨")
    assert volunteer.volunteer_number == f"V{world.community.code}0001"
    assert volunteer.volunteer_number in response.content.decode()


def test_register_form_shows_service_errors(client_for, world):
    response = client_for("community_staff").post(reverse("volunteers:volunteer_create"), {
        "name": "邓晨", "region": world.community.code, "sex": "U", "document_type": "ric", "phone": "123",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["phone"]


def test_edit_and_void_through_pages(client_for, world):
    client = client_for("community_staff")
    response = client.post(volunteer_url(world, "volunteer_edit"), {
        "name": "王志愿", "region": world.community.code, "sex": "F", "document_type": "ric", "skills": "摄影",
    })
    assert response.status_code == 302
    client.post(volunteer_url(world, "volunteer_void"), {"reason": "本人申请"})
    body = client.get(volunteer_url(world, "volunteer_detail")).content.decode()
    assert "本人申请" in body and "摄影" in body and "修改记录" in body


# Teams: permissions over every persona ------------------------------------------------------------------

def team_url(team, name):
    return reverse(f"volunteers:{name}", args=[team.public_id])


def test_team_list_permissions(client_for, world, team):
    for persona in ALL_PERSONAS:
        response = client_for(persona).get(reverse("volunteers:team_list"))
        assert response.status_code == (200 if persona in TEAM_LIST else 403), persona
        if response.status_code == 200:
            assert ("将台银龄服务队" in response.content.decode()) == (persona in TEAM_VIEWERS), persona


def test_team_detail_permissions(client_for, world, team):
    assert statuses(client_for, team_url(team, "team_detail")) == expected_all(
        TEAM_VIEWERS, TEAM_CHANGERS, change=False)


def test_team_edit_permissions(client_for, world, team):
    assert statuses(client_for, team_url(team, "team_edit")) == expected_all(
        TEAM_VIEWERS, TEAM_CHANGERS, change=True)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_team_void_permissions(client_for, world, team, persona):
    response = client_for(persona).post(team_url(team, "team_void"), {"reason": "测试"})
    status = expected(persona, TEAM_VIEWERS, TEAM_CHANGERS, change=True)
    assert response.status_code == (302 if status == 200 else status)
    assert Team.objects.get(pk=team.pk).is_voided == (status == 200)


def test_team_create_permissions(client_for, world):
    assert statuses(client_for, reverse("volunteers:team_create")) == {
        p: 200 if p in TEAM_CHANGERS | {"outsider"} else 403 for p in ALL_PERSONAS}


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_membership_add_permissions(client_for, world, team, persona):
    newcomer = VolunteerFactory(region=world.community, name="新队员")
    response = client_for(persona).post(team_url(team, "membership_add"), {
        "volunteer_number": newcomer.volunteer_number, "name": "新队员", "role": "member"})
    status = expected(persona, TEAM_VIEWERS, TEAM_CHANGERS, change=True)
    assert response.status_code == (302 if status == 200 else status)
    assert TeamMembership.objects.active().filter(team=team, volunteer=newcomer).exists() == (status == 200)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_membership_void_permissions(client_for, world, team, persona):
    membership = TeamMembership.objects.get(team=team)
    response = client_for(persona).post(
        reverse("volunteers:membership_void", args=[team.public_id, membership.public_id]), {"reason": "退出"})
    status = expected(persona, TEAM_VIEWERS, TEAM_CHANGERS, change=True)
    assert response.status_code == (302 if status == 200 else status)
    membership.refresh_from_db()
    assert membership.is_voided == (status == 200)


def test_org_leader_creates_and_manages_own_team(client_for, world):
    client = client_for("org_leader")
    organization = world.objects["organization"]
    response = client.post(reverse("volunteers:team_create"), {
        "name": "银龄夜巡队", "organization": str(organization.public_id)})
    team = Team.objects.get(name="银龄夜巡队")
    assert response.status_code == 302 and team.region == organization.region
    recruit = VolunteerFactory(region=world.other_community, name="外街志愿者")
    response = client.post(team_url(team, "membership_add"), {
        "volunteer_number": recruit.volunteer_number, "role": "core"})
    assert response.context["form"].errors["volunteer_number"] == [str(services.MSG_VOLUNTEER_NOT_FOUND)]
    client.post(team_url(team, "membership_add"), {
        "volunteer_number": recruit.volunteer_number, "name": "外街志愿者", "role": "core"})
    membership = TeamMembership.objects.get(team=team, volunteer=recruit)
    assert membership.role == TeamRole.CORE
    body = client.get(team_url(team, "team_detail")).content.decode()
    assert "外街志愿者" in body and recruit.volunteer_number in body  # now a member of the leader's team


def test_org_leader_cannot_create_team_for_region_only(client_for, world):
    response = client_for("org_leader").post(reverse("volunteers:team_create"), {"name": "无组织队"})
    assert response.status_code == 200
    assert response.context["form"].errors["region"] == [str(services.MSG_TEAM_REGION_REQUIRED)]


def test_other_organizations_team_is_404_for_org_leader(client_for, world):
    other = TeamFactory(region=world.community)
    assert client_for("org_leader").get(team_url(other, "team_detail")).status_code == 404


def test_team_member_volunteer_sees_names_but_not_other_records(client_for, world, team):
    fellow = VolunteerFactory(region=world.community, name="队友甲")
    TeamMembershipFactory(team=team, volunteer=fellow)
    body = client_for("volunteer").get(team_url(team, "team_detail")).content.decode()
    assert "队友甲" in body and fellow.volunteer_number not in body
    assert reverse("volunteers:volunteer_detail", args=[fellow.public_id]) not in body
    assert "添加队员" not in body


@pytest.mark.parametrize("rows", [3, 30])
def test_team_pages_query_count_does_not_grow(client_for, world, rows, django_assert_max_num_queries):
    organization = world.objects["organization"]
    teams = TeamFactory.create_batch(rows, region=world.community, organization=organization)
    for volunteer in VolunteerFactory.create_batch(rows, region=world.community):
        TeamMembershipFactory(team=teams[0], volunteer=volunteer)
    client = client_for("community_staff")
    with django_assert_max_num_queries(9):
        client.get(reverse("volunteers:team_list"))
    with django_assert_max_num_queries(14):
        client.get(team_url(teams[0], "team_detail"))
