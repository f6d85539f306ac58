import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wushe.core.identity import MSG_ID_LENGTH, MSG_PHONE_INVALID, DocumentType, Sex
from wushe.core.services import MSG_VOID_REASON_REQUIRED
from wushe.orgs.models import Organization, OrganizationKind
from wushe.volunteers import services
from wushe.volunteers.models import TeamMembership, TeamRole, Volunteer
from wushe.volunteers.selectors import team_list, volunteer_for_membership, volunteer_list
from wushe.workforce.tests.factories import citizen_id

from .factories import TeamFactory, VolunteerFactory

pytestmark = pytest.mark.django_db


def messages_of(excinfo, field):
    return [str(m) for m in excinfo.value.message_dict[field]]


def register(world, actor="community_staff", **kwargs):
    arguments = {"region": world.community, "name": "陈小雨"} | kwargs
    return services.volunteer_create(actor=world.users[actor], **arguments)


# Volunteer numbers --------------------------------------------------------------------------------------

def test_numbers_are_sequential_per_region_and_unique(world):
    first, second = register(world), register(world, name="林一")
    elsewhere = register(world, actor="street_officer", region=world.community2, name="郑二")
    assert first.volunteer_number == f"V{world.community.code}0001"
    assert second.volunteer_number == f"V{world.community.code}0002"
    assert elsewhere.volunteer_number == f"V{world.community2.code}0001"
    numbers = list(Volunteer.objects.values_list("volunteer_number", flat=True))
    assert len(numbers) == len(set(numbers))


def test_numbers_ignore_other_formats_and_are_never_reused(world):
    # The persona's legacy number V110105001001 (13 characters) is not part of the sequence.
    first = register(world)
    services.volunteer_void(actor=world.community_staff, volunteer=first, reason="重复登记")
    second = register(world, name="林一")
    assert first.volunteer_number.endswith("0001") and second.volunteer_number.endswith("0002")


def test_number_is_never_derived_from_the_id_number(world):
    number = citizen_id(datetime.date(1995, 7, 8), sequence=246)
    volunteer = register(world, id_number=number)
    assert number not in volunteer.volunteer_number
    assert number[-4:] not in volunteer.volunteer_number[-4:]
    assert volunteer.volunteer_number == f"V{world.community.code}0001"


def test_number_survives_region_change(world):
    volunteer = register(world)
    services.volunteer_update(actor=world.street_officer, volunteer=volunteer, region=world.community2)
    volunteer.refresh_from_db()
    assert volunteer.volunteer_number == f"V{world.community.code}0001"


def test_numbers_run_out_at_9999(world):
    Volunteer.objects.create(region=world.community2, name="满", volunteer_number=f"V{world.community2.code}9999")
    with pytest.raises(ValidationError) as excinfo:
        register(world, actor="street_officer", region=world.community2)
    assert excinfo.value.messages == [str(services.MSG_NUMBER_EXHAUSTED)]


# Volunteer validation -----------------------------------------------------------------------------------

def test_id_number_is_optional_validated_and_fixes_birth_and_sex(world):
    assert register(world).id_number == ""
    number = citizen_id(datetime.date(2001, 3, 9), sequence=111)
    volunteer = register(world, name="林一", id_number=number, sex=Sex.FEMALE)
    assert volunteer.birth_date == datetime.date(2001, 3, 9) and volunteer.sex == Sex.MALE
    with pytest.raises(ValidationError) as excinfo:
        register(world, name="郑二", id_number="1234", phone="010-1234")
    assert messages_of(excinfo, "id_number") == [str(MSG_ID_LENGTH)]
    assert messages_of(excinfo, "phone") == [str(MSG_PHONE_INVALID)]
    passport = register(world, name="Anna", document_type=DocumentType.PASSPORT, id_number="e1234567")
    assert passport.id_number == "E1234567"


def test_duplicate_document_is_refused(world):
    number = citizen_id(datetime.date(1990, 1, 1))
    register(world, id_number=number)
    with pytest.raises(ValidationError) as excinfo:
        register(world, name="林一", id_number=number)
    assert messages_of(excinfo, "id_number") == [str(services.MSG_DUPLICATE_DOCUMENT)]


def test_name_region_and_birth_date_are_checked(world):
    with pytest.raises(ValidationError) as excinfo:
        register(world, name=" ", region=world.other_community,
                 birth_date=datetime.date.today() + datetime.timedelta(days=2))
    assert messages_of(excinfo, "name") == [str(services.MSG_NAME_REQUIRED)]
    assert messages_of(excinfo, "region") == [str(services.MSG_REGION_OUT_OF_SCOPE)]
    assert messages_of(excinfo, "birth_date") == [str(services.MSG_BIRTH_DATE_FUTURE)]


