"""Archive services: documents with versions, photos, limits, voiding, generated documents saved to the
archive, and the whole-archive export. Also the shared helpers of the archive/documents/public tests."""

import datetime
import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook
from PIL import Image

from wushe.audit.models import AuditEvent
from wushe.projects.models import (
    BudgetAdjustment,
    DocumentKind,
    DocumentVersion,
    Evaluation,
    EvaluationStage,
    Expense,
    PeriodicReport,
    ProjectStatus,
    ReviewerAssignment,
    Tranche,
    TrancheCondition,
)
from wushe.projects.services import archive as services

from .factories import make_budget, make_project

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% synthetic archive document\n"
DOCX_HEAD = b"PK\x03\x04synthetic-docx"


def pdf(name="活动方案.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def image_bytes(fmt="JPEG", size=(64, 48), color=(200, 80, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return buffer.getvalue()


def jpeg(name="探访.jpg", **kwargs):
    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/jpeg")


def png(name="分享会.png"):
    return SimpleUploadedFile(name, image_bytes("PNG"), content_type="image/png")


# Synthetic figures of the filled project (two submitted reports and one draft that must not count).
REPORTS = [
    {"activities_held": 4, "direct_beneficiaries": 30, "person_times": 120, "indirect_beneficiaries": 200,
     "volunteers_involved": 8},
    {"activities_held": 6, "direct_beneficiaries": 25, "person_times": 100, "indirect_beneficiaries": 150,
     "volunteers_involved": 9},
]
DRAFT_REPORT = {"activities_held": 900, "direct_beneficiaries": 9000, "person_times": 90000,
                "indirect_beneficiaries": 90000, "volunteers_involved": 900}
SUMS = {"activities": 10, "direct": 55, "person_times": 220, "indirect": 350, "volunteers": 17}
# Lines 活动物料 3000, 志愿者保险与交通 2000 (+500 approved), 宣传印刷 3000; expenses 1200 + 350.50 + 800.
EXPENSES = [(0, "1200.00", "北京将台印刷有限公司", "探访登记册印制"), (0, "350.50", "孙小明", "志愿者慰问品"),
            (1, "800.00", "某保险股份有限公司", "志愿者意外险")]
LEDGER_TOTAL = Decimal("2350.50")


def filled_project(world, funding_round=None, *, status=ProjectStatus.IN_PROGRESS, **overrides):
    """A running project with budget lines, an approved adjustment, ledger entries, tranches, reports,
    evaluations and a volunteer — everything the generated documents read."""
    values = {"status": status, "approved_amount": Decimal("8000"), "contact_phone": "13912345678", "rank": 1,
              "expert_score": Decimal("86.00"), "resident_score": Decimal("92.00"),
              "total_score": Decimal("87.80"), "final_grade": "A"}
    values.update(overrides)
    project = make_project(world, funding_round, **values)
    lines = make_budget(project)
    lines[1].amount += Decimal("500")
    lines[1].save()
    BudgetAdjustment.objects.create(project=project, line=lines[1], delta=Decimal("500"), reason="交通费上涨",
                                    status=BudgetAdjustment.Status.APPROVED)
    BudgetAdjustment.objects.create(project=project, line=lines[2], delta=Decimal("-900"), reason="尚未批准",
                                    status=BudgetAdjustment.Status.REQUESTED)
    for index, amount, payee, description in EXPENSES:
        line = lines[index]
        Expense.objects.create(project=project, line=line, amount=Decimal(amount), payee=payee,
                               spent_on=datetime.date(2026, 4, 1 + index), description=description)
        line.spent += Decimal(amount)
        line.save()
    voided = Expense.objects.create(project=project, line=lines[2], amount=Decimal("99"), payee="作废收款方",
                                    spent_on=datetime.date(2026, 4, 9), description="录错作废")
    voided.voided_at = timezone.now()
    voided.save()
    Tranche.objects.create(project=project, sequence=1, percent=Decimal("50"), amount=Decimal("4000"),
                           condition=TrancheCondition.AGREEMENT, status=Tranche.Status.RELEASED,
                           released_on=datetime.date(2026, 3, 5))
    Tranche.objects.create(project=project, sequence=2, percent=Decimal("50"), amount=Decimal("4000"),
                           condition=TrancheCondition.MIDTERM)
    for month, figures in enumerate(REPORTS):
        PeriodicReport.objects.create(
            project=project, kind=PeriodicReport.Kind.QUARTERLY, period_start=datetime.date(2026, 3 + 3 * month, 1),
            period_end=datetime.date(2026, 5 + 3 * month, 28), progress=f"第{month + 1}季度完成探访。",
            outcomes=f"第{month + 1}季度老人孤独感下降。", submitted_at=timezone.now(), **figures)
    PeriodicReport.objects.create(project=project, kind=PeriodicReport.Kind.MONTHLY,
                                  period_start=datetime.date(2026, 8, 1), period_end=datetime.date(2026, 8, 31),
                                  progress="草稿", **DRAFT_REPORT)
    Evaluation.objects.create(project=project, stage=EvaluationStage.MIDTERM, expert_score=Decimal("80"),
                              resident_score=Decimal("85"), score=Decimal("81.50"), grade="B", passed=True,
                              conclusion="中期进展良好。")
    Evaluation.objects.create(project=project, stage=EvaluationStage.FINAL, expert_score=Decimal("88"),
                              resident_score=Decimal("95"), score=Decimal("90.10"), grade="A", passed=True,
                              conclusion="目标全部达成。")
    project.volunteers.add(world.objects["volunteer"])
    return project


def assign_expert(world, project):
    return ReviewerAssignment.objects.create(project=project, reviewer=world.expert_reviewer)


# Documents and versions ---------------------------------------------------------------------------------


def test_document_create_stores_first_version_with_digest(world):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    document = services.document_create(actor=world.community_staff, project=project, kind=DocumentKind.AGREEMENT,
                                        title="三方协议扫描件", file=pdf("协议.pdf"), note="签字版")
    version = document.versions.get()
    assert (version.number, version.original_name, version.size) == (1, "协议.pdf", len(PDF))
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.uploaded_by == world.community_staff and not version.generated
    assert version.file.name.startswith("projects/archive/") and "协议" not in version.file.name
    assert document.history.first().history_user == world.community_staff


def test_version_numbers_increment_and_old_versions_stay(world):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    document = services.document_create(actor=world.org_leader, project=project, kind=DocumentKind.PLAN,
                                        title="活动方案", file=pdf(content=PDF + b"v1"))
    second = services.document_version_add(actor=world.social_worker, document=document,
                                           file=pdf("活动方案修订.pdf", PDF + b"v2"), note="修订")
    third = services.document_version_add(actor=world.street_officer, document=document,
                                          file=SimpleUploadedFile("方案.docx", DOCX_HEAD))
    assert [v.number for v in document.versions.order_by("number")] == [1, 2, 3]
    assert (second.number, third.number) == (2, 3)
    first = document.versions.get(number=1)
    assert first.file.open("rb").read() == PDF + b"v1"
    assert {v.uploaded_by for v in document.versions.all()} == {world.org_leader, world.social_worker,
                                                               world.street_officer}


@pytest.mark.parametrize(("name", "content", "message"), [
    ("病毒.exe", b"MZ\x90\x00", services.MSG_DOCUMENT_FILE_TYPE),
    ("伪装.pdf", b"MZ\x90\x00 not a pdf", services.MSG_DOCUMENT_FILE_TYPE),
    ("说明.txt", b"plain text", services.MSG_DOCUMENT_FILE_TYPE),
])
def test_document_type_is_checked_by_extension_and_content(world, name, content, message):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    with pytest.raises(ValidationError) as excinfo:
        services.document_create(actor=world.community_staff, project=project, kind=DocumentKind.OTHER,
                                 title="附件", file=SimpleUploadedFile(name, content))
    assert excinfo.value.message_dict["file"] == [str(message)]


def test_document_size_limit(world, settings):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    big = SimpleUploadedFile("大文件.pdf", b"%PDF" + b"0" * (services.DOCUMENT_MAX_BYTES - 3))
    with pytest.raises(ValidationError) as excinfo:
        services.document_create(actor=world.community_staff, project=project, kind=DocumentKind.OTHER,
                                 title="附件", file=big)
    assert excinfo.value.message_dict["file"] == [str(services.MSG_DOCUMENT_FILE_TOO_LARGE)]


def test_document_requires_title_and_known_kind(world):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    with pytest.raises(ValidationError) as excinfo:
        services.document_create(actor=world.community_staff, project=project, kind="bogus", title=" ", file=pdf())
    assert excinfo.value.message_dict["title"] == [str(services.MSG_TITLE_REQUIRED)]
    assert excinfo.value.message_dict["kind"] == [str(services.MSG_KIND_INVALID)]


@pytest.mark.parametrize("persona", ["supervisor", "expert_reviewer", "volunteer", "resident", "outsider"])
def test_only_change_manage_or_monitor_roles_may_upload(world, persona):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    assign_expert(world, project)
    with pytest.raises(PermissionDenied):
        services.document_create(actor=world.users[persona], project=project, kind=DocumentKind.OTHER,
                                 title="附件", file=pdf())
    with pytest.raises(PermissionDenied):
        services.photo_create(actor=world.users[persona], project=project, image=jpeg())


@pytest.mark.parametrize("persona", ["admin", "district_officer", "street_officer", "station_staff",
                                     "community_staff", "social_worker", "org_leader"])
def test_change_manage_and_monitor_roles_may_upload(world, persona):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    document = services.document_create(actor=world.users[persona], project=project, kind=DocumentKind.OTHER,
                                        title="附件", file=pdf())
    assert document.versions.count() == 1


def test_void_document_keeps_versions_and_refuses_new_ones(world):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    document = services.document_create(actor=world.org_leader, project=project, kind=DocumentKind.MEDIA,
                                        title="报道", file=pdf())
    with pytest.raises(ValidationError):
        services.document_void(actor=world.org_leader, document=document, reason=" ")
    services.document_void(actor=world.org_leader, document=document, reason="重复上传")
    document.refresh_from_db()
    assert document.is_voided and document.void_reason == "重复上传"
    assert document.versions.count() == 1
    with pytest.raises(ValidationError) as excinfo:
        services.document_version_add(actor=world.org_leader, document=document, file=pdf())
    assert str(services.MSG_DOCUMENT_VOIDED) in excinfo.value.messages


def test_archived_project_archive_is_closed(world):
    project = make_project(world, status=ProjectStatus.ARCHIVED)
    with pytest.raises(ValidationError) as excinfo:
        services.document_create(actor=world.admin, project=project, kind=DocumentKind.OTHER, title="迟到材料",
                                 file=pdf())
    assert str(services.MSG_ARCHIVE_CLOSED) in excinfo.value.messages


# Photos -------------------------------------------------------------------------------------------------


def test_photo_upload_jpg_and_png(world):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    first = services.photo_create(actor=world.org_leader, project=project, image=jpeg(), caption="入户探访",
                                  taken_on=datetime.date(2026, 3, 8))
    second = services.photo_create(actor=world.station_staff, project=project, image=png())
    assert first.caption == "入户探访" and first.uploaded_by == world.org_leader
    assert first.image.name.endswith(".jpg") and second.image.name.endswith(".png")
    thumbnail = Image.open(io.BytesIO(services.photo_thumbnail(first)))
    assert thumbnail.format == "JPEG" and max(thumbnail.size) <= 480


@pytest.mark.parametrize(("upload", "message"), [
    (lambda: SimpleUploadedFile("扫描.pdf", PDF), services.MSG_PHOTO_FILE_TYPE),
    (lambda: SimpleUploadedFile("动图.gif", b"GIF89a...."), services.MSG_PHOTO_FILE_TYPE),
    (lambda: SimpleUploadedFile("坏图.jpg", b"\xff\xd8\xff\xe0 broken jpeg"), services.MSG_PHOTO_FILE_TYPE),
    (lambda: SimpleUploadedFile("改名.jpg", image_bytes("PNG")), services.MSG_PHOTO_FILE_TYPE),
])
def test_photo_type_is_checked(world, upload, message):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    with pytest.raises(ValidationError) as excinfo:
        services.photo_create(actor=world.org_leader, project=project, image=upload())
    assert excinfo.value.message_dict["image"] == [str(message)]


def test_photo_size_limit_and_future_date(world):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    big = SimpleUploadedFile("大图.jpg", image_bytes() + b"\0" * services.PHOTO_MAX_BYTES)
    with pytest.raises(ValidationError) as excinfo:
        services.photo_create(actor=world.org_leader, project=project, image=big)
    assert excinfo.value.message_dict["image"] == [str(services.MSG_PHOTO_TOO_LARGE)]
    with pytest.raises(ValidationError) as excinfo:
        services.photo_create(actor=world.org_leader, project=project, image=jpeg(),
                              taken_on=timezone.localdate() + datetime.timedelta(days=2))
    assert excinfo.value.message_dict["taken_on"] == [str(services.MSG_PHOTO_DATE_IN_FUTURE)]


def test_photo_void(world):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    photo = services.photo_create(actor=world.org_leader, project=project, image=jpeg())
    services.photo_void(actor=world.street_officer, photo=photo, reason="含居民正脸，未获同意")
    photo.refresh_from_db()
    assert photo.is_voided and photo.voided_by == world.street_officer


# Generated documents saved to the archive ---------------------------------------------------------------


def test_generated_document_saved_as_new_generated_version(world):
    project = filled_project(world)
    first = services.generated_document_save(actor=world.org_leader, project=project, which="application")
    second = services.generated_document_save(actor=world.org_leader, project=project, which="application")
    ledger = services.generated_document_save(actor=world.org_leader, project=project, which="ledger")
    assert first.document == second.document and (first.number, second.number) == (1, 2)
    assert first.generated and first.document.kind == DocumentKind.APPLICATION
    assert first.document.title == "申报书（系统生成）" and first.original_name.endswith(".docx")
    assert ledger.document.kind == DocumentKind.FINANCIAL and ledger.original_name.endswith(".xlsx")
    assert first.sha256 == hashlib.sha256(first.file.open("rb").read()).hexdigest()
    report = PeriodicReport.objects.filter(project=project, submitted_at__isnull=False).first()
    saved = services.generated_document_save(actor=world.org_leader, project=project, which="report",
                                             report=report)
    assert saved.document.kind == DocumentKind.REPORT and "季度报告" in saved.document.title


def test_generated_download_is_audit_logged(world):
    project = filled_project(world)
    filename, content_type, content = services.generated_document_download(
        actor=world.supervisor, project=project, which="ledger")
    assert filename.endswith(".xlsx") and content.startswith(b"PK")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT, actor=world.supervisor)
    assert event.target == f"project:{project.public_id}" and event.detail["export_kind"] == "project_ledger"


