"""/api/v1/services/volunteer-records/: same rules as the pages."""

import csv
import datetime
import io
import json

import pytest
from django.test import Client
from django.utils import timezone

from wushe.activities.models import HoursStatus
from wushe.audit.models import AuditEvent
from wushe.testing.personas import ALL_PERSONAS
from wushe.volunteers.models import CorrectionStatus, Volunteer
from wushe.volunteers.records import exports, services

from .factories import VolunteerFactory
from .records_factories import SAMPLE_ID_NUMBER, issue, make_activity, volunteer_row
from .test_records_views import EXPORTERS, ID_FRAGMENTS, ORGANIZERS

pytestmark = pytest.mark.django_db

BASE = "/api/v1/services/volunteer-records"


def post(client, url, data):
    return client.post(url, json.dumps(data, default=str), content_type="application/json")


@pytest.fixture
def volunteer(world):
    Volunteer.objects.filter(pk=world.objects["volunteer"].pk).update(id_number=SAMPLE_ID_NUMBER)
    return Volunteer.objects.get(pk=world.objects["volunteer"].pk)


@pytest.fixture
def activity(world):
    return make_activity(world)


@pytest.fixture
def confirmed(world, volunteer, activity):
    return volunteer_row(activity, volunteer, minutes=120, confirmed=True, confirmed_by=world.community_staff)


def test_openapi_tags_the_router_services(api_for):
    schema = api_for("admin").get("/api/v1/openapi.json").json()
    operations = [op for path, item in schema["paths"].items() if path.startswith(BASE) for op in item.values()]
    assert operations and all(op["tags"] == ["services"] for op in operations)


def test_my_hours(api_for, world, volunteer, confirmed, activity):
    volunteer_row(make_activity(world, title="未确认"), volunteer, minutes=30)
    data = api_for("volunteer").get(f"{BASE}/me").json()
    assert data["total_minutes"] == 120 and data["total_hours"] == "2.0"
    assert {r["activity_title"]: r["hours_status"] for r in data["records"]} == {
        "社区敬老志愿服务": "confirmed", "未确认": "unconfirmed"}
    assert api_for("community_staff").get(f"{BASE}/me").status_code == 404


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_confirm_permissions(api_for, world, volunteer, activity, persona):
    row = volunteer_row(activity, volunteer, minutes=60)
    response = post(api_for(persona), f"{BASE}/activities/{activity.public_id}/confirm", {})
    row.refresh_from_db()
    if persona in ORGANIZERS:
        assert response.status_code == 200 and row.hours_status == HoursStatus.CONFIRMED
        assert response.json()[0]["hours_status"] == "confirmed"
    else:
        assert response.status_code in (403, 404) and row.hours_status == HoursStatus.UNCONFIRMED


def test_confirm_refuses_minutes_beyond_the_actual_time(api_for, world, volunteer, activity):
    row = volunteer_row(activity, volunteer, signed_in_after=0, signed_out_after=60)
    client = api_for("community_staff")
    assert client.get(f"{BASE}/activities/{activity.public_id}/hours").json()[0]["max_minutes"] == 60
    response = post(client, f"{BASE}/activities/{activity.public_id}/confirm",
                    {"attendance_ids": [str(row.public_id)], "minutes": {str(row.public_id): 61}})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["minutes"] == [
        str(services.MSG_MINUTES_OVER_ACTUAL).format(name=volunteer.name, limit=60)]


def test_correction_flow(api_for, world, volunteer, confirmed):
    response = post(api_for("volunteer"), f"{BASE}/records/{confirmed.public_id}/corrections",
                    {"requested_minutes": 150, "reason": "签退漏扫"})
    assert response.status_code == 201
    correction_id = response.json()["public_id"]
    assert post(api_for("community_staff"), f"{BASE}/records/{confirmed.public_id}/corrections",
                {"requested_minutes": 150, "reason": "x"}).status_code == 404
    listed = api_for("community_staff").get(f"{BASE}/corrections").json()["items"]
    assert [c["public_id"] for c in listed] == [correction_id]
    assert api_for("org_leader").get(f"{BASE}/corrections").json()["items"] == []
    assert post(api_for("org_leader"), f"{BASE}/corrections/{correction_id}/answer",
                {"accept": True}).status_code == 404
    assert post(api_for("volunteer"), f"{BASE}/corrections/{correction_id}/answer",
                {"accept": True}).status_code in (403, 404)
    refused = post(api_for("community_staff"), f"{BASE}/corrections/{correction_id}/answer", {"accept": False})
    assert refused.status_code == 422
    answered = post(api_for("community_staff"), f"{BASE}/corrections/{correction_id}/answer",
                    {"accept": True, "answer": "已核实"})
    assert answered.json()["status"] == CorrectionStatus.ACCEPTED and answered.json()["minutes_after"] == 150
    assert api_for("volunteer").get(f"{BASE}/me").json()["total_minutes"] == 150
    assert api_for("volunteer").get(f"{BASE}/me/corrections").json()[0]["answer"] == "已核实"


