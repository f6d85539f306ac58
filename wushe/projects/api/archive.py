"""/api/v1/projects/{project}/archive…: archive documents with versions, photos, voiding, downloads,
generated documents (申报书, 实施方案, 报告, 结项报告, 专账) and the whole-archive export.

Same selectors, services and access checks as the pages."""

import io
from datetime import date, datetime
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile

from wushe.accounts.policy import Action, Resource
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record
from wushe.core.api import ErrorOut

from ..selectors import archive as selectors
from ..services import archive as services

router = Router(tags=["projects"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class VersionOut(Schema):
    public_id: UUID
    number: int
    original_name: str
    size: int
    sha256: str
    note: str
    generated: bool
    uploaded_by: str
    created_at: datetime
    download_url: str

    @staticmethod
    def resolve_uploaded_by(obj):
        return str(obj.uploaded_by) if obj.uploaded_by_id else ""

    @staticmethod
    def resolve_download_url(obj):
        return reverse("api-v1:projects_archive_version_download",
                       args=[obj.document.project.public_id, obj.public_id])


class DocumentOut(Schema):
    public_id: UUID
    kind: str
    kind_display: str
    title: str
    voided_at: datetime | None
    void_reason: str
    versions: list[VersionOut]

    @staticmethod
    def resolve_kind_display(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_versions(obj):
        versions = getattr(obj, "all_versions", None)
        if versions is None:
            versions = list(obj.versions.select_related("uploaded_by").order_by("-number"))
        for version in versions:
            version.document = obj
        return versions


class PhotoOut(Schema):
    public_id: UUID
    caption: str
    taken_on: date | None
    uploaded_by: str
    created_at: datetime
    voided_at: datetime | None
    void_reason: str
    url: str
    thumbnail_url: str

    @staticmethod
    def resolve_uploaded_by(obj):
        return str(obj.uploaded_by) if obj.uploaded_by_id else ""

    @staticmethod
    def resolve_url(obj):
        return reverse("api-v1:projects_archive_photo_download", args=[obj.project.public_id, obj.public_id])

    @staticmethod
    def resolve_thumbnail_url(obj):
        return f"{PhotoOut.resolve_url(obj)}?thumb=1"


class ArchiveOut(Schema):
    documents: list[DocumentOut]
    photos: list[PhotoOut]


class VoidIn(Schema):
    reason: str


def _project_for_change(request, project_id):
    project = selectors.project_for(request.user, project_id)
    if not selectors.may_change_archive(request.user, project):
        audit_record(actor=request.user, kind=AuditEvent.Kind.DENIED,
                     target=f"{Resource.PROJECT}:archive:{project.public_id}", action="archive_change", status=403)
        raise PermissionDenied
    return project


def _with_project(items, project):
    for item in items:
        item.project = project
    return items


@router.get("/{uuid:project_id}/archive", response={200: ArchiveOut, **ERRORS},
            summary="A project's archive: documents with versions, and photos")
def get_archive(request, project_id: UUID):
    project = selectors.project_for(request.user, project_id)
    documents = selectors.archive_documents(project)
    return {"documents": _with_project(documents, project),
            "photos": _with_project(list(selectors.archive_photos(project)), project)}


@router.post("/{uuid:project_id}/archive/documents", response={201: DocumentOut, **ERRORS},
             summary="Add a document (multipart: kind, title, note, file; pdf/Office/jpg/png ≤ 20 MB)")
def create_document(request, project_id: UUID, file: File[UploadedFile], kind: Form[str], title: Form[str],
                    note: Form[str] = ""):
    project = _project_for_change(request, project_id)
    document = services.document_create(actor=request.user, project=project, kind=kind, title=title, file=file,
                                        note=note)
    document.project = project
    return 201, selectors.archive_document_for(project, document.public_id)


@router.get("/{uuid:project_id}/archive/documents/{uuid:document_id}", response={200: DocumentOut, **ERRORS},
            summary="One archive document with its versions")
def get_document(request, project_id: UUID, document_id: UUID):
    project = selectors.project_for(request.user, project_id)
    return selectors.archive_document_for(project, document_id)


@router.post("/{uuid:project_id}/archive/documents/{uuid:document_id}/versions",
             response={201: VersionOut, **ERRORS}, summary="Upload a new version (multipart: file, note)")
def add_version(request, project_id: UUID, document_id: UUID, file: File[UploadedFile], note: Form[str] = ""):
    project = _project_for_change(request, project_id)
    document = selectors.archive_document_for(project, document_id)
    version = services.document_version_add(actor=request.user, document=document, file=file, note=note)
    version.document.project = project
    return 201, version


@router.post("/{uuid:project_id}/archive/documents/{uuid:document_id}/void", response={200: DocumentOut, **ERRORS},
             summary="Void a document with a reason (its versions stay downloadable)")
def void_document(request, project_id: UUID, document_id: UUID, payload: VoidIn):
    project = _project_for_change(request, project_id)
    document = selectors.archive_document_for(project, document_id)
    services.document_void(actor=request.user, document=document, reason=payload.reason)
    return selectors.archive_document_for(project, document_id)


@router.get("/{uuid:project_id}/archive/versions/{uuid:version_id}", response={200: None, **ERRORS},
            url_name="projects_archive_version_download", summary="Download one version of a document")
def download_version(request, project_id: UUID, version_id: UUID):
    project = selectors.project_for(request.user, project_id)
    version = selectors.archive_version_for(project, version_id)
    return FileResponse(version.file.open("rb"), as_attachment=True, filename=version.original_name)


@router.post("/{uuid:project_id}/archive/photos", response={201: PhotoOut, **ERRORS},
             summary="Upload a photo (multipart: image, caption, taken_on; jpg/png ≤ 10 MB)")
def create_photo(request, project_id: UUID, image: File[UploadedFile], caption: Form[str] = "",
                 taken_on: Form[date | None] = None):
    project = _project_for_change(request, project_id)
    photo = services.photo_create(actor=request.user, project=project, image=image, caption=caption,
                                  taken_on=taken_on)
    photo.project = project
    return 201, photo


@router.get("/{uuid:project_id}/archive/photos/{uuid:photo_id}", response={200: None, **ERRORS},
            url_name="projects_archive_photo_download", summary="The photo (?thumb=1 for a small JPEG)")
def download_photo(request, project_id: UUID, photo_id: UUID, thumb: bool = False):
    project = selectors.project_for(request.user, project_id)
    photo = selectors.archive_photo_for(project, photo_id)
    if photo.is_voided and not selectors.may_change_archive(request.user, project):
        raise Http404
    if thumb:
        return HttpResponse(services.photo_thumbnail(photo), content_type="image/jpeg")
    return FileResponse(photo.image.open("rb"))


@router.post("/{uuid:project_id}/archive/photos/{uuid:photo_id}/void", response={200: PhotoOut, **ERRORS},
             summary="Void a photo with a reason")
def void_photo(request, project_id: UUID, photo_id: UUID, payload: VoidIn):
    project = _project_for_change(request, project_id)
    photo = selectors.archive_photo_for(project, photo_id)
    photo = services.photo_void(actor=request.user, photo=photo, reason=payload.reason)
    photo.project = project
    return photo


@router.get("/{uuid:project_id}/archive/export", response={200: None, **ERRORS},
            summary="The whole archive as one .zip with 目录.xlsx (audit-logged)")
def export_archive(request, project_id: UUID):
    project = selectors.project_for(request.user, project_id, Action.EXPORT)
    filename, spool = services.archive_export(actor=request.user, project=project)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type="application/zip")


GENERATED_KEYS = ("application", "plan", "final_report", "ledger")


@router.get("/{uuid:project_id}/documents/reports/{uuid:report_id}", response={200: None, **ERRORS},
            summary="A periodic report as .docx (audit-logged)")
def generated_report(request, project_id: UUID, report_id: UUID):
    project = selectors.project_for(request.user, project_id)
    report = selectors.project_report_for(project, report_id)
    filename, content_type, content = services.generated_document_download(
        actor=request.user, project=project, which="report", report=report)
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type)


@router.get("/{uuid:project_id}/documents/{which}", response={200: None, **ERRORS},
            summary="Generated document: application | plan | final_report (.docx), ledger (.xlsx); audit-logged")
def generated_document(request, project_id: UUID, which: str):
    project = selectors.project_for(request.user, project_id)
    if which not in GENERATED_KEYS:
        raise Http404
    filename, content_type, content = services.generated_document_download(
        actor=request.user, project=project, which=which)
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type)


class SaveGeneratedIn(Schema):
    report: UUID | None = None


@router.post("/{uuid:project_id}/documents/{which}/save", response={201: VersionOut, **ERRORS},
             summary="Save a generated document to the archive as a new version")
def save_generated(request, project_id: UUID, which: str, payload: SaveGeneratedIn):
    project = _project_for_change(request, project_id)
    if which not in services.GENERATED:
        raise Http404
    report = selectors.project_report_for(project, payload.report) if which == "report" else None
    version = services.generated_document_save(actor=request.user, project=project, which=which, report=report)
    version.document.project = project
    return 201, version
