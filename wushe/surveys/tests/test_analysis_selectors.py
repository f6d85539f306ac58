"""Analysis figures against the same figures computed by hand from the generated Python data (no SQL)."""

import datetime
import random
import statistics
from dataclasses import dataclass, field

import pytest
from django.utils import timezone

from wushe.core.services import record_void
from wushe.people.models import PopulationGroup
from wushe.surveys.models import CollectionMode, ResponseStatus, SurveyResponse
from wushe.surveys.selectors.analysis import AnalysisFilters, crosstab, summary
from wushe.surveys.services.values import refresh_values
from wushe.surveys.tests.factories import make_survey

NEEDS = ["meals", "medical", "company"]


@dataclass
class Generated:
    survey: object
    rows: list[dict] = field(default_factory=list)  # every response as generated, drafts and voided included

    def counted(self, **where) -> list[dict]:
        """Submitted, non-voided rows matching the filter (region, group, after, before)."""
        rows = [r for r in self.rows if r["status"] == ResponseStatus.SUBMITTED and not r["voided"]]
        if "region" in where:
            rows = [r for r in rows if r["region"].pk == where["region"].pk]
        if "group" in where:
            rows = [r for r in rows if r["group"] is not None and r["group"].pk == where["group"].pk]
        if "after" in where:
            rows = [r for r in rows if timezone.localdate(r["submitted_at"]) >= where["after"]]
        if "before" in where:
            rows = [r for r in rows if timezone.localdate(r["submitted_at"]) <= where["before"]]
        return rows


def hand_percent(count: int, base: int) -> float:
    return round(100 * count / base, 1) if base else 0.0


def _answers(rng: random.Random, number: int) -> dict:
    age = rng.randint(20, 95)
    answers = {"nickname": f"居民{number}", "age": age, "lives_alone": rng.choice(["yes", "no"]),
               "age_months": age * 12}
    if rng.random() < 0.7:
        answers["income"] = round(rng.uniform(800, 9000), 2)
    if rng.random() < 0.8:
        answers["moved_in"] = (datetime.date(2000, 1, 1) + datetime.timedelta(days=rng.randint(0, 9000))).isoformat()
    if answers["lives_alone"] == "yes":
        answers["helper"] = f"联系人{number}"
    chosen = [name for name in NEEDS if rng.random() < 0.6]
    if chosen and rng.random() < 0.85:  # some respondents skip the question
        answers["needs"] = chosen
    if age >= 60:
        answers["chronic"] = rng.choice(["yes", "no", "no"])
    kids = []
    for index in range(rng.choice([0, 0, 1, 2, 3])):
        kid = {"kid_name": f"子女{number}-{index}"}
        if rng.random() < 0.8:
            kid["kid_age"] = rng.randint(0, 40)
        kids.append(kid)
    if kids:
        answers["kids"] = kids
    return answers


def generate(world, *, seed: int = 7, count: int = 90, definition=None, **survey_fields) -> Generated:
    rng = random.Random(seed)
    survey = make_survey(world, definition, **survey_fields)
    regions = [world.community, world.community2, world.village]
    groups = list(PopulationGroup.objects.order_by("sort_order", "code")[:4]) + [None]
    now = timezone.now()
    generated = Generated(survey=survey)
    for number in range(count):
        status = ResponseStatus.DRAFT if rng.random() < 0.12 else ResponseStatus.SUBMITTED
        submitted_at = now - datetime.timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 5))
        row = {"region": rng.choice(regions), "group": rng.choice(groups), "status": status, "voided": False,
               "answers": _answers(rng, number), "submitted_at": submitted_at}
        response = SurveyResponse.objects.create(
            survey=survey, region=row["region"], population_group=row["group"], mode=CollectionMode.INTERVIEW,
            collected_by=world.users["social_worker"], status=status, answers=row["answers"],
            submitted_at=submitted_at if status == ResponseStatus.SUBMITTED else None)
        refresh_values(response)
        if status == ResponseStatus.SUBMITTED and rng.random() < 0.08:
            record_void(actor=world.users["street_officer"], obj=response, reason="重复录入")
            refresh_values(response)
            row["voided"] = True
        row["response"] = response
        generated.rows.append(row)
    return generated


@pytest.fixture
def data(world):
    generated = generate(world)
    assert any(r["voided"] for r in generated.rows) and any(r["status"] == "draft" for r in generated.rows)
    return generated


def by_name(result: dict) -> dict:
    return {q["name"]: q for q in result["questions"]}


def test_select_one_percent_of_respondents_who_answered(world, data):
    result = by_name(summary(world.users["street_officer"], data.survey))
    rows = data.counted()
    question = result["lives_alone"]
    assert question["total"] == len(rows) and question["n"] == len(rows)
    for option in question["options"]:
        count = sum(1 for r in rows if r["answers"]["lives_alone"] == option["name"])
        assert option["count"] == count
        assert option["percent"] == hand_percent(count, len(rows))


