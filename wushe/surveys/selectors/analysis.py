"""Frequencies, numeric summaries and cross-tabs of one survey, from SQL aggregates over `AnswerValue`.

Every figure counts people, not rows: a select_multiple answer is one row per chosen option, so option
percentages are of the respondents who answered the question (they may add up to more than 100%), and a
question's base is the number of distinct responses that answered it. Questions inside a repeat count
repeat instances instead (a household roster: one instance per member).

Each page runs a fixed number of queries whatever the number of responses; nothing is cached, so figures
always reflect the rows as they are (AnswerValue rows exist only for submitted, non-voided responses).
Viewers see the figures of the responses `responses_for` shows them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wushe.accounts import policy
from wushe.accounts.policy import Action, Resource
from wushe.people.models import PopulationGroup
from wushe.regions.models import Region
from wushe.surveys.models import AnswerValue, ResponseStatus, Survey, SurveyResponse
from wushe.surveys.xlsform.engine import iter_questions, label

from .surveys import communities_of, responses_for

VALUE_TYPES = ("text", "integer", "decimal", "date", "select_one", "select_multiple", "calculate")
SELECT_TYPES = ("select_one", "select_multiple")
NUMERIC_TYPES = ("integer", "decimal", "calculate")
LATEST_TEXTS = 5
HISTOGRAM_BINS = 10
# Repeat instances are counted as response_id * REPEAT_SPAN + repeat_index (one integer, so that
# COUNT(DISTINCT …) works on SQLite too, which takes a single expression).
REPEAT_SPAN = 100_000
BY_CHOICES = ("community", "group")
NO_GROUP = "none"


@dataclass(frozen=True)
class AnalysisFilters:
    """Which submitted responses the figures are about."""

    community: Region | None = None
    group: PopulationGroup | None = None
    no_group: bool = False  # responses with no population group recorded
    submitted_from: datetime.date | None = None
    submitted_to: datetime.date | None = None

    @property
    def active(self) -> bool:
        return bool(self.community or self.group or self.no_group or self.submitted_from or self.submitted_to)

    def params(self) -> dict[str, str]:
        """The query-string form, as `parse_filters` reads it."""
        params = {}
        if self.community:
            params["community"] = self.community.code
        if self.group:
            params["group"] = self.group.code
        elif self.no_group:
            params["group"] = NO_GROUP
        if self.submitted_from:
            params["from"] = self.submitted_from.isoformat()
        if self.submitted_to:
            params["to"] = self.submitted_to.isoformat()
        return params

    def describe(self) -> list[tuple[str, str]]:
        """(label, value) lines for people: the export's notes sheet, the page header."""
        lines = []
        if self.community:
            lines.append((_("社区"), self.community.name))
        if self.group:
            lines.append((_("人群类别"), self.group.name))
        elif self.no_group:
            lines.append((_("人群类别"), _("未登记")))
        if self.submitted_from:
            lines.append((_("提交日期起"), self.submitted_from.isoformat()))
        if self.submitted_to:
            lines.append((_("提交日期止"), self.submitted_to.isoformat()))
        return lines


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value or "").strip()) if value else None
    except ValueError:
        return None


def parse_filters(survey: Survey, params) -> AnalysisFilters:
    """Filters from a query string (community code, group code or "none", from/to dates); unknown values
    are ignored rather than refused, as on other list pages."""
    community = None
    if params.get("community"):
        community = communities_of(survey).filter(code=params["community"]).first()
    group, no_group = None, False
    if params.get("group") == NO_GROUP:
        no_group = True
    elif params.get("group"):
        group = PopulationGroup.objects.filter(code=params["group"]).first()
    return AnalysisFilters(community=community, group=group, no_group=no_group,
                           submitted_from=_date(params.get("from")), submitted_to=_date(params.get("to")))


def _bounds(filters: AnalysisFilters) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """Local-day bounds as aware datetimes (an index-friendly range rather than a per-row date cast)."""
    zone = timezone.get_current_timezone()
    low = high = None
    if filters.submitted_from:
        low = datetime.datetime.combine(filters.submitted_from, datetime.time.min, tzinfo=zone)
    if filters.submitted_to:
        high = datetime.datetime.combine(filters.submitted_to + datetime.timedelta(days=1), datetime.time.min,
                                         tzinfo=zone)
    return low, high


def _filter_q(filters: AnalysisFilters, *, prefix: str) -> Q:
    """The filters over AnswerValue (prefix "response__" for the submission time) or SurveyResponse ("")."""
    query = Q()
    if filters.community:
        query &= Q(region_id=filters.community.pk)
    if filters.group:
        query &= Q(population_group_id=filters.group.pk)
    elif filters.no_group:
        query &= Q(population_group__isnull=True)
    low, high = _bounds(filters)
    if low:
        query &= Q(**{f"{prefix}submitted_at__gte": low})
    if high:
        query &= Q(**{f"{prefix}submitted_at__lt": high})
    return query


