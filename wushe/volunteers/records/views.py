"""Pages for volunteer hours: my hours (a volunteer), confirming an activity's hours and answering
corrections (the organizer)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, can, require
from wushe.activities.models import HoursStatus
from wushe.core.pagination import paginate

from ..forms import add_service_errors
from ..models import CorrectionStatus
from . import selectors, services
from .forms import CorrectionAnswerForm, CorrectionRequestForm


def _own_or_404(request):
    own = selectors.own_volunteer(request.user)
    if own is None:
        raise Http404
    return own


@login_required
def hours_mine(request):
    """我的服务时长: the volunteer's records, correction requests with answers, and extracts."""
    own = _own_or_404(request)
    records = list(selectors.records_of(own))
    context = {
        "volunteer": own,
        "records": records,
        "total_hours": selectors.hours(selectors.total_minutes(own)),
        "confirmed_count": sum(1 for r in records if r.hours_status == HoursStatus.CONFIRMED),
        "corrections": selectors.corrections_of(own),
        "extracts": selectors.extract_register(request.user, volunteer=own),
        "correction_form": CorrectionRequestForm(),
    }
    return render(request, "volunteers/records/hours_mine.html", context)


@login_required
@require_POST
def hours_correction_request(request, public_id):
    attendance = selectors.own_attendance(request.user, public_id)
    if attendance is None:
        raise Http404
    form = CorrectionRequestForm(request.POST)
    if form.is_valid():
        try:
            services.hours_correction_request(actor=request.user, attendance=attendance, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("更正申请已提交，请等待活动组织者处理。"))
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("volunteers:hours_mine")


def _confirm_arguments(post, rows) -> dict:
    ids = set(post.getlist("confirm"))
    selected = [row for row in rows if str(row.public_id) in ids]
    return {
        "attendances": selected,
        "minutes_overrides": {str(r.public_id): post.get(f"minutes_{r.public_id}", "") for r in selected},
        "service_contents": {str(r.public_id): post.get(f"content_{r.public_id}", "") for r in selected},
        "evaluations": {str(r.public_id): post.get(f"evaluation_{r.public_id}", "") for r in selected},
    }


@login_required
def hours_confirm(request, public_id):
    """The organizer confirms the volunteers' service minutes of one activity."""
    activity = selectors.activity_for_hours(request.user, public_id, Action.CHANGE)
    rows = list(selectors.activity_volunteer_rows(activity))
    errors: list = []
    if request.method == "POST":
        arguments = _confirm_arguments(request.POST, rows)
        if not arguments["attendances"]:
            errors = [str(services.MSG_NOTHING_TO_CONFIRM)]
        else:
            try:
                confirmed = services.hours_confirm(actor=request.user, activity=activity, **arguments)
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, _("已确认 %(count)s 位志愿者的服务时长。") % {"count": len(confirmed)})
                return redirect("volunteers:hours_confirm", public_id=activity.public_id)
    for row in rows:
        row.limit, row.limit_is_actual = services.max_minutes_for(row)
        row.posted_minutes = request.POST.get(f"minutes_{row.public_id}", "") if request.method == "POST" else ""
    context = {
        "activity": activity,
        "rows": rows,
        "errors": errors,
        "unconfirmed": sum(1 for r in rows if r.hours_status != HoursStatus.CONFIRMED),
        "confirmed_hours": selectors.hours(sum(r.service_minutes or 0 for r in rows
                                               if r.hours_status == HoursStatus.CONFIRMED)),
    }
    return render(request, "volunteers/records/hours_confirm.html", context)


@login_required
def records_corrections(request):
    """Corrections inbox of the organizer: pending requests first."""
    require(request.user, Resource.ACTIVITY, Action.CHANGE)
    status = request.GET.get("status", "")
    if status not in CorrectionStatus.values:
        status = ""
    page = paginate(request, selectors.corrections_inbox(request.user, status=status))
    context = {"page": page, "status": status, "statuses": CorrectionStatus.choices,
               "answer_form": CorrectionAnswerForm()}
    if request.htmx:
        return render(request, "volunteers/records/corrections.html#rows", context)
    return render(request, "volunteers/records/corrections.html", context)


@login_required
def records_correction_answer(request, public_id):
    correction = selectors.correction_for(request.user, public_id)
    if correction is None:
        raise Http404
    if not can(request.user, Action.CHANGE, Resource.ACTIVITY, correction.attendance.session.activity):
        raise PermissionDenied
    form = CorrectionAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.hours_correction_answer(actor=request.user, correction=correction,
                                             accept=data["decision"] == "accept", answer=data["answer"],
                                             minutes=data["minutes"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("更正申请已处理。"))
            return redirect("volunteers:records_corrections")
    return render(request, "volunteers/records/correction_answer.html", {"correction": correction, "form": form})

