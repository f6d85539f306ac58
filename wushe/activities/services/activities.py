"""Writes for activities and their sessions: plan, edit, status changes, session records, summary, void.

Status flow: planned → open (sign-up open) → closed (sign-up closed) → completed; open ⇄ closed may be
reopened; planned / open / closed may be cancelled with a reason. A risky activity opens only with its
insurance recorded and valid until the activity ends.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can, can_in_region, roles_of
from wushe.accounts.roles import Role
from wushe.core.services import record_void, save_with_history
from wushe.core.text import build_search_text

from ..models import Activity, ActivityKind, ActivitySession, ActivityStatus
from ..models.activities import new_signin_secret
from ._common import add_error, raise_if, require_change, require_writable, void_reason

MSG_TITLE_REQUIRED = _("请填写活动名称。")
MSG_PLACE_REQUIRED = _("请填写活动地点。")
MSG_REGION_OUT_OF_SCOPE = _("活动所在区划不在您的管辖范围内。")
MSG_REGION_REVOKED = _("活动所在区划已撤销，请选择现行区划。")
MSG_ENDS_BEFORE_START = _("结束时间必须晚于开始时间。")
MSG_ORGANIZATION_UNAVAILABLE = _("所选组织不存在、已作废或不在您的管辖范围内。")
MSG_PROJECT_UNAVAILABLE = _("所选项目不存在、已作废或不在您的管辖范围内。")
MSG_WORKER_UNAVAILABLE = _("所选社工不存在、已作废或不在您的管辖范围内。")
MSG_DEADLINE_AFTER_END = _("报名截止时间不能晚于活动结束时间。")
MSG_INSURANCE_REQUIRED = _("该活动具有一定危险性，须先登记意外保险（保险公司、保单号、有效期）才能开放报名。")
MSG_INSURANCE_EXPIRES = _("意外保险在活动结束前到期，请更新保险有效期后再开放报名。")
MSG_INSURANCE_REMOVED = _("报名中的危险性活动不能删除保险信息。")
MSG_BAD_TRANSITION = _("当前状态不能进行该操作。")
MSG_CANCEL_REASON_REQUIRED = _("取消活动须填写原因。")
MSG_INDIRECT_BASIS_REQUIRED = _("填写间接受益人数时须说明估算依据。")
MSG_KIND_LOCKED = _("小组活动已建立小组档案，不能更改活动类型。")
MSG_FIELD_LOCKED = _("活动已完成，只能修改活动总结和间接受益估算。")

ACTIVITY_FIELDS = {
    "title", "kind", "place", "starts_at", "ends_at", "description", "organization", "project", "lead_worker",
    "capacity", "signup_deadline", "volunteers_needed", "is_risky", "insurance_insurer",
    "insurance_policy_number", "insurance_valid_until", "target_groups", "indirect_beneficiaries",
    "indirect_basis", "summary",
}
COMPLETED_FIELDS = {"summary", "indirect_beneficiaries", "indirect_basis", "description"}

# Which status each transition starts from and leads to.
TRANSITIONS: dict[str, tuple[set[str], str]] = {
    "open": ({ActivityStatus.PLANNED, ActivityStatus.CLOSED}, ActivityStatus.OPEN),
    "close": ({ActivityStatus.OPEN}, ActivityStatus.CLOSED),
    "complete": ({ActivityStatus.OPEN, ActivityStatus.CLOSED}, ActivityStatus.COMPLETED),
    "cancel": ({ActivityStatus.PLANNED, ActivityStatus.OPEN, ActivityStatus.CLOSED}, ActivityStatus.CANCELLED),
}


def _leader_of(actor, organization) -> bool:
    """Does the actor lead this organization (an object role, not a region role)?"""
    if organization is None or Role.ORG_LEADER not in roles_of(actor):
        return False
    return can(actor, Action.CHANGE, Resource.ORGANIZATION, organization)


def _validate(actor, activity: Activity, errors: dict, *, region_changed: bool) -> None:
    activity.title = (activity.title or "").strip()
    activity.place = (activity.place or "").strip()
    activity.insurance_insurer = (activity.insurance_insurer or "").strip()
    activity.insurance_policy_number = (activity.insurance_policy_number or "").strip()
    activity.indirect_basis = (activity.indirect_basis or "").strip()
    if not activity.title:
        add_error(errors, "title", MSG_TITLE_REQUIRED)
    if not activity.place:
        add_error(errors, "place", MSG_PLACE_REQUIRED)
    if activity.kind not in ActivityKind.values:
        add_error(errors, "kind", MSG_BAD_TRANSITION)
    organization = activity.organization if activity.organization_id else None
    if organization is not None and (organization.is_voided
                                     or not can(actor, Action.VIEW, Resource.ORGANIZATION, organization)):
        add_error(errors, "organization", MSG_ORGANIZATION_UNAVAILABLE)
        organization = None
    if region_changed:
        region = activity.region if activity.region_id else None
        if region is None:
            add_error(errors, "region", MSG_REGION_OUT_OF_SCOPE)
        elif region.is_revoked:
            add_error(errors, "region", MSG_REGION_REVOKED)
        elif not can_in_region(actor, Action.CHANGE, Resource.ACTIVITY, region) and not (
                _leader_of(actor, organization) and organization.region.contains(region)):
            # An organization's leader organizes in the organization's own region (and below).
            add_error(errors, "region", MSG_REGION_OUT_OF_SCOPE)
    if activity.project_id and (activity.project.is_voided
                                or not can(actor, Action.VIEW, Resource.PROJECT, activity.project)):
        add_error(errors, "project", MSG_PROJECT_UNAVAILABLE)
    if activity.lead_worker_id and (activity.lead_worker.is_voided
                                    or not can(actor, Action.VIEW, Resource.SOCIAL_WORKER, activity.lead_worker)):
        add_error(errors, "lead_worker", MSG_WORKER_UNAVAILABLE)
    if activity.starts_at and activity.ends_at and activity.ends_at <= activity.starts_at:
        add_error(errors, "ends_at", MSG_ENDS_BEFORE_START)
    if activity.signup_deadline and activity.ends_at and activity.signup_deadline > activity.ends_at:
        add_error(errors, "signup_deadline", MSG_DEADLINE_AFTER_END)
    if activity.indirect_beneficiaries is not None and not activity.indirect_basis:
        add_error(errors, "indirect_basis", MSG_INDIRECT_BASIS_REQUIRED)
    if activity.status == ActivityStatus.OPEN and activity.is_risky:
        for message in insurance_problems(activity):
            add_error(errors, "insurance_policy_number", message)


def insurance_problems(activity: Activity) -> list:
    """Why a risky activity may not open sign-up yet (empty when it may)."""
    if not activity.is_risky:
        return []
    if not activity.insurance_recorded or activity.insurance_valid_until is None:
        return [MSG_INSURANCE_REQUIRED]
    if activity.insurance_valid_until < timezone.localtime(activity.ends_at).date():
        return [MSG_INSURANCE_EXPIRES]
    return []


def _store(actor, activity: Activity, *, reason: str = "") -> Activity:
    activity.search_text = build_search_text(*activity.searchable_values())
    save_with_history(activity, actor=actor, reason=reason)
    # The write must leave a record the actor may still change (not moved out of their scope).
    if not can(actor, Action.CHANGE, Resource.ACTIVITY, activity):
        raise PermissionDenied
    return activity


@transaction.atomic
def activity_create(*, actor, region, title: str, kind: str, place: str, starts_at: datetime.datetime,
                    ends_at: datetime.datetime, description: str = "", organization=None, project=None,
                    lead_worker=None, capacity=None, signup_deadline=None, volunteers_needed: int = 0,
                    is_risky: bool = False, insurance_insurer: str = "", insurance_policy_number: str = "",
                    insurance_valid_until=None, target_groups=()) -> Activity:
    """Plan an activity (status planned) with its first session spanning starts_at..ends_at."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied
    activity = Activity(
        region=region, title=title, kind=kind or ActivityKind.ACTIVITY, place=place, starts_at=starts_at,
        ends_at=ends_at, description=description or "", organization=organization, project=project,
        lead_worker=lead_worker, capacity=capacity, signup_deadline=signup_deadline,
        volunteers_needed=volunteers_needed or 0, is_risky=bool(is_risky), insurance_insurer=insurance_insurer or "",
        insurance_policy_number=insurance_policy_number or "", insurance_valid_until=insurance_valid_until,
        organizer=actor, created_by=actor,
    )
    errors: dict = {}
    _validate(actor, activity, errors, region_changed=True)
    raise_if(errors)
    _store(actor, activity)
    if target_groups:
        activity.target_groups.set(target_groups)
    session = ActivitySession(activity=activity, sequence=1, starts_at=starts_at, ends_at=ends_at)
    save_with_history(session, actor=actor)
    return activity