# Export -------------------------------------------------------------------------------------------------


def _manifest_rows(archive: zipfile.ZipFile) -> dict[str, dict]:
    workbook = load_workbook(io.BytesIO(archive.read(services.MANIFEST_NAME)))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    header_index = next(i for i, row in enumerate(rows) if row and row[0] == "序号")
    header = rows[header_index]
    return {row[1]: dict(zip(header, row, strict=True)) for row in rows[header_index + 1:] if row and row[1]}


def test_export_zip_contains_manifest_and_every_file_with_matching_sha256(world):
    project = filled_project(world)
    document = services.document_create(actor=world.org_leader, project=project, kind=DocumentKind.AGREEMENT,
                                        title="三方协议", file=pdf(content=PDF + b"v1"))
    services.document_version_add(actor=world.org_leader, document=document, file=pdf(content=PDF + b"v2"))
    gone = services.document_create(actor=world.org_leader, project=project, kind=DocumentKind.OTHER,
                                    title="误传文件", file=pdf(content=PDF + b"gone"))
    services.document_void(actor=world.org_leader, document=gone, reason="误传")
    services.photo_create(actor=world.org_leader, project=project, image=jpeg(), caption="分享会",
                          taken_on=datetime.date(2026, 4, 2))
    voided_photo = services.photo_create(actor=world.org_leader, project=project, image=png(), caption="作废照片")
    services.photo_void(actor=world.org_leader, photo=voided_photo, reason="模糊")

    filename, spool = services.archive_export(actor=world.street_officer, project=project)
    assert filename.endswith(".zip")
    with zipfile.ZipFile(spool) as archive:
        names = set(archive.namelist())
        assert services.MANIFEST_NAME in names
        manifest = _manifest_rows(archive)
        assert set(manifest) == names - {services.MANIFEST_NAME}
        for path, row in manifest.items():
            content = archive.read(path)
            assert row["SHA-256"] == hashlib.sha256(content).hexdigest()
            assert row["大小（字节）"] == len(content)
        generated = [n for n in names if n.startswith("生成文件/")]
        assert any(n.endswith(".xlsx") and "项目专账" in n for n in generated)
        assert sum(1 for n in generated if "申报书" in n) == 1
        assert sum(1 for n in generated if n.startswith("生成文件/项目报告/")) == 2  # submitted reports only
        agreement = [n for n in names if n.startswith("档案/协议/")]
        assert len(agreement) == 1 and agreement[0].endswith("v2.pdf")
        assert archive.read(agreement[0]) == PDF + b"v2"
        assert manifest[agreement[0]]["SHA-256"] == document.versions.get(number=2).sha256
        assert not any("误传文件" in n for n in names)
        photos = [n for n in names if n.startswith("照片/")]
        assert len(photos) == 1 and "分享会" in photos[0]
        history = load_workbook(io.BytesIO(archive.read(services.MANIFEST_NAME))).worksheets[1]
        assert sum(1 for row in history.iter_rows(min_row=2, values_only=True) if row[1] == "三方协议") == 2
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT, actor=world.street_officer)
    assert event.detail["export_kind"] == "project_archive" and event.detail["files"] == len(manifest)


@pytest.mark.parametrize("persona", ["supervisor", "expert_reviewer", "outsider"])
def test_export_requires_export_permission(world, persona):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    assign_expert(world, project)
    with pytest.raises(PermissionDenied):
        services.archive_export(actor=world.users[persona], project=project)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_versions_have_unique_numbers_per_document(world):
    project = make_project(world, status=ProjectStatus.IN_PROGRESS)
    document = services.document_create(actor=world.org_leader, project=project, kind=DocumentKind.OTHER,
                                        title="附件", file=pdf())
    for _ in range(3):
        services.document_version_add(actor=world.org_leader, document=document, file=pdf())
    numbers = list(DocumentVersion.objects.filter(document=document).values_list("number", flat=True))
    assert sorted(numbers) == [1, 2, 3, 4]
