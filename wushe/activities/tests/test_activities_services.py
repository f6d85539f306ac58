"""Activity services: planning scope, status rules, insurance, sign-up capacity and deadline, guardian consent."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wushe.activities.models import ActivityStatus, ParticipantRole
from wushe.activities.services import activities as services
from wushe.activities.services import signup
from wushe.activities.services.attendance import MSG_GUARDIAN_CONSENT_REQUIRED, attendance_mark
from wushe.activities.tests.factories import at, make_activity, make_resident, make_volunteer

pytestmark = pytest.mark.django_db


def _plan(world, actor="community_staff", **overrides):
    values = {"region": world.community, "title": "社区义诊", "kind": "community_event", "place": "将台社区广场",
              "starts_at": at(days=3), "ends_at": at(days=3, hours=3)}
    values.update(overrides)
    return services.activity_create(actor=world.users[actor], **values)


def test_create_makes_the_first_session(world):
    activity = _plan(world)
    session = activity.sessions.get()
    assert (session.sequence, session.starts_at, session.ends_at) == (1, activity.starts_at, activity.ends_at)
    assert activity.status == ActivityStatus.PLANNED and activity.organizer == world.community_staff


def test_outsider_cannot_plan_in_another_street(world):
    with pytest.raises(ValidationError) as error:
        _plan(world, actor="outsider")
    assert services.MSG_REGION_OUT_OF_SCOPE in error.value.messages


def test_org_leader_plans_for_their_organization(world):
    activity = _plan(world, actor="org_leader", organization=world.objects["organization"])
    assert activity.organization == world.objects["organization"]
    with pytest.raises(ValidationError):
        _plan(world, actor="org_leader")


def test_ends_after_start(world):
    with pytest.raises(ValidationError) as error:
        _plan(world, ends_at=at(days=2))
    assert services.MSG_ENDS_BEFORE_START in error.value.messages


def test_status_flow_and_illegal_jumps(world):
    staff, activity = world.community_staff, _plan(world)
    with pytest.raises(ValidationError) as error:
        services.activity_complete(actor=staff, activity=activity)
    assert services.MSG_BAD_TRANSITION in error.value.messages
    services.activity_open(actor=staff, activity=activity)
    services.activity_close(actor=staff, activity=activity)
    services.activity_complete(actor=staff, activity=activity)
    assert activity.status == ActivityStatus.COMPLETED
    with pytest.raises(ValidationError):
        services.activity_cancel(actor=staff, activity=activity, reason="天气")


def test_cancel_needs_a_reason(world):
    activity = _plan(world)
    with pytest.raises(ValidationError) as error:
        services.activity_cancel(actor=world.community_staff, activity=activity, reason=" ")
    assert services.MSG_CANCEL_REASON_REQUIRED in error.value.messages
    services.activity_cancel(actor=world.community_staff, activity=activity, reason="暴雨预警")
    assert activity.status == ActivityStatus.CANCELLED


def test_risky_activity_opens_only_with_valid_insurance(world):
    staff = world.community_staff
    activity = _plan(world, is_risky=True)
    with pytest.raises(ValidationError) as error:
        services.activity_open(actor=staff, activity=activity)
    assert services.MSG_INSURANCE_REQUIRED in error.value.messages
    services.activity_update(actor=staff, activity=activity, insurance_insurer="测试保险公司",
                             insurance_policy_number="TEST-0001",
                             insurance_valid_until=datetime.date.today())
    with pytest.raises(ValidationError) as error:
        services.activity_open(actor=staff, activity=activity)
    assert services.MSG_INSURANCE_EXPIRES in error.value.messages
    services.activity_update(actor=staff, activity=activity,
                             insurance_valid_until=datetime.date.today() + datetime.timedelta(days=30))
    services.activity_open(actor=staff, activity=activity)
    assert activity.status == ActivityStatus.OPEN


def test_indirect_estimate_needs_a_basis(world):
    activity = _plan(world)
    with pytest.raises(ValidationError) as error:
        services.activity_summary_save(actor=world.community_staff, activity=activity, summary="顺利",
                                       indirect_beneficiaries=60)
    assert services.MSG_INDIRECT_BASIS_REQUIRED in error.value.messages


def test_session_add_numbers_and_covers(world):
    staff, activity = world.community_staff, _plan(world)
    session = services.session_add(actor=staff, activity=activity, starts_at=at(days=10),
                                   ends_at=at(days=10, hours=2))
    activity.refresh_from_db()
    assert session.sequence == 2 and activity.ends_at == session.ends_at


def test_outsider_cannot_change(world):
    activity = make_activity(world)
    with pytest.raises(PermissionDenied):
        services.activity_update(actor=world.outsider, activity=activity, title="改")


def test_capacity_and_deadline_are_enforced(world):
    staff = world.community_staff
    activity = make_activity(world, status=ActivityStatus.OPEN, capacity=1)
    signup.registration_add_resident(actor=staff, activity=activity, resident=make_resident(world))
    with pytest.raises(ValidationError) as error:
        signup.registration_add_resident(actor=staff, activity=activity,
                                         resident=make_resident(world, "李测试", "13900000002"))
    assert signup.MSG_CAPACITY_FULL in error.value.messages
    late = make_activity(world, status=ActivityStatus.OPEN, signup_deadline=at(hours=-1))
    with pytest.raises(ValidationError) as error:
        signup.registration_self(user=world.resident, activity=late)
    assert signup.MSG_SIGNUP_DEADLINE_PASSED in error.value.messages


def test_resident_signs_up_once_while_open(world):
    activity = make_activity(world)
    with pytest.raises(ValidationError) as error:
        signup.registration_self(user=world.resident, activity=activity)
    assert signup.MSG_SIGNUP_NOT_OPEN in error.value.messages
    services.activity_open(actor=world.community_staff, activity=activity)
    registration = signup.registration_self(user=world.resident, activity=activity)
    assert registration.resident == world.objects["resident"]
    with pytest.raises(ValidationError) as error:
        signup.registration_self(user=world.resident, activity=activity)
    assert signup.MSG_ALREADY_REGISTERED in error.value.messages


def test_volunteer_under_14_needs_guardian_consent(world):
    staff, activity = world.community_staff, make_activity(world)
    child = make_volunteer(world, birth_date=datetime.date.today().replace(year=datetime.date.today().year - 12))
    with pytest.raises(ValidationError) as error:
        signup.registration_add_volunteer(actor=staff, activity=activity, volunteer=child, duty="签到引导")
    assert MSG_GUARDIAN_CONSENT_REQUIRED in error.value.messages
    with pytest.raises(ValidationError):
        attendance_mark(actor=staff, session=activity.sessions.get(), volunteer=child, source="roster")
    child.guardian_name, child.guardian_consent_on = "孙家长", datetime.date.today()
    child.save()
    registration = signup.registration_add_volunteer(actor=staff, activity=activity, volunteer=child,
                                                     duty="签到引导")
    assert registration.role == ParticipantRole.VOLUNTEER and registration.duty == "签到引导"


def test_roster_mark_is_idempotent(world):
    staff, activity = world.community_staff, make_activity(world)
    session, resident = activity.sessions.get(), make_resident(world)
    first = attendance_mark(actor=staff, session=session, resident=resident, source="roster")
    second = attendance_mark(actor=staff, session=session, resident=resident, source="batch")
    assert first.pk == second.pk and session.attendances.count() == 1
