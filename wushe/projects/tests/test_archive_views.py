"""Archive pages: permissions over every persona for every view, uploads, downloads, export, query counts."""

import io
import zipfile

import pytest
from django.test import Client
from django.urls import reverse

from wushe.audit.models import AuditEvent
from wushe.projects.models import ArchiveDocument, DocumentKind, PeriodicReport, ProjectPhoto, ProjectStatus
from wushe.projects.services import archive as services
from wushe.testing.personas import ALL_PERSONAS

from .factories import make_project
from .test_archive_services import PDF, assign_expert, filled_project, jpeg, pdf

pytestmark = pytest.mark.django_db

# The project belongs to 将台社区 (world.community), led by the world's social worker, applied for by the
# org leader's organization; the expert reviewer is assigned to it.
MAY_VIEW = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "social_worker",
            "supervisor", "org_leader", "expert_reviewer"}
MAY_CHANGE = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "social_worker",
              "org_leader"}
MAY_EXPORT = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "social_worker",
              "org_leader"}


def view_status(persona):
    return 200 if persona in MAY_VIEW else 404


def gated_status(persona, allowed, ok=200):
    if persona in allowed:
        return ok
    return 403 if persona in MAY_VIEW else 404


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


def url(name, project, *extra):
    return reverse(f"projects:{name}", args=[project.public_id, *extra])


# Permissions over every persona -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_read_views_permissions(client_for, world, project, document, photo, persona):
    client = client_for(persona)
    report = PeriodicReport.objects.filter(project=project).first()
    version = document.versions.get(number=1)
    expected = view_status(persona)
    for target in [
        url("project_archive", project),
        url("archive_document_detail", project, document.public_id),
        url("archive_version_download", project, version.public_id),
        url("archive_photo_download", project, photo.public_id),
        url("archive_photo_download", project, photo.public_id) + "?thumb=1",
        url("document_application", project),
        url("document_plan", project),
        url("document_final_report", project),
        url("document_ledger", project),
        url("document_report", project, report.public_id),
    ]:
        response = client.get(target)
        assert response.status_code == expected, target


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_upload_forms_permissions(client_for, world, project, persona):
    client = client_for(persona)
    for name in ("archive_document_create", "archive_photo_create"):
        assert client.get(url(name, project)).status_code == gated_status(persona, MAY_CHANGE), name


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_document_upload_permissions(client_for, world, project, persona):
    response = client_for(persona).post(url("archive_document_create", project), {
        "kind": DocumentKind.MEDIA, "title": "社区报道", "file": pdf("报道.pdf"), "note": ""})
    assert response.status_code == gated_status(persona, MAY_CHANGE, ok=302)
    assert ArchiveDocument.objects.filter(title="社区报道").exists() == (persona in MAY_CHANGE)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_version_upload_and_void_permissions(client_for, world, project, document, persona):
    client = client_for(persona)
    response = client.post(url("archive_version_create", project, document.public_id), {"file": pdf()})
    assert response.status_code == gated_status(persona, MAY_CHANGE, ok=302)
    assert document.versions.count() == (3 if persona in MAY_CHANGE else 2)
    response = client.post(url("archive_document_void", project, document.public_id), {"reason": "重复"})
    assert response.status_code == gated_status(persona, MAY_CHANGE, ok=302)
    document.refresh_from_db()
    assert document.is_voided == (persona in MAY_CHANGE)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_photo_upload_and_void_permissions(client_for, world, project, photo, persona):
    client = client_for(persona)
    response = client.post(url("archive_photo_create", project), {"image": jpeg("活动.jpg"), "caption": "活动现场",
                                                                   "taken_on": "2026-04-02"})
    assert response.status_code == gated_status(persona, MAY_CHANGE, ok=302)
    assert ProjectPhoto.objects.filter(caption="活动现场").exists() == (persona in MAY_CHANGE)
    response = client.post(url("archive_photo_void", project, photo.public_id), {"reason": "模糊"})
    assert response.status_code == gated_status(persona, MAY_CHANGE, ok=302)
    photo.refresh_from_db()
    assert photo.is_voided == (persona in MAY_CHANGE)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_save_generated_permissions(client_for, world, project, persona):
    response = client_for(persona).post(url("document_save", project, "plan"))
    assert response.status_code == gated_status(persona, MAY_CHANGE, ok=302)
    assert ArchiveDocument.objects.filter(project=project, kind=DocumentKind.PLAN).exists() == (
        persona in MAY_CHANGE)


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_export_permissions(client_for, world, project, persona):
    response = client_for(persona).get(url("project_archive_export", project))
    assert response.status_code == gated_status(persona, MAY_EXPORT)
    exported = AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, actor=world.users[persona]).exists()
    assert exported == (persona in MAY_EXPORT)


