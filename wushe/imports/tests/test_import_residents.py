"""Resident import: every error kind, all-or-nothing, dry run, re-runs without duplicates."""

import datetime

import pytest

from wushe.audit.models import AuditEvent
from wushe.core.identity import MSG_ID_CHECKSUM, MSG_PHONE_INVALID
from wushe.imports.kinds.base import (
    MSG_CHOICE_INVALID,
    MSG_CLASH_AMBIGUOUS,
    MSG_CLASH_OTHER_NAME,
    MSG_CLASH_OUT_OF_SCOPE,
    MSG_DATE_INVALID,
    MSG_DUPLICATE_IN_FILE,
    MSG_REGION_CODE_FORMAT,
    MSG_REGION_OUT_OF_SCOPE,
    MSG_REGION_REVOKED,
    MSG_REGION_UNKNOWN,
    MSG_REQUIRED,
    MSG_SAME_RECORD_IN_FILE,
    MSG_SAMPLE_ROW,
    MSG_SEX_MISMATCH,
)
from wushe.imports.kinds.residents import ResidentSpec
from wushe.imports.models import ImportJob
from wushe.imports.synthetic import bad_check_digit, nth_citizen_id
from wushe.people.models import Resident
from wushe.testing.personas import make_region

from .conftest import import_rows, resident

pytestmark = pytest.mark.django_db
HistoricalResident = Resident.history.model


def errors_of(job):
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


def snapshot():
    return Resident.objects.count(), HistoricalResident.objects.count()


# --- a clean import ----------------------------------------------------------------------------------

def test_valid_file_creates_residents_with_history_search_text_and_derived_fields(world):
    job = import_rows("residents", [resident(1), resident(2, ethnicity="回族")], world.community_staff)
    assert job.status == ImportJob.Status.SUCCEEDED and job.errors == []
    assert (job.created_count, job.updated_count, job.unchanged_count, job.total_rows) == (2, 0, 0, 2)
    created = Resident.objects.get(name="测试居民1")
    number, birth, sex = nth_citizen_id(1)
    assert (created.id_number, created.birth_date, created.sex) == (number, birth, sex)
    assert created.region == world.community and created.created_by == world.community_staff
    assert "ceshijumin" in created.search_text and "测试路1号" in created.search_text
    history = created.history.get()
    assert history.history_type == "+" and history.history_user == world.community_staff
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT, actor=world.community_staff,
                                     detail__created=2).exists()


def test_headers_may_be_reordered_and_extra_columns_are_ignored(world):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from openpyxl import Workbook

    from wushe.imports.services import import_job_create

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["序号", "所属区划代码*", "姓名*", "手机号", "出生日期"])
    # Excel hands numbers and dates over as numbers and datetimes.
    sheet.append([1, 110105001001, "数字单元格", 13912345678, datetime.datetime(1990, 5, 1)])
    import io

    buffer = io.BytesIO()
    workbook.save(buffer)
    job = import_job_create(actor=world.community_staff, kind="residents",
                            upload=SimpleUploadedFile("x.xlsx", buffer.getvalue()))
    assert job.errors == []
    created = Resident.objects.get(name="数字单元格")
    assert created.phone == "13912345678" and created.birth_date == datetime.date(1990, 5, 1)


# --- every kind of error -----------------------------------------------------------------------------

def test_bad_id_check_digit_is_a_row_error(world):
    job = import_rows("residents", [resident(1), resident(2, id_number=bad_check_digit(nth_citizen_id(2)[0]))],
                      world.community_staff)
    assert job.status == ImportJob.Status.FAILED
    assert errors_of(job) == [(3, "证件号码", str(MSG_ID_CHECKSUM))]


def test_unknown_region_code_is_a_row_error(world):
    job = import_rows("residents", [resident(1, region="110105001999")], world.community_staff)
    assert errors_of(job) == [(2, "所属区划代码", str(MSG_REGION_UNKNOWN))]


def test_malformed_region_code_is_a_row_error(world):
    job = import_rows("residents", [resident(1, region="1101")], world.community_staff)
    assert errors_of(job) == [(2, "所属区划代码", str(MSG_REGION_CODE_FORMAT))]


def test_revoked_region_code_is_a_row_error(world):
    revoked = make_region("110105001003", "旧社区", world.street)
    revoked.revoked_on = datetime.date(2020, 1, 1)
    revoked.save()
    job = import_rows("residents", [resident(1, region=revoked.code)], world.admin)
    assert errors_of(job) == [(2, "所属区划代码", str(MSG_REGION_REVOKED))]