def test_under_14_needs_guardian_consent(world):
    today = datetime.date.today()
    with pytest.raises(ValidationError) as excinfo:
        register(world, birth_date=today - datetime.timedelta(days=365 * 10))
    assert messages_of(excinfo, "guardian_name") == [str(services.MSG_GUARDIAN_NAME_REQUIRED)]
    assert messages_of(excinfo, "guardian_consent_on") == [str(services.MSG_GUARDIAN_CONSENT_REQUIRED)]
    child = register(world, birth_date=today - datetime.timedelta(days=365 * 10), guardian_name="陈大雨",
                     guardian_phone="13900001111", guardian_consent_on=today)
    assert child.has_guardian_consent
    teen = register(world, name="林一", birth_date=today - datetime.timedelta(days=365 * 15 + 10))
    assert child.needs_guardian_consent and not teen.needs_guardian_consent
    assert list(volunteer_list(world.community_staff, minors=True)) == [child]


def test_read_only_and_self_cannot_write(world):
    volunteer = world.objects["volunteer"]
    for persona in ("district_officer", "volunteer"):
        with pytest.raises(PermissionDenied):
            services.volunteer_update(actor=world.users[persona], volunteer=volunteer, skills="摄影")


def test_update_and_void_keep_history(world):
    volunteer = register(world)
    services.volunteer_update(actor=world.station_staff, volunteer=volunteer, skills="急救", phone="13698765432")
    with pytest.raises(ValidationError) as excinfo:
        services.volunteer_void(actor=world.community_staff, volunteer=volunteer, reason="")
    assert messages_of(excinfo, "reason") == [str(MSG_VOID_REASON_REQUIRED)]
    services.volunteer_void(actor=world.community_staff, volunteer=volunteer, reason="本人申请注销")
    kinds = [(h.history_type, h.history_user.username) for h in volunteer.history.order_by("history_id")]
    assert kinds == [("+", "community_staff"), ("~", "station_staff"), ("~", "community_staff")]
    assert volunteer.history.latest().history_change_reason == "本人申请注销"
    assert volunteer not in volunteer_list(world.admin)
    with pytest.raises(ValidationError) as excinfo:
        services.volunteer_update(actor=world.admin, volunteer=volunteer, skills="x")
    assert excinfo.value.messages == [str(services.MSG_RECORD_VOIDED)]


def test_search_by_pinyin_initials_number_and_skills(world):
    chen = register(world, skills="心理疏导")
    register(world, name="林一")
    user = world.community_staff
    assert list(volunteer_list(user, query="cxy")) == [chen]
    assert list(volunteer_list(user, query=chen.volunteer_number)) == [chen]
    assert list(volunteer_list(user, query="心理")) == [chen]


def test_volunteer_sees_only_self(world):
    register(world)
    assert list(volunteer_list(world.volunteer)) == [world.objects["volunteer"]]


# Teams --------------------------------------------------------------------------------------------------

def test_community_staff_creates_team_in_scope(world):
    team = services.team_create(actor=world.community_staff, name="邻里守望队", region=world.community)
    assert team.search_text and team.history.latest().history_user == world.community_staff
    with pytest.raises(ValidationError) as excinfo:
        services.team_create(actor=world.community_staff, name="越界队", region=world.community2)
    assert messages_of(excinfo, "region") == [str(services.MSG_REGION_OUT_OF_SCOPE)]


def test_org_leader_creates_team_of_own_organization(world):
    organization = world.objects["organization"]
    team = services.team_create(actor=world.org_leader, name="银龄二队", organization=organization)
    assert team.region == organization.region
    with pytest.raises(ValidationError) as excinfo:
        services.team_create(actor=world.org_leader, name="无组织队", region=world.community)
    assert messages_of(excinfo, "region") == [str(services.MSG_REGION_OUT_OF_SCOPE)]
    with pytest.raises(ValidationError) as excinfo:
        services.team_create(actor=world.org_leader, name="无归属")
    assert messages_of(excinfo, "region") == [str(services.MSG_TEAM_REGION_REQUIRED)]


def test_org_leader_cannot_use_someone_elses_organization(world):
    other = Organization.objects.create(region=world.community, name="丽都合唱团",
                                        kind=OrganizationKind.COMMUNITY_SOCIAL_ORG)
    with pytest.raises(ValidationError) as excinfo:
        services.team_create(actor=world.org_leader, name="借名队", organization=other)
    assert messages_of(excinfo, "organization") == [str(services.MSG_ORGANIZATION_UNAVAILABLE)]
    foreign = TeamFactory(region=world.community, organization=other)
    with pytest.raises(PermissionDenied):
        services.team_update(actor=world.org_leader, team=foreign, name="改名")


