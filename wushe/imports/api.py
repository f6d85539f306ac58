"""/api/v1/imports/: upload a file as an import job, follow it, fetch its errors; templates and exports."""

from datetime import datetime
from uuid import UUID

from django.utils import translation
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from wushe.accounts import policy
from wushe.accounts.policy import Action

from .kinds import spec_for
from .models import ImportKind
from .selectors import job_for, jobs_of
from .services import import_job_create
from .views import export_response, xlsx_response
from .workbooks import error_report_workbook, template_workbook

router = Router(tags=["imports"])


class JobOut(Schema):
    public_id: UUID
    kind: str
    original_name: str
    dry_run: bool
    status: str
    status_display: str
    total_rows: int
    processed_rows: int
    progress_percent: int
    created_count: int
    updated_count: int
    unchanged_count: int
    error_count: int
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_status_display(obj):
        return str(obj.get_status_display())


class RowErrorOut(Schema):
    row: int
    column: str
    message: str


@router.post("/jobs", response={201: JobOut}, summary="Upload a file as an import job")
def create_job(request, kind: ImportKind = Form(...), dry_run: bool = Form(False),  # noqa: B008
               file: UploadedFile = File(...)):  # noqa: B008
    """Multipart upload. Small files are imported before the response; larger ones (above the sync limit)
    run in the background: poll `GET /jobs/{public_id}` until `status` is no longer pending or running."""
    job = import_job_create(actor=request.user, kind=kind, upload=file, dry_run=dry_run,
                            language=translation.get_language())
    return Status(201, job)


@router.get("/jobs", response=list[JobOut], summary="My import jobs")
@paginate
def list_jobs(request):
    return jobs_of(request.user).defer("errors")


@router.get("/jobs/{public_id}", response=JobOut, summary="One import job (status and progress)")
def get_job(request, public_id: UUID):
    return job_for(request.user, public_id)


@router.get("/jobs/{public_id}/errors", response=list[RowErrorOut], summary="Row errors of an import job")
@paginate
def job_errors(request, public_id: UUID):
    return job_for(request.user, public_id).errors


@router.get("/jobs/{public_id}/errors.xlsx", summary="Row errors of an import job as Excel")
def job_errors_xlsx(request, public_id: UUID):
    job = job_for(request.user, public_id)
    return xlsx_response(error_report_workbook(job), f"import-errors-{job.public_id}.xlsx")


@router.get("/templates/{kind}", summary="Excel import template of a kind")
def template(request, kind: ImportKind):
    spec = spec_for(kind)
    policy.require(request.user, spec.resource, Action.IMPORT)
    return xlsx_response(template_workbook(spec), f"{kind}-template.xlsx")


@router.get("/exports/{kind}", summary="Excel export of a registry (same columns as the template)")
def export(request, kind: ImportKind):
    return export_response(request.user, kind)
