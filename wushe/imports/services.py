"""Import jobs and exports.

Unlike other services these are deliberately NOT wrapped in one transaction: the job row must be
committed before a background worker can pick it up, and validation progress must be visible while the
import runs. The data itself is written by the engine in one transaction (all or nothing), together with
the job's final state and the audit event.
"""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import F
from django.db.models.functions import Greatest
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_q.tasks import async_task

from wushe.accounts import policy
from wushe.accounts.policy import Action
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record

from .engine import MSG_FILE_EMPTY, ImportOutcome, column_positions, missing_columns_message, run_import
from .kinds import SPECS, spec_for
from .models import ImportJob
from .reader import MSG_FILE_TYPE, SUPPORTED_EXTENSIONS, SheetError, open_sheet
from .selectors import export_records
from .workbooks import write_export

logger = logging.getLogger(__name__)

MSG_FILE_TOO_LARGE = _("文件过大，最大 %(size)s MB。")
MSG_TOO_MANY_ROWS = _("文件行数过多：单次最多导入 %(rows)s 行，请拆分后分批导入。")
MSG_CRASHED = _("处理时发生系统错误，未写入任何数据。请稍后重试，或联系平台管理员。")
MSG_RERUN_NOT_ALLOWED = _("只有检查通过的试运行才能直接正式导入。")

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
TASK_FUNCTION = "wushe.imports.tasks.run_import_job"


def max_rows() -> int:
    return getattr(settings, "WUSHE_IMPORT_MAX_ROWS", 500_000)


def inspect_upload(spec, upload) -> int:
    """Check type, size and header of an upload before it becomes a job; returns its estimated row count."""
    if not upload.name.lower().endswith(SUPPORTED_EXTENSIONS):
        raise ValidationError({"file": MSG_FILE_TYPE}, code="file_type")
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": MSG_FILE_TOO_LARGE % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}},
                              code="file_too_large")
    try:
        with open_sheet(upload, upload.name) as sheet:
            _positions, missing = column_positions(spec, sheet.headers)
            estimated = sheet.estimated_rows
    except SheetError as error:
        raise ValidationError({"file": error.message}, code="file_unreadable")
    finally:
        upload.seek(0)
    if missing:
        raise ValidationError({"file": missing_columns_message(missing)}, code="missing_columns")
    if not estimated:
        raise ValidationError({"file": MSG_FILE_EMPTY}, code="file_empty")
    if estimated > max_rows():
        raise ValidationError({"file": MSG_TOO_MANY_ROWS % {"rows": max_rows()}}, code="too_many_rows")
    return estimated


def import_job_create(*, actor, kind: str, upload, dry_run: bool = False, language: str = "") -> ImportJob:
    """Store the upload as a job and run it: now if small, in the background above the sync limit."""
    spec = spec_for(kind)
    policy.require(actor, spec.resource, Action.IMPORT)
    estimated = inspect_upload(spec, upload)
    job = ImportJob.objects.create(kind=spec.kind, actor=actor, file=upload,
                                   original_name=os.path.basename(upload.name)[:200], dry_run=dry_run,
                                   total_rows=estimated)
    return _start(job, language)


def import_job_commit(*, actor, job: ImportJob, language: str = "") -> ImportJob:
    """After a clean dry run: import the same stored file for real, without uploading it again."""
    spec = spec_for(job.kind)
    policy.require(actor, spec.resource, Action.IMPORT)
    if (job.actor_id != actor.pk or not job.dry_run or job.status != ImportJob.Status.SUCCEEDED
            or not job.file.storage.exists(job.file.name)):
        raise ValidationError(MSG_RERUN_NOT_ALLOWED, code="rerun_not_allowed")
    new_job = ImportJob.objects.create(kind=job.kind, actor=actor, file=job.file.name,
                                       original_name=job.original_name, dry_run=False,
                                       total_rows=job.total_rows)
    return _start(new_job, language)


