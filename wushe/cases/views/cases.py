"""My cases, intake, the case page, step moves, records and goals."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, can, may_ever, require
from wushe.core.masking import mask_phone
from wushe.core.pagination import paginate

from .. import selectors
from ..forms import AdvanceForm, GoalForm, GoalStatusForm, IntakeForm, RecordForm, add_service_errors
from ..models import CaseStatus
from ..services import steps
from ..services.reads import READ_RECORD, case_read_log
from ._detail import render_detail

INTAKE_ARGUMENTS = ("client", "source", "voluntary", "intake_on", "presenting_problem", "background",
                    "consent_basis", "consent_recorded_on", "guardian_name", "guardian_relation", "referral_source",
                    "risk_level", "suspected_minor_harm", "harm_concern")



def _to_case(case):
    return redirect("cases:case_detail", public_id=case.public_id)


@login_required
def case_list(request):
    """Workers see their cases, supervisors their supervisees' cases, grant holders the granted ones."""
    user = request.user
    status = request.GET.get("status", "")
    page = paginate(request, selectors.case_list(user, status=status, query=request.GET.get("q", "")))
    for case in page:
        case.client_display = selectors.masked_name(case.client.name)
        case.lead = next((a.worker for a in case.active_assignments if a.role == "lead"), None)
    context = {"page": page}
    if request.htmx:
        return render(request, "cases/case_list.html#rows", context)
    context.update({
        "statuses": [("open", _("进行中")), *CaseStatus.choices],
        "may_intake": may_ever(user, Resource.CASE, Action.CHANGE),
        "incoming_count": selectors.incoming_referrals(user).count(),
        "may_history": may_ever(user, Resource.CASE, Action.HISTORY),
    })
    return render(request, "cases/case_list.html", context)


@login_required
def case_intake(request):
    """接案: find the client by name, then record the intake with its consent basis."""
    user = request.user
    require(user, Resource.CASE, Action.CHANGE)
    client_id = request.POST.get("client") or request.GET.get("client")
    client = None
    if client_id:
        try:
            client = selectors.client_choices(user).filter(public_id=client_id).first()
        except ValidationError:
            client = None
    form = IntakeForm(request.POST or None, user=user, initial={"client": client_id} if client else None)
    if request.method == "POST" and form.is_valid():
        try:
            case = steps.case_intake(actor=user, **{k: form.cleaned_data[k] for k in INTAKE_ARGUMENTS})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已接案，个案编号 %(number)s。") % {"number": case.case_number})
            return _to_case(case)
    query = request.GET.get("q", "").strip()
    candidates = selectors.client_search(user, query) if client is None else []
    for resident in candidates:
        resident.phone_display = mask_phone(resident.phone)
    context = {"form": form, "client": client, "query": query, "candidates": candidates,
               "has_profile": steps.worker_profile(user) is not None}
    if request.htmx and client is None:
        return render(request, "cases/case_intake.html#candidates", context)
    return render(request, "cases/case_intake.html", context)


@login_required
def case_detail(request, public_id):
    case = selectors.get_case_for(request.user, public_id)
    return render_detail(request, case)


@login_required
@require_POST
def case_advance(request, public_id):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    goals = list(selectors.case_goals(case))
    form = AdvanceForm(request.POST, case=case, goals=goals)
    if form.is_valid():
        data = form.cleaned_data
        try:
            steps.case_advance(actor=request.user, case=case, to_status=data["to_status"], content=data["content"],
                               recorded_on=data["recorded_on"], reason=data.get("reason", ""),
                               closing_reason=data.get("closing_reason", ""), goal_statuses=form.goal_statuses())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已进入%(step)s阶段。") % {"step": case.get_status_display()})
            return _to_case(case)
    return render_detail(request, case, advance_form=form)


@login_required
@require_POST
def record_add(request, public_id):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    form = RecordForm(request.POST)
    if form.is_valid():
        try:
            steps.case_record_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("记录已保存。"))
            return _to_case(case)
    return render_detail(request, case, record_form=form)


@login_required
def record_detail(request, public_id, record_id):
    """One record on its own page (to read or print), logged with the record's id."""
    user = request.user
    case = selectors.get_case_for(user, public_id)
    record = selectors.case_record_for(case, record_id)
    case_read_log(actor=user, case=case, what=READ_RECORD, channel="page", target=str(record.public_id))
    return render(request, "cases/record_detail.html", {
        "case": case, "record": record, "may_review": can(user, Action.REVIEW, Resource.CASE, case)})


@login_required
@require_POST
def goal_add(request, public_id):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            steps.case_goal_add(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("服务目标已添加。"))
            return _to_case(case)
    return render_detail(request, case, goal_form=form)


@login_required
@require_POST
def goal_update(request, public_id, goal_id):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    goal = selectors.case_goal_for(case, goal_id)
    form = GoalStatusForm(request.POST)
    if form.is_valid():
        try:
            steps.case_goal_update(actor=request.user, goal=goal, status=form.cleaned_data["status"])
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("目标达成情况已更新。"))
    return _to_case(case)
