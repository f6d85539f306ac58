"""Writes for group work (小组工作, MZ/T 095-2017).

A group is an activity of kind `group_session` plus its `GroupWork` row: the activity and its sessions go
through the activity services (`activity_create`, `session_add`, `session_record_save`), member attendance
through the attendance services, so counts of person-times stay in one place.

Stages move one step forward at a time (筹备期 → 形成期 → 转折期 → 成熟期 → 结束期); the only way back is a
correction to the previous stage with a note. Entering 结束期 needs the group's evaluation.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.core.services import save_with_history

from ..models import (
    STAGE_ORDER,
    ActivityKind,
    ActivitySession,
    Attendance,
    AttendanceSource,
    GroupKind,
    GroupMember,
    GroupStage,
    GroupStageChange,
    GroupWork,
    ParticipantRole,
)
from ._common import add_error, raise_if, require_change, require_writable
from .activities import activity_create, activity_update, session_add, session_record_save
from .attendance import attendance_mark, attendance_unmark

MSG_NOT_A_GROUP = _("该活动不是小组活动。")
MSG_GROUP_KIND_INVALID = _("请选择有效的小组类型。")
MSG_GOALS_REQUIRED = _("请填写小组目标。")
MSG_PLANNED_SESSIONS_INVALID = _("计划节数须在1到100之间。")
MSG_MAX_MEMBERS_INVALID = _("成员上限须在1到500之间。")
MSG_MAX_MEMBERS_BELOW_CURRENT = _("成员上限不能少于现有成员人数（%(count)s人）。")
MSG_STAGE_UNKNOWN = _("请选择有效的小组阶段。")
MSG_STAGE_SAME = _("小组已处于该阶段。")
MSG_STAGE_SKIP = _("小组阶段须按 筹备期→形成期→转折期→成熟期→结束期 依次推进，不能跳过。")
MSG_STAGE_BACK_TOO_FAR = _("只能更正回上一阶段，不能跨阶段退回。")
MSG_STAGE_CORRECTION_NOTE = _("退回上一阶段属于更正，须填写更正说明。")
MSG_ENDING_NEEDS_EVALUATION = _("进入结束期须先填写小组评估。")
MSG_RESIDENT_NOT_VISIBLE = _("未找到该居民，或该居民不在您的管辖范围内。")
MSG_GROUP_FULL = _("小组成员已满（上限%(max)s人）。")
MSG_ALREADY_MEMBER = _("该居民已是本小组成员。")
MSG_FORMER_MEMBER = _("该居民已退出本小组，不能重复加入。")
MSG_GROUP_ENDED = _("小组已进入结束期，不能再加入新成员。")
MSG_JOINED_ON_REQUIRED = _("请填写入组日期。")
MSG_JOINED_ON_FUTURE = _("入组日期不能晚于今天。")
MSG_MEMBER_VOIDED = _("该成员记录已作废。")
MSG_MEMBER_ALREADY_LEFT = _("该成员已退出小组。")
MSG_LEFT_ON_REQUIRED = _("请填写退出日期。")
MSG_LEFT_BEFORE_JOINED = _("退出日期不能早于入组日期。")
MSG_LEFT_ON_FUTURE = _("退出日期不能晚于今天。")
MSG_LEAVE_REASON_REQUIRED = _("请填写退出原因。")
MSG_LEAVE_REASON_TOO_LONG = _("退出原因不能超过200个字。")
MSG_SESSION_NOT_OF_GROUP = _("该场次不属于本小组。")
MSG_SESSION_VOIDED = _("该节次已作废。")
MSG_SESSION_NOT_STARTED = _("该节小组活动尚未开始，开始后才能填写记录和考勤。")
MSG_RECORD_CONTENT_REQUIRED = _("请填写本节活动内容与过程。")
MSG_NOT_A_MEMBER = _("只能为本小组成员登记出勤；所选人员中有人不是该节活动时的小组成员。")
MSG_ABSENT_REASON = _("小组考勤：未出席")

GROUP_FIELDS = {"group_kind", "goals", "target_description", "planned_sessions", "max_members", "evaluation"}
ACTIVITY_FIELDS = {"title", "place", "starts_at", "ends_at", "description", "organization", "project",
                   "lead_worker"}
MAX_PLANNED_SESSIONS = 100
MAX_MEMBERS = 500
LEFT_REASON_MAX_LENGTH = 200


def _validate_group(group: GroupWork, errors: dict) -> None:
    group.goals = (group.goals or "").strip()
    group.target_description = (group.target_description or "").strip()
    group.evaluation = (group.evaluation or "").strip()
    if group.group_kind not in GroupKind.values:
        add_error(errors, "group_kind", MSG_GROUP_KIND_INVALID)
    if not group.goals:
        add_error(errors, "goals", MSG_GOALS_REQUIRED)
    if group.planned_sessions is None or not 1 <= group.planned_sessions <= MAX_PLANNED_SESSIONS:
        add_error(errors, "planned_sessions", MSG_PLANNED_SESSIONS_INVALID)
    if group.max_members is not None:
        if not 1 <= group.max_members <= MAX_MEMBERS:
            add_error(errors, "max_members", MSG_MAX_MEMBERS_INVALID)
        elif group.pk is not None and (count := current_members(group).count()) > group.max_members:
            add_error(errors, "max_members", MSG_MAX_MEMBERS_BELOW_CURRENT % {"count": count})


def _require_group_change(actor, group: GroupWork) -> None:
    """403 unless the actor may change the group's activity; refused when it is voided or cancelled."""
    require_change(actor, group.activity)
    require_writable(group.activity)