def test_extract_issue_list_detail_void(api_for, world, volunteer, confirmed):
    client = api_for("community_staff")
    payload = {"volunteer_id": str(volunteer.public_id), "issuer_region_code": world.community.code,
               "period_start": timezone.localdate() - datetime.timedelta(days=30),
               "period_end": timezone.localdate(), "person_in_charge": "张主任", "handler_name": "李经办",
               "contact": "010-12345678"}
    response = post(client, f"{BASE}/extracts", payload)
    assert response.status_code == 201
    data = response.json()
    assert data["total_minutes"] == 120 and data["id_number_masked"] == "1101**********002X"
    assert data["notice"] == str(exports.NOT_OFFICIAL) and SAMPLE_ID_NUMBER not in response.content.decode()
    assert post(api_for("street_officer"), f"{BASE}/extracts", payload).status_code == 403
    assert [e["number"] for e in client.get(f"{BASE}/extracts").json()["items"]] == [data["number"]]
    assert [e["number"] for e in api_for("volunteer").get(f"{BASE}/me/extracts").json()] == [data["number"]]
    assert api_for("outsider").get(f"{BASE}/extracts/{data['public_id']}").status_code == 404
    assert post(api_for("street_officer"), f"{BASE}/extracts/{data['public_id']}/void",
                {"reason": "x"}).status_code == 403
    voided = post(client, f"{BASE}/extracts/{data['public_id']}/void", {"reason": "重新出具"})
    assert voided.json()["voided"] is True


def test_public_verify_needs_no_login_and_shows_no_id_number(world, volunteer, confirmed):
    extract = issue(world, volunteer)
    response = Client().get(f"{BASE}/verify/{extract.number.lower()}")
    assert response.status_code == 200
    data = response.json()
    assert data["valid"] is True and data["volunteer_number"] == volunteer.volunteer_number
    assert data["total_hours"] == "2.0" and data["issuer_name"] == world.community.name
    assert "id_number" not in json.dumps(data) and "phone" not in json.dumps(data)
    for fragment in ID_FRAGMENTS:
        assert fragment not in response.content.decode()
    assert Client().get(f"{BASE}/verify/ZYJL-20200101-AAAAAA").status_code == 404


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_export_permissions(api_for, world, confirmed, persona):
    response = api_for(persona).get(f"{BASE}/export", {"format": "csv"})
    assert response.status_code == (200 if persona in EXPORTERS else 403)
    if response.status_code == 200:
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert rows[0] == [str(c.header) for c in exports.COLUMNS]
        ours = persona in {"admin", "district_officer", "street_officer", "station_staff", "community_staff"}
        assert len(rows) == (2 if ours else 1)
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, actor=world.users[persona]).exists()


@pytest.mark.parametrize("rows", [2, 12])
def test_register_api_query_count_does_not_grow(api_for, world, volunteer, confirmed, rows,
                                                django_assert_max_num_queries):
    for _index in range(rows):
        issue(world, volunteer)
    client = api_for("community_staff")
    with django_assert_max_num_queries(8):
        assert client.get(f"{BASE}/extracts").json()["count"] == rows


@pytest.mark.parametrize("rows", [2, 12])
def test_my_hours_api_query_count_does_not_grow(api_for, world, volunteer, rows, django_assert_max_num_queries):
    for index in range(rows):
        volunteer_row(make_activity(world, title=f"活动{index}"), volunteer, minutes=30, confirmed=True)
    volunteer_row(make_activity(world, title="别人"), VolunteerFactory(region=world.community), minutes=30)
    client = api_for("volunteer")
    with django_assert_max_num_queries(8):
        assert len(client.get(f"{BASE}/me").json()["records"]) == rows
