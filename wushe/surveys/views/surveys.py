"""Questionnaire pages: list, upload, overview (questions, link and QR code, quotas), settings, status."""

import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, can, may_ever, require
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record
from wushe.core.history import history_for
from wushe.core.pagination import paginate
from wushe.core.search import apply_search
from wushe.imports.views import xlsx_response
from wushe.people.models import PopulationGroup

from ..forms.surveys import (
    FormReplaceForm,
    QuotaForm,
    ReasonForm,
    SurveyCreateForm,
    SurveySettingsForm,
    add_service_errors,
)
from ..models import QuotaDimension, SurveyStatus
from ..selectors import surveys as selectors
from ..selectors.needs import needs_for
from ..services import surveys as services
from ..xlsform.engine import label as node_label


def _back(survey):
    return redirect("surveys:survey_detail", survey_id=survey.public_id)


def _error(request, error: ValidationError) -> None:
    messages.error(request, "；".join(error.messages))


def ui_language() -> str:
    return (get_language() or "zh-hans").split("-")[0]


@login_required
def survey_list(request):
    require(request.user, Resource.SURVEY, Action.VIEW)
    params = request.GET
    surveys = selectors.surveys_for(request.user)
    if params.get("status") in SurveyStatus.values:
        surveys = surveys.filter(status=params["status"])
    if params.get("q", "").strip():
        surveys = apply_search(surveys, params["q"].strip())
    page = paginate(request, surveys)
    context = {"page": page}
    if request.htmx:
        return render(request, "surveys/survey_list.html#rows", context)
    context.update({"statuses": SurveyStatus.choices,
                    "may_create": may_ever(request.user, Resource.SURVEY, Action.CHANGE)})
    return render(request, "surveys/survey_list.html", context)


def _read_upload(form, write):
    """Run `write()` (a service that reads an uploaded XLSForm); on refusal put the errors on the form and
    return the row-by-row problems and warnings for the page. Returns (result, problems, warnings)."""
    try:
        return write(), [], []
    except services.FormRejected as error:
        add_service_errors(form, error)
        return None, error.problems, error.warnings
    except ValidationError as error:
        add_service_errors(form, error)
        return None, [], []


@login_required
def survey_create(request):
    require(request.user, Resource.SURVEY, Action.CHANGE)
    form = SurveyCreateForm(request.POST or None, request.FILES or None, user=request.user)
    problems, warnings = [], []
    if request.method == "POST" and form.is_valid():
        survey, problems, warnings = _read_upload(
            form, lambda: services.survey_create(actor=request.user, **form.arguments()))
        if survey is not None:
            messages.success(request, _("问卷已导入，请检查题目后开始收集。"))
            return _back(survey)
    return render(request, "surveys/survey_form.html", {"form": form, "problems": problems, "warnings": warnings,
                                                         "heading": _("导入 XLSForm 问卷"), "multipart": True})


def _question_rows(definition: dict, language: str) -> list[dict]:
    """The questions as an indented outline for the overview page."""
    rows = []

    def walk(nodes, depth):
        for node in nodes:
            rows.append({"node": node, "depth": depth, "label": node_label(node, language),
                         "choices": [node_label(choice, language) for choice in node.get("choices") or []]})
            if node.get("children"):
                walk(node["children"], depth + 1)

    walk(definition.get("questions") or [], 0)
    return rows


@login_required
def survey_detail(request, survey_id):
    user = request.user
    survey = selectors.get_survey(user, survey_id)
    may_change = can(user, Action.CHANGE, Resource.SURVEY, survey)
    context = {
        "survey": survey, "may_change": may_change, "questions": _question_rows(survey.definition, ui_language()),
        "quotas": selectors.quota_progress(survey), "may_collect": selectors.may_collect(user, survey),
        "submitted": selectors.submitted_count(user, survey),
        "history": history_for(survey) if can(user, Action.HISTORY, Resource.SURVEY, survey) else [],
        "needs": list(needs_for(user).filter(survey=survey)[:20]) if may_ever(user, Resource.NEED) else [],
    }
    if survey.allow_link and survey.status == SurveyStatus.OPEN and may_change:
        from ..services.links import survey_link_path

        context["link_url"] = request.build_absolute_uri(survey_link_path(survey))
    return render(request, "surveys/survey_detail.html", context)


@login_required
def survey_edit(request, survey_id):
    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    form = SurveySettingsForm(request.POST or None, user=request.user, instance=survey)
    if request.method == "POST" and form.is_valid():
        arguments = form.arguments()
        arguments["title"] = arguments.get("title") or survey.title
        try:
            services.survey_update(actor=request.user, survey=survey, **arguments)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("问卷设置已保存。"))
            return _back(survey)
    return render(request, "surveys/survey_form.html", {"form": form, "survey": survey,
                                                         "heading": _("问卷设置")})


