"""Pages for volunteer hours, corrections, extracts, public verification and the national export."""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from wushe.activities.models import HoursStatus
from wushe.audit.models import AuditEvent
from wushe.testing.personas import ALL_PERSONAS
from wushe.volunteers.models import CorrectionStatus, HoursCorrection, Volunteer
from wushe.volunteers.records import exports, services

from .factories import VolunteerFactory
from .records_factories import SAMPLE_ID_NUMBER, issue, make_activity, volunteer_row

pytestmark = pytest.mark.django_db

ORGANIZERS = {"admin", "street_officer", "station_staff", "community_staff", "social_worker"}
RECORDERS = {"admin", "station_staff", "community_staff", "social_worker", "org_leader"}  # SERVICE_RECORD change
# Roles allowed to export somewhere; the outsider (community staff elsewhere) gets the page but none of our rows.
EXPORTERS = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "org_leader",
             "outsider"}
# The ID number's fragments that are not also part of the region code inside the volunteer number.
ID_FRAGMENTS = [SAMPLE_ID_NUMBER, "19491231", "1231002X", "002X", "1101*", "1949-12-31"]


@pytest.fixture
def volunteer(world):
    Volunteer.objects.filter(pk=world.objects["volunteer"].pk).update(id_number=SAMPLE_ID_NUMBER,
                                                                      phone="13912345678")
    return Volunteer.objects.get(pk=world.objects["volunteer"].pk)


@pytest.fixture
def activity(world):
    return make_activity(world)


@pytest.fixture
def confirmed(world, volunteer, activity):
    return volunteer_row(activity, volunteer, minutes=120, confirmed=True, confirmed_by=world.community_staff,
                         content="为老人测量血压")


@pytest.fixture
def extract(world, volunteer, confirmed):
    return issue(world, volunteer)


# My hours ---------------------------------------------------------------------------------------------

def test_my_hours_shows_records_total_and_a_correction_form(client_for, world, volunteer, confirmed, extract):
    volunteer_row(make_activity(world, title="待确认的活动"), volunteer, minutes=45)
    body = client_for("volunteer").get(reverse("volunteers:hours_mine")).content.decode()
    assert 'data-testid="total-hours">2.0' in body
    assert "社区敬老志愿服务" in body and "待确认的活动" in body and "为老人测量血压" in body
    assert reverse("volunteers:hours_correction_request", args=[confirmed.public_id]) in body
    assert extract.number in body


@pytest.mark.parametrize("persona", [p for p in ALL_PERSONAS if p != "volunteer"])
def test_my_hours_is_404_without_a_volunteer_record(client_for, persona):
    assert client_for(persona).get(reverse("volunteers:hours_mine")).status_code == 404


def test_volunteer_page_shows_confirmed_hours(client_for, world, volunteer, confirmed):
    url = reverse("volunteers:volunteer_detail", args=[volunteer.public_id])
    body = client_for("volunteer").get(url).content.decode()
    assert 'data-testid="volunteer-hours">2.0' in body and reverse("volunteers:hours_mine") in body


def test_volunteer_requests_a_correction_from_the_page(client_for, world, confirmed):
    url = reverse("volunteers:hours_correction_request", args=[confirmed.public_id])
    response = client_for("volunteer").post(url, {"requested_minutes": 150, "reason": "签退漏扫"})
    assert response.status_code == 302
    correction = HoursCorrection.objects.get()
    assert (correction.requested_minutes, correction.status) == (150, CorrectionStatus.PENDING)
    confirmed.refresh_from_db()
    assert confirmed.service_minutes == 120  # unchanged until the organizer accepts


def test_a_volunteer_cannot_request_on_someone_elses_row(client_for, world, activity):
    other = VolunteerFactory(region=world.community)
    row = volunteer_row(activity, other, minutes=60, confirmed=True)
    url = reverse("volunteers:hours_correction_request", args=[row.public_id])
    assert client_for("volunteer").post(url, {"requested_minutes": 90, "reason": "x"}).status_code == 404
    assert not HoursCorrection.objects.exists()


@pytest.mark.parametrize("rows", [2, 12])
def test_my_hours_query_count_does_not_grow(client_for, world, volunteer, rows, django_assert_max_num_queries):
    for index in range(rows):
        volunteer_row(make_activity(world, title=f"活动{index}", days=index + 1), volunteer, minutes=30,
                      confirmed=True)
    client = client_for("volunteer")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("volunteers:hours_mine")).status_code == 200


