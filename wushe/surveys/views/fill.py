"""The fill page shared by staff (interviews, edits) and link respondents.

GET renders the questionnaire from the stored answers. A POST with `preview` (sent by HTMX on every change)
or an add/remove-instance button only re-renders the questions with the engine's skip logic, saving
nothing; `action=save` keeps a draft (valid values only, errors shown), `action=submit` submits (any
error: nothing saved, 422).
"""

from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ..forms.responses import is_structural_post, parse_answers, questionnaire, ui_language
from ..services.responses import response_save
from ..xlsform import engine

TEMPLATE = "surveys/fill/fill.html"
MSG_FIX_ERRORS = _("答卷未提交：请修改标出的问题后再提交。")
MSG_DRAFT_SAVED = _("已保存草稿。")
MSG_DRAFT_SAVED_WITH_ERRORS = _("已保存草稿；标出的答案无效，未保存。")


def _keys(nodes) -> set[str]:
    keys = set()
    for node in nodes:
        keys.add(node["key"])
        keys |= _keys(node.get("children") or [])
        for instance in node.get("instances") or []:
            keys |= _keys(instance["children"])
    return keys


def _error_dict(error: ValidationError) -> dict[str, str]:
    if hasattr(error, "error_dict"):
        return {key: messages[0] for key, messages in error.message_dict.items()}
    return {"__all__": error.messages[0]}


def fill_context(response, values: dict, *, errors: dict | None = None, visible=None, **extra) -> dict:
    errors = errors or {}
    nodes = questionnaire(response.survey.definition, values, errors=errors, visible=visible)
    known = _keys(nodes)
    return {"response": response, "survey": response.survey, "nodes": nodes,
            "other_errors": [message for key, message in errors.items() if key not in known],
            **extra}


def render_fill(request, response, *, values=None, status: int = 200, **extra):
    values = response.answers if values is None else values
    return render(request, TEMPLATE, fill_context(response, values, **extra), status=status)


def handle_fill_post(request, response, *, actor, extra: dict):
    """Returns (http_response, submitted): the caller redirects after a successful submission."""
    definition = response.survey.definition
    raw = parse_answers(definition, request.POST)
    if is_structural_post(request.POST):
        result = engine.evaluate(definition, raw, final=False)
        context = fill_context(response, raw, errors=result.errors if request.POST.get("preview") else {},
                               visible=result.visible, **extra)
        template = f"{TEMPLATE}#questions" if request.htmx else TEMPLATE
        return render(request, template, context), False
    final = request.POST.get("action") == "submit"
    try:
        result = response_save(actor=actor, response=response, raw=raw, final=final, language=ui_language())
    except ValidationError as error:
        errors = _error_dict(error)
        response.refresh_from_db()
        return render_fill(request, response, values=raw, errors=errors, status=422,
                           notice=MSG_FIX_ERRORS if final else "", notice_level="danger", **extra), False
    if final:
        return None, True
    notice = MSG_DRAFT_SAVED_WITH_ERRORS if result.errors else MSG_DRAFT_SAVED
    return render_fill(request, response, values=raw, errors=result.errors, visible=result.visible,
                       notice=notice, notice_level="warning" if result.errors else "success",
                       saved=True, **extra), False


MSG_PREVIEW = _("试填：按表单规则检查答案，不保存任何内容。")
MSG_PREVIEW_PASSED = _("试填通过：这些答案可以提交（未保存）。")
MSG_PREVIEW_FAILED = _("试填未通过：请查看标出的问题（未保存）。")


def handle_preview_post(request, response, *, extra: dict):
    """Like handle_fill_post, but nothing is ever saved: submit only reports what the server would say."""
    definition = response.survey.definition
    raw = parse_answers(definition, request.POST)
    final = request.POST.get("action") == "submit"
    result = engine.evaluate(definition, raw, final=final)
    if is_structural_post(request.POST):
        context = fill_context(response, raw, errors=result.errors if request.POST.get("preview") else {},
                               visible=result.visible, **extra)
        return render(request, f"{TEMPLATE}#questions" if request.htmx else TEMPLATE, context)
    extra = {**extra, "notice": MSG_PREVIEW_FAILED if result.errors else MSG_PREVIEW_PASSED,
             "notice_level": "danger" if result.errors else "success"}
    return render_fill(request, response, values=raw, errors=result.errors, visible=result.visible,
                       status=422 if result.errors and final else 200, **extra)
