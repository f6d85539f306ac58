"""Region tree import: level and parent from the code, revoked codes kept, CSV, and the operator command."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from wushe.imports.kinds.base import MSG_DUPLICATE_IN_FILE, MSG_REGION_CODE_FORMAT
from wushe.imports.kinds.regions import (
    MSG_PARENT_UNKNOWN,
    MSG_REPLACEMENT_UNKNOWN,
    MSG_REPLACEMENT_WITHOUT_REVOKED,
    RegionSpec,
)
from wushe.imports.models import ImportJob
from wushe.imports.services import import_job_create
from wushe.imports.synthetic import write_csv, write_xlsx
from wushe.regions.models import Level, Region, UrbanRuralClass

from .conftest import csv_upload, import_rows

pytestmark = pytest.mark.django_db


def errors_of(job):
    return [(e["row"], e["column"], e["message"]) for e in job.errors]


# Children come before their parents and a replacement before the region it replaces: order must not matter.
NEW_STREET = [
    {"code": "110105003001", "name": "新城社区", "urban_rural_class": "111"},
    {"code": "110105003002", "name": "老城社区", "urban_rural_class": "主城区", "revoked_on": "2021-06-30",
     "replaced_by": "110105003001"},
    {"code": "110105003000", "name": "新城街道"},
    {"code": "110105001001", "name": "将台社区", "urban_rural_class": "城乡接合区"},
]


def test_region_import_derives_level_and_parent_and_keeps_revoked_codes(world):
    job = import_rows("regions", NEW_STREET, world.admin)
    assert job.status == ImportJob.Status.SUCCEEDED, job.errors
    assert (job.created_count, job.updated_count, job.unchanged_count) == (3, 0, 1)
    street = Region.objects.get(code="110105003000")
    assert street.level == Level.TOWNSHIP and street.parent == world.district
    new, old = Region.objects.get(code="110105003001"), Region.objects.get(code="110105003002")
    assert new.level == Level.COMMUNITY and new.parent == street and new.urban_rural_class == UrbanRuralClass.MAIN_CITY
    assert old.revoked_on == datetime.date(2021, 6, 30) and old.replaced_by == new and old.is_revoked
    assert list(Region.objects.current().filter(code__startswith="110105003").values_list("code", flat=True)) == [
        "110105003000", "110105003001"]
    assert new.history.get().history_user == world.admin


def test_region_rerun_is_unchanged_and_revoking_updates(world):
    import_rows("regions", NEW_STREET, world.admin)
    job = import_rows("regions", NEW_STREET, world.admin)
    assert (job.created_count, job.updated_count, job.unchanged_count) == (0, 0, 4)
    revoke = [{"code": "110105001002", "name": "丽都社区", "revoked_on": "2024-01-01", "replaced_by": "110105001001"}]
    job = import_rows("regions", revoke, world.admin)
    assert job.updated_count == 1
    world.community2.refresh_from_db()
    assert world.community2.revoked_on == datetime.date(2024, 1, 1) and world.community2.replaced_by == world.community
    assert Region.objects.filter(code="110105001002").exists()


def test_region_errors(world):
    rows = [
        {"code": "110105009001", "name": "无上级社区"},
        {"code": "11010500", "name": "短代码"},
        {"code": "110105001003", "name": "无撤销日期", "replaced_by": "110105001001"},
        {"code": "110105001004", "name": "继承不存在", "revoked_on": "2020-01-01", "replaced_by": "110105001888"},
        {"code": "110105001005", "name": "甲"},
        {"code": "110105001005", "name": "乙"},
    ]
    before = Region.objects.count()
    job = import_rows("regions", rows, world.admin)
    assert errors_of(job) == [
        (2, "区划代码", str(MSG_PARENT_UNKNOWN % {"code": "110105009000"})),
        (3, "区划代码", str(MSG_REGION_CODE_FORMAT)),
        (4, "继承区划代码", str(MSG_REPLACEMENT_WITHOUT_REVOKED)),
        (5, "继承区划代码", str(MSG_REPLACEMENT_UNKNOWN)),
        (7, "区划代码", str(MSG_DUPLICATE_IN_FILE % {"row": 6})),
    ]
    assert Region.objects.count() == before


def test_region_csv_in_gbk_imports(world):
    upload = csv_upload("regions", NEW_STREET[2:3], encoding="gb18030")
    job = import_job_create(actor=world.admin, kind="regions", upload=upload)
    assert job.errors == [] and Region.objects.get(code="110105003000").name == "新城街道"


def test_import_regions_command_dry_run_then_real(world, tmp_path, capsys):
    path = tmp_path / "regions.xlsx"
    path.write_bytes(write_xlsx(RegionSpec, NEW_STREET).getvalue())
    call_command("import_regions", str(path), "--dry-run")
    assert "3 would be created" in capsys.readouterr().out
    assert not Region.objects.filter(code="110105003000").exists()
    call_command("import_regions", str(path), "--user", "admin")
    assert "3 were created" in capsys.readouterr().out
    assert Region.objects.get(code="110105003001").history.get().history_user == world.admin


def test_import_regions_command_reports_errors_and_writes_nothing(world, tmp_path):
    path = tmp_path / "regions.csv"
    path.write_bytes(write_csv(RegionSpec, [{"code": "110105003001", "name": "孤儿社区"}]))
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_regions", str(path))
    assert not Region.objects.filter(code="110105003001").exists()
    with pytest.raises(CommandError, match="not found"):
        call_command("import_regions", str(tmp_path / "missing.xlsx"))
