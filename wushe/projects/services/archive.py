"""Writes to a project's archive (档案): documents with versions, photos, voiding, generated documents saved
as versions, and the whole-archive export (one .zip with a manifest).

Who may write: the applicant side (CHANGE), officers (MANAGE) and monitoring staff (MONITOR) of the
project. Files are stored under random names and served only through permission-checked views.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import os
import re
import tempfile
import uuid
import zipfile
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Font
from PIL import Image, UnidentifiedImageError

from wushe.accounts.policy import Action, Resource, can
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record
from wushe.core.services import record_void, save_with_history

from ..models import ArchiveDocument, DocumentKind, DocumentVersion, PeriodicReport, Project, ProjectPhoto
from ..models import ProjectStatus as P
from ..selectors.archive import archive_documents, archive_photos, may_change_archive, project_reports
from . import documents as docs

MSG_ARCHIVE_FORBIDDEN = _("您无权修改该项目的档案。")
MSG_EXPORT_FORBIDDEN = _("您无权导出该项目的档案。")
MSG_ARCHIVE_CLOSED = _("项目已归档或已作废，档案不能再修改。")
MSG_TITLE_REQUIRED = _("请填写文件标题。")
MSG_KIND_INVALID = _("请选择文件类别。")
MSG_FILE_REQUIRED = _("请选择要上传的文件。")
MSG_DOCUMENT_FILE_TYPE = _("档案文件仅支持 PDF、Word、Excel、PowerPoint、JPG、PNG 格式。")
MSG_DOCUMENT_FILE_TOO_LARGE = _("档案文件不能超过 20 MB。")
MSG_PHOTO_FILE_TYPE = _("照片仅支持 JPG、PNG 格式。")
MSG_PHOTO_TOO_LARGE = _("照片不能超过 10 MB。")
MSG_DOCUMENT_VOIDED = _("该文件已作废，不能再上传新版本。")
MSG_PHOTO_DATE_IN_FUTURE = _("拍摄日期不能晚于今天。")
MSG_UNKNOWN_GENERATED = _("不支持生成该类文件。")
MSG_REPORT_REQUIRED = _("请指定要生成的项目报告。")

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
PHOTO_MAX_BYTES = 10 * 1024 * 1024
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls / .ppt
ZIP = b"PK\x03\x04"  # .docx / .xlsx / .pptx
JPEG = b"\xff\xd8\xff"
PNG = b"\x89PNG\r\n\x1a\n"
DOCUMENT_SIGNATURES = {
    ".pdf": (b"%PDF",), ".doc": (OLE,), ".docx": (ZIP,), ".xls": (OLE,), ".xlsx": (ZIP,), ".ppt": (OLE,),
    ".pptx": (ZIP,), ".jpg": (JPEG,), ".jpeg": (JPEG,), ".png": (PNG,),
}
PHOTO_SIGNATURES = {".jpg": (JPEG,), ".jpeg": (JPEG,), ".png": (PNG,)}
PHOTO_FORMATS = {"JPEG", "PNG"}
DOCUMENT_ACCEPT = ",".join(DOCUMENT_SIGNATURES)
PHOTO_ACCEPT = ",".join(PHOTO_SIGNATURES)
NAME_MAX = 200


# Checks -------------------------------------------------------------------------------------------------


def archive_open(project: Project) -> bool:
    """An archive takes new files until the project is archived (归档) or voided."""
    return not project.is_voided and project.status != P.ARCHIVED


def _require_archive_change(actor, project: Project) -> None:
    if not may_change_archive(actor, project):
        raise PermissionDenied(MSG_ARCHIVE_FORBIDDEN)
    if not archive_open(project):
        raise ValidationError(MSG_ARCHIVE_CLOSED, code="archive_closed")


def file_extension(name: str) -> str:
    return os.path.splitext(name or "")[1].lower()


def _head(upload, length: int = 8) -> bytes:
    upload.seek(0)
    head = upload.read(length)
    upload.seek(0)
    return head


def validate_document_file(upload, field: str = "file") -> None:
    """PDF, Word, Excel, PowerPoint, JPG or PNG up to 20 MB, checked by extension and leading bytes."""
    if not upload:
        raise ValidationError({field: ValidationError(MSG_FILE_REQUIRED, code="required")})
    signatures = DOCUMENT_SIGNATURES.get(file_extension(upload.name))
    if signatures is None or not any(_head(upload).startswith(s) for s in signatures):
        raise ValidationError({field: ValidationError(MSG_DOCUMENT_FILE_TYPE, code="file_type")})
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ValidationError({field: ValidationError(MSG_DOCUMENT_FILE_TOO_LARGE, code="file_size")})


def validate_photo_file(upload, field: str = "image") -> None:
    """JPG or PNG up to 10 MB that Pillow can read."""
    if not upload:
        raise ValidationError({field: ValidationError(MSG_FILE_REQUIRED, code="required")})
    signatures = PHOTO_SIGNATURES.get(file_extension(upload.name))
    if signatures is None or not any(_head(upload).startswith(s) for s in signatures):
        raise ValidationError({field: ValidationError(MSG_PHOTO_FILE_TYPE, code="file_type")})
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError({field: ValidationError(MSG_PHOTO_TOO_LARGE, code="file_size")})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError({field: ValidationError(MSG_PHOTO_FILE_TYPE, code="file_type")}) from exc
    finally:
        upload.seek(0)
    if image_format not in PHOTO_FORMATS:
        raise ValidationError({field: ValidationError(MSG_PHOTO_FILE_TYPE, code="file_type")})


def _digest(upload) -> str:
    upload.seek(0)
    sha = hashlib.sha256()
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


def _stored_name(original: str) -> str:
    return f"{uuid.uuid4().hex}{file_extension(original)}"


# Documents and versions ---------------------------------------------------------------------------------


def _add_version(*, actor, document: ArchiveDocument, upload, original_name: str, note: str = "",
                 generated: bool = False) -> DocumentVersion:
    # Lock the document row so two uploads never take the same number (SQLite: the IMMEDIATE transaction).
    ArchiveDocument.objects.select_for_update().filter(pk=document.pk).first()
    number = (document.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = DocumentVersion(document=document, number=number, original_name=original_name[:NAME_MAX],
                              size=upload.size, sha256=_digest(upload), note=(note or "").strip()[:200],
                              generated=generated, uploaded_by=actor)
    version.file.save(_stored_name(original_name), upload, save=False)
    save_with_history(version, actor=actor)
    if number > 1:  # the document's history shows each new version
        save_with_history(document, actor=actor, reason=_gettext("新版本 v%(n)s") % {"n": number})
    return version


@transaction.atomic
def document_create(*, actor, project: Project, kind: str, title: str, file, note: str = "") -> ArchiveDocument:
    """A new archive document with its first version."""
    _require_archive_change(actor, project)
    errors: dict[str, list] = {}
    title = (title or "").strip()
    if not title:
        errors.setdefault("title", []).append(ValidationError(MSG_TITLE_REQUIRED, code="required"))
    if kind not in DocumentKind.values:
        errors.setdefault("kind", []).append(ValidationError(MSG_KIND_INVALID, code="invalid"))
    try:
        validate_document_file(file)
    except ValidationError as exc:
        errors.setdefault("file", []).extend(exc.error_dict["file"])
    if errors:
        raise ValidationError(errors)
    document = ArchiveDocument(project=project, kind=kind, title=title[:200])
    save_with_history(document, actor=actor)
    _add_version(actor=actor, document=document, upload=file, original_name=file.name, note=note)
    return document


@transaction.atomic
def document_version_add(*, actor, document: ArchiveDocument, file, note: str = "") -> DocumentVersion:
    """Upload a new version; older versions stay as they were (and downloadable)."""
    _require_archive_change(actor, document.project)
    if document.is_voided:
        raise ValidationError(MSG_DOCUMENT_VOIDED, code="document_voided")
    validate_document_file(file)
    return _add_version(actor=actor, document=document, upload=file, original_name=file.name, note=note)


@transaction.atomic
def document_void(*, actor, document: ArchiveDocument, reason: str) -> ArchiveDocument:
    _require_archive_change(actor, document.project)
    return record_void(actor=actor, obj=document, reason=reason)


# Photos -------------------------------------------------------------------------------------------------


@transaction.atomic
def photo_create(*, actor, project: Project, image, caption: str = "",
                 taken_on: datetime.date | None = None) -> ProjectPhoto:
    _require_archive_change(actor, project)
    errors: dict[str, list] = {}
    try:
        validate_photo_file(image)
    except ValidationError as exc:
        errors.setdefault("image", []).extend(exc.error_dict["image"])
    if taken_on and taken_on > timezone.localdate():
        errors.setdefault("taken_on", []).append(ValidationError(MSG_PHOTO_DATE_IN_FUTURE, code="date_in_future"))
    if errors:
        raise ValidationError(errors)
    photo = ProjectPhoto(project=project, caption=(caption or "").strip()[:200], taken_on=taken_on,
                         uploaded_by=actor)
    photo.image.save(_stored_name(image.name), image, save=False)
    save_with_history(photo, actor=actor)
    return photo


@transaction.atomic
def photo_void(*, actor, photo: ProjectPhoto, reason: str) -> ProjectPhoto:
    _require_archive_change(actor, photo.project)
    return record_void(actor=actor, obj=photo, reason=reason)


THUMBNAIL_SIZE = (480, 480)


def photo_thumbnail(photo: ProjectPhoto) -> bytes:
    """A small JPEG of the photo (orientation applied, metadata dropped) for lists on phones."""
    from PIL import ImageOps

    with photo.image.open("rb") as handle, Image.open(handle) as image:
        image.draft("RGB", (THUMBNAIL_SIZE[0] * 2, THUMBNAIL_SIZE[1] * 2))
        image = ImageOps.exif_transpose(image)
        image.thumbnail(THUMBNAIL_SIZE)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


# Generated documents ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Generated:
    key: str
    kind: str
    title: str
    extension: str
    content_type: str


GENERATED = {
    "application": Generated("application", DocumentKind.APPLICATION, _("申报书"), ".docx", docs.DOCX_CONTENT_TYPE),
    "plan": Generated("plan", DocumentKind.PLAN, _("实施方案"), ".docx", docs.DOCX_CONTENT_TYPE),
    "report": Generated("report", DocumentKind.REPORT, _("项目报告"), ".docx", docs.DOCX_CONTENT_TYPE),
    "final_report": Generated("final_report", DocumentKind.FINAL_REPORT, _("结项报告"), ".docx",
                              docs.DOCX_CONTENT_TYPE),
    "ledger": Generated("ledger", DocumentKind.FINANCIAL, _("项目专账"), ".xlsx", docs.XLSX_CONTENT_TYPE),
}


def safe_filename(text: str, limit: int = 80) -> str:
    cleaned = re.sub(r'[\\/:*?"<>|\r\n\t]+', " ", str(text)).strip().strip(".")
    return (cleaned or "file")[:limit]


def _report_label(report: PeriodicReport) -> str:
    return f"{report.get_kind_display()} {docs.day(report.period_start)}至{docs.day(report.period_end)}"


def generated_title(which: str, report: PeriodicReport | None = None) -> str:
    spec = GENERATED[which]
    if which == "report" and report is not None:
        return _gettext("%(label)s（系统生成）") % {"label": _report_label(report)}
    return _gettext("%(title)s（系统生成）") % {"title": spec.title}


def build_generated(*, actor, project: Project, which: str, report: PeriodicReport | None = None
                    ) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of a document generated from the data. Phones in the application
    are shown only to viewers allowed to see identities."""
    spec = GENERATED.get(which)
    if spec is None:
        raise ValidationError(MSG_UNKNOWN_GENERATED, code="unknown_generated")
    if which == "application":
        show = can(actor, Action.VIEW_IDENTITY, Resource.PROJECT, project)
        content = docs.application_docx(project, show_identity=show)
    elif which == "plan":
        content = docs.implementation_plan_docx(project)
    elif which == "report":
        if report is None or report.project_id != project.pk:
            raise ValidationError(MSG_REPORT_REQUIRED, code="report_required")
        content = docs.report_docx(report)
    elif which == "final_report":
        content = docs.final_report_docx(project)
    else:
        content = docs.ledger_xlsx(project)
    label = _report_label(report) if which == "report" else str(spec.title)
    filename = f"{safe_filename(label)}-{safe_filename(project.title, 40)}{spec.extension}"
    return filename, spec.content_type, content


