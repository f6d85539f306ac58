"""Public disclosure pages (信息公开, no login): rounds, their decision lists, and approved projects."""

from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from wushe.core.pagination import paginate

from ..selectors import public as selectors


def _optional_url(names: tuple[str, ...], funding_round) -> str:
    """The first of the review area's public pages that exists (they live in `urls/voting.py`)."""
    for name in names:
        for args in ([funding_round.public_id], []):
            try:
                return reverse(name, args=args)
            except NoReverseMatch:
                continue
    return ""


def objection_url(funding_round) -> str:
    return _optional_url(("public:objection_create", "public:round_objection"), funding_round)


def vote_url(funding_round) -> str:
    return _optional_url(("public:round_vote",), funding_round)


def round_list(request):
    page = paginate(request, selectors.public_rounds())
    return render(request, "projects/public/round_list.html", {"page": page})


def round_detail(request, public_id):
    funding_round = selectors.public_round(public_id)
    published = selectors.decision_published(funding_round)
    context = {
        "round": funding_round,
        "rules": selectors.round_rules(funding_round),
        "published": published,
        "decisions": selectors.decision_list(funding_round),
        "objection_url": objection_url(funding_round),
        "in_publicity": funding_round.status == selectors.R.PUBLICITY,
        "vote_url": vote_url(funding_round) if funding_round.status == selectors.R.REVIEW else "",
    }
    if published:
        context["objections"] = selectors.objection_counts(funding_round)
    return render(request, "projects/public/round_detail.html", context)


def project_detail(request, public_id):
    project = selectors.public_project(public_id)
    disclosure = selectors.project_disclosure(project)
    return render(request, "projects/public/project_detail.html", {
        "project": project, "disclosure": disclosure, "chart": disclosure.chart_data(),
    })
