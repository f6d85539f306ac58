"""后追 and 强制报告: follow-ups after closing, the harm flag and the mandatory report's progress."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action

from .. import selectors
from ..forms import (
    FollowUpForm,
    FollowUpRecordForm,
    HarmFlagForm,
    ReportCloseForm,
    ReportFileForm,
    add_service_errors,
)
from ..services import followups, reports
from ._detail import render_detail


def _to_case(case):
    return redirect("cases:case_detail", public_id=case.public_id)


def _error(request, error: ValidationError) -> None:
    messages.error(request, "；".join(error.messages))


@login_required
@require_POST
def follow_up_add(request, public_id):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        try:
            followups.case_follow_up_schedule(actor=request.user, case=case, due_on=form.cleaned_data["due_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已安排结案跟进。"))
            return _to_case(case)
    return render_detail(request, case, follow_up_form=form)


@login_required
@require_POST
def follow_up_record(request, public_id, follow_up_id):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    follow_up = selectors.case_follow_up_for(case, follow_up_id)
    form = FollowUpRecordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写跟进情况。"))
        return _to_case(case)
    try:
        followups.case_follow_up_record(actor=request.user, follow_up=follow_up, **form.cleaned_data)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("跟进记录已保存。"))
    return _to_case(case)


@login_required
@require_POST
def harm_flag(request, public_id):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    form = HarmFlagForm(request.POST)
    if form.is_valid():
        try:
            reports.case_flag_minor_harm(actor=request.user, case=case, concern=form.cleaned_data["concern"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.warning(request, _("已标记疑似未成年人受侵害：请立即向公安、民政或教育部门报告。"))
            return _to_case(case)
    return render_detail(request, case, harm_form=form)


@login_required
@require_POST
def report_file(request, public_id, report_id):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    report = selectors.case_report_for(case, report_id)
    form = ReportFileForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择报告对象。"))
        return _to_case(case)
    try:
        reports.mandatory_report_file(actor=request.user, report=report, **form.cleaned_data)
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("已记录强制报告。"))
    return _to_case(case)


@login_required
@require_POST
def report_close(request, public_id, report_id):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    report = selectors.case_report_for(case, report_id)
    form = ReportCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写处理结果。"))
        return _to_case(case)
    try:
        reports.mandatory_report_close(actor=request.user, report=report, outcome=form.cleaned_data["outcome"])
    except ValidationError as error:
        _error(request, error)
    else:
        messages.success(request, _("强制报告已办结。"))
    return _to_case(case)