def _start(job: ImportJob, language: str) -> ImportJob:
    if job.total_rows > settings.WUSHE_IMPORT_SYNC_LIMIT:
        async_task(TASK_FUNCTION, job.pk, language, task_name=f"import-{job.public_id}")
    else:
        import_job_run(job_id=job.pk, language=language)
    job.refresh_from_db()
    return job


def report_progress(job_id: int, processed: int) -> None:
    """Autocommitted (outside the data transaction), so a job page sees it while validation runs."""
    ImportJob.objects.filter(pk=job_id).update(processed_rows=processed,
                                               total_rows=Greatest(F("total_rows"), processed))


def import_job_run(*, job_id: int, language: str = "") -> ImportJob:
    """Run a pending job once (a retried task finds it no longer pending and does nothing)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.RUNNING, processed_rows=0)
    job = ImportJob.objects.select_related("actor").get(pk=job_id)
    if not claimed:
        return job
    spec = SPECS[job.kind]
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            with job.file.open("rb") as fileobj, open_sheet(fileobj, job.file.name) as sheet:
                outcome = run_import(
                    spec, sheet, actor=job.actor, dry_run=job.dry_run,
                    progress=lambda processed: report_progress(job.pk, processed),
                    change_reason=str(_("导入：%(file)s") % {"file": job.original_name}),
                    on_written=lambda result: _finish(job, result),
                )
        except SheetError as error:
            outcome = ImportOutcome(errors=[{"row": 1, "column": "", "message": str(error.message)}])
        except Exception:
            logger.exception("import job %s crashed", job.public_id)
            job.status = ImportJob.Status.CRASHED
            job.errors = [{"row": 0, "column": "", "message": str(MSG_CRASHED)}]
            job.error_count = 1
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "errors", "error_count", "finished_at", "updated_at"])
            _audit(job)
        else:
            if not outcome.written:
                _finish(job, outcome)
    if not job.dry_run:
        _discard_file(job)
    return job


def _discard_file(job: ImportJob) -> None:
    """The uploaded file holds personal data: once a real import has run, only the records are kept.
    (A dry run keeps it so that it can be committed without uploading it again.)"""
    try:
        job.file.storage.delete(job.file.name)
    except OSError:
        logger.warning("could not delete the file of import job %s", job.public_id)


def _finish(job: ImportJob, outcome: ImportOutcome) -> None:
    """Record the outcome on the job and in the audit log (inside the data transaction when written)."""
    failed = bool(outcome.errors)
    job.status = ImportJob.Status.FAILED if failed else ImportJob.Status.SUCCEEDED
    job.total_rows = job.processed_rows = outcome.total_rows
    # A failed import wrote nothing: its counts are zero whatever the valid rows would have done.
    job.created_count = 0 if failed else outcome.created
    job.updated_count = 0 if failed else outcome.updated
    job.unchanged_count = 0 if failed else outcome.unchanged
    job.errors = outcome.errors
    job.error_count = len(outcome.errors)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "total_rows", "processed_rows", "created_count", "updated_count",
                            "unchanged_count", "errors", "error_count", "finished_at", "updated_at"])
    _audit(job)


def _audit(job: ImportJob) -> None:
    audit_record(actor=job.actor, kind=AuditEvent.Kind.IMPORT, target=f"import:{job.kind}:{job.public_id}",
                 job=str(job.public_id), import_kind=job.kind, file=job.original_name, dry_run=job.dry_run,
                 status=job.status, rows=job.total_rows, created=job.created_count, updated=job.updated_count,
                 unchanged=job.unchanged_count, errors=job.error_count)


def registry_export(*, actor, kind: str, fileobj) -> tuple[int, bool]:
    """Write the registry rows `actor` may export to `fileobj` (.xlsx); returns (rows, masked)."""
    spec = spec_for(kind)
    policy.require(actor, spec.resource, Action.EXPORT)
    rows, masked = write_export(spec, export_records(actor, spec), fileobj, exported_by=str(actor))
    audit_record(actor=actor, kind=AuditEvent.Kind.EXPORT, target=f"export:{spec.kind}", export_kind=spec.kind,
                 rows=rows, masked=masked)
    return rows, masked