def generated_document_download(*, actor, project: Project, which: str, report: PeriodicReport | None = None
                                ) -> tuple[str, str, bytes]:
    """Build a generated document for download and write the export to the audit log."""
    filename, content_type, content = build_generated(actor=actor, project=project, which=which, report=report)
    audit_record(actor=actor, kind=AuditEvent.Kind.EXPORT, target=f"project:{project.public_id}",
                 export_kind=f"project_{which}", report=str(report.public_id) if report else "",
                 filename=filename)
    return filename, content_type, content


@transaction.atomic
def generated_document_save(*, actor, project: Project, which: str,
                            report: PeriodicReport | None = None) -> DocumentVersion:
    """Store a generated document in the archive as a new version (generated=True) of the archive document
    of that kind ("申报书（系统生成）", …), created on first save."""
    _require_archive_change(actor, project)
    filename, _content_type, content = build_generated(actor=actor, project=project, which=which, report=report)
    spec = GENERATED[which]
    title = generated_title(which, report)
    document = ArchiveDocument.objects.filter(project=project, kind=spec.kind, title=title,
                                              voided_at__isnull=True).first()
    if document is None:
        document = ArchiveDocument(project=project, kind=spec.kind, title=title)
        save_with_history(document, actor=actor)
    upload = ContentFile(content, name=filename)
    return _add_version(actor=actor, document=document, upload=upload, original_name=filename,
                        note=_gettext("根据平台数据生成"), generated=True)


