"""Group-work pages (小组工作): list, create and edit, the stage timeline, members, sessions with their records
and attendance checklist, and the member × session attendance matrix. A group is reached by its activity's
public id, so permissions are the activity's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, may_ever, require
from wushe.core.pagination import paginate

from ..forms.groups import (
    CREATE_FIELDS,
    EDIT_FIELDS,
    GroupEditForm,
    GroupForm,
    MemberAddForm,
    MemberLeaveForm,
    SessionPlanForm,
    SessionRecordForm,
    StageForm,
    add_service_errors,
)
from ..models import GroupKind, GroupStage
from ..selectors import groups as selectors
from ..services import groups as services

MSG_RESIDENT_NOT_VISIBLE = services.MSG_RESIDENT_NOT_VISIBLE


def _group(request, public_id, action=Action.VIEW):
    return selectors.get_group_for(request.user, public_id, action=action)


def _page(request, group, tab: str, **context) -> dict:
    """Context every page about one group shares (its header and tabs)."""
    return {"group": group, "activity": group.activity, "tab": tab,
            "may_change": selectors.may_change(request.user, group), **context}


def _refused(request, error: ValidationError) -> None:
    messages.error(request, "；".join(error.messages))


@login_required
def group_list(request):
    require(request.user, Resource.ACTIVITY, Action.VIEW)
    params = request.GET
    stage = params.get("stage", "") if params.get("stage") in GroupStage.values else ""
    group_kind = params.get("kind", "") if params.get("kind") in GroupKind.values else ""
    page = paginate(request, selectors.group_list(request.user, stage=stage, group_kind=group_kind,
                                                  query=params.get("q", "").strip()))
    context = {"page": page}
    if request.htmx:
        return render(request, "activities/groups/list.html#rows", context)
    context.update({"stages": GroupStage.choices, "kinds": GroupKind.choices,
                    "may_create": may_ever(request.user, Resource.ACTIVITY, Action.CHANGE)})
    return render(request, "activities/groups/list.html", context)


@login_required
def group_create(request):
    require(request.user, Resource.ACTIVITY, Action.CHANGE)
    form = GroupForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(actor=request.user, **{k: form.cleaned_data[k] for k in CREATE_FIELDS})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("小组已创建，当前处于筹备期。"))
            return redirect("activities:group_detail", public_id=group.activity.public_id)
    return render(request, "activities/groups/form.html", {"form": form})


@login_required
def group_detail(request, public_id):
    group = _group(request, public_id)
    context = _page(request, group, "overview", timeline=selectors.stage_timeline(group),
                    sessions=selectors.group_sessions(group),
                    member_count=services.current_members(group).count(),
                    next_stage=selectors.next_stage(group), previous_stage=selectors.previous_stage(group))
    if context["may_change"]:
        context["stage_form"] = StageForm(initial={"evaluation": group.evaluation})
    return render(request, "activities/groups/detail.html", context)


@login_required
def group_edit(request, public_id):
    group = _group(request, public_id, Action.CHANGE)
    form = GroupEditForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        try:
            services.group_update(actor=request.user, group=group, **{k: form.cleaned_data[k] for k in EDIT_FIELDS})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("小组信息已保存。"))
            return redirect("activities:group_detail", public_id=public_id)
    return render(request, "activities/groups/form.html", _page(request, group, "overview", form=form))


@login_required
@require_POST
def group_stage_advance(request, public_id):
    group = _group(request, public_id, Action.CHANGE)
    form = StageForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.MSG_STAGE_UNKNOWN)
        return redirect("activities:group_detail", public_id=public_id)
    data = form.cleaned_data
    try:
        change = services.group_stage_advance(actor=request.user, group=group, to_stage=data["to_stage"],
                                              note=data["note"], evaluation=data["evaluation"] or None)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("小组已进入%(stage)s。") % {"stage": change.get_to_stage_display()})
    return redirect("activities:group_detail", public_id=public_id)


# Members ------------------------------------------------------------------------------------------------

@login_required
def group_members(request, public_id):
    group = _group(request, public_id)
    query = request.GET.get("q", "").strip()
    context = _page(request, group, "members", query=query)
    if context["may_change"]:
        context["candidates"] = selectors.resident_candidates(request.user, group, query)
    if request.htmx and context["may_change"]:
        return render(request, "activities/groups/members.html#candidates", context)
    context["members"] = selectors.group_members(request.user, group)
    return render(request, "activities/groups/members.html", context)


@login_required
@require_POST
def group_member_add(request, public_id):
    group = _group(request, public_id, Action.CHANGE)
    form = MemberAddForm(request.POST)
    resident = selectors.resident_for_member_add(request.user, form.data.get("resident", ""))
    if resident is None:
        messages.error(request, MSG_RESIDENT_NOT_VISIBLE)
    elif not form.is_valid():
        messages.error(request, services.MSG_JOINED_ON_REQUIRED)
    else:
        try:
            services.group_member_add(actor=request.user, group=group, resident=resident,
                                      joined_on=form.cleaned_data["joined_on"])
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("已将 %(name)s 加入小组。") % {"name": resident.name})
    return redirect("activities:group_members", public_id=public_id)


@login_required
@require_POST
def group_member_leave(request, public_id, member_id):
    group = _group(request, public_id, Action.CHANGE)
    member = selectors.group_member_for(group, member_id)
    form = MemberLeaveForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.group_member_leave(actor=request.user, member=member, left_on=data.get("left_on"),
                                    reason=data.get("reason", ""))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("%(name)s 已退出小组。") % {"name": member.resident.name})
    return redirect("activities:group_members", public_id=public_id)


# Sessions -----------------------------------------------------------------------------------------------

@login_required
def group_sessions(request, public_id):
    group = _group(request, public_id)
    return render(request, "activities/groups/sessions.html",
                  _page(request, group, "sessions", sessions=selectors.group_sessions(group)))


@login_required
def group_session_plan(request, public_id):
    group = _group(request, public_id, Action.CHANGE)
    form = SessionPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            planned = services.group_session_plan(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已安排第 %(n)s 节。") % {"n": planned.sequence})
            return redirect("activities:group_sessions", public_id=public_id)
    return render(request, "activities/groups/session_plan.html", _page(request, group, "sessions", form=form))


def _session_page(request, group, session, record_form=None):
    context = _page(request, group, "sessions", session=session,
                    roster=selectors.session_roster(group, session))
    if context["may_change"]:
        context["record_form"] = record_form or SessionRecordForm(session=session)
    return render(request, "activities/groups/session.html", context)


@login_required
def group_session(request, public_id, session_id):
    group = _group(request, public_id)
    return _session_page(request, group, selectors.group_session_for(group, session_id))


@login_required
@require_POST
def group_session_record(request, public_id, session_id):
    group = _group(request, public_id, Action.CHANGE)
    session = selectors.group_session_for(group, session_id)
    form = SessionRecordForm(request.POST)
    if form.is_valid():
        try:
            services.group_session_record(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("第 %(n)s 节记录已保存。") % {"n": session.sequence})
            return redirect("activities:group_session", public_id=public_id, session_id=session_id)
    return _session_page(request, group, session, record_form=form)


@login_required
@require_POST
def group_attendance_save(request, public_id, session_id):
    group = _group(request, public_id, Action.CHANGE)
    session = selectors.group_session_for(group, session_id)
    try:
        marked = services.group_attendance_save(actor=request.user, session=session,
                                                present_member_ids=request.POST.getlist("present"))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("考勤已保存：出席 %(n)s 人。") % {"n": len(marked)})
    return redirect("activities:group_session", public_id=public_id, session_id=session_id)


@login_required
def group_attendance(request, public_id):
    group = _group(request, public_id)
    return render(request, "activities/groups/attendance.html",
                  _page(request, group, "attendance", matrix=selectors.attendance_matrix(group)))