def _scope_q(viewer, survey: Survey) -> Q | None:
    """AnswerValue rows of the responses `responses_for(viewer, survey)` shows (None: all of them)."""
    if policy.can(viewer, Action.CHANGE, Resource.SURVEY, survey):
        return None
    roles = policy.roles_of(viewer) & policy.allowed_roles(Resource.SURVEY, Action.VIEW)
    query = Q(response__collected_by=viewer)
    for low, high in policy.region_ranges(viewer, roles):
        query |= Q(region__code__gte=low, region__code__lte=high)
    return query


def _values(viewer, survey: Survey, filters: AnalysisFilters) -> QuerySet[AnswerValue]:
    queryset = AnswerValue.objects.filter(survey=survey).filter(_filter_q(filters, prefix="response__"))
    scope = _scope_q(viewer, survey)
    return queryset if scope is None else queryset.filter(scope)


def submitted_responses(viewer, survey: Survey, filters: AnalysisFilters) -> QuerySet[SurveyResponse]:
    """The submitted, non-voided responses the figures are computed from (also what the export writes)."""
    return (responses_for(viewer, survey).filter(status=ResponseStatus.SUBMITTED)
            .filter(_filter_q(filters, prefix="")))


def ui_language(definition: dict) -> str:
    """The form language matching the interface language, else the form's default."""
    languages = definition.get("languages") or []
    current = (translation.get_language() or "").lower()
    for language in languages:
        if current == language.lower() or current.split("-")[0] == language.lower().split("-")[0]:
            return language
    return definition.get("default_language") or (languages[0] if languages else "default")


def _repeat_nodes(nodes: list[dict], found: dict | None = None) -> dict[str, dict]:
    found = {} if found is None else found
    for node in nodes or []:
        if node.get("type") == "repeat":
            found[node["name"]] = node
        if node.get("children"):
            _repeat_nodes(node["children"], found)
    return found


def questions_of(survey: Survey) -> list[tuple[dict, str | None]]:
    """(question, repeat name or None) for every question that holds a value, in form order."""
    return [(q, repeat) for q, repeat in iter_questions(survey.definition or {}) if q.get("type") in VALUE_TYPES]


def _percent(count: int, base: int) -> float:
    return round(100 * count / base, 1) if base else 0.0


def _respondents(repeat: bool):
    """Distinct respondents (or repeat instances) among the grouped rows."""
    if not repeat:
        return Count("response_id", distinct=True)
    key = ExpressionWrapper(F("response_id") * REPEAT_SPAN + Coalesce("repeat_index", Value(0)),
                            output_field=BigIntegerField())
    return Count(key, distinct=True)


def _histogram(pairs: list[tuple[float, int]], integer: bool) -> list[dict]:
    """Counts in equal-width bins (one bin per value for integers with few distinct values), from sorted
    (value, count) pairs."""
    if not pairs:
        return []
    low, high = pairs[0][0], pairs[-1][0]
    total = sum(count for _value, count in pairs)
    if integer and high - low < 12:
        counts: dict[int, int] = {}
        for value, count in pairs:
            counts[int(value)] = counts.get(int(value), 0) + count
        return [{"low": value, "high": value, "label": str(value), "count": counts.get(value, 0),
                 "percent": _percent(counts.get(value, 0), total)} for value in range(int(low), int(high) + 1)]
    if low == high:
        return [{"low": low, "high": high, "label": _number_text(low), "count": total, "percent": 100.0}]
    width = (high - low) / HISTOGRAM_BINS
    counts_by_bin = [0] * HISTOGRAM_BINS
    for value, count in pairs:
        counts_by_bin[min(int((value - low) / width), HISTOGRAM_BINS - 1)] += count
    bins = []
    for index, count in enumerate(counts_by_bin):
        start, end = low + index * width, low + (index + 1) * width
        bins.append({"low": start, "high": end, "label": f"{_number_text(start)}–{_number_text(end)}",
                     "count": count, "percent": _percent(count, total)})
    return bins