def current_members(group: GroupWork):
    """Members who have not left (the ones counted against `max_members`)."""
    return GroupMember.objects.active().filter(group=group, left_on__isnull=True)


def _merge(errors: dict, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    else:
        errors.setdefault("__all__", []).extend(error.messages)


# Groups -------------------------------------------------------------------------------------------------

@transaction.atomic
def group_create(*, actor, region, title: str, place: str, starts_at: datetime.datetime,
                 ends_at: datetime.datetime, group_kind: str, goals: str, target_description: str = "",
                 planned_sessions: int = 6, max_members: int | None = None, organization=None, project=None,
                 lead_worker=None) -> GroupWork:
    """Plan a group: its activity (kind 小组活动) with the first session at starts_at..ends_at, and the group."""
    group = GroupWork(group_kind=group_kind or "", goals=goals, target_description=target_description,
                      planned_sessions=planned_sessions, max_members=max_members)
    errors: dict = {}
    _validate_group(group, errors)
    try:
        activity = activity_create(actor=actor, region=region, title=title, kind=ActivityKind.GROUP_SESSION,
                                   place=place, starts_at=starts_at, ends_at=ends_at, description=group.goals,
                                   organization=organization, project=project, lead_worker=lead_worker,
                                   capacity=max_members)
    except ValidationError as error:
        _merge(errors, error)
        raise ValidationError(errors) from error
    raise_if(errors)
    group.activity = activity
    save_with_history(group, actor=actor)
    return group


@transaction.atomic
def group_update(*, actor, group: GroupWork, reason: str = "", **changes) -> GroupWork:
    """Change the group's own fields and, through `activity_update`, its activity's title, place and time."""
    _require_group_change(actor, group)
    unknown = set(changes) - GROUP_FIELDS - ACTIVITY_FIELDS
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name in GROUP_FIELDS & set(changes):
        value = changes[name]
        setattr(group, name, "" if value is None and name not in ("max_members", "planned_sessions") else value)
    errors: dict = {}
    _validate_group(group, errors)
    if group.stage == GroupStage.ENDING and not group.evaluation:
        add_error(errors, "evaluation", MSG_ENDING_NEEDS_EVALUATION)
    # Only what really changes goes to the activity: a completed activity refuses edits of its plan.
    activity = group.activity
    activity_changes = {name: changes[name] for name in ACTIVITY_FIELDS & set(changes)
                        if getattr(activity, name) != changes[name]}
    if "max_members" in changes and activity.capacity != group.max_members:
        activity_changes["capacity"] = group.max_members
    if activity_changes:
        try:
            activity_update(actor=actor, activity=activity, reason=reason, **activity_changes)
        except ValidationError as error:
            _merge(errors, error)
    raise_if(errors)
    save_with_history(group, actor=actor, reason=reason)
    return group


@transaction.atomic
def group_stage_advance(*, actor, group: GroupWork, to_stage: str, note: str = "",
                        evaluation: str | None = None) -> GroupStageChange:
    """Move one stage forward, or correct back to the previous stage with a note.

    `evaluation`, when given, is saved on the group first (the form entering 结束期 asks for it).
    """
    _require_group_change(actor, group)
    # Lock the row and read the stage afresh, so two people advancing at once cannot both move it.
    group.stage = GroupWork.objects.select_for_update().values_list("stage", flat=True).get(pk=group.pk)
    note = (note or "").strip()
    if evaluation is not None:
        group.evaluation = (evaluation or "").strip()
    if to_stage not in GroupStage.values:
        raise ValidationError({"to_stage": [MSG_STAGE_UNKNOWN]}, code="stage_unknown")
    current, target = STAGE_ORDER.index(group.stage), STAGE_ORDER.index(to_stage)
    errors: dict = {}
    if target == current:
        add_error(errors, "to_stage", MSG_STAGE_SAME)
    elif target > current + 1:
        add_error(errors, "to_stage", MSG_STAGE_SKIP)
    elif target < current - 1:
        add_error(errors, "to_stage", MSG_STAGE_BACK_TOO_FAR)
    elif target == current - 1 and not note:
        add_error(errors, "note", MSG_STAGE_CORRECTION_NOTE)
    if to_stage == GroupStage.ENDING and not group.evaluation:
        add_error(errors, "evaluation", MSG_ENDING_NEEDS_EVALUATION)
    raise_if(errors)
    change = GroupStageChange.objects.create(group=group, from_stage=group.stage, to_stage=to_stage, note=note,
                                             changed_by=actor)
    group.stage = to_stage
    save_with_history(group, actor=actor, reason=f"{GroupStage(change.from_stage).label} → "
                                                 f"{GroupStage(to_stage).label}")
    return change


# Members ------------------------------------------------------------------------------------------------

@transaction.atomic
def group_member_add(*, actor, group: GroupWork, resident, joined_on: datetime.date | None = None) -> GroupMember:
    """Add a resident the actor may see; at most `max_members` current members, each resident once."""
    from wushe.people.selectors import residents_visible_to

    _require_group_change(actor, group)
    # Lock the group row so that two additions cannot both take the last place.
    GroupWork.objects.select_for_update().filter(pk=group.pk).values_list("pk", flat=True).first()
    errors: dict = {}
    if resident is None or not residents_visible_to(actor).active().filter(pk=resident.pk).exists():
        raise ValidationError({"resident": [MSG_RESIDENT_NOT_VISIBLE]}, code="resident_not_visible")
    if group.stage == GroupStage.ENDING:
        add_error(errors, "__all__", MSG_GROUP_ENDED)
    existing = GroupMember.objects.active().filter(group=group, resident=resident).first()
    if existing is not None:
        add_error(errors, "resident", MSG_FORMER_MEMBER if existing.left_on else MSG_ALREADY_MEMBER)
    elif group.max_members is not None and current_members(group).count() >= group.max_members:
        add_error(errors, "resident", MSG_GROUP_FULL % {"max": group.max_members})
    if joined_on is None:
        add_error(errors, "joined_on", MSG_JOINED_ON_REQUIRED)
    elif joined_on > timezone.localdate():
        add_error(errors, "joined_on", MSG_JOINED_ON_FUTURE)
    raise_if(errors)
    member = GroupMember(group=group, resident=resident, joined_on=joined_on)
    save_with_history(member, actor=actor)
    return member


@transaction.atomic
def group_member_leave(*, actor, member: GroupMember, left_on: datetime.date | None, reason: str) -> GroupMember:
    """A member leaves (退组): the row stays, with the date and reason; past attendance is kept."""
    _require_group_change(actor, member.group)
    reason = (reason or "").strip()
    errors: dict = {}
    if member.is_voided:
        add_error(errors, "__all__", MSG_MEMBER_VOIDED)
    elif member.left_on is not None:
        add_error(errors, "__all__", MSG_MEMBER_ALREADY_LEFT)
    if left_on is None:
        add_error(errors, "left_on", MSG_LEFT_ON_REQUIRED)
    elif left_on < member.joined_on:
        add_error(errors, "left_on", MSG_LEFT_BEFORE_JOINED)
    elif left_on > timezone.localdate():
        add_error(errors, "left_on", MSG_LEFT_ON_FUTURE)
    if not reason:
        add_error(errors, "reason", MSG_LEAVE_REASON_REQUIRED)
    elif len(reason) > LEFT_REASON_MAX_LENGTH:
        add_error(errors, "reason", MSG_LEAVE_REASON_TOO_LONG)
    raise_if(errors)
    member.left_on, member.left_reason = left_on, reason
    save_with_history(member, actor=actor, reason=reason)
    return member


def member_on(member: GroupMember, day: datetime.date) -> bool:
    """Was this a member of the group on `day` (joined by then and not left before)?"""
    return not member.is_voided and member.joined_on <= day and (member.left_on is None or member.left_on >= day)


# Sessions -----------------------------------------------------------------------------------------------

def _group_of(session: ActivitySession) -> GroupWork:
    if session.is_voided:
        raise ValidationError(MSG_SESSION_VOIDED, code="voided")
    activity = session.activity
    if activity.kind != ActivityKind.GROUP_SESSION or not hasattr(activity, "group"):
        raise ValidationError(MSG_NOT_A_GROUP, code="not_a_group")
    return activity.group


def _require_started(session: ActivitySession) -> None:
    if session.starts_at > timezone.now():
        raise ValidationError(MSG_SESSION_NOT_STARTED, code="not_started")


@transaction.atomic
def group_session_plan(*, actor, group: GroupWork, starts_at, ends_at, title: str = "",
                       place: str = "") -> ActivitySession:
    """Plan the group's next session (节次); the place defaults to the group's place."""
    _require_group_change(actor, group)
    return session_add(actor=actor, activity=group.activity, starts_at=starts_at, ends_at=ends_at, title=title,
                       place=(place or "").strip() or group.activity.place)


@transaction.atomic
def group_session_record(*, actor, session: ActivitySession, goals: str, content: str, observations: str = "",
                         reflection: str = "") -> ActivitySession:
    """The session record (小组节次记录), once the session has started."""
    group = _group_of(session)
    _require_group_change(actor, group)
    _require_started(session)
    if not (content or "").strip():
        raise ValidationError({"content": [MSG_RECORD_CONTENT_REQUIRED]}, code="content_required")
    return session_record_save(actor=actor, session=session, goals=goals, content=content,
                               observations=observations, reflection=reflection)


@transaction.atomic
def group_attendance_save(*, actor, session: ActivitySession, present_member_ids) -> list[Attendance]:
    """Make the session's member roster equal the submitted set of members (GroupMember public ids).

    Present members are marked (idempotently), members with a row who are no longer in the set are
    unmarked; attendance of people who are not members (e.g. a walk-in who scanned the QR code) is left
    alone. Only those who were members on the session's date may be marked.
    """
    group = _group_of(session)
    _require_group_change(actor, group)
    _require_started(session)
    wanted = {str(value) for value in present_member_ids or ()}
    day = timezone.localtime(session.starts_at).date()
    members = list(GroupMember.objects.active().filter(group=group).select_related("resident"))
    eligible = {str(m.public_id): m for m in members if member_on(m, day)}
    if wanted - set(eligible):
        raise ValidationError({"present_member_ids": [MSG_NOT_A_MEMBER]}, code="not_a_member")
    member_residents = {m.resident_id for m in eligible.values()}
    present_residents = {eligible[public_id].resident_id for public_id in wanted}
    rows = Attendance.objects.active().filter(session=session, role=ParticipantRole.PARTICIPANT,
                                              resident_id__in=member_residents)
    for attendance in rows:
        if attendance.resident_id not in present_residents:
            attendance_unmark(actor=actor, attendance=attendance, reason=str(MSG_ABSENT_REASON))
    marked = []
    for public_id in sorted(wanted, key=lambda value: (eligible[value].joined_on, eligible[value].pk)):
        marked.append(attendance_mark(actor=actor, session=session, resident=eligible[public_id].resident,
                                      source=AttendanceSource.ROSTER))
    return marked

