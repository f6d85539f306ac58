"""Archive API: permissions over every persona for every endpoint, uploads, downloads, generated documents,
export."""

import io
import zipfile

import pytest
from django.test import Client

from wushe.audit.models import AuditEvent
from wushe.projects.models import ArchiveDocument, DocumentKind, PeriodicReport, ProjectPhoto
from wushe.projects.services import archive as services
from wushe.testing.personas import ALL_PERSONAS

from .test_archive_services import PDF, assign_expert, filled_project, jpeg, pdf
from .test_archive_views import MAY_CHANGE, MAY_EXPORT, gated_status, view_status

pytestmark = pytest.mark.django_db

BASE = "/api/v1/projects"


@pytest.fixture
def project(world):
    project = filled_project(world)
    assign_expert(world, project)
    return project


@pytest.fixture
def document(world, project):
    document = services.document_create(actor=world.org_leader, project=project, kind=DocumentKind.PLAN,
                                        title="活动方案", file=pdf(content=PDF + b"v1"))
    services.document_version_add(actor=world.org_leader, document=document, file=pdf(content=PDF + b"v2"))
    return document


@pytest.fixture
def photo(world, project):
    return services.photo_create(actor=world.org_leader, project=project, image=jpeg(), caption="探访合影")


def path(project, *parts):
    return "/".join([BASE, str(project.public_id), *[str(p) for p in parts]])


def assert_error(response, code):
    body = response.json()
    assert set(body) == {"error"} and body["error"]["code"] == code


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_read_endpoints_permissions(api_for, world, project, document, photo, persona):
    client = api_for(persona)
    report = PeriodicReport.objects.filter(project=project).first()
    expected = view_status(persona)
    for target in [
        path(project, "archive"),
        path(project, "archive", "documents", document.public_id),
        path(project, "archive", "versions", document.versions.first().public_id),
        path(project, "archive", "photos", photo.public_id),
        path(project, "archive", "photos", photo.public_id) + "?thumb=true",
        path(project, "documents", "application"),
        path(project, "documents", "plan"),
        path(project, "documents", "final_report"),
        path(project, "documents", "ledger"),
        path(project, "documents", "reports", report.public_id),
    ]:
        response = client.get(target)
        assert response.status_code == expected, target
        if expected == 404:
            assert_error(response, "not_found")


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_write_endpoints_permissions(api_for, world, project, document, photo, persona):
    client = api_for(persona)
    expected = gated_status(persona, MAY_CHANGE, ok=201)
    response = client.post(path(project, "archive", "documents"),
                           {"kind": DocumentKind.MEDIA, "title": "报道", "file": pdf("报道.pdf")})
    assert response.status_code == expected
    response = client.post(path(project, "archive", "documents", document.public_id, "versions"), {"file": pdf()})
    assert response.status_code == expected
    response = client.post(path(project, "archive", "photos"), {"image": jpeg(), "caption": "合影"})
    assert response.status_code == expected
    response = client.post(path(project, "documents", "ledger", "save"), {}, content_type="application/json")
    assert response.status_code == expected
    void_expected = gated_status(persona, MAY_CHANGE)
    response = client.post(path(project, "archive", "documents", document.public_id, "void"), {"reason": "重复"},
                           content_type="application/json")
    assert response.status_code == void_expected
    response = client.post(path(project, "archive", "photos", photo.public_id, "void"), {"reason": "模糊"},
                           content_type="application/json")
    assert response.status_code == void_expected
    if response.status_code == 403:
        assert_error(response, "forbidden")
    allowed = persona in MAY_CHANGE
    assert ArchiveDocument.objects.filter(title="报道").exists() == allowed
    assert ProjectPhoto.objects.filter(caption="合影").exists() == allowed


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_export_endpoint_permissions(api_for, world, project, persona):
    response = api_for(persona).get(path(project, "archive", "export"))
    assert response.status_code == gated_status(persona, MAY_EXPORT)
    if response.status_code == 200:
        with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
            assert services.MANIFEST_NAME in archive.namelist()
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, actor=world.users[persona]).exists()


def test_unauthenticated_is_401(world, project):
    response = Client().get(path(project, "archive"))
    assert response.status_code == 401
    assert_error(response, "unauthenticated")


def test_archive_listing_shape(api_for, world, project, document, photo):
    body = api_for("community_staff").get(path(project, "archive")).json()
    [listed] = body["documents"]
    assert listed["title"] == "活动方案" and listed["kind_display"] == "实施方案"
    assert [v["number"] for v in listed["versions"]] == [2, 1]
    assert listed["versions"][0]["sha256"] == document.versions.get(number=2).sha256
    assert listed["versions"][1]["download_url"].endswith(
        f"/archive/versions/{document.versions.get(number=1).public_id}")
    assert body["photos"][0]["caption"] == "探访合影" and body["photos"][0]["thumbnail_url"].endswith("?thumb=1")


def test_upload_validation_errors_use_the_error_shape(api_for, world, project):
    client = api_for("org_leader")
    response = client.post(path(project, "archive", "documents"),
                           {"kind": DocumentKind.OTHER, "title": "脚本", "file": pdf("a.exe", b"MZ")})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["file"] == [str(services.MSG_DOCUMENT_FILE_TYPE)]
    response = client.post(path(project, "archive", "photos"), {"image": pdf("b.pdf")})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["image"] == [str(services.MSG_PHOTO_FILE_TYPE)]


def test_version_upload_increments_and_download_matches(api_for, world, project, document):
    client = api_for("social_worker")
    response = client.post(path(project, "archive", "documents", document.public_id, "versions"),
                           {"file": pdf(content=PDF + b"v3"), "note": "第三稿"})
    assert response.status_code == 201 and response.json()["number"] == 3
    download = client.get(response.json()["download_url"])
    assert b"".join(download.streaming_content) == PDF + b"v3"


def test_save_generated_report_and_unknown_kind(api_for, world, project):
    client = api_for("org_leader")
    report = PeriodicReport.objects.filter(project=project).first()
    response = client.post(path(project, "documents", "report", "save"), {"report": str(report.public_id)},
                           content_type="application/json")
    assert response.status_code == 201 and response.json()["generated"] is True
    response = client.post(path(project, "documents", "bogus", "save"), {}, content_type="application/json")
    assert response.status_code == 404
    assert client.get(path(project, "documents", "bogus")).status_code == 404
