"""Staff collection pages: start an interview, the response list with quota progress, fill / resume / edit
one response, void it."""

import contextlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from wushe.accounts.policy import Action, Resource, can
from wushe.core.pagination import paginate
from wushe.people.selectors import resident_list, residents_visible_to

from ..forms.responses import StartForm, VoidForm, add_service_errors, readable_answers, ui_language
from ..models import CollectionMode, QuotaDimension, ResponseStatus
from ..selectors.responses import get_response_for, may_fill, may_see_identity, shown_respondent
from ..selectors.surveys import collect_communities, get_survey, may_collect, quota_progress, responses_for
from ..services import responses as services
from ..services.links import survey_link_path
from .fill import handle_fill_post, render_fill

RESIDENT_CANDIDATES = 10


@login_required
@require_http_methods(["GET", "POST"])
def survey_collect(request, survey_id):
    survey = get_survey(request.user, survey_id)
    if not may_collect(request.user, survey):
        raise PermissionDenied
    communities = collect_communities(request.user, survey)
    form = StartForm(request.POST or None, communities=communities,
                     capture_group=survey.capture_group or survey.quota_by == QuotaDimension.GROUP)
    query = request.GET.get("resident_q", "").strip()
    candidates = (list(resident_list(request.user, query=query).filter(region__in=communities)[:RESIDENT_CANDIDATES])
                  if query else [])
    if request.htmx and request.method == "GET" and "resident_q" in request.GET:
        return render(request, "surveys/responses/collect.html#candidates", {"candidates": candidates, "query": query})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = request.POST.get("respondent", "").strip()
        respondent = None
        if chosen:
            with contextlib.suppress(ValidationError):
                respondent = residents_visible_to(request.user).active().filter(public_id=chosen).first()
        try:
            if chosen and respondent is None:
                raise ValidationError(services.MSG_RESPONDENT_OUTSIDE)
            response = services.response_start(
                actor=request.user, survey=survey, region=data["region"],
                population_group=data.get("population_group"), respondent=respondent,
                mode=CollectionMode.INTERVIEW, language=ui_language())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("surveys:response_fill", response_id=response.public_id)
    return render(request, "surveys/responses/collect.html", {
        "survey": survey, "form": form, "candidates": candidates, "query": query,
    }, status=422 if form.errors else 200)


@login_required
def response_list(request, survey_id):
    survey = get_survey(request.user, survey_id)
    status = request.GET.get("status", "")
    responses = responses_for(request.user, survey)
    if status in ResponseStatus.values:
        responses = responses.filter(status=status)
    page = paginate(request, responses)
    identity = may_see_identity(request.user, survey)
    for response in page:
        response.shown_respondent = shown_respondent(response, identity)
    context = {"survey": survey, "page": page, "status": status}
    if request.htmx:
        return render(request, "surveys/responses/list.html#rows", context)
    may_change = can(request.user, Action.CHANGE, Resource.SURVEY, survey)
    context.update({
        "statuses": ResponseStatus.choices, "quotas": quota_progress(survey),
        "may_collect": may_collect(request.user, survey),
        "link_path": survey_link_path(survey) if may_change and survey.allow_link else "",
    })
    return render(request, "surveys/responses/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def response_fill(request, response_id):
    response = get_response_for(request.user, response_id)
    survey = response.survey
    fillable = may_fill(request.user, response)
    editing = fillable and (response.status == ResponseStatus.DRAFT or request.GET.get("edit") == "1"
                            or request.method == "POST")
    may_change = can(request.user, Action.CHANGE, Resource.SURVEY, survey)
    extra = {"mode": "staff", "editing": editing, "may_edit": fillable, "may_void": may_change,
             "respondent_label": shown_respondent(response, may_see_identity(request.user, survey))}
    if request.method == "POST":
        if not fillable:
            raise PermissionDenied
        page, submitted = handle_fill_post(request, response, actor=request.user, extra=extra)
        if submitted:
            messages.success(request, _("答卷已提交。"))
            return redirect("surveys:response_fill", response_id=response.public_id)
        return page
    if not editing:
        extra["readable"] = readable_answers(survey.definition, response.answers)
    return render_fill(request, response, **extra)


@login_required
@require_POST
def response_void(request, response_id):
    response = get_response_for(request.user, response_id)
    survey = get_survey(request.user, response.survey.public_id, action=Action.CHANGE)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("作废必须填写原因。"))
        return redirect("surveys:response_fill", response_id=response.public_id)
    try:
        services.response_void(actor=request.user, response=response, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("surveys:response_fill", response_id=response.public_id)
    messages.success(request, _("答卷已作废。"))
    return redirect("surveys:response_list", survey_id=survey.public_id)