@transaction.atomic
def activity_update(*, actor, activity: Activity, reason: str = "", **fields) -> Activity:
    """Change the given fields. With a single session, moving the activity's time moves that session too."""
    require_change(actor, activity)
    require_writable(activity)
    unknown = set(fields) - ACTIVITY_FIELDS - {"region"}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    if activity.status == ActivityStatus.COMPLETED and set(fields) - COMPLETED_FIELDS:
        raise ValidationError(MSG_FIELD_LOCKED, code="completed")
    if "kind" in fields and fields["kind"] != activity.kind and hasattr(activity, "group"):
        raise ValidationError({"kind": [MSG_KIND_LOCKED]}, code="kind_locked")
    was_risky_open = activity.status == ActivityStatus.OPEN and activity.is_risky
    old_times = (activity.starts_at, activity.ends_at)
    target_groups = fields.pop("target_groups", None)
    region_changed = "region" in fields and fields["region"] != activity.region
    for name, value in fields.items():
        if value is None and name in ("description", "insurance_insurer", "insurance_policy_number",
                                      "indirect_basis", "summary"):
            value = ""
        setattr(activity, name, value)
    errors: dict = {}
    _validate(actor, activity, errors, region_changed=region_changed)
    if was_risky_open and not activity.is_risky:
        add_error(errors, "is_risky", MSG_INSURANCE_REMOVED)
    raise_if(errors)
    _store(actor, activity, reason=reason)
    if target_groups is not None:
        activity.target_groups.set(target_groups)
    if (activity.starts_at, activity.ends_at) != old_times:
        sessions = list(activity.sessions.active())
        if len(sessions) == 1:
            session = sessions[0]
            session.starts_at, session.ends_at = activity.starts_at, activity.ends_at
            save_with_history(session, actor=actor)
    return activity