def test_select_multiple_percent_of_respondents_not_of_answers(world, data):
    result = by_name(summary(world.users["street_officer"], data.survey))
    rows = data.counted()
    answered = [r for r in rows if r["answers"].get("needs")]
    question = result["needs"]
    assert question["multiple"] and question["n"] == len(answered)
    assert question["skipped"] == len(rows) - len(answered) > 0
    for option in question["options"]:
        count = sum(1 for r in answered if option["name"] in r["answers"]["needs"])
        assert option["count"] == count
        assert option["percent"] == hand_percent(count, len(answered))
    assert sum(o["percent"] for o in question["options"]) > 100  # people name several needs
    answers = sum(len(r["answers"]["needs"]) for r in answered)
    assert question["options"][0]["percent"] != hand_percent(question["options"][0]["count"], answers)


def test_skipped_question_base_excludes_non_answerers(world, data):
    result = by_name(summary(world.users["street_officer"], data.survey))
    rows = data.counted()
    answered = [r for r in rows if "chronic" in r["answers"]]
    question = result["chronic"]
    assert question["n"] == len(answered) < len(rows)
    assert question["skipped"] == len(rows) - len(answered)
    assert question["skipped_percent"] == hand_percent(len(rows) - len(answered), len(rows))
    yes = sum(1 for r in answered if r["answers"]["chronic"] == "yes")
    assert question["options"][0]["percent"] == hand_percent(yes, len(answered))


def test_numeric_mean_median_min_max_and_histogram(world, data):
    result = by_name(summary(world.users["street_officer"], data.survey))
    rows = data.counted()
    for name in ("age", "income", "age_months"):
        numbers = [r["answers"][name] for r in rows if name in r["answers"]]
        question = result[name]
        assert question["kind"] == "numeric"
        assert question["n"] == question["numbers"] == len(numbers)
        assert question["mean"] == pytest.approx(round(statistics.fmean(numbers), 2), abs=0.01)
        assert question["median"] == pytest.approx(round(statistics.median(numbers), 2), abs=0.01)
        assert question["min"] == pytest.approx(min(numbers)) and question["max"] == pytest.approx(max(numbers))
        assert sum(b["count"] for b in question["histogram"]) == len(numbers)


def test_date_earliest_and_latest(world, data):
    question = by_name(summary(world.users["street_officer"], data.survey))["moved_in"]
    dates = [r["answers"]["moved_in"] for r in data.counted() if "moved_in" in r["answers"]]
    assert (question["n"], question["earliest"], question["latest"]) == (len(dates), min(dates), max(dates))


def test_repeat_questions_count_instances(world, data):
    result = by_name(summary(world.users["street_officer"], data.survey))
    instances = [kid for r in data.counted() for kid in r["answers"].get("kids", [])]
    ages = [kid["kid_age"] for kid in instances if "kid_age" in kid]
    question = result["kid_age"]
    assert question["unit"] == "instances" and question["repeat"] == "kids"
    assert question["total"] == len(instances) and question["n"] == len(ages)
    assert question["skipped"] == len(instances) - len(ages) > 0
    assert question["mean"] == pytest.approx(round(statistics.fmean(ages), 2), abs=0.01)
    assert result["kid_name"]["n"] == len(instances)


def test_drafts_and_voided_responses_are_not_counted(world, data):
    result = summary(world.users["street_officer"], data.survey)
    submitted = [r for r in data.rows if r["status"] == "submitted"]
    assert result["responses"] == len(data.counted()) < len(submitted) < len(data.rows)
    assert by_name(result)["age"]["n"] == len(data.counted())


def test_filters_by_community_group_and_date(world, data):
    officer = world.users["street_officer"]
    group = next(r["group"] for r in data.rows if r["group"] is not None)
    after = timezone.localdate() - datetime.timedelta(days=10)
    before = timezone.localdate() - datetime.timedelta(days=2)
    cases = [(AnalysisFilters(community=world.community2), {"region": world.community2}),
             (AnalysisFilters(group=group), {"group": group}),
             (AnalysisFilters(submitted_from=after, submitted_to=before), {"after": after, "before": before})]
    for filters, where in cases:
        rows = data.counted(**where)
        assert 0 < len(rows) < len(data.counted())
        result = summary(officer, data.survey, filters=filters)
        assert result["responses"] == len(rows)
        needs = by_name(result)["needs"]
        answered = [r for r in rows if r["answers"].get("needs")]
        assert needs["n"] == len(answered)
        for option in needs["options"]:
            count = sum(1 for r in answered if option["name"] in r["answers"]["needs"])
            assert option["percent"] == hand_percent(count, len(answered))