def _numeric(pairs: list[tuple[float, int]], integer: bool) -> dict:
    """n, mean, median, min, max and histogram from sorted (value, count) pairs."""
    total = sum(count for _value, count in pairs)
    if not total:
        return {"numbers": 0, "mean": None, "median": None, "min": None, "max": None, "histogram": []}

    def at(position: int) -> float:
        seen = 0
        for value, count in pairs:
            seen += count
            if position < seen:
                return value
        return pairs[-1][0]

    median = (at((total - 1) // 2) + at(total // 2)) / 2
    mean = sum(value * count for value, count in pairs) / total
    return {"numbers": total, "mean": _round(mean), "median": _round(median), "min": _round(pairs[0][0]),
            "max": _round(pairs[-1][0]), "histogram": _histogram(pairs, integer)}


def _number_text(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else f"{number:.1f}"


def _round(number):
    return None if number is None else round(number, 2)


def _may_read_texts(viewer, survey: Survey) -> bool:
    """Free-text answers can name people: only for those who may see identities or manage the survey."""
    return (policy.can(viewer, Action.VIEW_IDENTITY, Resource.SURVEY, survey)
            or policy.can(viewer, Action.CHANGE, Resource.SURVEY, survey))


def summary(viewer, survey: Survey, *, filters: AnalysisFilters | None = None) -> dict:
    """Per question, in form order: base, skipped, and the figures of its type (see the module docstring).

    At most eight queries, whatever the number of responses: the response count, rows per question, the
    bases of select_multiple questions (outside and inside repeats), option counts, repeat instances, value
    counts of numeric questions, date ranges, and the latest texts.

    Option counts are row counts: the engine stores each chosen option once per answer (a set, in choice
    order), so rows of one option are distinct respondents (or instances). Only a select_multiple base
    needs COUNT(DISTINCT …), because one respondent gives several rows."""
    filters = filters or AnalysisFilters()
    language = ui_language(survey.definition or {})
    questions = questions_of(survey)
    repeats = _repeat_nodes((survey.definition or {}).get("questions") or [])
    values = _values(viewer, survey, filters)
    responses = submitted_responses(viewer, survey, filters).count()

    def names(kinds=VALUE_TYPES, repeat=None):
        return [q["name"] for q, r in questions if q["type"] in kinds and (repeat is None or bool(r) == repeat)]

    answered: dict[str, int] = {}
    if questions:
        answered = dict(values.filter(question__in=names()).values("question").order_by()
                        .annotate(n=Count("*")).values_list("question", "n"))
    for in_repeat in (False, True):
        multiple = names(("select_multiple",), repeat=in_repeat)
        if multiple:
            answered.update(values.filter(question__in=multiple).values("question").order_by()
                            .annotate(n=_respondents(in_repeat)).values_list("question", "n"))
    options: dict[str, dict[str, int]] = {}
    if names(SELECT_TYPES):
        for question, choice, count in (values.filter(question__in=names(SELECT_TYPES))
                                        .values("question", "choice").order_by().annotate(n=Count("*"))
                                        .values_list("question", "choice", "n")):
            options.setdefault(question, {})[choice] = count

    instances: dict[str, int] = {}
    if names(repeat=True):
        repeat_of = Case(*[When(question__in=[q["name"] for q, r in questions if r == name], then=Value(name))
                           for name in {r for _q, r in questions if r}], output_field=CharField())
        for row in (values.filter(question__in=names(repeat=True)).annotate(repeat=repeat_of).values("repeat")
                    .order_by().annotate(n=_respondents(True))):
            instances[row["repeat"]] = row["n"]

    # Numeric questions as (value, count) pairs: few rows for integers, and median and histogram follow
    # exactly from them without fetching every answer.
    numbers: dict[str, list[tuple[float, int]]] = {}
    if names(NUMERIC_TYPES):
        for question, number, count in (values.filter(question__in=names(NUMERIC_TYPES), number__isnull=False)
                                        .values("question", "number").order_by().annotate(n=Count("*"))
                                        .order_by("question", "number").values_list("question", "number", "n")):
            numbers.setdefault(question, []).append((number, count))

    dates: dict[str, tuple] = {}
    if names(("date",)):
        dates = {row[0]: row[1:] for row in (values.filter(question__in=names(("date",))).values("question")
                                             .order_by().annotate(first=Min("text"), last=Max("text"))
                                             .values_list("question", "first", "last"))}

    texts_visible = _may_read_texts(viewer, survey)
    latest: dict[str, list[dict]] = {}
    if texts_visible and names(("text",)):
        # The newest few per question in one statement: a window over the questions' text rows, read in
        # index order (survey, question, choice "", response). (An OR of one LIMIT subquery per question made
        # PostgreSQL scan the whole table.)
        newest = Window(RowNumber(), partition_by=[F("question")], order_by=F("response_id").desc())
        rows = (values.filter(question__in=names(("text",)), choice="").annotate(rank=newest)
                .filter(rank__lte=LATEST_TEXTS).order_by("question", "-response_id")
                .values_list("question", "text", "response__submitted_at"))
        for question, text, submitted_at in rows:
            latest.setdefault(question, []).append({"text": text, "submitted_at": submitted_at})

    items = []
    for question, repeat in questions:
        name, kind = question["name"], question["type"]
        base = instances.get(repeat, 0) if repeat else responses
        n = answered.get(name, 0)
        item = {"name": name, "type": kind, "label": label(question, language), "repeat": repeat,
                "repeat_label": label(repeats[repeat], language) if repeat in repeats else (repeat or ""),
                "unit": "instances" if repeat else "respondents", "total": base, "n": n,
                "skipped": max(base - n, 0), "skipped_percent": _percent(max(base - n, 0), base),
                "answered_percent": _percent(n, base)}
        if kind in SELECT_TYPES:
            counts = dict(options.get(name, {}))
            choices = []
            for choice in question.get("choices") or []:
                count = counts.pop(choice["name"], 0)
                choices.append({"name": choice["name"], "label": label(choice, language), "count": count,
                                "percent": _percent(count, n)})
            # Values no longer among the choices (a form revised after collection) still count.
            for other, count in sorted(counts.items()):
                choices.append({"name": other, "label": other, "count": count, "percent": _percent(count, n),
                                "unknown": True})
            item.update(kind="select", multiple=kind == "select_multiple", options=choices,
                        percent_sum=round(sum(c["percent"] for c in choices), 1))
        elif kind in ("integer", "decimal") or (kind == "calculate" and numbers.get(name)):
            item.update(kind="numeric", **_numeric(numbers.get(name, []), integer=kind == "integer"))
        elif kind == "date":
            first, last = dates.get(name, (None, None))
            item.update(kind="date", earliest=first, latest=last)
        else:
            item.update(kind="text", texts_visible=texts_visible and kind == "text",
                        recent=latest.get(name, []) if texts_visible and kind == "text" else [])
        items.append(item)
    return {"responses": responses, "filters": filters, "questions": items, "language": language,
            "texts_visible": texts_visible}


def select_question(survey: Survey, name: str) -> tuple[dict, str | None]:
    """A select_one/select_multiple question of the survey by name; 404 for anything else."""
    for question, repeat in questions_of(survey):
        if question["name"] == name and question["type"] in SELECT_TYPES:
            return question, repeat
    raise Http404


def crosstab(viewer, survey: Survey, question: str, *, by: str = "community",
             filters: AnalysisFilters | None = None) -> dict:
    """Options × communities (or population groups) + a total column; each cell holds the count and the
    column percent (of the respondents in that column who answered the question). Three queries."""
    if by not in BY_CHOICES:
        raise Http404
    filters = filters or AnalysisFilters()
    language = ui_language(survey.definition or {})
    node, repeat = select_question(survey, question)
    field = "region_id" if by == "community" else "population_group_id"
    rows = _values(viewer, survey, filters).filter(question=question)
    # A select_one answer is one row; only a select_multiple base needs COUNT(DISTINCT …) (see summary).
    counter = _respondents(bool(repeat)) if node["type"] == "select_multiple" else Count("*")
    bases = {row[field]: row["n"] for row in rows.values(field).order_by().annotate(n=counter)}
    cells: dict[tuple, int] = {}
    for row in rows.values(field, "choice").order_by().annotate(n=Count("*")):
        cells[(row["choice"], row[field])] = row["n"]

    keys = [key for key in bases if key is not None]
    if by == "community":
        subjects = Region.objects.filter(pk__in=keys).order_by("code").values_list("pk", "name")
    else:
        subjects = PopulationGroup.objects.filter(pk__in=keys).order_by("sort_order", "code").values_list("pk", "name")
    columns = [{"key": pk, "label": name, "base": bases[pk]} for pk, name in subjects]
    if None in bases:
        columns.append({"key": None, "label": _("未登记"), "base": bases[None]})
    total_base = sum(bases.values())  # every response sits in exactly one column

    choice_names = [c["name"] for c in node.get("choices") or []]
    extra = sorted({choice for choice, _key in cells} - set(choice_names))
    labels = {c["name"]: label(c, language) for c in node.get("choices") or []}
    table = []
    for choice in choice_names + extra:
        row_cells = [{"count": cells.get((choice, c["key"]), 0),
                      "percent": _percent(cells.get((choice, c["key"]), 0), c["base"])} for c in columns]
        total = sum(cell["count"] for cell in row_cells)
        table.append({"name": choice, "label": labels.get(choice, choice), "cells": row_cells,
                      "total": {"count": total, "percent": _percent(total, total_base)}})
    return {"question": {"name": question, "label": label(node, language), "type": node["type"],
                         "multiple": node["type"] == "select_multiple", "repeat": repeat,
                         "unit": "instances" if repeat else "respondents"},
            "by": by, "columns": columns, "total_base": total_base, "rows": table, "filters": filters}