@transaction.atomic
def activity_transition(*, actor, activity: Activity, transition: str, reason: str = "") -> Activity:
    """Move the activity along its status flow (see the module docstring)."""
    require_change(actor, activity)
    if activity.is_voided:
        require_writable(activity)
    if transition not in TRANSITIONS:
        raise ValidationError(MSG_BAD_TRANSITION, code="bad_transition")
    sources, target = TRANSITIONS[transition]
    if activity.status not in sources:
        raise ValidationError(MSG_BAD_TRANSITION, code="bad_transition")
    reason = (reason or "").strip()
    if transition == "cancel" and not reason:
        raise ValidationError({"reason": [MSG_CANCEL_REASON_REQUIRED]}, code="reason_required")
    if transition == "open":
        problems = insurance_problems(activity)
        if problems:
            raise ValidationError(problems, code="insurance")
    activity.status = target
    return _store(actor, activity, reason=reason or str(ActivityStatus(target).label))


def activity_open(*, actor, activity: Activity) -> Activity:
    return activity_transition(actor=actor, activity=activity, transition="open")


def activity_close(*, actor, activity: Activity) -> Activity:
    return activity_transition(actor=actor, activity=activity, transition="close")


def activity_complete(*, actor, activity: Activity) -> Activity:
    return activity_transition(actor=actor, activity=activity, transition="complete")


def activity_cancel(*, actor, activity: Activity, reason: str) -> Activity:
    return activity_transition(actor=actor, activity=activity, transition="cancel", reason=reason)


@transaction.atomic
def activity_void(*, actor, activity: Activity, reason: str) -> Activity:
    require_change(actor, activity)
    record_void(actor=actor, obj=activity, reason=void_reason(reason))
    return activity