# Confirming hours ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_confirm_page_permissions(client_for, world, volunteer, activity, persona):
    volunteer_row(activity, volunteer, minutes=60)
    response = client_for(persona).get(reverse("volunteers:hours_confirm", args=[activity.public_id]))
    if persona in ORGANIZERS:
        assert response.status_code == 200
    else:
        assert response.status_code in (403, 404)


def test_organizer_confirms_with_adjusted_minutes(client_for, world, volunteer, activity):
    row = volunteer_row(activity, volunteer, signed_in_after=0, signed_out_after=150)
    url = reverse("volunteers:hours_confirm", args=[activity.public_id])
    too_much = client_for("community_staff").post(url, {"confirm": [row.public_id],
                                                        f"minutes_{row.public_id}": "200"})
    assert "150" in too_much.content.decode() and 'data-testid="confirm-errors"' in too_much.content.decode()
    row.refresh_from_db()
    assert row.hours_status == HoursStatus.UNCONFIRMED
    response = client_for("community_staff").post(url, {"confirm": [row.public_id],
                                                        f"minutes_{row.public_id}": "140",
                                                        f"content_{row.public_id}": "秩序维护"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.hours_status, row.service_minutes, row.service_content) == (HoursStatus.CONFIRMED, 140, "秩序维护")


@pytest.mark.parametrize("rows", [2, 12])
def test_confirm_page_query_count_does_not_grow(client_for, world, activity, rows, django_assert_max_num_queries):
    for _index in range(rows):
        volunteer_row(activity, VolunteerFactory(region=world.community), minutes=60)
    client = client_for("community_staff")
    with django_assert_max_num_queries(12):
        assert client.get(reverse("volunteers:hours_confirm", args=[activity.public_id])).status_code == 200


# Corrections inbox --------------------------------------------------------------------------------------

@pytest.fixture
def correction(world, confirmed):
    return services.hours_correction_request(actor=world.volunteer, attendance=confirmed, requested_minutes=150,
                                             reason="签退漏扫")


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_corrections_inbox_permissions(client_for, world, correction, persona):
    response = client_for(persona).get(reverse("volunteers:records_corrections"))
    may_change_activities = ORGANIZERS | {"org_leader", "outsider"}
    assert response.status_code == (200 if persona in may_change_activities else 403)
    if persona in ORGANIZERS:
        assert "签退漏扫" in response.content.decode()
    elif response.status_code == 200:
        assert "签退漏扫" not in response.content.decode()


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_only_the_organizer_answers(client_for, world, correction, persona):
    url = reverse("volunteers:records_correction_answer", args=[correction.public_id])
    response = client_for(persona).post(url, {"decision": "accept", "answer": "已核实"})
    correction.refresh_from_db()
    if persona in ORGANIZERS:
        assert response.status_code == 302 and correction.status == CorrectionStatus.ACCEPTED
    else:
        assert response.status_code in (403, 404) and correction.status == CorrectionStatus.PENDING


def test_rejecting_without_answer_shows_the_message(client_for, world, correction):
    url = reverse("volunteers:records_correction_answer", args=[correction.public_id])
    response = client_for("community_staff").post(url, {"decision": "reject", "answer": ""})
    assert str(services.MSG_ANSWER_REQUIRED) in response.content.decode()


@pytest.mark.parametrize("rows", [2, 12])
def test_inbox_query_count_does_not_grow(client_for, world, rows, django_assert_max_num_queries):
    for index in range(rows):
        volunteer = VolunteerFactory(region=world.community, user=None)
        row = volunteer_row(make_activity(world, title=f"活动{index}"), volunteer, minutes=60, confirmed=True)
        HoursCorrection.objects.create(attendance=row, volunteer=volunteer, minutes_before=60,
                                       requested_minutes=90, reason="x")
    client = client_for("community_staff")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("volunteers:records_corrections")).status_code == 200


# Extracts -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_issue_form_permissions(client_for, world, confirmed, persona):
    response = client_for(persona).get(reverse("volunteers:records_extract_issue"))
    assert response.status_code == (200 if persona in RECORDERS | {"outsider"} else 403)


