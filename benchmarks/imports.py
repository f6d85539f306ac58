"""Resident import throughput and memory on a throwaway SQLite file.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python -m benchmarks [--rows 100000] [--no-memory]

Generates synthetic residents (Faker zh_CN names and addresses, unique ID numbers with valid check digits)
into an .xlsx file, then measures side by side on the same database:

1. a plain `bulk_create` of the same rows (no file, no validation, no history, no search text) — the floor;
2. the import job (read the file in streaming mode, validate every row, then write rows and history in one
   transaction), split into the validation phase (progress visible) and the write transaction;
3. a re-run of the same file (every row matched and unchanged);
4. the import again under tracemalloc, for its peak Python memory; the peak of the naive approach (all rows
   as model objects in one list) is shown for comparison.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def _setup_django(workdir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ.pop("DATABASE_URL", None)  # always a throwaway SQLite file, never a real database
    os.environ["SQLITE_PATH"] = str(workdir / "bench.sqlite3")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django
    from django.conf import settings

    django.setup()
    settings.MEDIA_ROOT = workdir / "media"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _world():
    from wushe.accounts.roles import Role
    from wushe.testing.personas import assign, build_regions, make_user

    regions = build_regions()
    officer = make_user("bench_street_officer")
    assign(officer, Role.STREET_OFFICER, region=regions["street"])
    communities = [regions["community"], regions["community2"], regions["village"]]
    return officer, communities


def _rows(count: int, communities):
    from wushe.imports.synthetic import resident_values

    return resident_values(count, region_codes=[c.code for c in communities])


def _wipe_residents() -> None:
    from django.db import connection

    from wushe.people.models import Resident

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Resident.history.model._meta.db_table}")
        cursor.execute(f"DELETE FROM {Resident._meta.db_table}")


def _plain_objects(count: int, communities) -> list:
    from wushe.people.models import Resident

    region_ids = {c.code: c.pk for c in communities}
    sexes = {"男": "M", "女": "F"}
    return [Resident(name=v["name"], document_type="ric", id_number=v["id_number"], sex=sexes[v["sex"]],
                     birth_date=datetime.date.fromisoformat(v["birth_date"]), ethnicity=v["ethnicity"],
                     phone=v["phone"], address=v["address"], region_id=region_ids[v["region"]],
                     consent_basis="consent")
            for v in _rows(count, communities)]


def _plain_bulk_create(count: int, communities) -> float:
    from django.db import transaction

    from wushe.people.models import Resident

    started = time.perf_counter()
    with transaction.atomic():
        Resident.objects.bulk_create(_plain_objects(count, communities))
    return time.perf_counter() - started


def _import(path: Path, officer) -> tuple[float, float, object]:
    """Run the import as the background worker does; returns (seconds, seconds until validated, job)."""
    from django.core.files import File

    from wushe.imports import services
    from wushe.imports.models import ImportJob

    with path.open("rb") as handle:
        job = ImportJob.objects.create(kind="residents", actor=officer, file=File(handle, name=path.name),
                                       original_name=path.name)
    marks: list[float] = []
    report = services.report_progress

    def timed_report(job_id, processed):
        report(job_id, processed)
        marks.append(time.perf_counter())

    services.report_progress = timed_report
    try:
        started = time.perf_counter()
        job = services.import_job_run(job_id=job.pk)
        finished = time.perf_counter()
    finally:
        services.report_progress = report
    if job.errors:
        raise SystemExit(f"benchmark import failed: {job.errors[:3]}")
    return finished - started, (marks[-1] if marks else finished) - started, job


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:,.1f} MB"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--no-memory", action="store_true", help="skip the (slower) tracemalloc runs")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="wushe-bench-") as tmp:
        workdir = Path(tmp)
        _setup_django(workdir)
        from wushe.imports.kinds import SPECS
        from wushe.imports.synthetic import write_xlsx
        from wushe.people.models import Resident

        officer, communities = _world()
        rows = args.rows
        print(f"Wushe import benchmark: {rows:,} synthetic residents · SQLite {sqlite3.sqlite_version} (WAL) · "
              f"Python {platform.python_version()} · {os.cpu_count()} CPU", flush=True)

        started = time.perf_counter()
        path = workdir / "residents.xlsx"
        with path.open("wb") as handle:
            write_xlsx(SPECS["residents"], _rows(rows, communities), handle)
        generated = time.perf_counter() - started
        print(f"generated {path.name}: {path.stat().st_size / 1024 / 1024:.1f} MB in {generated:.1f} s", flush=True)

        plain = _plain_bulk_create(rows, communities)
        assert Resident.objects.count() == rows
        _wipe_residents()

        total, validated, job = _import(path, officer)
        assert job.created_count == rows and Resident.objects.count() == rows
        assert Resident.history.count() == rows
        rerun, _validated, again = _import(path, officer)
        assert again.unchanged_count == rows and Resident.objects.count() == rows

        table = [
            ("plain bulk_create (no file, checks, history)", rows, plain),
            ("import: read + validate + write with history", rows, total),
            ("  of which reading and validating", None, validated),
            ("  of which the write transaction", None, total - validated),
            ("import re-run (all rows unchanged)", rows, rerun),
        ]
        print()
        print(f"{'step':<46} {'rows':>9} {'seconds':>9} {'rows/s':>9}")
        print("-" * 76)
        for label, count, seconds in table:
            rate = f"{count / seconds:,.0f}" if count else ""
            print(f"{label:<46} {count or '':>9} {seconds:>9.1f} {rate:>9}")
        print("-" * 76)
        print(f"import takes {total / plain:.1f}× as long as the plain bulk_create of the same rows "
              f"(re-run {rerun / plain:.1f}×)", flush=True)

        if not args.no_memory:
            _wipe_residents()
            tracemalloc.start()
            _import(path, officer)
            _current, import_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            tracemalloc.start()
            objects = _plain_objects(rows, communities)
            _current, naive_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            del objects
            print()
            print(f"{'peak Python memory (tracemalloc)':<46} {'':>9} {'':>9} {'':>9}")
            print("-" * 76)
            print(f"{'import of the whole file':<46} {rows:>9} {_mb(import_peak):>19}")
            print(f"{'naive: all rows as objects in one list':<46} {rows:>9} {_mb(naive_peak):>19}")
        print()
        print("The write transaction holds SQLite's write lock for its whole duration; other writers wait "
              "(busy timeout 20 s).")