def test_outsider_gets_404_on_another_streets_archive_and_denial_is_logged(client_for, world, project):
    response = client_for("outsider").get(url("project_archive", project))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.DENIED, actor=world.outsider).exists()


def test_anonymous_is_sent_to_login(world, project, document):
    for target in [url("project_archive", project), url("project_archive_export", project),
                   url("document_ledger", project),
                   url("archive_version_download", project, document.versions.first().public_id)]:
        response = Client().get(target)
        assert response.status_code == 302 and "login" in response["Location"]


def test_files_of_another_project_are_not_reachable_through_this_one(client_for, world, project, document):
    other = make_project(world, title="另一个项目", status=ProjectStatus.IN_PROGRESS)
    version = document.versions.first()
    response = client_for("admin").get(url("archive_version_download", other, version.public_id))
    assert response.status_code == 404


# Behaviour ----------------------------------------------------------------------------------------------


def test_archive_page_lists_documents_by_kind_versions_photos_and_generated(client_for, world, project, document,
                                                                            photo):
    services.document_create(actor=world.org_leader, project=project, kind=DocumentKind.AGREEMENT,
                             title="三方协议", file=pdf())
    gone = services.document_create(actor=world.org_leader, project=project, kind=DocumentKind.OTHER,
                                    title="误传的文件", file=pdf())
    services.document_void(actor=world.org_leader, document=gone, reason="误传")
    body = client_for("community_staff").get(url("project_archive", project)).content.decode()
    assert body.index("实施方案") < body.index("协议")  # kinds in their order
    assert "活动方案" in body and "v2" in body and "历史版本 1 个" in body
    assert url("archive_version_download", project, document.versions.get(number=1).public_id) in body
    assert "探访合影" in body and f"{photo.public_id}/?thumb=1" in body
    assert url("document_ledger", project) in body and url("project_archive_export", project) in body
    assert "已作废的文件 1 个" in body and "误传" in body
    assert "存入档案" in body


def test_read_only_viewer_sees_no_upload_or_export_buttons(client_for, world, project, document):
    body = client_for("supervisor").get(url("project_archive", project)).content.decode()
    assert url("archive_document_create", project) not in body
    assert url("project_archive_export", project) not in body
    assert "存入档案" not in body


def test_download_returns_each_version_with_original_name(client_for, world, project, document):
    client = client_for("expert_reviewer")
    for version in document.versions.all():
        response = client.get(url("archive_version_download", project, version.public_id))
        assert b"".join(response.streaming_content) == version.file.open("rb").read()
        assert "attachment" in response["Content-Disposition"]
        assert response["Cache-Control"] == "private, no-store"


def test_thumbnail_is_a_small_jpeg(client_for, world, project, photo):
    response = client_for("supervisor").get(url("archive_photo_download", project, photo.public_id) + "?thumb=1")
    assert response["Content-Type"] == "image/jpeg" and response.content.startswith(b"\xff\xd8")


def test_upload_errors_show_on_the_form(client_for, world, project):
    client = client_for("org_leader")
    response = client.post(url("archive_document_create", project), {
        "kind": DocumentKind.OTHER, "title": "脚本", "file": pdf("脚本.exe", b"MZ")})
    assert response.status_code == 200 and str(services.MSG_DOCUMENT_FILE_TYPE) in response.content.decode()
    response = client.post(url("archive_photo_create", project), {"image": pdf("扫描.pdf")})
    assert response.status_code == 200 and str(services.MSG_PHOTO_FILE_TYPE) in response.content.decode()


