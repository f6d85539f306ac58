import datetime
import re

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import RequestFactory
from stdnum.cn import uscc

from wushe.accounts import policy
from wushe.accounts.models import RoleAssignment, User
from wushe.accounts.policy import Action, Resource
from wushe.accounts.roles import Role
from wushe.core import demo
from wushe.core.identity import parse_citizen_id, validate_uscc
from wushe.orgs.models import GrowthMilestone, Organization, OrganizationKind, ServiceOrientation
from wushe.people.models import Household, Resident
from wushe.regions.models import Level, Region, UrbanRuralClass, parent_code_for
from wushe.volunteers.models import Team, TeamMembership, TeamRole, Volunteer
from wushe.workforce.models import CertificateLevel, Placement, SocialWorker

pytestmark = pytest.mark.django_db

SMALL = 120  # residents: enough for every community, small enough to keep the test fast


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One demo seed shared by this module's tests, rolled back at the end of the module.

    Each test still runs in its own savepoint (pytest-django), so what a test changes is undone after it.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        counts = demo.seed_demo(residents=SMALL)
        assert counts is not None
        yield counts
        transaction.set_rollback(True)


def _names() -> list[str]:
    return list(Resident.objects.order_by("id").values_list("name", flat=True))


def test_identity_helpers_produce_valid_numbers():
    assert demo.citizen_id("110105", datetime.date(1949, 12, 31), 2) == "11010519491231002X"
    full = demo.credit_code("5", "2", "110105", "MJ000000")
    assert uscc.is_valid(full) and validate_uscc(full) == full


def test_region_tree_has_the_pilot_shape(seeded):
    fringe = Region.objects.get(code=demo.FRINGE[0])
    centre = Region.objects.get(code=demo.CENTRE[0])
    assert fringe.level == centre.level == Level.TOWNSHIP and fringe.township_kind == "street"
    assert fringe.parent.code == demo.DISTRICT[0] and fringe.parent.level == Level.COUNTY

    nodes = list(Region.objects.current().filter(parent=fringe))
    communities = [r for r in nodes if r.name.endswith("社区")]
    committees = [r for r in nodes if r.name.endswith("居委会")]
    villages = [r for r in nodes if r.committee_kind == "village"]
    assert (len(nodes), len(communities), len(committees), len(villages)) == (16, 9, 3, 4)
    assert all(r.committee_kind == "residents" for r in communities + committees)
    assert all(r.urban_rural_class == UrbanRuralClass.URBAN_FRINGE for r in communities + committees)
    assert all(r.urban_rural_class == UrbanRuralClass.VILLAGE and 200 <= int(r.code[9:]) <= 399 for r in villages)

    centre_nodes = Region.objects.filter(parent=centre)
    assert centre_nodes.current().count() == 7
    assert all(r.urban_rural_class == UrbanRuralClass.MAIN_CITY for r in centre_nodes)
    revoked = centre_nodes.get(revoked_on__isnull=False)
    assert revoked.replaced_by.parent == centre and revoked.replaced_by.revoked_on is None
    assert revoked.history.count() == 2  # created, then revoked with a reason
    assert "撤销" in revoked.history.first().history_change_reason

    for region in Region.objects.subtree_of(fringe.parent):
        if region.level > Level.COUNTY:
            assert region.parent.code == parent_code_for(region.code)


def test_residents_have_valid_consistent_identities(seeded):
    residents = list(Resident.objects.prefetch_related("groups").select_related("region"))
    assert SMALL <= len(residents) <= SMALL * 2
    for resident in residents:
        parsed = parse_citizen_id(resident.id_number)
        assert parsed.birth_date == resident.birth_date and parsed.sex == resident.sex
        codes = {g.code for g in resident.groups.all()}
        if not codes & {"migrant", "migrant_children"}:
            assert resident.id_number.startswith(resident.region.code[:6])
        if resident.phone:
            assert re.fullmatch(r"1[3-9]\d{9}", resident.phone)
        assert resident.search_text and resident.household_id
    elderly = [r for r in residents if demo.age_on(r.birth_date) >= 60]
    assert len(elderly) > len(residents) * 0.15
    left_behind = Resident.objects.filter(groups__code="left_behind_children")
    assert all(r.region.committee_kind == "village" for r in left_behind)
    assert Resident.objects.filter(groups__code="migrant").exists()
    assert Resident.objects.filter(voided_at__isnull=False).count() == 2
    heads = Household.objects.exclude(head=None).count()
    assert heads == Household.objects.count()
    # History rows exist for bulk-created rows, attributed to the demo administrator.
    admin = User.objects.get(username="demo_admin")
    assert Resident.history.filter(history_type="+", history_user=admin).count() == len(residents)
    tagged = Resident.objects.filter(groups__isnull=False).distinct().first()
    assert tagged.history.get(history_type="+").groups.exists()


