"""Synthetic, obviously fake registry rows for tests and benchmarks.

Names and addresses come from Faker (zh_CN). ID numbers are built from a running sequence so they never
collide, with a correct GB 11643 check digit computed here."""

from __future__ import annotations

import csv
import datetime
import io
import random
from collections.abc import Iterable, Iterator

from openpyxl import Workbook

from .kinds.base import ImportSpec
from .workbooks import header_text

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_BIRTH_BASE = datetime.date(1935, 1, 1)


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(digit) * weight for digit, weight in zip(first17, _WEIGHTS, strict=True)) % 11]


def citizen_id(area: str, birth: datetime.date, sequence: int) -> str:
    body = f"{area}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + check_digit(body)


def bad_check_digit(number: str) -> str:
    """The same number with a wrong check digit."""
    right = number[-1]
    return number[:-1] + ("0" if right != "0" else "1")


def nth_citizen_id(index: int, area: str = "110105") -> tuple[str, datetime.date, str]:
    """The index-th synthetic ID: (number, birth date, sex code). Distinct for every index below 25 million."""
    # 97 is coprime with 25000, so distinct thousands map to distinct days within ~68 years.
    birth = _BIRTH_BASE + datetime.timedelta(days=(index // 1000) * 97 % 25000)
    number = citizen_id(area, birth, index)
    return number, birth, "M" if int(number[16]) % 2 else "F"


class FakePeople:
    """Pools of Faker zh_CN names and addresses, so large row counts stay quick to generate."""

    def __init__(self, seed: int = 2024, pool: int = 3000):
        from faker import Faker

        faker = Faker("zh_CN")
        faker.seed_instance(seed)
        self.random = random.Random(seed)
        self.names = [faker.name() for _ in range(pool)]
        self.addresses = [faker.street_address() for _ in range(pool)]

    def name(self) -> str:
        return self.random.choice(self.names)

    def address(self) -> str:
        return self.random.choice(self.addresses)


def resident_values(count: int, *, region_codes: list[str], start: int = 0, seed: int = 2024) -> Iterator[dict]:
    """Resident rows as {field: cell value} with unique valid ID numbers."""
    people = FakePeople(seed)
    for index in range(start, start + count):
        number, birth, sex = nth_citizen_id(index)
        yield {
            "name": people.name(), "document_type": "居民身份证", "id_number": number,
            "sex": "男" if sex == "M" else "女", "birth_date": birth.isoformat(), "ethnicity": "汉族",
            "phone": f"13{index % 10}{(index * 7919) % 10**8:08d}", "address": people.address(),
            "region": region_codes[index % len(region_codes)], "relation_to_head": "",
            "consent_basis": "本人同意", "notes": "",
        }


def as_cells(spec: ImportSpec, rows: Iterable[dict]) -> Iterator[list]:
    for values in rows:
        yield [values.get(column.field, "") for column in spec.columns]


def write_xlsx(spec: ImportSpec, rows: Iterable[dict], fileobj=None, *, headers: list[str] | None = None):
    """An .xlsx file (streamed, write-only) with the template's headers and the given rows."""
    fileobj = fileobj if fileobj is not None else io.BytesIO()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append(headers or [header_text(column) for column in spec.columns])
    for cells in as_cells(spec, rows):
        sheet.append(cells)
    workbook.save(fileobj)
    if hasattr(fileobj, "seek"):
        fileobj.seek(0)
    return fileobj


def write_csv(spec: ImportSpec, rows: Iterable[dict], *, encoding: str = "utf-8-sig") -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow([header_text(column) for column in spec.columns])
    writer.writerows(as_cells(spec, rows))
    return text.getvalue().encode(encoding)
