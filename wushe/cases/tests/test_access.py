"""Who may read a case (404 for everyone not on it), that every read lands in the read log, that the
narratives are ciphertext in the database, and that list pages keep a fixed query count."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from wushe.cases.models import CaseReadLog, CaseStatus
from wushe.cases.services import referrals, steps, supervision
from wushe.testing.personas import ALL_PERSONAS

from .factories import PROBLEM, intake, make_client, make_worker, walk_to

pytestmark = pytest.mark.django_db

READERS = {"social_worker", "supervisor"}
OTHERS = sorted(set(ALL_PERSONAS) - READERS)


@pytest.fixture
def case(world):
    return intake(world)


def page(case, name="case_detail", **kwargs):
    return reverse(f"cases:{name}", kwargs={"public_id": case.public_id, **kwargs})


def api(case, suffix=""):
    return f"/api/v1/services/cases/{case.public_id}{suffix}"


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_case_page_and_api_for_every_persona(world, case, client_for, api_for, persona):
    expected = 200 if persona in READERS else 404
    record = case.records.get()
    client = client_for(persona)
    assert client.get(page(case)).status_code == expected
    assert client.get(page(case, "record_detail", record_id=record.public_id)).status_code == expected
    assert api_for(persona).get(api(case)).status_code == expected
    assert api_for(persona).get(api(case, "/records")).status_code == expected
    if persona in OTHERS:
        assert PROBLEM not in client.get(reverse("cases:case_list")).content.decode()
        assert api_for(persona).get("/api/v1/services/cases/").json()["count"] == 0


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_only_case_workers_may_advance(world, case, client_for, api_for, persona):
    expected = {"social_worker": 302, "supervisor": 403}.get(persona, 404)
    response = client_for(persona).post(page(case, "case_advance"), {"to_status": "assessment", "content": "预估"})
    assert response.status_code == expected
    expected_api = {"social_worker": 201, "supervisor": 403}.get(persona, 404)
    response = api_for(persona).post(api(case, "/records"), {"content": "记录"}, content_type="application/json")
    assert response.status_code == expected_api


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_only_the_supervisor_sees_the_read_log_and_grants(world, case, client_for, api_for, persona):
    expected = {"supervisor": 200, "social_worker": 403}.get(persona, 404)
    assert client_for(persona).get(page(case, "case_read_log")).status_code == expected
    assert api_for(persona).get(api(case, "/read-log")).status_code == expected
    assert api_for(persona).get(api(case, "/grants")).status_code == expected


def test_unassigned_worker_of_the_same_community_gets_404(world, case, client):
    other = make_worker(world)
    client.force_login(other.user)
    assert client.get(page(case)).status_code == 404
    assert client.get(page(case, "record_detail", record_id=case.records.get().public_id)).status_code == 404
    assert client.post(page(case, "case_advance"), {"to_status": "assessment", "content": "x"}).status_code == 404
    assert client.get(api(case)).status_code == 404
    assert client.get(api(case, "/records")).status_code == 404
    assert client.get("/api/v1/services/cases/").json()["count"] == 0
    assert not CaseReadLog.objects.filter(reader=other.user).exists()


def test_grant_holder_reads_but_gets_403_on_changes(world, case, client_for, api_for):
    supervision.case_grant_access(actor=world.supervisor, case=case, user=world.district_officer, reason="抽查",
                                  expires_on=datetime.date.today() + datetime.timedelta(days=5))
    client = client_for("district_officer")
    response = client.get(page(case))
    assert response.status_code == 200 and PROBLEM in response.content.decode()
    assert case.case_number in client.get(reverse("cases:case_list")).content.decode()
    assert client.post(page(case, "case_advance"), {"to_status": "assessment", "content": "x"}).status_code == 403
    assert client.post(page(case, "record_add"), {"content": "x"}).status_code == 403
    token = api_for("district_officer")
    assert token.get(api(case)).status_code == 200
    assert token.post(api(case, "/advance"), {"to_status": "assessment", "content": "x"},
                      content_type="application/json").status_code == 403
    assert token.get(api(case, "/read-log")).status_code == 403


def test_expired_or_revoked_grant_gives_404(world, case, client_for):
    grant = supervision.case_grant_access(actor=world.supervisor, case=case, user=world.district_officer,
                                          reason="抽查", expires_on=datetime.date.today())
    client = client_for("district_officer")
    assert client.get(page(case)).status_code == 200
    type(grant).objects.filter(pk=grant.pk).update(expires_on=datetime.date.today() - datetime.timedelta(days=1))
    assert client.get(page(case)).status_code == 404
    fresh = supervision.case_grant_access(actor=world.supervisor, case=case, user=world.district_officer,
                                          reason="再抽查", expires_on=datetime.date.today())
    assert client.get(page(case)).status_code == 200
    client_for("supervisor").post(page(case, "grant_revoke", grant_id=fresh.public_id))
    assert client.get(page(case)).status_code == 404


def test_worker_loses_access_after_handing_the_case_over(world, case, client_for):
    receiver = make_worker(world)
    referral = referrals.case_refer(actor=world.social_worker, case=case, to_worker=receiver, reason="调岗")
    referrals.referral_answer(actor=receiver.user, referral=referral, accept=True)
    assert client_for("social_worker").get(page(case)).status_code == 404


# The read log -------------------------------------------------------------------------------------------

def test_every_read_lands_in_the_read_log(world, case, client_for, api_for):
    record = case.records.get()
    worker, supervisor = client_for("social_worker"), client_for("supervisor")
    token = api_for("social_worker")

    def reads():
        return CaseReadLog.objects.filter(case=case).count()

    before = reads()
    worker.get(page(case))
    assert reads() == before + 1
    supervisor.get(page(case))
    assert reads() == before + 2
    worker.get(page(case, "record_detail", record_id=record.public_id))
    assert reads() == before + 3
    token.get(api(case))
    token.get(api(case, "/records"))
    token.get(api(case, f"/records/{record.public_id}"))
    token.get(api(case, "/goals"))
    token.get(api(case, "/mandatory-reports"))
    assert reads() == before + 8
    worker.get(reverse("cases:case_list"))
    token.get("/api/v1/services/cases/")
    assert reads() == before + 8  # the list reads no narrative
    rows = list(CaseReadLog.objects.filter(case=case).order_by("id"))
    assert [(r.reader.username, r.what, r.channel) for r in rows] == [
        ("social_worker", "case", "page"), ("supervisor", "case", "page"),
        ("social_worker", f"record:{record.public_id}", "page"), ("social_worker", "case", "api"),
        ("social_worker", "records", "api"), ("social_worker", f"record:{record.public_id}", "api"),
        ("social_worker", "goals", "api"), ("social_worker", "mandatory_reports", "api")]
    assert all(r.at is not None for r in rows)


def test_read_log_page_shows_who_read_what(world, case, client_for):
    client_for("social_worker").get(page(case))
    response = client_for("supervisor").get(page(case, "case_read_log"))
    body = response.content.decode()
    assert response.status_code == 200 and "social_worker" in body and "个案页面" in body
    response = client_for("supervisor").get(reverse("cases:read_log_all"))
    assert case.case_number in response.content.decode()
    assert client_for("social_worker").get(reverse("cases:read_log_all")).status_code == 403
    data = api_for_json(client_for("supervisor"), "/api/v1/services/cases/read-log")
    assert data["count"] == 1 and {"case_number", "reader", "at", "what", "channel"} <= set(data["items"][0])


def api_for_json(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.json()


# Encryption at rest -------------------------------------------------------------------------------------

def test_encrypted_fields_are_not_readable_in_the_database(world):
    child = make_client(world, "林小测", age=12)
    case = intake(world, client=child, consent_basis="statutory_duty", consent_recorded_on=None,
                  background="父母离异，随祖母生活。", suspected_minor_harm=True, harm_concern="手臂有烫伤痕迹。")
    walk_to(world, case, CaseStatus.ASSESSMENT)
    with connection.cursor() as cursor:
        cursor.execute("SELECT presenting_problem, background FROM cases_case")
        problem, background = cursor.fetchone()
        cursor.execute("SELECT content FROM cases_caserecord")
        contents = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT concern FROM cases_mandatoryreport")
        (concern,) = cursor.fetchone()
        history = {}
        for table in ("cases_historicalcase", "cases_historicalmandatoryreport"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            history[table] = ([c[0] for c in cursor.description], repr(cursor.fetchall()))
    for stored, plain in ((problem, PROBLEM), (background, "父母离异"), (concern, "烫伤")):
        assert stored.startswith("enc1:") and plain not in stored
    assert all(c.startswith("enc1:") and "阶段记录" not in c and PROBLEM not in c for c in contents)
    columns, rows = history["cases_historicalcase"]
    assert "presenting_problem" not in columns and "background" not in columns
    assert PROBLEM not in rows and "父母离异" not in rows
    columns, rows = history["cases_historicalmandatoryreport"]
    assert "concern" not in columns and "烫伤" not in rows
    case.refresh_from_db()
    assert case.presenting_problem == PROBLEM  # the ORM decrypts


# Query counts -------------------------------------------------------------------------------------------

def _queries(client, url, **extra) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url, **extra).status_code == 200
    return len(context)


def test_case_list_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    intake(world, client=make_client(world, "甲测试"))
    worker, supervisor = client_for("social_worker"), client_for("supervisor")
    url = reverse("cases:case_list")
    few = (_queries(worker, url), _queries(supervisor, url), _queries(worker, url, HTTP_HX_REQUEST="true"))
    for index in range(6):
        case = intake(world, client=make_client(world, f"乙测试{index}"))
        if index % 2:
            walk_to(world, case, CaseStatus.PLAN)
            referrals.case_refer(actor=world.social_worker, case=case, to_agency="区民政局", reason="低保")
    many = (_queries(worker, url), _queries(supervisor, url), _queries(worker, url, HTTP_HX_REQUEST="true"))
    assert many == few
    with django_assert_max_num_queries(14):
        worker.get(url)
    with django_assert_max_num_queries(14):
        worker.get("/api/v1/services/cases/")


def test_case_page_query_count_does_not_grow(world, client_for, django_assert_max_num_queries):
    case = walk_to(world, intake(world), CaseStatus.INTERVENTION)
    worker, supervisor = client_for("social_worker"), client_for("supervisor")
    few = (_queries(worker, page(case)), _queries(supervisor, page(case)))
    for index in range(6):
        steps.case_record_add(actor=world.social_worker, case=case, content=f"介入记录{index}")
        steps.case_goal_add(actor=world.social_worker, case=case, description=f"目标{index}")
    many = (_queries(worker, page(case)), _queries(supervisor, page(case)))
    assert many == few
    with django_assert_max_num_queries(40):
        worker.get(page(case))
