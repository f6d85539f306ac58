"""Every page and endpoint over every persona: no IMPORT on a kind → 403, another user's job → 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from wushe.audit.models import AuditEvent
from wushe.imports.models import ImportJob
from wushe.testing.personas import ALL_PERSONAS

from .conftest import import_rows, resident, xlsx_upload

pytestmark = pytest.mark.django_db

STAFF = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "outsider"}
# Who may import / export each kind somewhere (docs/permissions.md, wushe/accounts/policy.py MATRIX).
MAY_IMPORT = {
    "regions": {"admin"},
    "residents": {"admin", "street_officer", "community_staff", "outsider"},
    "organizations": {"admin", "district_officer", "street_officer"},
    "social_workers": {"admin", "district_officer", "street_officer", "station_staff"},
    "volunteers": {"admin", "street_officer", "station_staff", "community_staff", "outsider"},
}
MAY_EXPORT = {
    "regions": {"admin", "district_officer", "street_officer"},
    "residents": {"admin", "district_officer", "street_officer", "community_staff", "outsider"},
    "organizations": STAFF,
    "social_workers": {"admin", "district_officer", "street_officer", "station_staff"},
    "volunteers": STAFF,
}


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_hub_is_for_roles_that_import_or_export(client_for, persona):
    response = client_for(persona).get(reverse("imports:hub"))
    assert response.status_code == (200 if persona in STAFF else 403)


def test_hub_shows_only_allowed_kinds(client_for):
    body = client_for("community_staff").get(reverse("imports:hub")).content.decode()
    assert reverse("imports:upload", args=["residents"]) in body
    assert reverse("imports:upload", args=["organizations"]) not in body
    assert reverse("imports:export", args=["organizations"]) in body
    assert reverse("imports:export", args=["regions"]) not in body


def test_hub_query_count_does_not_grow_with_jobs(world, client_for, django_assert_max_num_queries):
    client = client_for("community_staff")
    for i in range(3):
        import_rows("residents", [resident(i)], world.community_staff)
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("imports:hub"))
    for i in range(3, 13):
        import_rows("residents", [resident(i)], world.community_staff)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("imports:hub"))


@pytest.mark.parametrize("kind", list(MAY_IMPORT))
def test_template_download_needs_import(client_for, kind):
    wrong = []
    for persona in ALL_PERSONAS:
        status = client_for(persona).get(reverse("imports:template", args=[kind])).status_code
        if status != (200 if persona in MAY_IMPORT[kind] else 403):
            wrong.append((persona, status))
    assert wrong == []


@pytest.mark.parametrize("kind", list(MAY_IMPORT))
def test_upload_needs_import(client_for, kind):
    wrong = []
    for persona in ALL_PERSONAS:
        upload = SimpleUploadedFile("not-a-sheet.txt", b"x")
        status = client_for(persona).post(reverse("imports:upload", args=[kind]),
                                          {f"{kind}-file": upload}).status_code
        # Allowed users get the page back with the file error; the others are refused.
        if status != (200 if persona in MAY_IMPORT[kind] else 403):
            wrong.append((persona, status))
    assert wrong == [] and not ImportJob.objects.exists()


@pytest.mark.parametrize("kind", list(MAY_EXPORT))
def test_export_needs_export(client_for, kind):
    wrong = []
    for persona in ALL_PERSONAS:
        status = client_for(persona).get(reverse("imports:export", args=[kind])).status_code
        if status != (200 if persona in MAY_EXPORT[kind] else 403):
            wrong.append((persona, status))
    assert wrong == []


def test_denied_upload_is_audited(world, client_for):
    client_for("station_staff").post(reverse("imports:upload", args=["residents"]),
                                     {"residents-file": xlsx_upload("residents", [resident(1)])})
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DENIED, actor=world.station_staff).exists()


def test_outsider_upload_into_our_community_fails_on_scope(world, client_for):
    response = client_for("outsider").post(reverse("imports:upload", args=["residents"]),
                                           {"residents-file": xlsx_upload("residents", [resident(1)])})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportJob.Status.FAILED and job.actor == world.outsider
    assert job.errors[0]["column"] == "所属区划代码"


def test_unknown_kind_is_404(client_for):
    client = client_for("admin")
    assert client.get(reverse("imports:template", args=["spaceships"])).status_code == 404
    assert client.get(reverse("imports:export", args=["spaceships"])).status_code == 404


def test_another_users_job_is_404_everywhere(world, client_for):
    job = import_rows("residents", [resident(1, region="999999999999")], world.community_staff)
    owner = client_for("community_staff")
    for name in ("imports:job_detail", "imports:job_errors"):
        assert owner.get(reverse(name, args=[job.public_id])).status_code == 200
    for persona in ALL_PERSONAS:
        if persona == "community_staff":
            continue
        client = client_for(persona)
        assert client.get(reverse("imports:job_detail", args=[job.public_id])).status_code == 404, persona
        assert client.get(reverse("imports:job_errors", args=[job.public_id])).status_code == 404, persona
        assert client.post(reverse("imports:job_commit", args=[job.public_id])).status_code == 404, persona
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DENIED, target=f"import_job:{job.public_id}").exists()


def test_anonymous_is_sent_to_login(world):
    job = import_rows("residents", [resident(1)], world.community_staff)
    client = Client()
    for url in (reverse("imports:hub"), reverse("imports:template", args=["residents"]),
                reverse("imports:export", args=["residents"]), reverse("imports:job_detail", args=[job.public_id])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


# --- API ---------------------------------------------------------------------------------------------

def test_api_requires_authentication(world):
    response = Client().get("/api/v1/imports/jobs")
    assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


def test_api_upload_runs_a_job_and_reports_it(world, api_for):
    api = api_for("community_staff")
    response = api.post("/api/v1/imports/jobs", {"kind": "residents", "dry_run": "false",
                                                 "file": xlsx_upload("residents", [resident(1), resident(2)])})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "succeeded" and body["created_count"] == 2 and body["progress_percent"] == 100
    job_url = f"/api/v1/imports/jobs/{body['public_id']}"
    assert api.get(job_url).json()["total_rows"] == 2
    assert [item["public_id"] for item in api.get("/api/v1/imports/jobs").json()["items"]] == [body["public_id"]]


def test_api_errors_endpoint_lists_row_errors(world, api_for):
    job = import_rows("residents", [resident(1, name=""), resident(2, region="1")], world.community_staff)
    api = api_for("community_staff")
    items = api.get(f"/api/v1/imports/jobs/{job.public_id}/errors").json()["items"]
    assert [(item["row"], item["column"]) for item in items] == [(2, "姓名"), (3, "所属区划代码")]
    response = api.get(f"/api/v1/imports/jobs/{job.public_id}/errors.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_api_upload_without_import_is_403_and_bad_file_is_422(world, api_for):
    response = api_for("station_staff").post("/api/v1/imports/jobs", {
        "kind": "residents", "file": xlsx_upload("residents", [resident(1)])})
    assert response.status_code == 403 and set(response.json()["error"]) == {"code", "message", "fields"}
    response = api_for("community_staff").post("/api/v1/imports/jobs", {
        "kind": "residents", "file": SimpleUploadedFile("a.txt", b"x")})
    assert response.status_code == 422 and "file" in response.json()["error"]["fields"]
    response = api_for("community_staff").post("/api/v1/imports/jobs", {
        "kind": "spaceships", "file": xlsx_upload("residents", [resident(1)])})
    assert response.status_code == 422
    assert not ImportJob.objects.exists()


def test_api_other_users_job_is_404(world, api_for):
    job = import_rows("residents", [resident(1)], world.community_staff)
    for persona in ("admin", "street_officer", "outsider"):
        api = api_for(persona)
        for suffix in ("", "/errors", "/errors.xlsx"):
            response = api.get(f"/api/v1/imports/jobs/{job.public_id}{suffix}")
            assert response.status_code == 404, (persona, suffix)
        assert api.get("/api/v1/imports/jobs").json()["items"] == []


@pytest.mark.parametrize("kind", ["residents", "regions"])
def test_api_templates_and_exports_follow_the_policy(world, api_for, kind):
    wrong = []
    for persona in ALL_PERSONAS:
        api = api_for(persona)
        template = api.get(f"/api/v1/imports/templates/{kind}").status_code
        export = api.get(f"/api/v1/imports/exports/{kind}").status_code
        if template != (200 if persona in MAY_IMPORT[kind] else 403):
            wrong.append(("template", persona, template))
        if export != (200 if persona in MAY_EXPORT[kind] else 403):
            wrong.append(("export", persona, export))
    assert wrong == []


def test_openapi_lists_the_imports_endpoints(world, api_for):
    paths = api_for("admin").get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/imports/jobs", "/api/v1/imports/jobs/{public_id}", "/api/v1/imports/jobs/{public_id}/errors",
            "/api/v1/imports/templates/{kind}", "/api/v1/imports/exports/{kind}"} <= set(paths)
