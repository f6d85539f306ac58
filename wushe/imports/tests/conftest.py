import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wushe.imports.kinds import SPECS
from wushe.imports.services import import_job_create
from wushe.imports.synthetic import nth_citizen_id, write_csv, write_xlsx


def xlsx_upload(kind: str, rows: list[dict], name: str = "data.xlsx", headers=None) -> SimpleUploadedFile:
    content = write_xlsx(SPECS[kind], rows, headers=headers).getvalue()
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def csv_upload(kind: str, rows: list[dict], name: str = "data.csv", encoding: str = "utf-8-sig"):
    return SimpleUploadedFile(name, write_csv(SPECS[kind], rows, encoding=encoding), content_type="text/csv")


def import_rows(kind: str, rows: list[dict], actor, *, dry_run: bool = False):
    """Run an import through the service, as the upload page does."""
    return import_job_create(actor=actor, kind=kind, upload=xlsx_upload(kind, rows), dry_run=dry_run)


def resident(index: int, region: str = "110105001001", **overrides) -> dict:
    number, _birth, _sex = nth_citizen_id(index)
    row = {"name": f"测试居民{index}", "id_number": number, "phone": f"139{index:08d}", "region": region,
           "address": f"测试路{index}号"}
    row.update(overrides)
    return row


@pytest.fixture
def community_code(world):
    return world.community.code
