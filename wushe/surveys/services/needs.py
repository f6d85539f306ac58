"""Writes for the needs register (需求清单): register and edit needs, link the projects that answer them,
mark them met, reopen and void.

Status flow: open → answered (a project links to the need) → met (with a date and a note). A met need
reopens with a reason, to answered while a project still answers it, else to open. Unlinking the last
project of an answered need returns it to open. A need lives in one current community; a project may
answer it when the project's region is that community or a region containing it.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can, can_in_region
from wushe.core.services import record_void, save_with_history
from wushe.core.text import build_search_text
from wushe.projects.models import Project, ProjectStatus
from wushe.regions.models import Level

from ..models import Engagement, Need, NeedCategory, NeedPriority, NeedProjectLink, NeedSource, NeedStatus

MSG_TITLE_REQUIRED = _("请填写需求。")
MSG_REGION_REQUIRED = _("请选择需求所属社区。")
MSG_REGION_NOT_COMMUNITY = _("需求须登记到社区（村）一级。")
MSG_REGION_REVOKED = _("所选社区已撤销，请选择现行区划。")
MSG_REGION_OUT_OF_SCOPE = _("所选社区不在您的管辖范围内。")
MSG_REGION_LOCKED = _("已有项目回应该需求，不能更改所属社区。")
MSG_BAD_CATEGORY = _("请选择需求类别。")
MSG_BAD_SOURCE = _("请选择需求来源。")
MSG_BAD_PRIORITY = _("请选择优先级。")
MSG_IDENTIFIED_REQUIRED = _("请填写提出日期。")
MSG_IDENTIFIED_IN_FUTURE = _("提出日期不能晚于今天。")
MSG_SURVEY_UNAVAILABLE = _("所选问卷不存在、已作废或不在您的管辖范围内。")
MSG_SURVEY_ELSEWHERE = _("所选问卷不覆盖该需求所属社区。")
MSG_SOURCE_NOT_SURVEY = _("关联问卷时，需求来源须为“问卷调查”。")
MSG_ENGAGEMENT_UNAVAILABLE = _("所选座谈/访谈不存在、已作废或不属于该社区。")
MSG_SOURCE_NOT_ENGAGEMENT = _("来源座谈/访谈时，需求来源须与其类型一致（焦点小组或访谈）。")
MSG_NEED_VOIDED = _("该需求已作废，不能修改。")
MSG_MET_ONLY_FROM_ANSWERED = _("只有“项目回应中”的需求才能标记为已满足。")
MSG_MET_DATE_REQUIRED = _("请填写满足日期。")
MSG_MET_BEFORE_IDENTIFIED = _("满足日期不能早于需求提出日期。")
MSG_MET_IN_FUTURE = _("满足日期不能晚于今天。")
MSG_MET_NOTE_REQUIRED = _("标记为已满足须说明满足情况。")
MSG_REOPEN_ONLY_MET = _("只有“已满足”的需求才能重新打开。")
MSG_REOPEN_REASON_REQUIRED = _("重新打开须填写原因。")
MSG_PROJECT_UNAVAILABLE = _("所选项目不存在或不在您的管辖范围内。")
MSG_PROJECT_VOIDED = _("该项目已作废，不能关联需求。")
MSG_PROJECT_NOT_ACTIVE = _("该项目未立项或已终止，不能关联需求。")
MSG_PROJECT_OTHER_REGION = _("只能关联本社区或其所属街道、区的项目。")
MSG_LINK_DUPLICATE = _("该项目已关联此需求，无需重复关联。")
MSG_UNLINK_REASON_REQUIRED = _("取消关联须填写原因。")

# Projects that can no longer answer anything: refused by the review, or stopped.
CLOSED_PROJECT_STATUSES = {ProjectStatus.REJECTED, ProjectStatus.TERMINATED}
NEED_FIELDS = {"title", "description", "category", "population_group", "source", "priority", "evidence", "survey",
               "engagement", "identified_on", "region"}


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _require_change(actor, need: Need) -> None:
    if not getattr(actor, "is_authenticated", False) or not can(actor, Action.CHANGE, Resource.NEED, need):
        raise PermissionDenied


def _require_writable(need: Need) -> None:
    if need.is_voided:
        raise ValidationError(MSG_NEED_VOIDED, code="voided")


def check_region(actor, region, errors: dict, field: str = "region") -> None:
    """A need or an engagement belongs to a current community the actor may change records in."""
    if region is None:
        _add(errors, field, MSG_REGION_REQUIRED)
    elif region.level != Level.COMMUNITY:
        _add(errors, field, MSG_REGION_NOT_COMMUNITY)
    elif region.is_revoked:
        _add(errors, field, MSG_REGION_REVOKED)
    elif not can_in_region(actor, Action.CHANGE, Resource.NEED, region):
        _add(errors, field, MSG_REGION_OUT_OF_SCOPE)


def _validate(actor, need: Need, errors: dict, *, region_changed: bool) -> None:
    need.title = (need.title or "").strip()
    need.description = (need.description or "").strip()
    need.evidence = (need.evidence or "").strip()
    if not need.title:
        _add(errors, "title", MSG_TITLE_REQUIRED)
    if need.category not in NeedCategory.values:
        _add(errors, "category", MSG_BAD_CATEGORY)
    if need.source not in NeedSource.values:
        _add(errors, "source", MSG_BAD_SOURCE)
    if need.priority not in NeedPriority.values:
        _add(errors, "priority", MSG_BAD_PRIORITY)
    if need.identified_on is None:
        _add(errors, "identified_on", MSG_IDENTIFIED_REQUIRED)
    elif need.identified_on > timezone.localdate():
        _add(errors, "identified_on", MSG_IDENTIFIED_IN_FUTURE)
    region = need.region if need.region_id else None
    if region_changed:
        check_region(actor, region, errors)
    if need.survey_id:
        survey = need.survey
        if survey.is_voided or not can(actor, Action.VIEW, Resource.SURVEY, survey):
            _add(errors, "survey", MSG_SURVEY_UNAVAILABLE)
        elif region is not None and not survey.region.contains(region):
            _add(errors, "survey", MSG_SURVEY_ELSEWHERE)
        elif need.source != NeedSource.SURVEY and not need.engagement_id:
            _add(errors, "source", MSG_SOURCE_NOT_SURVEY)
    if need.engagement_id:
        engagement = need.engagement
        if engagement.is_voided or region is None or engagement.region_id != region.pk:
            _add(errors, "engagement", MSG_ENGAGEMENT_UNAVAILABLE)
        elif need.source != engagement.kind:
            _add(errors, "source", MSG_SOURCE_NOT_ENGAGEMENT)


def _save(actor, need: Need, *, reason: str = "") -> Need:
    need.search_text = build_search_text(*need.searchable_values())
    save_with_history(need, actor=actor, reason=reason)
    return need


@transaction.atomic
def need_create(*, actor, region, title: str, category: str, source: str, priority: str = NeedPriority.MEDIUM,
                population_group=None, description: str = "", evidence: str = "", survey=None,
                engagement: Engagement | None = None, identified_on: datetime.date | None = None) -> Need:
    """Register a need of a community (status open)."""
    need = Need(region=region, title=title, category=category, source=source, priority=priority,
                population_group=population_group, description=description, evidence=evidence, survey=survey,
                engagement=engagement, identified_on=identified_on or timezone.localdate(),
                status=NeedStatus.OPEN, created_by=actor)
    errors: dict = {}
    _validate(actor, need, errors, region_changed=True)
    if errors:
        raise ValidationError(errors)
    return _save(actor, need)


@transaction.atomic
def need_update(*, actor, need: Need, **fields) -> Need:
    """Change the fields sent (not the status: that moves through links, mark met and reopen)."""
    _require_change(actor, need)
    _require_writable(need)
    unknown = set(fields) - NEED_FIELDS
    if unknown:
        raise TypeError(f"need_update got unexpected fields: {sorted(unknown)}")
    errors: dict = {}
    region_changed = "region" in fields and fields["region"] != need.region
    if region_changed and need.project_links.active().exists():
        _add(errors, "region", MSG_REGION_LOCKED)
    for name, value in fields.items():
        setattr(need, name, value)
    _validate(actor, need, errors, region_changed=region_changed)
    if errors:
        raise ValidationError(errors)
    return _save(actor, need)


@transaction.atomic
def need_mark_met(*, actor, need: Need, met_on: datetime.date | None, note: str) -> Need:
    """answered → met, with the date and how the need was met."""
    _require_change(actor, need)
    _require_writable(need)
    if need.status != NeedStatus.ANSWERED:
        raise ValidationError(MSG_MET_ONLY_FROM_ANSWERED, code="bad_status")
    note = (note or "").strip()
    errors: dict = {}
    if met_on is None:
        _add(errors, "met_on", MSG_MET_DATE_REQUIRED)
    elif met_on > timezone.localdate():
        _add(errors, "met_on", MSG_MET_IN_FUTURE)
    elif met_on < need.identified_on:
        _add(errors, "met_on", MSG_MET_BEFORE_IDENTIFIED)
    if not note:
        _add(errors, "note", MSG_MET_NOTE_REQUIRED)
    if errors:
        raise ValidationError(errors)
    need.status, need.met_on, need.met_note = NeedStatus.MET, met_on, note
    return _save(actor, need, reason=str(_("标记为已满足")))


@transaction.atomic
def need_reopen(*, actor, need: Need, reason: str) -> Need:
    """met → answered (a project still answers it) or open, with a reason."""
    _require_change(actor, need)
    _require_writable(need)
    if need.status != NeedStatus.MET:
        raise ValidationError(MSG_REOPEN_ONLY_MET, code="bad_status")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [MSG_REOPEN_REASON_REQUIRED]}, code="reason_required")
    answered = need.project_links.active().exists()
    need.status = NeedStatus.ANSWERED if answered else NeedStatus.OPEN
    need.met_on, need.met_note = None, ""
    return _save(actor, need, reason=str(_("重新打开：%(reason)s") % {"reason": reason}))


def may_link(actor, need: Need, project: Project) -> bool:
    """Whoever may change the need, or change the project (an organization's leader their own project)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    return can(actor, Action.CHANGE, Resource.NEED, need) or can(actor, Action.CHANGE, Resource.PROJECT, project)


def project_may_answer(need: Need, project: Project) -> bool:
    return project.region_id == need.region_id or project.region.contains(need.region)


def _lock(need: Need) -> None:
    """Lock the need's row and re-read its status, so simultaneous link changes see each other (the unique
    constraint on active links backs the duplicate check)."""
    list(Need.objects.select_for_update().filter(pk=need.pk).values_list("pk"))
    need.refresh_from_db(fields=["status", "voided_at"])


@transaction.atomic
def need_link_project(*, actor, need: Need, project: Project, note: str = "") -> NeedProjectLink:
    """Record that `project` answers `need`; an open need becomes answered."""
    if not getattr(actor, "is_authenticated", False) or not can(actor, Action.VIEW, Resource.PROJECT, project):
        raise ValidationError({"project": [MSG_PROJECT_UNAVAILABLE]}, code="project_unavailable")
    if not may_link(actor, need, project):
        raise PermissionDenied
    _require_writable(need)
    if project.is_voided:
        raise ValidationError({"project": [MSG_PROJECT_VOIDED]}, code="project_voided")
    if project.status in CLOSED_PROJECT_STATUSES:
        raise ValidationError({"project": [MSG_PROJECT_NOT_ACTIVE]}, code="project_closed")
    if not project_may_answer(need, project):
        raise ValidationError({"project": [MSG_PROJECT_OTHER_REGION]}, code="project_other_region")
    _lock(need)
    if NeedProjectLink.objects.active().filter(need=need, project=project).exists():
        raise ValidationError({"project": [MSG_LINK_DUPLICATE]}, code="duplicate_link")
    link = NeedProjectLink(need=need, project=project, linked_by=actor, note=(note or "").strip())
    save_with_history(link, actor=actor)
    if need.status == NeedStatus.OPEN:
        need.status = NeedStatus.ANSWERED
        _save(actor, need, reason=str(_("关联项目：%(title)s") % {"title": project.title}))
    return link


@transaction.atomic
def need_unlink_project(*, actor, link: NeedProjectLink, reason: str) -> NeedProjectLink:
    """Void the link; an answered need no project answers any more returns to open."""
    need, project = link.need, link.project
    if not may_link(actor, need, project):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [MSG_UNLINK_REASON_REQUIRED]}, code="reason_required")
    record_void(actor=actor, obj=link, reason=reason)
    _lock(need)
    if (not need.is_voided and need.status == NeedStatus.ANSWERED
            and not need.project_links.active().exists()):
        need.status = NeedStatus.OPEN
        _save(actor, need, reason=str(_("项目取消关联：%(title)s") % {"title": project.title}))
    return link


@transaction.atomic
def need_void(*, actor, need: Need, reason: str) -> Need:
    """Void the need and its project links (a duplicate or a mistaken entry)."""
    _require_change(actor, need)
    record_void(actor=actor, obj=need, reason=reason)
    for link in need.project_links.active():
        record_void(actor=actor, obj=link, reason=reason)
    return need


@transaction.atomic
def needs_release_project(*, actor, project, reason: str) -> int:
    """A project that was not approved or was terminated answers nothing any more: void its need links
    (the actor is whoever made that decision) and return answered needs without another project to open.
    Called by `projects.states.project_transition`; returns the number of links released."""
    released = 0
    for link in NeedProjectLink.objects.active().filter(project=project).select_related("need"):
        record_void(actor=actor, obj=link, reason=reason)
        released += 1
        need = link.need
        _lock(need)
        if (not need.is_voided and need.status == NeedStatus.ANSWERED
                and not need.project_links.active().exists()):
            need.status = NeedStatus.OPEN
            _save(actor, need, reason=str(_("项目不再回应：%(title)s") % {"title": project.title}))
    return released