def test_issue_through_the_form(client_for, world, volunteer, confirmed):
    client = client_for("community_staff")
    form = client.get(reverse("volunteers:records_extract_issue")).content.decode()
    assert f"region:{world.community.code}" in form and volunteer.volunteer_number in form
    response = client.post(reverse("volunteers:records_extract_issue"), {
        "issuer": f"region:{world.community.code}", "volunteer": volunteer.public_id,
        "period_start": (timezone.localdate() - datetime.timedelta(days=10)).isoformat(),
        "period_end": timezone.localdate().isoformat(), "person_in_charge": "张主任", "handler_name": "李经办",
        "contact": "010-12345678"})
    assert response.status_code == 302
    extract = volunteer.record_extracts.get()
    assert extract.total_minutes == 120


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_extract_detail_permissions(client_for, world, extract, persona):
    response = client_for(persona).get(reverse("volunteers:records_extract_detail", args=[extract.public_id]))
    visible = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "social_worker",
               "volunteer"}
    assert response.status_code == (200 if persona in visible else 404)


def test_extract_print_page_is_labelled_and_masks_the_id_number(client_for, world, extract):
    body = client_for("community_staff").get(
        reverse("volunteers:records_extract_detail", args=[extract.public_id])).content.decode()
    assert str(exports.NOT_OFFICIAL) in body and extract.number in body
    assert SAMPLE_ID_NUMBER not in body and "1101**********002X" in body
    assert "张主任" in body and "李经办" in body and "010-12345678" in body and "2.0" in body


def test_extract_docx_download(client_for, world, extract):
    from docx import Document

    response = client_for("volunteer").get(reverse("volunteers:records_extract_docx", args=[extract.public_id]))
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(b"".join(response.streaming_content))).paragraphs)
    assert str(exports.NOT_OFFICIAL) in text and extract.number in text and SAMPLE_ID_NUMBER not in text


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_register_permissions(client_for, world, extract, persona):
    response = client_for(persona).get(reverse("volunteers:records_extract_list"))
    viewers = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "social_worker",
               "org_leader", "volunteer", "outsider"}
    assert response.status_code == (200 if persona in viewers else 403)
    if response.status_code == 200:
        shown = extract.number in response.content.decode()
        assert shown == (persona not in ("org_leader", "outsider"))


def test_register_filters(client_for, world, extract):
    client = client_for("community_staff")
    assert extract.number in client.get(reverse("volunteers:records_extract_list"), {"status": "valid"}).content.decode()
    assert extract.number not in client.get(reverse("volunteers:records_extract_list"),
                                            {"status": "voided"}).content.decode()


@pytest.mark.parametrize("rows", [2, 12])
def test_register_query_count_does_not_grow(client_for, world, volunteer, confirmed, rows,
                                            django_assert_max_num_queries):
    for _index in range(rows):
        issue(world, volunteer)
    client = client_for("community_staff")
    with django_assert_max_num_queries(10):
        assert client.get(reverse("volunteers:records_extract_list")).status_code == 200


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_void_permissions(client_for, world, extract, persona):
    response = client_for(persona).post(reverse("volunteers:records_extract_void", args=[extract.public_id]),
                                        {"reason": "重新出具"})
    extract.refresh_from_db()
    if persona in RECORDERS - {"org_leader"}:
        assert response.status_code == 302 and extract.is_voided
    else:
        assert response.status_code in (403, 404) and not extract.is_voided


# Public verification ------------------------------------------------------------------------------------

def test_public_verification_shows_the_extract_and_no_id_number(world, extract):
    client = Client()
    response = client.get(reverse("volunteer_records:verify"), {"number": extract.number.lower()})
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert extract.number in body and "有效" in body and extract.volunteer.name in body
    assert extract.volunteer.volunteer_number in body and "2.0" in body and world.community.name in body
    assert str(exports.NOT_OFFICIAL) in body
    for fragment in ID_FRAGMENTS + ["13912345678", "5678"]:
        assert fragment not in body


def test_public_verification_of_a_voided_extract(world, extract):
    services.extract_void(actor=world.community_staff, extract=extract, reason="重新出具")
    body = Client().get(reverse("volunteer_records:verify_number", args=[extract.number])).content.decode()
    assert "已于" in body and "作废" in body and "重新出具" not in body