@login_required
def survey_form_replace(request, survey_id):
    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    form = FormReplaceForm(request.POST or None, request.FILES or None)
    problems, warnings = [], []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["source_file"]
        replaced, problems, warnings = _read_upload(form, lambda: services.survey_replace_form(
            actor=request.user, survey=survey, data=upload.read(), filename=upload.name))
        if replaced is not None:
            messages.success(request, _("表单已更换。"))
            return _back(survey)
    return render(request, "surveys/survey_form.html", {"form": form, "survey": survey, "problems": problems,
                                                         "warnings": warnings, "heading": _("更换 XLSForm 表单"),
                                                         "multipart": True})


@login_required
def survey_form_download(request, survey_id):
    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    if not survey.source_file:
        raise Http404
    audit_record(actor=request.user, kind=AuditEvent.Kind.EXPORT, target=f"survey-form:{survey.public_id}",
                 action="download")
    return FileResponse(survey.source_file.open("rb"), as_attachment=True, filename=survey.source_name or "form.xlsx")


@login_required
def survey_quotas(request, survey_id):
    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    if not survey.quota_by:
        messages.error(request, _("请先在问卷设置中选择抽样配额方式（按社区或按人群类别）。"))
        return redirect("surveys:survey_edit", survey_id=survey.public_id)
    by_community = survey.quota_by == QuotaDimension.COMMUNITY
    subjects = selectors.communities_of(survey) if by_community else PopulationGroup.objects.all()
    current = {(q.region_id if by_community else q.population_group_id): q.target for q in survey.quotas.all()}
    form = QuotaForm(request.POST or None, subjects=subjects, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.quotas_set(actor=request.user, survey=survey, targets=form.targets())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("抽样配额已保存。"))
            return _back(survey)
    return render(request, "surveys/survey_form.html", {"form": form, "survey": survey,
                                                         "heading": _("抽样配额")})


@login_required
@require_POST
def survey_transition(request, survey_id, transition):
    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    try:
        services.survey_transition(actor=request.user, survey=survey, transition=transition)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("问卷已开始收集。") if transition == "open" else _("问卷已结束收集。"))
    return _back(survey)


@login_required
@require_POST
def survey_copy(request, survey_id):
    survey = selectors.get_survey(request.user, survey_id)
    try:
        copy = services.survey_copy(actor=request.user, survey=survey, title=request.POST.get("title", ""))
    except ValidationError as error:
        _error(request, error)
        return _back(survey)
    messages.success(request, _("已复制为新的草稿问卷，可修改表单和设置后开始收集。"))
    return _back(copy)


@login_required
@require_POST
def survey_rotate_link(request, survey_id):
    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    try:
        services.survey_rotate_link(actor=request.user, survey=survey)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("已更换填写链接，之前的链接和二维码已失效。"))
    return _back(survey)


@login_required
def survey_qr(request, survey_id):
    """The public link as an SVG QR code, to print or put on a poster."""
    from ..services.links import survey_link_path

    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    if not survey.allow_link:
        raise Http404
    url = request.build_absolute_uri(survey_link_path(survey))
    buffer = io.BytesIO()  # a standalone SVG document (with its namespace) so that <img src> shows it
    segno.make(url, error="m").save(buffer, kind="svg", scale=8, border=2, dark="#000", light="#fff")
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@login_required
@require_POST
def survey_void(request, survey_id):
    survey = selectors.get_survey(request.user, survey_id, action=Action.CHANGE)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("作废必须填写原因。"))
        return _back(survey)
    try:
        services.survey_void(actor=request.user, survey=survey, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        _error(request, error)
        return _back(survey)
    messages.success(request, _("问卷已作废。"))
    return redirect("surveys:survey_list")


SAMPLES = {"resident-needs": "resident_needs_workbook", "social-workers": "worker_survey_workbook"}


@login_required
def survey_sample(request, name):
    """A ready-made XLSForm to start from (opens in Excel, KoboToolbox and ODK too)."""
    from .. import samples

    require(request.user, Resource.SURVEY, Action.CHANGE)
    if name not in SAMPLES:
        raise Http404
    return xlsx_response(getattr(samples, SAMPLES[name])(), f"{name}.xlsx")


@login_required
def survey_preview(request, survey_id):
    """试填: fill the form as a respondent would, with the server's checks, before (or while) collecting;
    nothing is saved."""
    from ..models import CollectionMode, SurveyResponse
    from .fill import MSG_PREVIEW, handle_preview_post, render_fill

    survey = selectors.get_survey(request.user, survey_id)
    response = SurveyResponse(survey=survey, region=survey.region, mode=CollectionMode.INTERVIEW)
    extra = {"mode": "preview", "editing": True, "preview_notice": MSG_PREVIEW}
    if request.method == "POST":
        return handle_preview_post(request, response, extra=extra)
    return render_fill(request, response, values={}, **extra)
