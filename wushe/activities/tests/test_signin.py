"""QR sign-in: counting persons vs person-times, token refusal, walk-in matching and review, sign-out."""

import datetime

import pytest
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from wushe.activities.models import Attendance, MatchStatus
from wushe.activities.selectors.activities import activity_stats
from wushe.activities.services import pending
from wushe.activities.services.activities import activity_rotate_signin_secret
from wushe.activities.services.attendance import attendance_mark, service_minutes_for
from wushe.activities.services.signin import qr_sign_in, qr_sign_out
from wushe.activities.services.tokens import (
    MSG_TOKEN_EXPIRED,
    MSG_TOKEN_INVALID,
    MSG_TOKEN_NOT_YET,
    SALT,
    make_signin_token,
)
from wushe.activities.tests.factories import add_session, at, make_activity, make_resident, make_volunteer

pytestmark = pytest.mark.django_db


def _token(activity, sequence=1):
    return make_signin_token(activity.sessions.get(sequence=sequence))


def test_resident_signing_in_twice_counts_once(world):
    activity = make_activity(world)
    make_resident(world)
    token = _token(activity)
    first = qr_sign_in(token=token, name="钱测试", phone="13900000001")
    second = qr_sign_in(token=token, name="钱测试", phone="139 0000 0001")
    assert first.created and not second.created and first.attendance.pk == second.attendance.pk
    assert first.attendance.match_status == MatchStatus.MATCHED
    stats = activity_stats(activity)
    assert (stats.participants.persons, stats.participants.person_times) == (1, 1)


def test_two_sessions_make_one_person_two_person_times(world):
    activity = make_activity(world)
    session2 = add_session(activity)
    make_resident(world)
    qr_sign_in(token=_token(activity), name="钱测试", phone="13900000001")
    qr_sign_in(token=make_signin_token(session2), name="钱测试", phone="13900000001",
               now=session2.starts_at)
    stats = activity_stats(activity)
    assert (stats.sessions, stats.participants.persons, stats.participants.person_times) == (2, 1, 2)


def test_forged_token_is_refused(world):
    activity = make_activity(world)
    forged = signing.dumps({"s": str(activity.sessions.get().public_id), "k": "x", "e": 9999999999},
                           salt="another-salt")
    for token in (forged, _token(activity)[:-2] + "xx", "garbage"):
        with pytest.raises(ValidationError) as error:
            qr_sign_in(token=token, name="钱测试", phone="13900000001")
        assert error.value.messages == [str(MSG_TOKEN_INVALID)]


def test_expired_and_early_tokens_are_refused(world, settings):
    settings.WUSHE_SIGNIN_GRACE_HOURS = 2
    activity = make_activity(world)
    session, token = activity.sessions.get(), _token(activity)
    with pytest.raises(ValidationError) as error:
        qr_sign_in(token=token, name="钱测试", phone="13900000001",
                   now=session.ends_at + datetime.timedelta(hours=2, minutes=1))
    assert error.value.messages == [str(MSG_TOKEN_EXPIRED)]
    with pytest.raises(ValidationError) as error:
        qr_sign_in(token=token, name="钱测试", phone="13900000001",
                   now=session.starts_at - datetime.timedelta(hours=1, minutes=1))
    assert error.value.messages == [str(MSG_TOKEN_NOT_YET)]
    assert qr_sign_in(token=token, name="钱测试", phone="13900000001",
                      now=session.ends_at + datetime.timedelta(hours=1)).created


def test_rotated_secret_revokes_old_codes(world):
    activity = make_activity(world)
    token = _token(activity)
    activity_rotate_signin_secret(actor=world.community_staff, activity=activity)
    with pytest.raises(ValidationError) as error:
        qr_sign_in(token=token, name="钱测试", phone="13900000001")
    assert error.value.messages == [str(MSG_TOKEN_INVALID)]
    assert signing.loads(_token(activity), salt=SALT)  # a new code works


def test_walk_in_stays_pending_and_is_never_duplicated(world):
    activity = make_activity(world)
    token = _token(activity)
    qr_sign_in(token=token, name="新居民", phone="13700000001")
    again = qr_sign_in(token=token, name="新居民甲", phone="13700000001")
    rows = Attendance.objects.filter(session__activity=activity)
    assert rows.count() == 1 and again.pending and rows.get().claimed_name == "新居民甲"
    assert activity_stats(activity).pending_identities == 1


def test_name_and_phone_must_both_match_within_the_street(world):
    activity = make_activity(world)
    make_resident(world, "钱测试", "13900000001")
    make_resident(world, "钱测试", "13900000003", region=world.other_community)
    assert qr_sign_in(token=_token(activity), name="钱测", phone="13900000001").pending
    assert qr_sign_in(token=_token(activity), name="钱测试", phone="13900000003").pending


