"""Activity head counts at district scale: unique persons and person-times (人次) over many attendance rows.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python -m benchmarks activities [--rows 200000]

Builds synthetic activities, sessions, residents and attendance rows with bulk_create on a throwaway SQLite
file, then measures side by side on the same rows:

1. one plain SQL statement (COUNT(*) and COUNT(DISTINCT resident_id) over the attendance table joined to
   its sessions) — the floor;
2. `wushe.activities.selectors.activities.stats_for` over every activity, as the district report calls it
   (participants and volunteers apart, walk-ins by phone, rejected identities excluded, feedback);
3. the same for one activity, as its page shows it, against the plain SQL for that activity.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from .imports import _setup_django


def _build(rows: int, activities_count: int, sessions_per_activity: int, seed: int = 4):
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from wushe.activities.models import Activity, ActivitySession, Attendance
    from wushe.people.models import Resident
    from wushe.testing.personas import build_regions

    rng = random.Random(seed)
    regions = build_regions()
    community = regions["community"]
    organizer = get_user_model().objects.create(username="bench_organizer")
    people = max(rows // 20, 100)
    start = timezone.now() - datetime.timedelta(days=365)
    with transaction.atomic():
        Resident.objects.bulk_create([Resident(region=community, name=f"居民{n}", consent_basis="consent")
                                      for n in range(people)], batch_size=2000)
        resident_ids = list(Resident.objects.values_list("pk", flat=True))
        Activity.objects.bulk_create([
            Activity(region=community, title=f"活动{n}", place="活动室", organizer=organizer,
                     starts_at=start + datetime.timedelta(days=n), status="completed",
                     ends_at=start + datetime.timedelta(days=n, hours=2))
            for n in range(activities_count)], batch_size=1000)
        activities = list(Activity.objects.order_by("pk"))
        ActivitySession.objects.bulk_create([
            ActivitySession(activity=a, sequence=s + 1, starts_at=a.starts_at, ends_at=a.ends_at)
            for a in activities for s in range(sessions_per_activity)], batch_size=2000)
        session_ids = list(ActivitySession.objects.values_list("pk", flat=True))
        per_session = max(rows // len(session_ids), 1)
        batch = []
        for session_id in session_ids:
            for resident_id in rng.sample(resident_ids, min(per_session, len(resident_ids))):
                batch.append(Attendance(session_id=session_id, resident_id=resident_id, source="roster"))
            if len(batch) >= 20000:
                Attendance.objects.bulk_create(batch)
                batch = []
        Attendance.objects.bulk_create(batch)
    if "--no-analyze" not in sys.argv:
        # Without statistics SQLite takes the `voided_at` index (every row NULL) for a selective one.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return activities


def _plain_sql(activity_id: int | None = None) -> tuple[int, int]:
    from django.db import connection

    where = "WHERE s.voided_at IS NULL AND a.voided_at IS NULL"
    params: list = []
    if activity_id is not None:
        where += " AND s.activity_id = %s"
        params.append(activity_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*), COUNT(DISTINCT a.resident_id) FROM activities_attendance a "
            f"JOIN activities_activitysession s ON s.id = a.session_id {where}", params)
        return cursor.fetchone()


def _time(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks activities", description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--activities", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-analyze", action="store_true", help="skip ANALYZE after loading (no statistics)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="wushe-bench-") as tmp:
        _setup_django(Path(tmp))
        from wushe.activities.models import Activity, Attendance
        from wushe.activities.selectors.activities import stats_for

        print(f"Wushe activity head-count benchmark: ~{args.rows:,} attendance rows, {args.activities} activities × "
              f"{args.sessions} sessions · SQLite {sqlite3.sqlite_version} · Python {platform.python_version()} · "
              f"{os.cpu_count()} CPU", flush=True)
        started = time.perf_counter()
        activities = _build(args.rows, args.activities, args.sessions)
        print(f"generated {Attendance.objects.count():,} attendance rows in {time.perf_counter() - started:.1f} s")

        plain_all, (times_all, persons_all) = _time(_plain_sql, args.repeat)
        stats_all_seconds, stats_all = _time(lambda: stats_for(Activity.objects.all()), args.repeat)
        assert (stats_all.participants.person_times, stats_all.participants.persons) == (times_all, persons_all)

        one = activities[len(activities) // 2]
        plain_one, (times_one, persons_one) = _time(lambda: _plain_sql(one.pk), args.repeat)
        stats_one_seconds, stats_one = _time(lambda: stats_for(Activity.objects.filter(pk=one.pk)), args.repeat)
        assert (stats_one.participants.person_times, stats_one.participants.persons) == (times_one, persons_one)

        print()
        print(f"{'measure (median of ' + str(args.repeat) + ')':<52} {'seconds':>9} {'ratio':>7}")
        print("-" * 70)
        print(f"{'all activities: plain SQL count + distinct':<52} {plain_all:>9.3f}")
        print(f"{'all activities: stats_for (full report)':<52} {stats_all_seconds:>9.3f} "
              f"{stats_all_seconds / plain_all:>6.1f}×")
        print(f"{'one activity: plain SQL':<52} {plain_one:>9.4f}")
        print(f"{'one activity: stats_for':<52} {stats_one_seconds:>9.4f} {stats_one_seconds / plain_one:>6.1f}×")
        print("-" * 70)
        print(f"{times_all:,} person-times, {persons_all:,} unique persons in the district report")