@pytest.mark.parametrize("field, header", [("name", "姓名"), ("region", "所属区划代码")])
def test_missing_required_field_is_a_row_error(world, field, header):
    job = import_rows("residents", [resident(1, **{field: ""})], world.community_staff)
    assert errors_of(job) == [(2, header, str(MSG_REQUIRED))]


def test_bad_enum_value_is_a_row_error_listing_allowed_values(world):
    job = import_rows("residents", [resident(1, consent_basis="口头说过"), resident(2, document_type="学生证")],
                      world.community_staff)
    assert [(row, column) for row, column, _m in errors_of(job)] == [(2, "信息处理依据"), (3, "证件类型")]
    assert "“口头说过”不是允许的值" in job.errors[0]["message"] and "本人同意" in job.errors[0]["message"]
    assert str(MSG_CHOICE_INVALID).split("“")[0] in job.errors[1]["message"]


def test_enum_values_accept_labels_and_codes(world):
    job = import_rows("residents", [resident(1, consent_basis="statutory_duty", sex=""),
                                    resident(2, consent_basis="履行法定职责")], world.community_staff)
    assert job.errors == []
    assert set(Resident.objects.filter(name__startswith="测试居民").values_list("consent_basis", flat=True)) == {
        "statutory_duty"}


def test_other_cell_format_errors(world):
    job = import_rows("residents", [resident(1, phone="12345"), resident(2, birth_date="去年"),
                                    resident(3, sex="男" if nth_citizen_id(3)[2] == "F" else "女")],
                      world.community_staff)
    assert errors_of(job) == [(2, "手机号", str(MSG_PHONE_INVALID)), (3, "出生日期", str(MSG_DATE_INVALID)),
                              (4, "性别", str(MSG_SEX_MISMATCH))]


def test_duplicate_within_the_file_names_the_first_row(world):
    job = import_rows("residents", [resident(1), resident(2), resident(1, name="测试居民1")], world.community_staff)
    assert errors_of(job) == [(4, "证件号码", str(MSG_DUPLICATE_IN_FILE % {"row": 2}))]


def test_duplicate_without_id_is_by_name_phone_and_region(world):
    rows = [resident(1, id_number=""), resident(1, id_number="", address="别处"),
            resident(1, id_number="", region=world.community2.code)]
    job = import_rows("residents", rows, world.street_officer)
    assert errors_of(job) == [(3, "姓名", str(MSG_DUPLICATE_IN_FILE % {"row": 2}))]


def test_id_already_registered_under_another_name_cannot_be_merged(world):
    Resident.objects.create(region=world.community, name="原登记人", id_number=nth_citizen_id(1)[0])
    job = import_rows("residents", [resident(1)], world.community_staff)
    assert errors_of(job) == [(2, "证件号码", str(MSG_CLASH_OTHER_NAME))]


def test_existing_record_outside_the_import_scope_cannot_be_merged(world):
    Resident.objects.create(region=world.community2, name="测试居民1", id_number=nth_citizen_id(1)[0])
    job = import_rows("residents", [resident(1)], world.community_staff)
    assert errors_of(job) == [(2, "证件号码", str(MSG_CLASH_OUT_OF_SCOPE))]


def test_row_in_a_region_outside_the_import_scope_is_an_error(world):
    job = import_rows("residents", [resident(1, region=world.community2.code)], world.community_staff)
    assert errors_of(job) == [(2, "所属区划代码", str(MSG_REGION_OUT_OF_SCOPE))]


def test_several_existing_matches_are_ambiguous(world):
    for _ in range(2):
        Resident.objects.create(region=world.community, name="测试居民1", phone="13900000001")
    job = import_rows("residents", [resident(1, id_number="")], world.community_staff)
    assert errors_of(job) == [(2, "姓名", str(MSG_CLASH_AMBIGUOUS))]


def test_two_rows_updating_the_same_existing_record_are_reported(world):
    Resident.objects.create(region=world.community, name="测试居民1", phone="13900000001",
                            id_number=nth_citizen_id(1)[0])
    job = import_rows("residents", [resident(1), resident(1, id_number="")], world.community_staff)
    assert errors_of(job) == [(3, "姓名", str(MSG_SAME_RECORD_IN_FILE % {"row": 2}))]


def test_template_sample_row_left_in_is_rejected(world):
    job = import_rows("residents", [dict(ResidentSpec.sample), resident(1)], world.community_staff)
    assert errors_of(job) == [(2, "", str(MSG_SAMPLE_ROW))]