def test_public_verification_refuses_an_unknown_number_gracefully(world):
    response = Client().get(reverse("volunteer_records:verify_number", args=["ZYJL-20200101-AAAAAA"]))
    assert response.status_code == 404
    assert "未找到编号为 ZYJL-20200101-AAAAAA 的记录证明" in response.content.decode()
    assert Client().get(reverse("volunteer_records:verify")).status_code == 200


# The national export ------------------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_export_permissions(client_for, world, confirmed, persona):
    response = client_for(persona).get(reverse("volunteers:records_export"))
    assert response.status_code == (200 if persona in EXPORTERS else 403)


def test_export_xlsx_has_the_documented_columns_and_only_confirmed_rows(client_for, world, volunteer, confirmed):
    volunteer_row(make_activity(world, title="未确认活动"), VolunteerFactory(region=world.community), minutes=60)
    response = client_for("community_staff").get(reverse("volunteers:records_export"),
                                                 {"download": "1", "file_format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [str(c.header) for c in exports.COLUMNS]
    assert rows[0][:4] == ("志愿者姓名", "证件类型", "证件号码", "志愿者编号")
    assert len(rows) == 2
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["证件号码"] == SAMPLE_ID_NUMBER and record["志愿者编号"] == volunteer.volunteer_number
    assert record["活动名称"] == "社区敬老志愿服务" and float(record["服务时长（小时）"]) == 2.0
    assert record["服务内容"] == "为老人测量血压" and record["组织单位"] == world.community.name
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT, target="export:volunteer_records")
    assert event.actor == world.community_staff and event.detail["rows"] == 1


def test_export_csv_and_filters(client_for, world, volunteer, confirmed):
    org_activity = make_activity(world, title="银龄互助", organization=world.objects["organization"], days=1)
    volunteer_row(org_activity, volunteer, minutes=60, confirmed=True)
    client = client_for("org_leader")
    response = client.get(reverse("volunteers:records_export"), {"download": "1", "file_format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "志愿者姓名" and [r[4] for r in rows[1:]] == ["银龄互助"]  # the leader's own unit only
    staff = client_for("community_staff").get(reverse("volunteers:records_export"), {
        "download": "1", "file_format": "csv",
        "period_start": (timezone.localdate() - datetime.timedelta(days=2)).isoformat()})
    rows = list(csv.reader(io.StringIO(b"".join(staff.streaming_content).decode("utf-8-sig"))))
    assert [r[4] for r in rows[1:]] == ["银龄互助"]


def test_outsider_exports_nothing_of_ours(client_for, world, confirmed):
    response = client_for("outsider").get(reverse("volunteers:records_export"), {"download": "1",
                                                                                 "file_format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 1


@pytest.mark.parametrize("rows", [2, 12])
def test_export_query_count_does_not_grow(client_for, world, rows, django_assert_max_num_queries):
    for index in range(rows):
        volunteer_row(make_activity(world, title=f"活动{index}"), VolunteerFactory(region=world.community),
                      minutes=60, confirmed=True)
    client = client_for("community_staff")
    with django_assert_max_num_queries(12):
        response = client.get(reverse("volunteers:records_export"), {"download": "1", "file_format": "xlsx"})
        b"".join(response.streaming_content)


# Guardian consent in the form ---------------------------------------------------------------------------

def test_volunteer_form_requires_guardian_consent_under_14(client_for, world):
    from wushe.volunteers import services as volunteer_services

    birth = (timezone.localdate() - datetime.timedelta(days=365 * 9)).isoformat()
    data = {"name": "小红", "region": world.community.code, "sex": "F", "birth_date": birth, "document_type": "ric"}
    client = client_for("community_staff")
    response = client.post(reverse("volunteers:volunteer_create"), data)
    body = response.content.decode()
    assert response.status_code == 200 and str(volunteer_services.MSG_GUARDIAN_NAME_REQUIRED) in body
    assert str(volunteer_services.MSG_GUARDIAN_CONSENT_REQUIRED) in body
    response = client.post(reverse("volunteers:volunteer_create"), data | {
        "guardian_name": "小红妈妈", "guardian_phone": "13911112222",
        "guardian_consent_on": timezone.localdate().isoformat()})
    assert response.status_code == 302
    child = Volunteer.objects.get(name="小红")
    assert child.has_guardian_consent and child.guardian_phone == "13911112222"
