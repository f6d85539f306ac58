"""The activities API: permissions over personas, the main writes, stats and the QR link."""

import pytest

from wushe.activities.models import Activity, ActivityStatus, Attendance
from wushe.testing.personas import ALL_PERSONAS

from .factories import at, make_activity, make_resident

pytestmark = pytest.mark.django_db

BASE = "/api/v1/services/activities"
VIEWERS = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "social_worker"}
CHANGERS = {"admin", "street_officer", "station_staff", "community_staff", "social_worker"}


def expected(persona, *, change):
    if persona not in VIEWERS:
        return 404
    return 200 if not change or persona in CHANGERS else 403


def test_detail_stats_and_qr_permissions(world, api_for):
    activity = make_activity(world)
    session = activity.sessions.get()
    for persona in ALL_PERSONAS:
        api = api_for(persona)
        assert api.get(f"{BASE}/{activity.public_id}").status_code == expected(persona, change=False), persona
        assert api.get(f"{BASE}/{activity.public_id}/stats").status_code == expected(persona, change=False)
        qr = api.get(f"{BASE}/{activity.public_id}/sessions/{session.public_id}/qr")
        assert qr.status_code == expected(persona, change=True), persona
        attendance = api.get(f"{BASE}/{activity.public_id}/sessions/{session.public_id}/attendance")
        assert attendance.status_code == expected(persona, change=True), persona


def test_list_is_scoped(world, api_for):
    make_activity(world)
    for persona in ALL_PERSONAS:
        response = api_for(persona).get(f"{BASE}/")
        if persona == "expert_reviewer":
            assert response.status_code == 403
            continue
        assert response.json()["count"] == (1 if persona in VIEWERS else 0), persona


def test_create_transition_and_errors(world, api_for):
    api = api_for("community_staff")
    payload = {"title": "义剪", "kind": "community_event", "region": world.community.code, "place": "广场",
               "starts_at": at(days=1).isoformat(), "ends_at": at(days=1, hours=2).isoformat(), "is_risky": True}
    response = api.post(f"{BASE}/", payload, content_type="application/json")
    assert response.status_code == 201 and len(response.json()["sessions"]) == 1
    public_id = response.json()["public_id"]
    refused = api.post(f"{BASE}/{public_id}/transition", {"transition": "open"}, content_type="application/json")
    assert refused.status_code == 422 and "意外保险" in refused.json()["error"]["message"]
    api.patch(f"{BASE}/{public_id}", {"is_risky": False}, content_type="application/json")
    opened = api.post(f"{BASE}/{public_id}/transition", {"transition": "open"}, content_type="application/json")
    assert opened.json()["status"] == ActivityStatus.OPEN
    outsider = api_for("outsider").post(f"{BASE}/", {**payload, "title": "越界"}, content_type="application/json")
    assert outsider.status_code == 422 and not Activity.objects.filter(title="越界").exists()


def test_mark_batch_and_review(world, api_for):
    api, activity = api_for("community_staff"), make_activity(world)
    session, resident = activity.sessions.get(), make_resident(world)
    url = f"{BASE}/{activity.public_id}/sessions/{session.public_id}/attendance"
    for _ in range(2):
        assert api.post(url, {"resident": str(resident.public_id)}, content_type="application/json").status_code == 201
    batch = api.post(f"{url}/batch", {"lines": "路人甲,13500000009"}, content_type="application/json")
    assert batch.status_code == 201 and batch.json()[0]["match_status"] == "pending"
    pending = api.get(f"{BASE}/{activity.public_id}/pending").json()
    resolved = api.post(f"{BASE}/{activity.public_id}/pending/{pending[0]['public_id']}",
                        {"decision": "match", "resident": str(resident.public_id)}, content_type="application/json")
    assert resolved.status_code == 200
    assert Attendance.objects.active().filter(session=session).count() == 1
    stats = api.get(f"{BASE}/{activity.public_id}/stats").json()
    assert stats["participants"] == {"persons": 1, "person_times": 1}
    denied = api_for("district_officer").post(url, {"resident": str(resident.public_id)},
                                              content_type="application/json")
    assert denied.status_code == 403


def test_qr_link_signs_in_through_the_public_endpoint(world, api_for):
    from django.test import Client

    activity = make_activity(world)
    session = activity.sessions.get()
    link = api_for("community_staff").get(f"{BASE}/{activity.public_id}/sessions/{session.public_id}/qr").json()
    token = link["url"].rstrip("/").rsplit("/", 1)[-1]
    public = Client()
    first = public.post(f"{BASE}/signin", {"token": token, "name": "路人乙", "phone": "13500000008"},
                        content_type="application/json")
    second = public.post(f"{BASE}/signin", {"token": token, "name": "路人乙", "phone": "13500000008"},
                         content_type="application/json")
    assert (first.status_code, second.status_code) == (201, 200)
    signout = public.post(f"{BASE}/signout", {"token": token, "attendance_id": first.json()["attendance_id"]},
                          content_type="application/json")
    assert signout.json()["signed_out_at"] is not None


def test_resident_self_signup_and_feedback(world, api_for):
    activity = make_activity(world, status=ActivityStatus.OPEN)
    api = api_for("resident")
    assert api.post(f"{BASE}/{activity.public_id}/registrations", {}, content_type="application/json").status_code == 201
    refused = api.post(f"{BASE}/{activity.public_id}/feedback", {"satisfaction": 5}, content_type="application/json")
    assert refused.status_code == 422  # did not attend