# --- all or nothing ----------------------------------------------------------------------------------

def test_one_bad_row_means_nothing_is_written_and_every_bad_row_is_reported(world):
    before = snapshot()
    rows = [resident(i) for i in range(1, 6)]
    rows[1]["id_number"] = bad_check_digit(rows[1]["id_number"])
    rows[3]["region"] = "999999999999"
    rows[4]["name"] = ""
    job = import_rows("residents", rows, world.community_staff)
    assert job.status == ImportJob.Status.FAILED
    assert [e["row"] for e in job.errors] == [3, 5, 6]
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 0)
    assert snapshot() == before
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT, detail__status="failed").exists()


def test_failed_import_does_not_change_existing_records(world):
    existing = Resident.objects.create(region=world.community, name="测试居民1", id_number=nth_citizen_id(1)[0],
                                       address="旧地址")
    before = snapshot()
    job = import_rows("residents", [resident(1, address="新地址"), resident(2, region="")], world.community_staff)
    assert job.status == ImportJob.Status.FAILED
    existing.refresh_from_db()
    assert existing.address == "旧地址" and snapshot() == before


# --- dry run -----------------------------------------------------------------------------------------

def test_dry_run_reports_what_would_happen_and_writes_nothing(world):
    import_rows("residents", [resident(1), resident(2)], world.community_staff)
    before = snapshot()
    job = import_rows("residents", [resident(1), resident(2, address="搬家了"), resident(3)],
                      world.community_staff, dry_run=True)
    assert job.status == ImportJob.Status.SUCCEEDED and job.dry_run
    assert (job.created_count, job.updated_count, job.unchanged_count) == (1, 1, 1)
    assert snapshot() == before
    assert Resident.objects.get(name="测试居民2").address == "测试路2号"


def test_dry_run_with_errors_reports_them(world):
    job = import_rows("residents", [resident(1, region="110105001999")], world.community_staff, dry_run=True)
    assert job.status == ImportJob.Status.FAILED and errors_of(job)[0][2] == str(MSG_REGION_UNKNOWN)


# --- re-runs -----------------------------------------------------------------------------------------

def test_rerun_creates_no_duplicates_and_counts_unchanged_rows(world):
    rows = [resident(i) for i in range(1, 4)] + [resident(9, id_number="")]
    import_rows("residents", rows, world.community_staff)
    before = snapshot()
    job = import_rows("residents", rows, world.community_staff)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 4)
    assert snapshot() == before


def test_rerun_updates_changed_rows_with_history_and_search_text(world):
    import_rows("residents", [resident(1), resident(2)], world.community_staff)
    job = import_rows("residents", [resident(1, address="幸福路8号"), resident(2)], world.street_officer)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 1, 1)
    changed = Resident.objects.get(name="测试居民1")
    assert changed.address == "幸福路8号" and "幸福路8号" in changed.search_text
    latest = changed.history.order_by("-history_id").first()
    assert latest.history_type == "~" and latest.history_user == world.street_officer
    assert Resident.objects.get(name="测试居民2").history.count() == 1


def test_blank_cells_do_not_clear_existing_values(world):
    import_rows("residents", [resident(1, ethnicity="满族")], world.community_staff)
    job = import_rows("residents", [resident(1, ethnicity="", address="")], world.community_staff)
    assert job.unchanged_count == 1
    assert Resident.objects.get(name="测试居民1").ethnicity == "满族"


def test_row_without_id_updates_the_record_matched_by_name_phone_and_region(world):
    import_rows("residents", [resident(1, id_number="")], world.community_staff)
    job = import_rows("residents", [resident(1, id_number="", address="新址")], world.community_staff)
    assert (job.created_count, job.updated_count) == (0, 1)
    assert Resident.objects.get(name="测试居民1").address == "新址"


def test_row_with_id_merges_into_a_namesake_without_id(world):
    import_rows("residents", [resident(1, id_number="")], world.community_staff)
    job = import_rows("residents", [resident(1)], world.community_staff)
    assert (job.created_count, job.updated_count) == (0, 1)
    assert Resident.objects.get(name="测试居民1").id_number == nth_citizen_id(1)[0]


def test_voided_record_is_not_merged_into(world):
    from wushe.core.services import record_void

    import_rows("residents", [resident(1)], world.community_staff)
    record_void(actor=world.admin, obj=Resident.objects.get(name="测试居民1"), reason="重复登记")
    job = import_rows("residents", [resident(1)], world.community_staff)
    assert job.created_count == 1 and Resident.objects.filter(name="测试居民1").count() == 2
