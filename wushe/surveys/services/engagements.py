"""Writes for focus groups (焦点小组/座谈会) and interviews (访谈): record, edit, void, and raise the needs
they brought up (a need with source focus_group / interview pointing at the engagement)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can
from wushe.core.services import record_void, save_with_history
from wushe.core.text import build_search_text

from ..models import Engagement, EngagementKind, Need, NeedPriority
from . import needs as need_services

MSG_KIND_REQUIRED = _("请选择类型（焦点小组或访谈）。")
MSG_TITLE_REQUIRED = _("请填写主题。")
MSG_HELD_ON_REQUIRED = _("请填写日期。")
MSG_HELD_ON_IN_FUTURE = _("座谈/访谈日期不能晚于今天。")
MSG_PARTICIPANTS_REQUIRED = _("参与人数至少为1人。")
MSG_FACILITATOR_REQUIRED = _("请选择主持人/访谈员，或填写其姓名。")
MSG_FACILITATOR_INACTIVE = _("所选主持人/访谈员的账号已停用。")
MSG_ENGAGEMENT_VOIDED = _("该座谈/访谈已作废，不能修改。")
MSG_REGION_LOCKED = _("该座谈/访谈已提出需求，不能更改所属社区。")
MSG_KIND_LOCKED = _("该座谈/访谈已提出需求，不能更改类型。")
MSG_HAS_NEEDS = _("该座谈/访谈已提出需求，请先作废这些需求再作废本记录。")

ENGAGEMENT_FIELDS = {"region", "kind", "title", "held_on", "place", "facilitator", "facilitator_name",
                     "participant_count", "participant_groups", "participant_description", "notes", "survey"}


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def _require_change(actor, engagement: Engagement) -> None:
    if not getattr(actor, "is_authenticated", False) or not can(actor, Action.CHANGE, Resource.NEED, engagement):
        raise PermissionDenied


def _validate(actor, engagement: Engagement, errors: dict, *, region_changed: bool) -> None:
    engagement.title = (engagement.title or "").strip()
    engagement.place = (engagement.place or "").strip()
    engagement.facilitator_name = (engagement.facilitator_name or "").strip()
    engagement.participant_description = (engagement.participant_description or "").strip()
    engagement.notes = (engagement.notes or "").strip()
    if engagement.kind not in EngagementKind.values:
        _add(errors, "kind", MSG_KIND_REQUIRED)
    if not engagement.title:
        _add(errors, "title", MSG_TITLE_REQUIRED)
    if engagement.held_on is None:
        _add(errors, "held_on", MSG_HELD_ON_REQUIRED)
    elif engagement.held_on > timezone.localdate():
        _add(errors, "held_on", MSG_HELD_ON_IN_FUTURE)
    if engagement.participant_count is None or engagement.participant_count < 1:
        _add(errors, "participant_count", MSG_PARTICIPANTS_REQUIRED)
    if engagement.facilitator_id is None and not engagement.facilitator_name:
        _add(errors, "facilitator", MSG_FACILITATOR_REQUIRED)
    elif engagement.facilitator_id is not None and not engagement.facilitator.is_active:
        _add(errors, "facilitator", MSG_FACILITATOR_INACTIVE)
    if region_changed:
        need_services.check_region(actor, engagement.region if engagement.region_id else None, errors)
    if engagement.survey_id and (engagement.survey.is_voided
                                 or not can(actor, Action.VIEW, Resource.SURVEY, engagement.survey)):
        _add(errors, "survey", need_services.MSG_SURVEY_UNAVAILABLE)


def _save(actor, engagement: Engagement, groups, *, reason: str = "") -> Engagement:
    engagement.search_text = build_search_text(*engagement.searchable_values())
    save_with_history(engagement, actor=actor, reason=reason)
    if groups is not None:
        engagement._history_user = actor
        engagement.participant_groups.set(groups)
    return engagement


@transaction.atomic
def engagement_create(*, actor, region, kind: str, title: str, held_on: datetime.date | None,
                      participant_count: int | None, place: str = "", facilitator=None, facilitator_name: str = "",
                      participant_groups=(), participant_description: str = "", notes: str = "",
                      survey=None) -> Engagement:
    """Record a focus group or an interview held for a community."""
    engagement = Engagement(region=region, kind=kind, title=title, held_on=held_on, place=place,
                            facilitator=facilitator, facilitator_name=facilitator_name,
                            participant_count=participant_count, participant_description=participant_description,
                            notes=notes, survey=survey, created_by=actor)
    errors: dict = {}
    _validate(actor, engagement, errors, region_changed=True)
    if errors:
        raise ValidationError(errors)
    return _save(actor, engagement, list(participant_groups or []))


@transaction.atomic
def engagement_update(*, actor, engagement: Engagement, **fields) -> Engagement:
    """Change the fields sent; region and kind are fixed once needs were raised from it."""
    _require_change(actor, engagement)
    if engagement.is_voided:
        raise ValidationError(MSG_ENGAGEMENT_VOIDED, code="voided")
    unknown = set(fields) - ENGAGEMENT_FIELDS
    if unknown:
        raise TypeError(f"engagement_update got unexpected fields: {sorted(unknown)}")
    groups = fields.pop("participant_groups", None)
    errors: dict = {}
    region_changed = "region" in fields and fields["region"] != engagement.region
    kind_changed = "kind" in fields and fields["kind"] != engagement.kind
    if (region_changed or kind_changed) and engagement.needs.active().exists():
        _add(errors, "region" if region_changed else "kind", MSG_REGION_LOCKED if region_changed else MSG_KIND_LOCKED)
    for name, value in fields.items():
        setattr(engagement, name, value)
    _validate(actor, engagement, errors, region_changed=region_changed)
    if errors:
        raise ValidationError(errors)
    return _save(actor, engagement, list(groups) if groups is not None else None)


@transaction.atomic
def engagement_void(*, actor, engagement: Engagement, reason: str) -> Engagement:
    _require_change(actor, engagement)
    if engagement.needs.active().exists():
        raise ValidationError(MSG_HAS_NEEDS, code="has_needs")
    return record_void(actor=actor, obj=engagement, reason=reason)


@transaction.atomic
def engagement_raise_need(*, actor, engagement: Engagement, title: str, category: str,
                          priority: str = NeedPriority.MEDIUM, population_group=None, description: str = "",
                          evidence: str = "", identified_on: datetime.date | None = None) -> Need:
    """A need brought up at the focus group or interview, registered in the engagement's community."""
    _require_change(actor, engagement)
    if engagement.is_voided:
        raise ValidationError(MSG_ENGAGEMENT_VOIDED, code="voided")
    return need_services.need_create(
        actor=actor, region=engagement.region, title=title, category=category, source=engagement.kind,
        priority=priority, population_group=population_group, description=description, evidence=evidence,
        engagement=engagement, identified_on=identified_on or engagement.held_on)