@transaction.atomic
def activity_rotate_signin_secret(*, actor, activity: Activity) -> Activity:
    """重新生成二维码: every QR code issued before stops working."""
    require_change(actor, activity)
    require_writable(activity)
    activity.signin_secret = new_signin_secret()
    return _store(actor, activity, reason="重新生成签到二维码")


@transaction.atomic
def activity_summary_save(*, actor, activity: Activity, summary: str, indirect_beneficiaries=None,
                          indirect_basis: str = "") -> Activity:
    """The summary and the indirect-beneficiary estimate (an estimate with its basis, never a count)."""
    return activity_update(actor=actor, activity=activity, summary=summary or "",
                           indirect_beneficiaries=indirect_beneficiaries, indirect_basis=indirect_basis or "")


# Sessions -----------------------------------------------------------------------------------------------

def _cover_sessions(actor, activity: Activity) -> None:
    """Keep the activity's time span covering all of its sessions."""
    sessions = list(activity.sessions.active().values_list("starts_at", "ends_at"))
    if not sessions:
        return
    starts_at, ends_at = min(s for s, _e in sessions), max(e for _s, e in sessions)
    if starts_at < activity.starts_at or ends_at > activity.ends_at:
        activity.starts_at, activity.ends_at = min(starts_at, activity.starts_at), max(ends_at, activity.ends_at)
        _store(actor, activity)


@transaction.atomic
def session_add(*, actor, activity: Activity, starts_at, ends_at, title: str = "", place: str = "") -> ActivitySession:
    """Add the next session (场次); the activity's span grows to cover it."""
    require_change(actor, activity)
    require_writable(activity)
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationError({"ends_at": [MSG_ENDS_BEFORE_START]}, code="ends_before_start")
    Activity.objects.select_for_update().filter(pk=activity.pk).values_list("pk", flat=True).first()
    last = ActivitySession._base_manager.filter(activity=activity).aggregate(last=Max("sequence"))["last"] or 0
    session = ActivitySession(activity=activity, sequence=last + 1, starts_at=starts_at, ends_at=ends_at,
                              title=(title or "").strip(), place=(place or "").strip())
    save_with_history(session, actor=actor)
    _cover_sessions(actor, activity)
    return session


@transaction.atomic
def session_update(*, actor, session: ActivitySession, **fields) -> ActivitySession:
    activity = session.activity
    require_change(actor, activity)
    require_writable(activity)
    unknown = set(fields) - {"starts_at", "ends_at", "title", "place"}
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(session, name, (value or "").strip() if name in ("title", "place") else value)
    if session.ends_at <= session.starts_at:
        raise ValidationError({"ends_at": [MSG_ENDS_BEFORE_START]}, code="ends_before_start")
    save_with_history(session, actor=actor)
    _cover_sessions(actor, activity)
    return session


@transaction.atomic
def session_record_save(*, actor, session: ActivitySession, goals: str, content: str, observations: str,
                        reflection: str) -> ActivitySession:
    """The session record (节次记录): goals, content and process, members and dynamics, reflection."""
    require_change(actor, session.activity)
    require_writable(session.activity)
    if session.is_voided:
        from ._common import MSG_SESSION_VOIDED

        raise ValidationError(MSG_SESSION_VOIDED, code="voided")
    session.goals = (goals or "").strip()
    session.content = (content or "").strip()
    session.observations = (observations or "").strip()
    session.reflection = (reflection or "").strip()
    session.recorded_by = actor
    session.recorded_at = timezone.now()
    save_with_history(session, actor=actor)
    return session


MSG_LAST_SESSION = _("活动至少保留一个场次。")
MSG_SESSION_HAS_ATTENDANCE = _("该场次已有签到记录，请先作废签到记录。")


@transaction.atomic
def session_void(*, actor, session: ActivitySession, reason: str) -> ActivitySession:
    require_change(actor, session.activity)
    if session.activity.sessions.active().exclude(pk=session.pk).count() == 0:
        raise ValidationError(MSG_LAST_SESSION, code="last_session")
    if session.attendances.active().exists():
        raise ValidationError(MSG_SESSION_HAS_ATTENDANCE, code="has_attendance")
    record_void(actor=actor, obj=session, reason=void_reason(reason))
    return session