def _check_crosstab(table, rows, key, question="needs"):
    columns = {column["key"]: column for column in table["columns"]}
    answered = [r for r in rows if r["answers"].get(question)]
    assert table["total_base"] == len(answered)
    keys = {key(r) for r in answered}
    assert set(columns) == keys
    for row in table["rows"]:
        for column, cell in zip(table["columns"], row["cells"], strict=True):
            in_column = [r for r in answered if key(r) == column["key"]]
            chosen = [r for r in in_column if row["name"] in _list(r["answers"][question])]
            assert column["base"] == len(in_column)
            assert (cell["count"], cell["percent"]) == (len(chosen), hand_percent(len(chosen), len(in_column)))
        total = [r for r in answered if row["name"] in _list(r["answers"][question])]
        assert row["total"] == {"count": len(total), "percent": hand_percent(len(total), len(answered))}


def _list(value):
    return value if isinstance(value, list) else [value]


def test_crosstab_by_community_uses_column_percent_of_respondents(world, data):
    table = crosstab(world.users["street_officer"], data.survey, "needs", by="community")
    assert [c["label"] for c in table["columns"]] == ["将台社区", "丽都社区", "南十里居村"]
    _check_crosstab(table, data.counted(), lambda r: r["region"].pk)
    assert sum(row["cells"][0]["percent"] for row in table["rows"]) > 100


def test_crosstab_by_group_includes_unrecorded_group(world, data):
    table = crosstab(world.users["street_officer"], data.survey, "lives_alone", by="group")
    _check_crosstab(table, data.counted(), lambda r: r["group"].pk if r["group"] else None, question="lives_alone")
    assert table["columns"][-1]["key"] is None and table["columns"][-1]["label"] == "未登记"
    for column_index in range(len(table["columns"])):
        assert sum(row["cells"][column_index]["count"] for row in table["rows"]) == \
            table["columns"][column_index]["base"]


def test_crosstab_with_filter(world, data):
    after = timezone.localdate() - datetime.timedelta(days=14)
    table = crosstab(world.users["street_officer"], data.survey, "needs", by="community",
                     filters=AnalysisFilters(submitted_from=after))
    _check_crosstab(table, data.counted(after=after), lambda r: r["region"].pk)


def test_crosstab_of_a_non_select_question_is_404(world, data):
    from django.http import Http404

    for name in ("age", "nope"):
        with pytest.raises(Http404):
            crosstab(world.users["street_officer"], data.survey, name)
    with pytest.raises(Http404):
        crosstab(world.users["street_officer"], data.survey, "needs", by="street")


def test_results_follow_new_and_voided_responses(world, data):
    officer = world.users["street_officer"]
    before = by_name(summary(officer, data.survey))["lives_alone"]
    response = SurveyResponse.objects.create(
        survey=data.survey, region=world.community, mode=CollectionMode.SELF, status=ResponseStatus.SUBMITTED,
        answers={"nickname": "新", "age": 30, "lives_alone": "yes", "helper": "x"}, submitted_at=timezone.now())
    refresh_values(response)
    after = by_name(summary(officer, data.survey))["lives_alone"]
    assert after["n"] == before["n"] + 1 and after["options"][0]["count"] == before["options"][0]["count"] + 1
    record_void(actor=officer, obj=response, reason="测试")
    refresh_values(response)
    assert by_name(summary(officer, data.survey))["lives_alone"] == before


def test_texts_only_for_those_who_may_see_identities_or_change(world):
    data = generate(world, count=30, region=world.district)
    rows = sorted(data.counted(), key=lambda r: r["response"].pk, reverse=True)  # the latest responses
    admin = by_name(summary(world.users["admin"], data.survey))["nickname"]
    assert admin["texts_visible"] and [t["text"] for t in admin["recent"]] == \
        [r["answers"]["nickname"] for r in rows[:5]]
    # Community staff see a district survey (to collect in their community) but not its free texts,
    # and only the figures of their own community's responses.
    staff = summary(world.users["community_staff"], data.survey)
    nickname = by_name(staff)["nickname"]
    assert not nickname["texts_visible"] and nickname["recent"] == []
    own = [r for r in data.counted() if r["region"].pk == world.community.pk]
    assert staff["responses"] == len(own) == nickname["n"]


def test_summary_runs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    small = generate(world, seed=1, count=10)
    officer = world.users["street_officer"]
    with django_assert_max_num_queries(12) as small_queries:
        summary(officer, small.survey)
    large = generate(world, seed=2, count=120)
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        summary(officer, large.survey)
    with django_assert_max_num_queries(6):
        crosstab(officer, large.survey, "needs", by="group")
