"""Volunteer hours: they derive from confirmed attendance, and change only through the organizer."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wushe.activities.models import HoursStatus
from wushe.volunteers import services as volunteer_services
from wushe.volunteers.models import CorrectionStatus
from wushe.volunteers.records import selectors, services

from .records_factories import issue, make_activity, volunteer_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(world):
    return world.objects["volunteer"]


@pytest.fixture
def activity(world):
    return make_activity(world)


def messages(excinfo) -> list[str]:
    return [str(m) for m in excinfo.value.messages]


# Hours derive from attendance ---------------------------------------------------------------------------

def test_total_is_the_sum_of_confirmed_minutes_only(world, volunteer, activity):
    other = make_activity(world, title="垃圾分类宣传", days=5)
    volunteer_row(activity, volunteer, minutes=90, confirmed=True)
    volunteer_row(other, volunteer, minutes=45, confirmed=False)
    assert selectors.total_minutes(volunteer) == 90
    services.hours_confirm(actor=world.community_staff, activity=other)
    assert selectors.total_minutes(volunteer) == 135


def test_minutes_are_the_sign_in_to_sign_out_span_travel_excluded(world, volunteer, activity):
    row = volunteer_row(activity, volunteer, signed_in_after=10, signed_out_after=130, minutes=None)
    row.service_minutes = None
    row.save()
    services.hours_confirm(actor=world.community_staff, activity=activity)
    row.refresh_from_db()
    assert row.service_minutes == 120 and row.hours_status == HoursStatus.CONFIRMED
    assert selectors.total_minutes(volunteer) == 120


def test_organizer_cannot_add_travel_time_beyond_the_actual_span(world, volunteer, activity):
    row = volunteer_row(activity, volunteer, signed_in_after=0, signed_out_after=60)
    with pytest.raises(ValidationError) as excinfo:
        services.hours_confirm(actor=world.community_staff, activity=activity,
                               minutes_overrides={row.public_id: 90})
    assert messages(excinfo) == [str(services.MSG_MINUTES_OVER_ACTUAL).format(name=volunteer.name, limit=60)]
    services.hours_confirm(actor=world.community_staff, activity=activity, minutes_overrides={row.public_id: 50},
                           service_contents={row.public_id: "引导签到"})
    row.refresh_from_db()
    assert (row.service_minutes, row.service_content) == (50, "引导签到")


def test_rows_without_minutes_cannot_be_confirmed(world, volunteer, activity):
    volunteer_row(activity, volunteer, signed_out_after=None, minutes=None)
    with pytest.raises(ValidationError) as excinfo:
        services.hours_confirm(actor=world.community_staff, activity=activity)
    assert messages(excinfo) == [str(services.MSG_MINUTES_MISSING).format(name=volunteer.name)]


def test_confirmation_records_who_and_when_on_rows_and_activity(world, volunteer, activity):
    row = volunteer_row(activity, volunteer, minutes=60)
    services.hours_confirm(actor=world.social_worker, attendances=[row])
    row.refresh_from_db()
    activity.refresh_from_db()
    assert row.hours_confirmed_by == world.social_worker and row.hours_confirmed_at is not None
    assert activity.hours_confirmed_by == world.social_worker and activity.hours_confirmed_at is not None


def test_confirmed_hours_cannot_be_confirmed_again_with_other_minutes(world, volunteer, activity):
    row = volunteer_row(activity, volunteer, minutes=60, confirmed=True, confirmed_by=world.community_staff)
    with pytest.raises(ValidationError) as excinfo:
        services.hours_confirm(actor=world.community_staff, attendances=[row], minutes_overrides={row.public_id: 30})
    assert messages(excinfo) == [str(services.MSG_ALREADY_CONFIRMED).format(name=volunteer.name)]
    row.refresh_from_db()
    assert row.service_minutes == 60


@pytest.mark.parametrize("persona", ["district_officer", "supervisor", "org_leader", "volunteer", "resident",
                                     "expert_reviewer", "outsider"])
def test_only_the_organizer_confirms(world, volunteer, activity, persona):
    volunteer_row(activity, volunteer, minutes=60)
    with pytest.raises(PermissionDenied):
        services.hours_confirm(actor=world.users[persona], activity=activity)


def test_an_organization_leader_confirms_their_organizations_activity(world, volunteer):
    activity = make_activity(world, organization=world.objects["organization"])
    volunteer_row(activity, volunteer, minutes=60)
    assert len(services.hours_confirm(actor=world.org_leader, activity=activity)) == 1


# Corrections --------------------------------------------------------------------------------------------

@pytest.fixture
def confirmed(world, volunteer, activity):
    return volunteer_row(activity, volunteer, minutes=60, confirmed=True, confirmed_by=world.community_staff)


def test_volunteer_requests_and_organizer_accepts_which_changes_the_hours(world, volunteer, confirmed):
    correction = services.hours_correction_request(actor=world.volunteer, attendance=confirmed,
                                                   requested_minutes=150, reason="签退漏扫，实际服务到11:30")
    assert selectors.total_minutes(volunteer) == 60  # a request alone changes nothing
    services.hours_correction_answer(actor=world.community_staff, correction=correction, accept=True,
                                     answer="已核实", minutes=140)
    correction.refresh_from_db()
    confirmed.refresh_from_db()
    assert correction.status == CorrectionStatus.ACCEPTED
    assert (correction.minutes_before, correction.minutes_after) == (60, 140)
    assert confirmed.service_minutes == 140 and selectors.total_minutes(volunteer) == 140
    assert confirmed.history.first().history_user == world.community_staff


def test_a_refusal_needs_an_answer_and_leaves_the_hours(world, volunteer, confirmed):
    correction = services.hours_correction_request(actor=world.volunteer, attendance=confirmed,
                                                   requested_minutes=150, reason="多算了准备时间")
    with pytest.raises(ValidationError) as excinfo:
        services.hours_correction_answer(actor=world.community_staff, correction=correction, accept=False)
    assert messages(excinfo) == [str(services.MSG_ANSWER_REQUIRED)]
    services.hours_correction_answer(actor=world.community_staff, correction=correction, accept=False,
                                     answer="签到记录显示10:00签退")
    correction.refresh_from_db()
    assert correction.status == CorrectionStatus.REJECTED and selectors.total_minutes(volunteer) == 60


@pytest.mark.parametrize("persona", ["volunteer", "org_leader", "district_officer", "outsider", "resident"])
def test_a_non_organizer_cannot_answer(world, confirmed, persona):
    correction = services.hours_correction_request(actor=world.volunteer, attendance=confirmed,
                                                   requested_minutes=150, reason="签退漏扫")
    with pytest.raises(PermissionDenied):
        services.hours_correction_answer(actor=world.users[persona], correction=correction, accept=True)
    confirmed.refresh_from_db()
    assert confirmed.service_minutes == 60


def test_only_the_rows_volunteer_may_request(world, confirmed):
    for persona in ("community_staff", "resident", "admin"):
        with pytest.raises(PermissionDenied):
            services.hours_correction_request(actor=world.users[persona], attendance=confirmed,
                                              requested_minutes=90, reason="x")


def test_requests_need_a_confirmed_row_and_only_one_pending(world, volunteer, activity, confirmed):
    unconfirmed = volunteer_row(make_activity(world, title="另一活动"), volunteer, minutes=30)
    with pytest.raises(ValidationError) as excinfo:
        services.hours_correction_request(actor=world.volunteer, attendance=unconfirmed, requested_minutes=60,
                                          reason="x")
    assert messages(excinfo) == [str(services.MSG_CORRECTION_NOT_CONFIRMED)]
    services.hours_correction_request(actor=world.volunteer, attendance=confirmed, requested_minutes=90, reason="x")
    with pytest.raises(ValidationError) as excinfo:
        services.hours_correction_request(actor=world.volunteer, attendance=confirmed, requested_minutes=80,
                                          reason="y")
    assert messages(excinfo) == [str(services.MSG_CORRECTION_PENDING)]


def test_request_validates_minutes_and_reason(world, confirmed):
    with pytest.raises(ValidationError) as excinfo:
        services.hours_correction_request(actor=world.volunteer, attendance=confirmed, requested_minutes=60,
                                          reason=" ")
    assert excinfo.value.message_dict == {"requested_minutes": [str(services.MSG_CORRECTION_SAME)],
                                          "reason": [str(services.MSG_CORRECTION_REASON)]}


def test_an_answered_request_cannot_be_answered_again(world, confirmed):
    correction = services.hours_correction_request(actor=world.volunteer, attendance=confirmed,
                                                   requested_minutes=90, reason="x")
    services.hours_correction_answer(actor=world.community_staff, correction=correction, accept=True)
    with pytest.raises(ValidationError) as excinfo:
        services.hours_correction_answer(actor=world.community_staff, correction=correction, accept=True,
                                         minutes=200)
    assert messages(excinfo) == [str(services.MSG_CORRECTION_ANSWERED)]


# Extracts -----------------------------------------------------------------------------------------------

def test_extract_includes_only_the_units_confirmed_rows_in_the_period(world, volunteer, activity, confirmed):
    org_activity = make_activity(world, title="银龄互助", organization=world.objects["organization"])
    volunteer_row(org_activity, volunteer, minutes=200, confirmed=True)
    volunteer_row(make_activity(world, title="待确认"), volunteer, minutes=300)
    volunteer_row(make_activity(world, title="很久以前", days=60), volunteer, minutes=400, confirmed=True)
    extract = issue(world, volunteer)
    assert list(extract.attendances.all()) == [confirmed]
    assert extract.total_minutes == 60 and extract.issuer_name == world.community.name
    assert re.fullmatch(r"ZYJL-\d{8}-[A-Z2-9]{6}", extract.number)
    assert extract.number[5:13] == timezone.localdate().strftime("%Y%m%d")
    assert "社区敬老志愿服务" in extract.service_summary
    leader_extract = issue(world, volunteer, actor="org_leader", organization=world.objects["organization"])
    assert leader_extract.total_minutes == 200 and leader_extract.region == world.community
    assert leader_extract.number != extract.number


def test_no_confirmed_hours_no_extract(world, volunteer, activity):
    volunteer_row(activity, volunteer, minutes=60)
    with pytest.raises(ValidationError) as excinfo:
        issue(world, volunteer)
    assert messages(excinfo) == [str(services.MSG_NO_CONFIRMED_HOURS)]


@pytest.mark.parametrize("persona", ["street_officer", "district_officer", "org_leader", "volunteer", "outsider"])
def test_only_the_units_recorders_issue(world, volunteer, confirmed, persona):
    with pytest.raises(PermissionDenied):
        issue(world, volunteer, actor=persona)


def test_extract_fields_are_checked(world, volunteer, confirmed):
    with pytest.raises(ValidationError) as excinfo:
        issue(world, volunteer, person_in_charge=" ", period_start=timezone.localdate(),
              period_end=timezone.localdate() - datetime.timedelta(days=1))
    assert set(excinfo.value.message_dict) == {"person_in_charge", "period_start"}


def test_void_keeps_the_register_row(world, volunteer, confirmed):
    extract = issue(world, volunteer)
    with pytest.raises(PermissionDenied):
        services.extract_void(actor=world.volunteer, extract=extract, reason="x")
    services.extract_void(actor=world.community_staff, extract=extract, reason="信息有误，重新出具")
    assert selectors.extract_register(world.community_staff, status="voided").get() == extract


# Guardian consent ---------------------------------------------------------------------------------------

def test_under_14_needs_guardian_name_and_consent_date(world):
    birth = timezone.localdate() - datetime.timedelta(days=365 * 11)
    with pytest.raises(ValidationError) as excinfo:
        volunteer_services.volunteer_create(actor=world.community_staff, region=world.community, name="小林",
                                            birth_date=birth)
    assert excinfo.value.message_dict == {
        "guardian_name": [str(volunteer_services.MSG_GUARDIAN_NAME_REQUIRED)],
        "guardian_consent_on": [str(volunteer_services.MSG_GUARDIAN_CONSENT_REQUIRED)]}
    child = volunteer_services.volunteer_create(actor=world.community_staff, region=world.community, name="小林",
                                                birth_date=birth, guardian_name="林妈妈",
                                                guardian_phone="13912340000",
                                                guardian_consent_on=timezone.localdate())
    assert child.has_guardian_consent
    with pytest.raises(ValidationError) as excinfo:
        volunteer_services.volunteer_update(actor=world.community_staff, volunteer=child, guardian_consent_on=None)
    assert "guardian_consent_on" in excinfo.value.message_dict


def test_fourteen_and_over_need_no_guardian(world):
    adult = volunteer_services.volunteer_create(actor=world.community_staff, region=world.community, name="大林",
                                                birth_date=timezone.localdate() - datetime.timedelta(days=365 * 15))
    assert not adult.needs_guardian_consent