def test_workforce_counts(seeded):
    community_workers = SocialWorker.objects.filter(placement=Placement.COMMUNITY_WORKER)
    assert community_workers.count() == 126
    certified = community_workers.exclude(certificate_level=CertificateLevel.NONE)
    assert certified.count() == 35
    assert set(certified.values_list("certificate_level", flat=True)) == {
        CertificateLevel.ASSISTANT, CertificateLevel.INTERMEDIATE, CertificateLevel.SENIOR}
    assert all(w.certificate_number and w.certified_on for w in certified)
    agency = Organization.objects.get(kind=OrganizationKind.SUPPORTIVE_ORG)
    assert SocialWorker.objects.filter(employer=agency, placement=Placement.DISPATCHED).exists()
    trainees = SocialWorker.objects.filter(employer=agency, placement=Placement.LOCAL_TRAINEE)
    assert trainees.exists() and not trainees.filter(mentor=None).exists()
    assert all(w.communities.exists() for w in SocialWorker.objects.all())
    for worker in SocialWorker.objects.all()[:20]:
        assert parse_citizen_id(worker.id_number).birth_date == worker.birth_date


def test_organizations_and_growth(seeded):
    for org in Organization.objects.exclude(credit_code=""):
        assert validate_uscc(org.credit_code) == org.credit_code
    agency = Organization.objects.get(kind=OrganizationKind.SUPPORTIVE_ORG)
    assert agency.credit_code[:2] == "52" and agency.orientation == ServiceOrientation.SUPPORT
    communities = Region.objects.current().filter(level=Level.COMMUNITY)
    committees = Organization.objects.filter(kind__in=[OrganizationKind.RESIDENTS_COMMITTEE,
                                                       OrganizationKind.VILLAGE_COMMITTEE])
    assert set(committees.values_list("region", flat=True)) == set(communities.values_list("pk", flat=True))
    social = Organization.objects.filter(kind=OrganizationKind.COMMUNITY_SOCIAL_ORG)
    recreational = social.filter(orientation=ServiceOrientation.RECREATIONAL).count()
    assert recreational > social.count() / 2  # mostly recreational, as in the pilot
    changed = Organization.objects.filter(growth_records__milestone=GrowthMilestone.ORIENTATION_CHANGE).distinct()
    assert changed.count() == 3
    for org in changed:
        orientations = list(org.history.order_by("history_id").values_list("orientation", flat=True))
        assert orientations[0] == ServiceOrientation.RECREATIONAL and orientations[-1] != orientations[0]
        assert org.board_members.filter(elected_by_residents=False).exists()  # appointed before the election
        assert org.board_members.filter(elected_by_residents=True, term_end__gt=datetime.date(2025, 1, 1)).exists()
        assert org.growth_records.count() >= 5 and all(g.evidence for g in org.growth_records.all())
    assert social.filter(members__isnull=False).distinct().count() == social.count()


def test_volunteers_and_teams(seeded):
    volunteers = list(Volunteer.objects.select_related("region", "resident"))
    assert volunteers
    for volunteer in volunteers:
        assert re.fullmatch(rf"V{volunteer.region.code}\d{{4}}", volunteer.volunteer_number)
        assert volunteer.resident.name == volunteer.name
    assert Team.objects.filter(organization__isnull=False).exists()
    assert Team.objects.filter(organization__isnull=True).exists()
    roles = set(TeamMembership.objects.values_list("role", flat=True))
    assert roles == {TeamRole.LEADER, TeamRole.CORE, TeamRole.MEMBER}


def test_every_role_has_a_demo_login_that_authenticates(seeded):
    users = list(demo.demo_users())
    held = set(RoleAssignment.objects.active().filter(user__in=users).values_list("role", flat=True))
    assert held == {role.value for role in Role}
    request = RequestFactory().post("/accounts/login/")
    for user in users:
        validate_password(demo.DEMO_PASSWORD, user)
        assert authenticate(request, username=user.username, password=demo.DEMO_PASSWORD) == user
        assert authenticate(request, username=user.phone, password=demo.DEMO_PASSWORD) == user
    by_name = {u.username: u for u in users}
    assert Volunteer.objects.get(user=by_name["demo_volunteer"]).phone == by_name["demo_volunteer"].phone
    assert Resident.objects.get(user=by_name["demo_resident"]).region.code == demo.FRINGE[0][:9] + "001"
    worker = SocialWorker.objects.get(user=by_name["demo_worker"])
    assert worker.is_certified and worker.communities.count() == 2
    street_regions = RoleAssignment.objects.filter(role=Role.STREET_OFFICER, user__in=users)
    assert set(street_regions.values_list("region__code", flat=True)) == {demo.FRINGE[0], demo.CENTRE[0]}
    leader = RoleAssignment.objects.get(role=Role.ORG_LEADER, user=by_name["demo_org_leader"])
    assert leader.target.orientation != ServiceOrientation.RECREATIONAL
    supervised = RoleAssignment.objects.filter(role=Role.SUPERVISOR, user=by_name["demo_supervisor"])
    assert worker.pk in {a.object_id for a in supervised}