def test_read_only_role_cannot_create_team(world):
    with pytest.raises((PermissionDenied, ValidationError)):
        services.team_create(actor=world.district_officer, name="区队", region=world.community)


def test_membership_add_and_void(world, team):
    volunteer = register(world)
    membership = services.team_membership_add(actor=world.org_leader, team=team, volunteer=volunteer,
                                              role=TeamRole.CORE)
    assert membership.role == TeamRole.CORE and membership.joined_on == datetime.date.today()
    with pytest.raises(ValidationError) as excinfo:
        services.team_membership_add(actor=world.org_leader, team=team, volunteer=volunteer)
    assert messages_of(excinfo, "volunteer") == [str(services.MSG_ALREADY_MEMBER)]
    with pytest.raises(ValidationError) as excinfo:
        services.team_membership_void(actor=world.org_leader, membership=membership, reason="")
    assert messages_of(excinfo, "reason") == [str(MSG_VOID_REASON_REQUIRED)]
    services.team_membership_void(actor=world.org_leader, membership=membership, reason="搬离社区")
    membership.refresh_from_db()
    assert membership.is_voided and membership.history.latest().history_user == world.org_leader
    again = services.team_membership_add(actor=world.org_leader, team=team, volunteer=volunteer)
    assert again.pk != membership.pk  # rejoining makes a new membership; the old one stays voided


def test_membership_checks_dates_and_voided_records(world, team):
    volunteer = register(world)
    with pytest.raises(ValidationError) as excinfo:
        services.team_membership_add(actor=world.community_staff, team=team, volunteer=volunteer,
                                     joined_on=datetime.date.today() + datetime.timedelta(days=1))
    assert messages_of(excinfo, "joined_on") == [str(services.MSG_JOINED_ON_FUTURE)]
    services.volunteer_void(actor=world.community_staff, volunteer=volunteer, reason="注销")
    with pytest.raises(ValidationError) as excinfo:
        services.team_membership_add(actor=world.community_staff, team=team, volunteer=volunteer)
    assert messages_of(excinfo, "volunteer") == [str(services.MSG_VOLUNTEER_VOIDED)]


def test_volunteer_member_cannot_manage_the_team(world, team):
    with pytest.raises(PermissionDenied):
        services.team_membership_add(actor=world.volunteer, team=team, volunteer=register(world))


def test_team_void_voids_memberships(world, team):
    services.team_void(actor=world.org_leader, team=team, reason="队伍解散")
    assert not TeamMembership.objects.active().filter(team=team).exists()
    membership = TeamMembership.objects.get(team=team)
    assert membership.void_reason.endswith("队伍解散")
    assert team not in team_list(world.org_leader)
    with pytest.raises(ValidationError) as excinfo:
        services.team_update(actor=world.org_leader, team=team, name="复活")
    assert excinfo.value.messages == [str(services.MSG_TEAM_VOIDED)]


def test_volunteer_lookup_for_membership_needs_name_outside_scope(world):
    outside = VolunteerFactory(region=world.other_community, name="远方志愿者")
    leader = world.org_leader
    assert volunteer_for_membership(leader, number=outside.volunteer_number) is None
    assert volunteer_for_membership(leader, number=outside.volunteer_number, name="猜错") is None
    assert volunteer_for_membership(leader, number=outside.volunteer_number, name="远方志愿者") == outside
    inside = VolunteerFactory(region=world.community)
    assert volunteer_for_membership(world.community_staff, number=inside.volunteer_number.lower()) == inside


def test_org_leader_sees_members_of_own_teams_only(world, team):
    stranger = VolunteerFactory(region=world.community)
    visible = set(volunteer_list(world.org_leader))
    assert world.objects["volunteer"] in visible and stranger not in visible


def test_void_reasons_longer_than_the_history_column_are_refused(world, team):
    volunteer = world.objects["volunteer"]
    membership = TeamMembership.objects.get(team=team)
    for call in (
        lambda reason: services.volunteer_void(actor=world.admin, volunteer=volunteer, reason=reason),
        lambda reason: services.team_void(actor=world.admin, team=team, reason=reason),
        lambda reason: services.team_membership_void(actor=world.admin, membership=membership, reason=reason),
    ):
        with pytest.raises(ValidationError) as excinfo:
            call("长" * 101)
        assert messages_of(excinfo, "reason") == [str(services.MSG_VOID_REASON_TOO_LONG)]
    # A full-length reason still fits once the cascade prefixes it.
    services.team_void(actor=world.admin, team=team, reason="长" * 100)
    membership.refresh_from_db()
    assert membership.is_voided and len(membership.void_reason) == 100
