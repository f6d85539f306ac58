"""Activity pages: permissions over every persona, list query count, and the main staff actions."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from wushe.activities.models import Activity, ActivityStatus, Attendance, Feedback, MatchStatus, Registration
from wushe.activities.services.signin import qr_sign_in
from wushe.activities.services.tokens import make_signin_token
from wushe.testing.personas import ALL_PERSONAS

from .factories import at, make_activity, make_resident

pytestmark = pytest.mark.django_db

STAFF_VIEWERS = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "social_worker"}
STAFF_CHANGERS = {"admin", "street_officer", "station_staff", "community_staff", "social_worker"}
LIST_ALLOWED = set(ALL_PERSONAS) - {"expert_reviewer"}


def expected(persona, viewers, changers, *, change):
    if persona not in viewers:
        return 404
    return 200 if not change or persona in changers else 403


def test_list_permissions_and_content(world, client_for):
    make_activity(world, title="将台读书会")
    for persona in ALL_PERSONAS:
        response = client_for(persona).get(reverse("activities:activity_list"))
        assert response.status_code == (200 if persona in LIST_ALLOWED else 403), persona
        if response.status_code == 200:
            assert ("将台读书会" in response.content.decode()) == (persona in STAFF_VIEWERS), persona


def test_open_activity_of_an_organization_is_seen_by_its_leader_residents_and_volunteers(world, client_for):
    activity = make_activity(world, status=ActivityStatus.OPEN, organization=world.objects["organization"])
    url = reverse("activities:activity_detail", args=[activity.public_id])
    viewers = STAFF_VIEWERS | {"org_leader", "volunteer", "resident"}
    for persona in ALL_PERSONAS:
        assert client_for(persona).get(url).status_code == (200 if persona in viewers else 404), persona


@pytest.mark.parametrize("name", ["activity_detail", "activity_edit", "activity_summary", "session_add",
                                  "attendance_batch"])
def test_page_permissions(world, client_for, name):
    activity = make_activity(world)
    url = reverse(f"activities:{name}", args=[activity.public_id])
    for persona in ALL_PERSONAS:
        status = client_for(persona).get(url).status_code
        assert status == expected(persona, STAFF_VIEWERS, STAFF_CHANGERS, change=name != "activity_detail"), persona


def test_qr_page_permissions_and_svg(world, client_for):
    activity = make_activity(world)
    session = activity.sessions.get()
    url = reverse("activities:signin_qr", args=[activity.public_id, session.public_id])
    for persona in ALL_PERSONAS:
        response = client_for(persona).get(url)
        assert response.status_code == expected(persona, STAFF_VIEWERS, STAFF_CHANGERS, change=True), persona
    body = client_for("community_staff").get(url).content.decode()
    assert "<svg" in body and "/signin/" in body


def test_post_actions_are_refused_to_those_who_may_not_change(world, client_for):
    activity = make_activity(world)
    url = reverse("activities:activity_transition", args=[activity.public_id, "open"])
    for persona in ALL_PERSONAS:
        if persona in STAFF_CHANGERS:
            continue
        assert client_for(persona).post(url).status_code in (403, 404), persona
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.PLANNED


def test_list_query_count_is_fixed(world, client_for, django_assert_max_num_queries):
    client = client_for("community_staff")
    make_activity(world)
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("activities:activity_list"))
    for n in range(15):
        make_activity(world, title=f"活动{n}", organization=world.objects["organization"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("activities:activity_list"), HTTP_HX_REQUEST="true")


def test_htmx_search_returns_rows(world, client_for):
    make_activity(world, title="书法班")
    make_activity(world, title="健康讲座", kind="training")
    response = client_for("community_staff").get(reverse("activities:activity_list"), {"kind": "training"},
                                                 HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "健康讲座" in body and "书法班" not in body and "<html" not in body


def test_create_edit_and_open(world, client_for):
    client = client_for("community_staff")
    response = client.post(reverse("activities:activity_create"), {
        "title": "亲子手工", "kind": "activity", "region": world.community.code, "place": "活动室",
        "starts_at": at(days=2).strftime("%Y-%m-%dT%H:%M"), "ends_at": at(days=2, hours=2).strftime("%Y-%m-%dT%H:%M"),
        "volunteers_needed": "2"})
    activity = Activity.objects.get(title="亲子手工")
    assert response.status_code == 302 and activity.sessions.count() == 1
    client.post(reverse("activities:activity_transition", args=[activity.public_id, "open"]))
    activity.refresh_from_db()
    assert activity.status == ActivityStatus.OPEN


def test_risky_open_shows_the_insurance_message(world, client_for):
    activity = make_activity(world, is_risky=True)
    client = client_for("community_staff")
    response = client.post(reverse("activities:activity_transition", args=[activity.public_id, "open"]),
                           follow=True)
    assert "须先登记意外保险" in response.content.decode()


def test_roster_mark_batch_and_review(world, client_for):
    client, activity = client_for("community_staff"), make_activity(world, status=ActivityStatus.OPEN)
    session = activity.sessions.get()
    resident = make_resident(world)
    client.post(reverse("activities:registration_add", args=[activity.public_id]), {"phone": "13900000001"})
    registration = Registration.objects.get(activity=activity)
    client.post(reverse("activities:attendance_mark", args=[activity.public_id, session.public_id]),
                {"registration": registration.public_id})
    assert Attendance.objects.get(resident=resident).source == "roster"
    client.post(reverse("activities:attendance_batch", args=[activity.public_id]),
                {"session": session.public_id, "lines": "钱测试,13900000001\n新面孔，13500000001"})
    assert Attendance.objects.filter(session=session).count() == 2
    walk_in = Attendance.objects.get(match_status=MatchStatus.PENDING)
    page = client.get(reverse("activities:activity_detail", args=[activity.public_id])).content.decode()
    assert "新面孔" in page and "人次" in page
    client.post(reverse("activities:pending_resolve", args=[activity.public_id, walk_in.public_id]),
                {"decision": "create"})
    walk_in.refresh_from_db()
    assert walk_in.resident.name == "新面孔"


def test_batch_refuses_bad_lines(world, client_for):
    activity = make_activity(world)
    response = client_for("community_staff").post(
        reverse("activities:attendance_batch", args=[activity.public_id]),
        {"session": activity.sessions.get().public_id, "lines": "张三,123"})
    assert response.status_code == 200 and "第1行" in response.content.decode()
    assert not Attendance.objects.exists()


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_photo_upload_validates_images(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    activity, client = make_activity(world), client_for("community_staff")
    url = reverse("activities:photo_add", args=[activity.public_id])
    client.post(url, {"image": SimpleUploadedFile("a.png", _png(), "image/png"), "caption": "合影"})
    client.post(url, {"image": SimpleUploadedFile("b.png", b"not an image", "image/png")})
    assert activity.photos.count() == 1


def test_resident_who_attended_gives_feedback(world, client_for):
    activity = make_activity(world, status=ActivityStatus.OPEN)
    qr_sign_in(token=make_signin_token(activity.sessions.get()), user=world.resident)
    client_for("resident").post(reverse("activities:feedback_add", args=[activity.public_id]),
                                {"satisfaction": "5", "comment": "很好"})
    client_for("community_staff").post(reverse("activities:feedback_add", args=[activity.public_id]),
                                       {"satisfaction": "3", "paper": "1"})
    assert Feedback.objects.count() == 2
    page = client_for("community_staff").get(reverse("activities:activity_detail", args=[activity.public_id]))
    assert "平均满意度 4.0" in page.content.decode()


def test_resident_signs_up_from_the_activity_page(world, client_for):
    activity = make_activity(world, status=ActivityStatus.OPEN)
    client = client_for("resident")
    assert "我要报名" in client.get(reverse("activities:activity_detail", args=[activity.public_id])).content.decode()
    client.post(reverse("activities:signup_self", args=[activity.public_id]))
    assert Registration.objects.filter(activity=activity, resident=world.objects["resident"]).exists()