# Export -------------------------------------------------------------------------------------------------

MANIFEST_NAME = "目录.xlsx"


@dataclass
class ManifestRow:
    path: str
    category: str
    title: str
    version: str
    original_name: str
    size: int
    uploaded_by: str
    date: str
    sha256: str


def _unique(path: str, used: set[str]) -> str:
    stem, extension = os.path.splitext(path)
    candidate, counter = path, 2
    while candidate in used:
        candidate = f"{stem} ({counter}){extension}"
        counter += 1
    used.add(candidate)
    return candidate


def _manifest_xlsx(project: Project, rows: list[ManifestRow], history: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _gettext("目录")
    sheet.append([_gettext("项目档案目录"), project.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_gettext("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    sheet.append([])
    header = [_gettext("序号"), _gettext("文件路径"), _gettext("类别"), _gettext("标题/说明"), _gettext("版本"),
              _gettext("原文件名"), _gettext("大小（字节）"), _gettext("上传人"), _gettext("日期"), "SHA-256"]
    sheet.append(header)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index, row in enumerate(rows, start=1):
        sheet.append([index, row.path, row.category, row.title, row.version, row.original_name, row.size,
                      row.uploaded_by, row.date, row.sha256])
    for letter, width in zip("ABCDEFGHIJ", (6, 48, 12, 30, 6, 30, 12, 14, 12, 66), strict=True):
        sheet.column_dimensions[letter].width = width
    versions = workbook.create_sheet(_gettext("全部版本"))
    versions.append([_gettext("类别"), _gettext("标题"), _gettext("版本"), _gettext("原文件名"),
                     _gettext("大小（字节）"), _gettext("上传人"), _gettext("日期"), _gettext("系统生成"),
                     _gettext("状态"), "SHA-256"])
    for cell in versions[1]:
        cell.font = Font(bold=True)
    for row in history:
        versions.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _user_label(user) -> str:
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or user)


def archive_export(*, actor, project: Project):
    """The whole archive as one .zip in a temporary file (returned open at position 0): the generated
    application / plan / reports / final report (.docx) and ledger (.xlsx), the current version of every
    active document, every active photo, and `目录.xlsx` listing each file with its SHA-256.
    The export is written to the audit log."""
    if not can(actor, Action.EXPORT, Resource.PROJECT, project):
        raise PermissionDenied(MSG_EXPORT_FORBIDDEN)
    used: set[str] = set()
    rows: list[ManifestRow] = []
    today = timezone.localdate().isoformat()
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (returned to the caller)
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(path: str, content: bytes, **meta) -> None:
            path = _unique(path, used)
            archive.writestr(path, content)
            rows.append(ManifestRow(path=path, size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                                    **meta))

        def add_stored(path: str, field_file, **meta) -> None:
            """Copy a stored file into the zip in chunks, hashing what is written."""
            path = _unique(path, used)
            sha, size = hashlib.sha256(), 0
            with field_file.open("rb") as source, archive.open(path, "w") as target:
                for chunk in iter(lambda: source.read(1024 * 1024), b""):
                    sha.update(chunk)
                    target.write(chunk)
                    size += len(chunk)
            rows.append(ManifestRow(path=path, size=size, sha256=sha.hexdigest(), **meta))

        generated_dir = _gettext("生成文件")
        for which in ("application", "plan", "final_report", "ledger"):
            filename, _type, content = build_generated(actor=actor, project=project, which=which)
            add(f"{generated_dir}/{filename}", content, category=str(GENERATED[which].title),
                title=generated_title(which), version="", original_name="", uploaded_by=_gettext("系统生成"),
                date=today)
        submitted = project_reports(project).filter(submitted_at__isnull=False)
        for index, report in enumerate(submitted, start=1):
            filename, _type, content = build_generated(actor=actor, project=project, which="report", report=report)
            add(f"{generated_dir}/{_gettext('项目报告')}/{index:02d} {filename}", content,
                category=str(GENERATED["report"].title), title=_report_label(report), version="",
                original_name="", uploaded_by=_gettext("系统生成"), date=today)

        documents = archive_documents(project)
        history = []
        archive_dir = _gettext("档案")
        for document in documents:
            for version in document.all_versions:
                history.append([document.get_kind_display(), document.title, version.number, version.original_name,
                                version.size, _user_label(version.uploaded_by),
                                timezone.localtime(version.created_at).strftime("%Y-%m-%d"),
                                _gettext("是") if version.generated else "",
                                _gettext("已作废") if document.is_voided else (
                                    _gettext("当前版本") if version is document.current_version
                                    else _gettext("历史版本")),
                                version.sha256])
            version = document.current_version
            if document.is_voided or version is None:
                continue
            name = f"{safe_filename(document.title)} v{version.number}{file_extension(version.original_name)}"
            add_stored(f"{archive_dir}/{document.get_kind_display()}/{name}", version.file,
                category=document.get_kind_display(), title=document.title, version=str(version.number),
                original_name=version.original_name, uploaded_by=_user_label(version.uploaded_by),
                date=timezone.localtime(version.created_at).strftime("%Y-%m-%d"))

        photo_dir = _gettext("照片")
        for index, photo in enumerate(archive_photos(project), start=1):
            date = photo.taken_on.isoformat() if photo.taken_on else ""
            label = " ".join(part for part in (f"{index:03d}", date, safe_filename(photo.caption, 40)) if part)
            add_stored(f"{photo_dir}/{label}{file_extension(photo.image.name)}", photo.image,
                category=_gettext("照片"), title=photo.caption, version="",
                original_name="", uploaded_by=_user_label(photo.uploaded_by), date=date)

        archive.writestr(MANIFEST_NAME, _manifest_xlsx(project, rows, history))
    spool.seek(0)
    audit_record(actor=actor, kind=AuditEvent.Kind.EXPORT, target=f"project:{project.public_id}",
                 export_kind="project_archive", files=len(rows))
    filename = f"{_gettext('项目档案')}-{safe_filename(project.title, 40)}-{today}.zip"
    return filename, spool
