"""Analysis pages: frequencies and charts per question with filters, cross-tabs, and the Excel export."""

import tempfile
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render

from wushe.accounts.policy import Action, Resource, can
from wushe.people.models import PopulationGroup

from ..selectors import analysis
from ..selectors.surveys import communities_of, get_survey
from ..services.export import export_filename, survey_export


def _charts(result: dict) -> list[dict]:
    """What the bar charts draw (the tables beside them show the same figures)."""
    charts = []
    for question in result["questions"]:
        if question["kind"] == "select":
            charts.append({"id": f"chart-{question['name']}", "labels": [o["label"] for o in question["options"]],
                           "values": [o["percent"] for o in question["options"]], "unit": "%"})
        elif question["kind"] == "numeric" and question["histogram"]:
            charts.append({"id": f"chart-{question['name']}", "labels": [b["label"] for b in question["histogram"]],
                           "values": [b["count"] for b in question["histogram"]], "unit": ""})
    return charts


def _by(request) -> str:
    return request.GET.get("by") if request.GET.get("by") in analysis.BY_CHOICES else "community"


@login_required
def survey_analysis(request, survey_id):
    survey = get_survey(request.user, survey_id)
    filters = analysis.parse_filters(survey, request.GET)
    result = analysis.summary(request.user, survey, filters=filters)
    context = {
        "survey": survey, "result": result, "filters": filters, "filter_params": filters.params(),
        "filter_query": urlencode(filters.params()),
        "charts": _charts(result), "communities": communities_of(survey),
        "groups": PopulationGroup.objects.order_by("sort_order", "code"), "no_group": analysis.NO_GROUP,
        "may_export": can(request.user, Action.EXPORT, Resource.SURVEY, survey),
    }
    return render(request, "surveys/analysis/survey_analysis.html", context)


@login_required
def survey_crosstab(request, survey_id, question):
    survey = get_survey(request.user, survey_id)
    filters = analysis.parse_filters(survey, request.GET)
    table = analysis.crosstab(request.user, survey, question, by=_by(request), filters=filters)
    context = {"survey": survey, "table": table, "filters": filters, "filter_params": filters.params(),
               "filter_query": urlencode(filters.params())}
    if request.htmx:
        return render(request, "surveys/analysis/survey_crosstab.html#table", context)
    return render(request, "surveys/analysis/survey_crosstab.html", context)


@login_required
def survey_export_view(request, survey_id):
    survey = get_survey(request.user, survey_id, action=Action.EXPORT)
    filters = analysis.parse_filters(survey, request.GET)
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    survey_export(actor=request.user, survey=survey, filters=filters, fileobj=spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=export_filename(survey),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@login_required
def survey_analysis_news(request, survey_id):
    """Polled by the analysis page every minute: says when responses arrived since the page was drawn."""
    survey = get_survey(request.user, survey_id)
    filters = analysis.parse_filters(survey, request.GET)
    try:
        seen = int(request.GET.get("seen", ""))
    except ValueError:
        seen = 0
    now = analysis.submitted_responses(request.user, survey, filters).count()
    return render(request, "surveys/analysis/_news.html", {
        "survey": survey, "seen": seen, "now": now, "arrived": max(now - seen, 0),
        "filter_query": urlencode(filters.params())})
