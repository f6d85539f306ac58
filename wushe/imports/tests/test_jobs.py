"""Import jobs: the background path with visible progress, the job page, error reports, dry run → commit."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse
from django_q.models import Task
from openpyxl import load_workbook

from wushe.audit.models import AuditEvent
from wushe.imports import services
from wushe.imports.engine import MSG_FILE_EMPTY, MSG_MISSING_COLUMNS, MSG_WRITE_CONFLICT
from wushe.imports.kinds import SPECS
from wushe.imports.kinds.base import MSG_REGION_UNKNOWN
from wushe.imports.models import ImportJob
from wushe.imports.reader import MSG_FILE_TYPE, MSG_FILE_UNREADABLE
from wushe.imports.services import import_job_create, import_job_run
from wushe.imports.synthetic import resident_values
from wushe.people.models import Resident

from .conftest import csv_upload, import_rows, resident, xlsx_upload

pytestmark = pytest.mark.django_db
COMMUNITIES = ["110105001001", "110105001002", "110105001201"]


def test_large_file_runs_as_a_background_job_and_reports_progress(world, settings, monkeypatch):
    settings.WUSHE_IMPORT_SYNC_LIMIT = 500
    seen = []
    report = services.report_progress

    def spy(job_id, processed):
        report(job_id, processed)
        job = ImportJob.objects.get(pk=job_id)
        seen.append((job.status, job.processed_rows, job.total_rows, job.progress_percent))

    monkeypatch.setattr(services, "report_progress", spy)
    rows = list(resident_values(3000, region_codes=COMMUNITIES))
    job = import_job_create(actor=world.street_officer, kind="residents", upload=xlsx_upload("residents", rows))

    assert Task.objects.filter(name=f"import-{job.public_id}", func=services.TASK_FUNCTION, success=True).exists()
    assert seen == [("running", 1000, 3000, 33), ("running", 2000, 3000, 67), ("running", 3000, 3000, 100)]
    assert job.status == ImportJob.Status.SUCCEEDED and job.created_count == 3000
    assert Resident.objects.filter(region__code__in=COMMUNITIES).count() == 3000 + 1
    assert Resident.history.filter(history_user=world.street_officer).count() == 3000


def test_small_file_runs_in_the_request_without_a_task(world):
    job = import_rows("residents", [resident(1)], world.community_staff)
    assert job.status == ImportJob.Status.SUCCEEDED and not Task.objects.exists()


def test_job_page_polls_while_running_and_stops_when_done(world, client_for):
    job = import_rows("residents", [resident(1)], world.community_staff)
    client = client_for("community_staff")
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, processed_rows=1, total_rows=4)
    partial = client.get(reverse("imports:job_detail", args=[job.public_id]), HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert 'hx-trigger="every 1s"' in body and 'aria-valuenow="25"' in body and "<html" not in body
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.SUCCEEDED, processed_rows=1, total_rows=1)
    page = client.get(reverse("imports:job_detail", args=[job.public_id])).content.decode()
    assert "every 1s" not in page and "导入完成" in page and "<html" in page


def test_failed_job_page_lists_errors_and_the_report_downloads(world, client_for):
    job = import_rows("residents", [resident(1, region="110105001999"), resident(2, name="")],
                      world.community_staff)
    client = client_for("community_staff")
    page = client.get(reverse("imports:job_detail", args=[job.public_id])).content.decode()
    assert str(MSG_REGION_UNKNOWN) in page and "第 2 行" in page and "未写入任何数据" in page
    response = client.get(reverse("imports:job_errors", args=[job.public_id]))
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].values)
    assert rows[0] == ("行号", "列", "错误说明")
    assert rows[1] == (2, "所属区划代码", str(MSG_REGION_UNKNOWN)) and rows[2][:2] == (3, "姓名")


def test_dry_run_then_commit_imports_the_same_file(world, client_for):
    client = client_for("community_staff")
    upload = xlsx_upload("residents", [resident(1), resident(2)])
    response = client.post(reverse("imports:upload", args=["residents"]),
                           {"residents-file": upload, "residents-dry_run": "on"})
    dry = ImportJob.objects.get()
    assert response.status_code == 302 and dry.dry_run and dry.created_count == 2
    assert not Resident.objects.filter(name__startswith="测试居民").exists()
    assert "用此文件正式导入" in client.get(response["Location"]).content.decode()
    response = client.post(reverse("imports:job_commit", args=[dry.public_id]))
    real = ImportJob.objects.exclude(pk=dry.pk).get()
    assert response["Location"] == reverse("imports:job_detail", args=[real.public_id])
    assert not real.dry_run and real.created_count == 2
    assert Resident.objects.filter(name__startswith="测试居民").count() == 2
    # Neither a real job nor an already committed dry run (its file is gone) can be committed again.
    client.post(reverse("imports:job_commit", args=[real.public_id]))
    response = client.post(reverse("imports:job_commit", args=[dry.public_id]), follow=True)
    assert ImportJob.objects.count() == 2 and str(services.MSG_RERUN_NOT_ALLOWED) in response.content.decode()


def test_uploaded_file_is_kept_for_a_dry_run_and_discarded_after_a_real_import(world):
    dry = import_rows("residents", [resident(1)], world.community_staff, dry_run=True)
    real = import_rows("residents", [resident(1)], world.community_staff)
    assert dry.file.storage.exists(dry.file.name) and not real.file.storage.exists(real.file.name)


def test_a_job_runs_only_once(world):
    job = import_rows("residents", [resident(1)], world.community_staff)
    assert import_job_run(job_id=job.pk).status == ImportJob.Status.SUCCEEDED
    assert Resident.objects.filter(name="测试居民1").count() == 1


def test_crash_while_writing_rolls_back_and_marks_the_job(world, monkeypatch):
    spec = SPECS["residents"]

    def boom(plan, ctx):
        Resident.objects.create(region=world.community, name="半途写入")
        raise RuntimeError("disk full")

    monkeypatch.setattr(spec, "write", boom)
    job = import_rows("residents", [resident(1)], world.community_staff)
    assert job.status == ImportJob.Status.CRASHED and job.errors[0]["message"] == str(services.MSG_CRASHED)
    assert not Resident.objects.filter(name__in=["半途写入", "测试居民1"]).exists()
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT, detail__status="crashed").exists()


def test_conflict_while_writing_fails_cleanly(world, monkeypatch):
    def conflict(plan, ctx):
        Resident.objects.create(region=world.community, name="半途写入")
        raise IntegrityError("unique")

    monkeypatch.setattr(SPECS["residents"], "write", conflict)
    job = import_rows("residents", [resident(1)], world.community_staff)
    assert job.status == ImportJob.Status.FAILED and job.errors[-1]["message"] == str(MSG_WRITE_CONFLICT)
    assert job.created_count == 0 and not Resident.objects.filter(name="半途写入").exists()


@pytest.mark.parametrize("name, content, message", [
    ("people.txt", b"hello", MSG_FILE_TYPE),
    ("people.xlsx", b"not a zip at all", MSG_FILE_UNREADABLE),
])
def test_unusable_files_are_refused_before_a_job_exists(world, name, content, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as error:
        import_job_create(actor=world.admin, kind="residents", upload=SimpleUploadedFile(name, content))
    assert error.value.message_dict["file"] == [str(message)]
    assert not ImportJob.objects.exists()


def test_missing_required_columns_and_empty_files_are_refused(world):
    with pytest.raises(ValidationError) as error:
        import_job_create(actor=world.admin, kind="residents",
                          upload=xlsx_upload("residents", [{"name": "甲"}], headers=["姓名", "住址"]))
    assert error.value.message_dict["file"] == [str(MSG_MISSING_COLUMNS % {"columns": "所属区划代码"})]
    with pytest.raises(ValidationError) as error:
        import_job_create(actor=world.admin, kind="residents", upload=xlsx_upload("residents", []))
    assert error.value.message_dict["file"] == [str(MSG_FILE_EMPTY)]


def test_upload_page_shows_file_errors(world, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for("community_staff").post(reverse("imports:upload", args=["residents"]),
                                                  {"residents-file": SimpleUploadedFile("a.txt", b"x")})
    assert response.status_code == 200 and str(MSG_FILE_TYPE) in response.content.decode()


def test_csv_with_bom_imports(world):
    job = import_job_create(actor=world.community_staff, kind="residents",
                            upload=csv_upload("residents", [resident(1), resident(2)]))
    assert job.errors == [] and job.created_count == 2


@pytest.mark.django_db(transaction=True)
def test_progress_is_committed_outside_the_data_transaction(world, settings, monkeypatch):
    """Another connection (the job page's request) sees progress while validation runs; rows appear only
    when the one write transaction commits."""
    from django.db import connection, connections

    settings.WUSHE_IMPORT_SYNC_LIMIT = 100
    observer = connections.create_connection("default")
    seen = []
    report = services.report_progress

    def spy(job_id, processed):
        report(job_id, processed)
        with observer.cursor() as cursor:
            cursor.execute("SELECT processed_rows FROM imports_importjob WHERE id = %s", [job_id])
            seen.append((connection.in_atomic_block, cursor.fetchone()[0]))

    monkeypatch.setattr(services, "report_progress", spy)
    try:
        rows = list(resident_values(1500, region_codes=COMMUNITIES))
        job = import_job_create(actor=world.street_officer, kind="residents", upload=xlsx_upload("residents", rows))
    finally:
        observer.close()
    assert seen == [(False, 1000), (False, 1500)]
    assert job.status == ImportJob.Status.SUCCEEDED and job.created_count == 1500