def test_resolving_links_all_sessions_and_merges_duplicates(world):
    staff, activity = world.community_staff, make_activity(world)
    session2 = add_session(activity)
    resident = make_resident(world, "周居民", "13900000009")
    qr_sign_in(token=_token(activity), name="小周", phone="13600000001")
    qr_sign_in(token=make_signin_token(session2), name="小周", phone="13600000001", now=session2.starts_at)
    attendance_mark(actor=staff, session=session2, resident=resident, source="roster")
    walk_in = Attendance.objects.get(session__sequence=1, claimed_phone="13600000001")
    pending.pending_match(actor=staff, attendance=walk_in, resident=resident)
    rows = Attendance.objects.active().filter(session__activity=activity)
    assert rows.count() == 2 and set(rows.values_list("resident", flat=True)) == {resident.pk}
    stats = activity_stats(activity)
    assert (stats.participants.persons, stats.participants.person_times, stats.pending_identities) == (1, 2, 0)


def test_create_resident_from_walk_in(world):
    activity = make_activity(world)
    result = qr_sign_in(token=_token(activity), name="吴新人", phone="13600000002")
    rows = pending.pending_create_resident(actor=world.community_staff, attendance=result.attendance)
    assert rows[0].resident.name == "吴新人" and rows[0].resident.phone == "13600000002"


def test_reject_needs_a_reason_and_stops_counting(world):
    activity = make_activity(world)
    result = qr_sign_in(token=_token(activity), name="测试扫码", phone="13600000003")
    with pytest.raises(ValidationError):
        pending.pending_reject(actor=world.community_staff, attendance=result.attendance, reason="")
    pending.pending_reject(actor=world.community_staff, attendance=result.attendance, reason="工作人员测试")
    assert activity_stats(activity).participants.person_times == 0


def test_volunteer_sign_out_fills_service_minutes(world):
    activity = make_activity(world)
    session, token = activity.sessions.get(), _token(activity)
    volunteer = make_volunteer(world, number="V1101050010019001")
    result = qr_sign_in(token=token, name="孙测试", volunteer_number="v1101050010019001", now=session.starts_at)
    row = qr_sign_out(token=token, attendance_id=result.attendance.public_id,
                      now=session.starts_at + datetime.timedelta(minutes=95))
    assert row.volunteer == volunteer and row.role == "volunteer" and row.service_minutes == 95
    stats = activity_stats(activity)
    assert (stats.volunteers.persons, stats.participants.persons) == (1, 0)


def test_service_minutes_are_clipped_to_the_session_window(world):
    session = make_activity(world).sessions.get()
    early = session.starts_at - datetime.timedelta(hours=3)
    late = session.ends_at + datetime.timedelta(hours=5)
    assert service_minutes_for(session, early, late) == 60 + 120 + 60


def test_logged_in_volunteer_signs_in_as_volunteer(world):
    activity = make_activity(world)
    result = qr_sign_in(token=_token(activity), user=world.volunteer)
    assert result.attendance.volunteer == world.objects["volunteer"]


def test_phone_page_signs_in_then_offers_sign_out(world):
    activity = make_activity(world)
    make_resident(world)
    client = Client(enforce_csrf_checks=False)
    url = reverse("signin:page", args=[_token(activity)])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "钱测试", "phone": "13900000001"})
    assert response.status_code == 200 and "签到成功" in response.content.decode()
    again = client.get(url).content.decode()
    assert "您已签到" in again and "签退" in again
    client.post(reverse("signin:signout", args=[_token(activity)]))
    assert Attendance.objects.get().signed_out_at is not None


def test_phone_page_shows_clear_message_for_bad_token(world):
    response = Client().get(reverse("signin:page", args=["not-a-token"]))
    assert response.status_code == 400 and str(MSG_TOKEN_INVALID) in response.content.decode()


def test_phone_page_validates_the_mobile_number(world):
    activity = make_activity(world)
    response = Client().post(reverse("signin:page", args=[_token(activity)]), {"name": "钱测试", "phone": "123"})
    assert response.status_code == 422 and not Attendance.objects.exists()


def test_public_api_signin(world):
    activity = make_activity(world)
    client = Client()
    response = client.post("/api/v1/services/activities/signin", {"token": _token(activity), "name": "钱测试",
                                                                   "phone": "13900000001"},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["pending"] is True
    response = client.post("/api/v1/services/activities/signin", {"token": "forged", "name": "钱测试",
                                                                   "phone": "13900000001"},
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["message"] == str(MSG_TOKEN_INVALID)
    assert at() is not None