def test_void_without_reason_is_refused(client_for, world, project, document):
    response = client_for("org_leader").post(url("archive_document_void", project, document.public_id),
                                             {"reason": ""}, follow=True)
    document.refresh_from_db()
    assert not document.is_voided and "作废必须填写原因。" in response.content.decode()


def test_document_detail_shows_versions_sha256_and_history(client_for, world, project, document):
    body = client_for("community_staff").get(url("archive_document_detail", project, document.public_id)
                                             ).content.decode()
    assert document.versions.get(number=2).sha256 in body and "修改记录" in body and "新版本 v2" in body
    body = client_for("expert_reviewer").get(url("archive_document_detail", project, document.public_id)
                                             ).content.decode()
    assert "修改记录" not in body and "上传新版本" not in body


def test_generated_downloads_are_audit_logged_and_open(client_for, world, project):
    client = client_for("station_staff")
    response = client.get(url("document_application", project))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    assert b"".join(response.streaming_content).startswith(b"PK")
    client.get(url("document_ledger", project))
    kinds = set(AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT, actor=world.station_staff)
                .values_list("detail__export_kind", flat=True))
    assert kinds == {"project_application", "project_ledger"}


def test_save_report_to_archive(client_for, world, project):
    report = PeriodicReport.objects.filter(project=project).first()
    response = client_for("org_leader").post(url("document_save", project, "report"), {"report": report.public_id})
    assert response.status_code == 302
    document = ArchiveDocument.objects.get(project=project, kind=DocumentKind.REPORT)
    assert document.versions.get().generated
    assert client_for("org_leader").post(url("document_save", project, "report"), {"report": "x"}).status_code == 404
    assert client_for("org_leader").post(url("document_save", project, "bogus")).status_code == 404


def test_export_view_streams_a_zip_with_manifest(client_for, world, project, document, photo):
    response = client_for("org_leader").get(url("project_archive_export", project))
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        names = archive.namelist()
    assert services.MANIFEST_NAME in names and any(n.startswith("照片/") for n in names)


# Query counts -------------------------------------------------------------------------------------------


def archive_page_queries(client, project, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url("project_archive", project))
    assert response.status_code == 200
    return len(captured.captured_queries)


def add_archive_rows(world, project, count):
    for index in range(count):
        document = services.document_create(actor=world.org_leader, project=project,
                                            kind=list(DocumentKind)[index % len(DocumentKind)],
                                            title=f"文件{index}", file=pdf())
        services.document_version_add(actor=world.org_leader, document=document, file=pdf())
        services.photo_create(actor=world.org_leader, project=project, image=jpeg(), caption=f"照片{index}")
        if index % 5 == 0:
            services.document_void(actor=world.org_leader, document=document, reason="作废")


@pytest.mark.parametrize("persona", ["admin", "community_staff", "supervisor"])
def test_archive_page_query_count_does_not_grow(client_for, world, project, django_assert_max_num_queries,
                                                persona):
    client = client_for(persona)
    add_archive_rows(world, project, 3)
    few = archive_page_queries(client, project, django_assert_max_num_queries, 20)
    add_archive_rows(world, project, 27)
    many = archive_page_queries(client, project, django_assert_max_num_queries, 20)
    assert many == few


def test_voided_photo_is_served_only_to_archive_managers(client_for, world, project, photo):
    services.photo_void(actor=world.org_leader, photo=photo, reason="未获居民同意")
    target = url("archive_photo_download", project, photo.public_id)
    assert client_for("supervisor").get(target).status_code == 404
    assert client_for("community_staff").get(target).status_code == 200


def test_archived_project_offers_no_uploads(client_for, world):
    project = filled_project(world, status=ProjectStatus.ARCHIVED)
    body = client_for("community_staff").get(url("project_archive", project)).content.decode()
    assert url("archive_document_create", project) not in body and "存入档案" not in body
    assert url("project_archive_export", project) in body
