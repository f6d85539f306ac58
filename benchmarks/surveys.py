"""Survey analysis at district scale: frequencies and cross-tabs over 50,000 submitted responses.

    DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python -m benchmarks surveys [--responses 50000]
        [--postgres postgres://postgres@127.0.0.1:5432] [--export]

Builds a 12-question survey (select_one, select_multiple, integer, text; 10 communities, 6 population
groups), loads submitted responses and their AnswerValue rows (derived by `services.values.value_rows`, as
the services do) with bulk_create on a throwaway SQLite file (or, with --postgres, a throwaway database
created on that server and dropped afterwards), runs ANALYZE, then measures side by side on
the same rows (best of --repeat runs):

1. one plain SQL aggregate: SELECT question, choice, COUNT(*) … GROUP BY question, choice — the floor;
2. `wushe.surveys.selectors.analysis.summary` for the survey (every question: bases, skipped, option counts
   with COUNT(DISTINCT response), numeric mean/median/min/max/histogram, latest texts);
3. a plain SQL cross-tab of one select_multiple question by community against `crosstab(..., by="community")`;
4. the peak Python memory of `summary` under tracemalloc.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from .imports import _setup_django


def _choices(*names: str) -> list[dict]:
    return [{"name": f"c{index}", "label": {"zh": name}} for index, name in enumerate(names, start=1)]


DEFINITION = {
    "version": 1, "form_id": "bench", "form_version": "1", "title": {"zh": "社区居民需求调查"},
    "languages": ["zh"], "default_language": "zh",
    "questions": [
        {"name": "sex", "type": "select_one", "label": {"zh": "性别"}, "choices": _choices("男", "女")},
        {"name": "age", "type": "integer", "label": {"zh": "年龄"}},
        {"name": "education", "type": "select_one", "label": {"zh": "文化程度"},
         "choices": _choices("小学及以下", "初中", "高中", "大专", "本科及以上")},
        {"name": "needs", "type": "select_multiple", "label": {"zh": "最需要的服务"},
         "choices": _choices("助餐", "助医", "助浴", "陪伴", "法律", "就业", "托育", "文体")},
        {"name": "problems", "type": "select_multiple", "label": {"zh": "社区存在的问题"},
         "choices": _choices("居民参与度低", "停车难", "环境卫生", "活动场地少", "邻里关系", "安全隐患")},
        {"name": "satisfaction", "type": "select_one", "label": {"zh": "满意度"},
         "choices": _choices("很满意", "满意", "一般", "不满意", "很不满意")},
        {"name": "household", "type": "integer", "label": {"zh": "家庭人口"}},
        {"name": "joined", "type": "select_one", "label": {"zh": "是否参加过社区活动"}, "choices": _choices("是", "否")},
        {"name": "channels", "type": "select_multiple", "label": {"zh": "获取信息的渠道"},
         "choices": _choices("微信群", "公告栏", "社区网格员", "电话", "其他")},
        {"name": "years", "type": "integer", "label": {"zh": "居住年限"}},
        {"name": "suggestion", "type": "text", "label": {"zh": "您的建议"}},
        {"name": "comment", "type": "text", "label": {"zh": "其他意见"}},
    ],
}


def _answers(rng: random.Random) -> dict:
    answers = {"sex": rng.choice(["c1", "c2"]), "age": rng.randint(18, 95),
               "education": rng.choice(["c1", "c2", "c3", "c4", "c5"]),
               "satisfaction": rng.choice(["c1", "c2", "c2", "c3", "c4", "c5"]),
               "household": rng.randint(1, 6), "joined": rng.choice(["c1", "c2"]), "years": rng.randint(0, 60)}
    for name, size, chance in (("needs", 8, 0.35), ("problems", 6, 0.3), ("channels", 5, 0.4)):
        chosen = [f"c{i}" for i in range(1, size + 1) if rng.random() < chance]
        if chosen:
            answers[name] = chosen
    if rng.random() < 0.4:
        answers["suggestion"] = rng.choice(["希望多组织老年人活动", "增加停车位", "改善楼道卫生", "开设四点半课堂"])
    if rng.random() < 0.1:
        answers["comment"] = "无"
    return answers


def _build(responses: int, seed: int = 5):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from wushe.people.models import PopulationGroup
    from wushe.surveys.models import AnswerValue, Survey, SurveyResponse
    from wushe.surveys.services.values import value_rows
    from wushe.testing.personas import build_regions, make_region

    rng = random.Random(seed)
    regions = build_regions()
    communities = [regions["community"], regions["community2"], regions["village"]]
    communities += [make_region(f"110105001{n:03d}", f"社区{n}", regions["street"]) for n in range(3, 10)]
    groups = list(PopulationGroup.objects.order_by("sort_order", "code")[:6])
    user = get_user_model().objects.create(username="bench_admin", is_superuser=True)
    survey = Survey.objects.create(region=regions["street"], title="社区居民需求调查", owner=user, status="open",
                                   definition=DEFINITION, form_id="bench", form_version="1")
    start = timezone.now() - datetime.timedelta(days=60)
    with transaction.atomic():
        for offset in range(0, responses, 5000):
            batch = [SurveyResponse(survey=survey, region=rng.choice(communities),
                                    population_group=rng.choice(groups + [None]), mode="interview",
                                    status="submitted", answers=_answers(rng),
                                    submitted_at=start + datetime.timedelta(minutes=offset + n))
                     for n in range(min(5000, responses - offset))]
            SurveyResponse.objects.bulk_create(batch)
            AnswerValue.objects.bulk_create([row for response in batch for row in value_rows(response)],
                                            batch_size=5000)
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM too, so index-only scans see an up-to-date visibility map, as autovacuum keeps it.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return user, survey


def _plain_summary(survey_id: int) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT question, choice, COUNT(*) FROM surveys_answervalue WHERE survey_id = %s "
                       "GROUP BY question, choice", [survey_id])
        return cursor.fetchall()


def _plain_crosstab(survey_id: int, question: str) -> list:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT region_id, choice, COUNT(*) FROM surveys_answervalue WHERE survey_id = %s "
                       "AND question = %s GROUP BY region_id, choice", [survey_id, question])
        return cursor.fetchall()


def _best(function, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return min(times), result


def _database(connection) -> str:
    if connection.vendor == "postgresql":
        return f"PostgreSQL {connection.cursor().connection.info.server_version}"
    return f"SQLite {sqlite3.sqlite_version}"


def _setup_postgres(server: str, workdir: Path):
    """A throwaway database on the PostgreSQL server, migrated; returns a function that drops it."""
    import psycopg

    name = f"wushe_bench_{os.getpid()}"
    server = server.rstrip("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.MEDIA_ROOT = workdir / "media"
    call_command("migrate", verbosity=0)

    def drop():
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')

    return drop


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks surveys", description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--queries", action="store_true", help="print each query of summary() with its time")
    parser.add_argument("--export", action="store_true", help="also time the Excel export of every response")
    parser.add_argument("--postgres", metavar="SERVER_URL",
                        help="run on a throwaway database of this PostgreSQL server instead of SQLite")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="wushe-bench-") as tmp:
        drop = _setup_postgres(args.postgres, Path(tmp)) if args.postgres else None
        if drop is None:
            _setup_django(Path(tmp))
        try:
            _run(args)
        finally:
            if drop is not None:
                drop()


def _run(args) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from wushe.surveys.models import AnswerValue
    from wushe.surveys.selectors.analysis import crosstab, summary

    print(f"Wushe survey analysis benchmark: {args.responses:,} submitted responses, 12 questions, "
          f"10 communities, 6 groups · {_database(connection)} · Python {platform.python_version()} · "
          f"{os.cpu_count()} CPU", flush=True)
    started = time.perf_counter()
    user, survey = _build(args.responses)
    print(f"generated {AnswerValue.objects.count():,} AnswerValue rows in {time.perf_counter() - started:.1f} s")

    plain_all, plain_rows = _best(lambda: _plain_summary(survey.pk), args.repeat)
    summary_seconds, result = _best(lambda: summary(user, survey), args.repeat)
    needs = next(q for q in result["questions"] if q["name"] == "needs")
    plain_needs = {choice: n for question, choice, n in plain_rows if question == "needs"}
    assert {o["name"]: o["count"] for o in needs["options"]} == plain_needs
    with CaptureQueriesContext(connection) as queries:
        summary(user, survey)
    query_count = len(queries.captured_queries)
    if args.queries:
        for query in queries.captured_queries:
            print(f"{query['time']:>7}s  {query['sql'][:600]}")
    plain_cross, cross_rows = _best(lambda: _plain_crosstab(survey.pk, "needs"), args.repeat)
    cross_seconds, table = _best(lambda: crosstab(user, survey, "needs", by="community"), args.repeat)
    assert sum(r["total"]["count"] for r in table["rows"]) == sum(n for _r, _c, n in cross_rows)
    reset_queries()

    tracemalloc.start()
    summary(user, survey)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print()
    print(f"{'measure (best of ' + str(args.repeat) + ')':<56} {'seconds':>9} {'ratio':>7}")
    print("-" * 74)
    print(f"{'plain SQL: GROUP BY question, choice (COUNT(*))':<56} {plain_all:>9.3f}")
    print(f"{'summary(): every question, ' + str(query_count) + ' queries':<56} "
          f"{summary_seconds:>9.3f} {summary_seconds / plain_all:>6.1f}×")
    print(f"{'plain SQL: one question GROUP BY region, choice':<56} {plain_cross:>9.3f}")
    print(f"{'crosstab(by=community): select_multiple, per respondent':<56} {cross_seconds:>9.3f} "
          f"{cross_seconds / plain_cross:>6.1f}×")
    print("-" * 74)
    print(f"peak Python memory of summary(): {peak / 1024 / 1024:.1f} MB")
    if args.export:
        import io
        import resource

        from wushe.surveys.selectors.analysis import AnalysisFilters
        from wushe.surveys.services.export import survey_export

        buffer = io.BytesIO()  # timed without tracemalloc, which slows this pure-Python loop several times
        started = time.perf_counter()
        survey_export(actor=user, survey=survey, filters=AnalysisFilters(), fileobj=buffer)
        seconds = time.perf_counter() - started
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"Excel export of every response: {seconds:.1f} s, {buffer.tell() / 1024 / 1024:.1f} MB file, "
              f"peak process memory {peak_rss:.0f} MB")
    sys.stdout.flush()