def test_demo_logins_see_what_their_role_allows(seeded):
    by_name = {u.username: u for u in demo.demo_users()}
    community = by_name["demo_community"]
    visible = policy.restrict(community, Resource.RESIDENT, Resident.objects.all())
    assert visible.exists()
    assert set(visible.values_list("region__code", flat=True)) == {demo.FRINGE[0][:9] + "001"}
    resident = by_name["demo_resident"]
    assert list(policy.restrict(resident, Resource.RESIDENT, Resident.objects.all())) == [resident.resident]
    leader = by_name["demo_org_leader"]
    assert policy.restrict(leader, Resource.VOLUNTEER, Volunteer.objects.all()).filter(
        user=by_name["demo_volunteer"]).exists()
    district = by_name["demo_district"]
    assert policy.restrict(district, Resource.SOCIAL_WORKER, SocialWorker.objects.all()).count() == \
        SocialWorker.objects.count()
    assert not policy.may_ever(by_name["demo_expert"], Resource.RESIDENT, Action.VIEW)


def test_demo_surveys_have_answers_quotas_and_the_needs_they_raised(seeded):
    from wushe.surveys.demo import RESIDENT_SURVEY, WORKER_SURVEY
    from wushe.surveys.models import AnswerValue, Need, Survey, SurveyStatus
    from wushe.surveys.services.values import value_rows

    residents = Survey.objects.get(title=RESIDENT_SURVEY)
    assert residents.status == SurveyStatus.OPEN and residents.quotas.count() >= 10
    submitted = residents.responses.filter(status="submitted")
    assert submitted.count() >= 300 and residents.responses.filter(status="draft").exists()
    # analysis rows are exactly those derived from the submitted answers, and no draft has any
    assert AnswerValue.objects.filter(survey=residents).count() == sum(len(value_rows(r)) for r in submitted)
    assert not AnswerValue.objects.filter(response__status="draft").exists()
    workers = Survey.objects.get(title=WORKER_SURVEY)
    answered = workers.responses.filter(status="submitted").count()
    naming = AnswerValue.objects.filter(survey=workers, question="difficulties", choice="participation").count()
    assert answered == 120 and 0.55 < naming / answered < 0.85  # most name low resident participation
    from_survey = Need.objects.filter(survey=residents)
    assert from_survey.exists() and all("%" in need.evidence for need in from_survey)


def test_seed_is_idempotent_deterministic_and_resettable(seeded, capsys):
    names, counts = _names(), demo.summary()
    assert counts == seeded
    call_command("seed_demo", "--residents", str(SMALL))
    assert str(demo.MSG_DEMO_EXISTS) in capsys.readouterr().out
    assert demo.summary() == counts

    call_command("seed_demo", "--residents", str(SMALL), "--reset")
    assert _names() == names  # the same people on every fresh build
    assert demo.summary() == counts
    assert User.objects.filter(username="demo_admin").count() == 1

    # A record that is not demo data but points at the demo blocks the reset instead of being lost.
    outsider = User.objects.create(username="someone_real", phone="13700000000")
    RoleAssignment.objects.create(user=outsider, role=Role.COMMUNITY_STAFF,
                                  region=Region.objects.get(code=demo.FRINGE[0][:9] + "001"))
    with pytest.raises(CommandError, match=str(demo.MSG_RESET_BLOCKED)):
        call_command("seed_demo", "--residents", str(SMALL), "--reset")
    assert demo.summary() == counts


def test_seed_refuses_tiny_sizes(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", "--residents", "10")


def test_demo_logins_command(seeded, capsys):
    call_command("demo_logins")
    out = capsys.readouterr().out
    assert demo.DEMO_PASSWORD in out
    for user in demo.demo_users():
        assert user.username in out and user.phone in out
    assert "石榴园东里社区（110105041001）" in out
    # Users that the demo did not create are never listed.
    User.objects.create(username="demo_lookalike", phone="13700000001")
    call_command("demo_logins")
    assert "demo_lookalike" not in capsys.readouterr().out
    # Without the demo there is nothing to list, and no alarming output.
    demo.reset_demo()
    call_command("demo_logins")
    assert capsys.readouterr().out.strip() == str(demo.MSG_DEMO_NOT_SEEDED)
