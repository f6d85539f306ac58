"""督导: review and sign-off of records, access grants, and the read log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, require
from wushe.core.pagination import paginate

from .. import selectors
from ..forms import GrantForm, ReviewForm, add_service_errors
from ..services import supervision
from ._detail import render_detail

WHAT_LABELS = {
    "case": gettext_lazy("个案页面"), "records": gettext_lazy("个案记录列表"), "record": gettext_lazy("单条记录"),
    "mandatory_reports": gettext_lazy("强制报告"), "referral": gettext_lazy("转介"),
}


def _label_reads(rows) -> None:
    for row in rows:
        kind, _sep, target = row.what.partition(":")
        row.what_display = str(WHAT_LABELS.get(kind, kind))
        row.target = target


@login_required
@require_POST
def record_review(request, public_id, record_id):
    user = request.user
    case = selectors.get_case_for(user, public_id, Action.REVIEW)
    record = selectors.case_record_for(case, record_id)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            supervision.case_record_review(actor=user, record=record, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("已签核。") if form.cleaned_data["sign_off"] else _("督导意见已保存。"))
    if request.POST.get("back") == "record":
        return redirect("cases:record_detail", public_id=case.public_id, record_id=record.public_id)
    return redirect("cases:case_detail", public_id=case.public_id)


@login_required
@require_POST
def grant_add(request, public_id):
    user = request.user
    case = selectors.get_case_for(user, public_id, Action.REVIEW)
    form = GrantForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            supervision.case_grant_access(actor=user, case=case, user=selectors.user_by_account(data["account"]),
                                          reason=data["reason"], expires_on=data["expires_on"])
        except ValidationError as error:
            add_service_errors(form, error)
            if "user" in getattr(error, "message_dict", {}):
                form.add_error("account", error.message_dict["user"])
        else:
            messages.success(request, _("已授权查阅。"))
            return redirect("cases:case_detail", public_id=case.public_id)
    return render_detail(request, case, grant_form=form)


@login_required
@require_POST
def grant_revoke(request, public_id, grant_id):
    user = request.user
    case = selectors.get_case_for(user, public_id, Action.REVIEW)
    grant = selectors.case_grant_for(case, grant_id)
    try:
        supervision.case_grant_revoke(actor=user, grant=grant)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("授权已撤销。"))
    return redirect("cases:case_detail", public_id=case.public_id)


@login_required
def case_read_log(request, public_id):
    """Who read this case, when and what (the supervisor)."""
    case = selectors.get_case_for(request.user, public_id, Action.HISTORY)
    page = paginate(request, selectors.case_read_log_rows(case))
    _label_reads(page)
    return render(request, "cases/read_log.html", {"case": case, "page": page})


@login_required
def read_log_all(request):
    """The read log of every case of the supervisor's supervisees."""
    require(request.user, Resource.CASE, Action.HISTORY)
    page = paginate(request, selectors.read_log_for_supervisor(request.user))
    _label_reads(page)
    return render(request, "cases/read_log.html", {"case": None, "page": page})
