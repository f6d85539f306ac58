"""Exports: scoped per viewer, identity masked without VIEW_IDENTITY, audit-logged, and re-importable."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from wushe.audit.models import AuditEvent
from wushe.core.identity import MSG_ID_FORMAT, MSG_PHONE_INVALID
from wushe.imports.models import ImportJob
from wushe.imports.services import import_job_create
from wushe.imports.synthetic import nth_citizen_id

from .conftest import import_rows, resident
from .test_import_kinds import organization, volunteer, worker
from .test_import_regions import NEW_STREET

pytestmark = pytest.mark.django_db


def export_bytes(client, kind: str) -> bytes:
    response = client.get(reverse("imports:export", args=[kind]))
    assert response.status_code == 200, response.status_code
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def sheets(content: bytes) -> tuple[list[tuple], list[tuple]]:
    workbook = load_workbook(io.BytesIO(content))
    return list(workbook.worksheets[0].values), list(workbook.worksheets[1].values)


def reimport(actor, kind: str, content: bytes) -> ImportJob:
    return import_job_create(actor=actor, kind=kind, upload=SimpleUploadedFile("export.xlsx", content))


@pytest.fixture
def residents(world):
    rows = ([resident(i) for i in range(1, 4)] + [resident(i, region=world.community2.code) for i in range(4, 6)]
            + [resident(6, region=world.other_community.code)])
    assert import_rows("residents", rows, world.admin).created_count == 6


def test_identity_allowed_export_is_complete_and_reimports_unchanged(world, client_for, residents):
    content = export_bytes(client_for("community_staff"), "residents")
    data, notes = sheets(content)
    assert data[0][:3] == ("姓名*", "证件类型", "证件号码")
    names = {row[0] for row in data[1:]}
    assert names == {"测试居民1", "测试居民2", "测试居民3", "赵居民"}  # own community only
    assert nth_citizen_id(1)[0] in {row[2] for row in data[1:]}
    assert not any("已打码" in str(row[0]) for row in notes)
    job = reimport(world.community_staff, "residents", content)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 4)


def test_export_without_identity_permission_is_masked_and_says_so(world, client_for, residents):
    content = export_bytes(client_for("street_officer"), "residents")
    data, notes = sheets(content)
    assert len(data) - 1 == 6  # the whole street: both communities and the village, not the other street
    ids = {row[2] for row in data[1:] if row[2]}
    phones = {row[6] for row in data[1:] if row[6]}
    assert ids and all("*" in value for value in ids) and all("*" in value for value in phones)
    assert nth_citizen_id(1)[0] not in ids
    assert any(row[0] == "已打码" and "不能重新导入" in row[1] for row in notes)
    job = reimport(world.street_officer, "residents", content)
    assert job.status == ImportJob.Status.FAILED
    assert {(e["column"], e["message"]) for e in job.errors} == {("证件号码", str(MSG_ID_FORMAT)),
                                                                 ("手机号", str(MSG_PHONE_INVALID))}
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT, actor=world.street_officer)
    assert event.detail == {"export_kind": "residents", "rows": 6, "masked": True}


def test_export_is_scoped_to_the_viewer(world, client_for, residents):
    data, _notes = sheets(export_bytes(client_for("outsider"), "residents"))
    assert [row[0] for row in data[1:]] == ["测试居民6"]


def test_export_query_count_does_not_grow_with_rows(world, client_for):
    client = client_for("community_staff")
    import_rows("residents", [resident(i) for i in range(1, 4)], world.admin)
    with CaptureQueriesContext(connection) as few:
        export_bytes(client, "residents")
    import_rows("residents", [resident(i) for i in range(4, 31)], world.admin)
    with CaptureQueriesContext(connection) as many:
        export_bytes(client, "residents")
    assert len(many) == len(few) <= 12


def test_regions_export_reimports_unchanged(world, client_for):
    import_rows("regions", NEW_STREET, world.admin)
    content = export_bytes(client_for("admin"), "regions")
    data, _notes = sheets(content)
    revoked = next(row for row in data if row[0] == "110105003002")
    assert revoked[3] == "2021-06-30" and revoked[4] == "110105003001"
    job = reimport(world.admin, "regions", content)
    assert job.errors == [] and job.unchanged_count == len(data) - 1 and job.created_count == 0


def test_social_workers_masked_for_district_and_reimportable_for_station(world, client_for):
    import_rows("social_workers", [worker(1), worker(2)], world.admin)
    data, _notes = sheets(export_bytes(client_for("district_officer"), "social_workers"))
    assert all("*" in row[3] for row in data[1:] if row[3])
    content = export_bytes(client_for("station_staff"), "social_workers")
    assert nth_citizen_id(1)[0] in {row[3] for row in sheets(content)[0][1:]}
    job = reimport(world.station_staff, "social_workers", content)
    assert job.errors == [] and job.unchanged_count == 3  # two imported and the persona's own worker


def test_volunteers_and_organizations_reimport_unchanged(world, client_for):
    import_rows("volunteers", [volunteer(1), volunteer(2)], world.admin)
    content = export_bytes(client_for("community_staff"), "volunteers")
    job = reimport(world.community_staff, "volunteers", content)
    assert job.errors == [] and (job.created_count, job.unchanged_count) == (0, 3)

    import_rows("organizations", [organization(1), organization(2, credit_code="")], world.admin)
    content = export_bytes(client_for("street_officer"), "organizations")
    job = reimport(world.street_officer, "organizations", content)
    assert job.errors == [] and (job.created_count, job.unchanged_count) == (0, 3)


def test_voided_records_are_not_exported(world, client_for, residents):
    from wushe.core.services import record_void
    from wushe.people.models import Resident

    record_void(actor=world.admin, obj=Resident.objects.get(name="测试居民1"), reason="迁出")
    data, _notes = sheets(export_bytes(client_for("community_staff"), "residents"))
    assert "测试居民1" not in {row[0] for row in data[1:]}


def test_template_download_has_headers_sample_and_instructions(world, client_for):
    response = client_for("community_staff").get(reverse("imports:template", args=["residents"]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    data, notes = list(workbook.worksheets[0].values), list(workbook.worksheets[1].values)
    assert data[0][0] == "姓名*" and data[1][0] == "示例张三"
    assert workbook.worksheets[1].title == "填写说明"
    assert any(row[0] == "信息处理依据" and "本人同意" in (row[3] or "") for row in notes)
    assert any(row[0] == "所属区划代码" and row[1] == "必填" for row in notes)
