"""Writes for volunteers, teams and team memberships. Every write: check scope, validate, save with history."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can, can_in_region
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record
from wushe.core.identity import DocumentType, Sex, normalise_document, parse_citizen_id, validate_mobile
from wushe.core.services import record_void, save_with_history
from wushe.core.text import build_search_text
from wushe.regions.models import Region

from .models import Team, TeamMembership, TeamRole, Volunteer

MSG_NAME_REQUIRED = _("请填写姓名。")
MSG_REGION_OUT_OF_SCOPE = _("所属区划不在您的管辖范围内。")
MSG_REGION_REVOKED = _("所属区划已撤销，请选择现行区划。")
MSG_BIRTH_DATE_FUTURE = _("出生日期不能晚于今天。")
MSG_DUPLICATE_DOCUMENT = _("已有使用该证件号码的志愿者档案。")
MSG_USER_ALREADY_LINKED = _("该平台账号已关联其他志愿者档案。")
MSG_NUMBER_EXHAUSTED = _("该区划的志愿者编号已用完，请联系平台管理员。")
MSG_RECORD_VOIDED = _("该记录已作废，不能修改。")
MSG_TEAM_NAME_REQUIRED = _("请填写队伍名称。")
MSG_TEAM_REGION_REQUIRED = _("请选择所属区划或所属组织。")
MSG_ORGANIZATION_UNAVAILABLE = _("所选组织不存在、已作废或不在您的管辖范围内。")
MSG_FOUNDED_ON_FUTURE = _("成立日期不能晚于今天。")
MSG_TEAM_VOIDED = _("服务队已作废，不能修改或添加队员。")
MSG_VOLUNTEER_VOIDED = _("该志愿者档案已作废，不能加入服务队。")
MSG_ALREADY_MEMBER = _("该志愿者已是本队队员。")
MSG_VOLUNTEER_NOT_FOUND = _("未找到该志愿者：请核对志愿者编号；本辖区以外的志愿者还须填写与档案一致的姓名。")
MSG_JOINED_ON_FUTURE = _("加入日期不能晚于今天。")
MSG_VOID_REASON_TOO_LONG = _("作废原因不能超过100个字。")
MSG_MEMBERSHIP_VOIDED_WITH_TEAM = _("服务队作废")
MSG_MEMBERSHIP_VOIDED_WITH_VOLUNTEER = _("志愿者档案作废")
MSG_GUARDIAN_NAME_REQUIRED = _("该志愿者未满14周岁，须填写监护人姓名。")
MSG_GUARDIAN_CONSENT_REQUIRED = _("该志愿者未满14周岁，须取得监护人同意并填写同意日期。")
MSG_GUARDIAN_CONSENT_FUTURE = _("监护人同意日期不能晚于今天。")

NUMBER_PREFIX = "V"
SEQUENCE_DIGITS = 4
VOLUNTEER_FIELDS = ("region", "name", "sex", "birth_date", "document_type", "id_number", "phone", "skills",
                    "registered_on", "user", "guardian_name", "guardian_phone", "guardian_consent_on")
TEAM_FIELDS = ("name", "region", "organization", "description", "founded_on")


# simple-history stores the change reason (the void reason) in a 100-character column.
VOID_REASON_MAX_LENGTH = 100


def _void_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) > VOID_REASON_MAX_LENGTH:
        raise ValidationError({"reason": [MSG_VOID_REASON_TOO_LONG]}, code="void_reason_too_long")
    return reason


def _cascade_reason(prefix, reason: str) -> str:
    return f"{prefix}：{reason}"[:VOID_REASON_MAX_LENGTH]


def _add(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


# Volunteers ---------------------------------------------------------------------------------------------

def next_volunteer_number(region: Region) -> str:
    """`V` + the region's 12-digit code + a 4-digit sequence per region (never derived from an ID number).

    Voided volunteers keep their numbers, so a number is never given twice. The region row is locked
    (PostgreSQL) so that concurrent registrations in one region queue; SQLite serialises writers anyway.
    """
    Region.objects.select_for_update().filter(pk=region.pk).values_list("pk", flat=True).first()
    prefix = f"{NUMBER_PREFIX}{region.code}"
    last = (Volunteer._base_manager.filter(volunteer_number__startswith=prefix)
            .annotate(number_length=Length("volunteer_number"))
            .filter(number_length=len(prefix) + SEQUENCE_DIGITS)
            .order_by("-volunteer_number").values_list("volunteer_number", flat=True).first())
    sequence = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    if sequence >= 10 ** SEQUENCE_DIGITS:
        raise ValidationError(MSG_NUMBER_EXHAUSTED, code="number_exhausted")
    return f"{prefix}{sequence:0{SEQUENCE_DIGITS}d}"


def _validate_volunteer(*, actor, volunteer: Volunteer, errors: dict) -> None:
    volunteer.name = (volunteer.name or "").strip()
    if not volunteer.name:
        _add(errors, "name", MSG_NAME_REQUIRED)
    if volunteer.region_id is None or not can_in_region(actor, Action.CHANGE, Resource.VOLUNTEER, volunteer.region):
        _add(errors, "region", MSG_REGION_OUT_OF_SCOPE)
    elif volunteer.region.is_revoked:
        _add(errors, "region", MSG_REGION_REVOKED)
    volunteer.id_number = (volunteer.id_number or "").strip()
    if volunteer.id_number:
        try:
            volunteer.id_number = normalise_document(volunteer.document_type, volunteer.id_number)
        except ValidationError as error:
            errors.setdefault("id_number", []).extend(error.messages)
        else:
            if volunteer.document_type == DocumentType.RESIDENT_ID:
                citizen = parse_citizen_id(volunteer.id_number)
                volunteer.birth_date, volunteer.sex = citizen.birth_date, citizen.sex
            duplicates = Volunteer.objects.active().filter(document_type=volunteer.document_type,
                                                           id_number=volunteer.id_number)
            if volunteer.pk is not None:
                duplicates = duplicates.exclude(pk=volunteer.pk)
            if duplicates.exists():
                _add(errors, "id_number", MSG_DUPLICATE_DOCUMENT)
    if volunteer.birth_date and volunteer.birth_date > datetime.date.today():
        _add(errors, "birth_date", MSG_BIRTH_DATE_FUTURE)
    if volunteer.phone:
        try:
            volunteer.phone = validate_mobile(volunteer.phone)
        except ValidationError as error:
            errors.setdefault("phone", []).extend(error.messages)
    volunteer.skills = (volunteer.skills or "").strip()
    _validate_guardian(volunteer=volunteer, errors=errors)
    if volunteer.user_id is not None:
        linked = Volunteer.objects.filter(user_id=volunteer.user_id)
        if volunteer.pk is not None:
            linked = linked.exclude(pk=volunteer.pk)
        if linked.exists():
            _add(errors, "user", MSG_USER_ALREADY_LINKED)


def _validate_guardian(*, volunteer: Volunteer, errors: dict) -> None:
    """Under 14 a volunteer serves only with a guardian's consent (志愿服务条例; PIPL art. 31)."""
    volunteer.guardian_name = (volunteer.guardian_name or "").strip()
    volunteer.guardian_phone = (volunteer.guardian_phone or "").strip()
    if volunteer.guardian_phone:
        try:
            volunteer.guardian_phone = validate_mobile(volunteer.guardian_phone)
        except ValidationError as error:
            errors.setdefault("guardian_phone", []).extend(error.messages)
    if volunteer.guardian_consent_on and volunteer.guardian_consent_on > datetime.date.today():
        _add(errors, "guardian_consent_on", MSG_GUARDIAN_CONSENT_FUTURE)
    if volunteer.needs_guardian_consent and "birth_date" not in errors:
        if not volunteer.guardian_name:
            _add(errors, "guardian_name", MSG_GUARDIAN_NAME_REQUIRED)
        if not volunteer.guardian_consent_on:
            _add(errors, "guardian_consent_on", MSG_GUARDIAN_CONSENT_REQUIRED)


def _save_volunteer(*, actor, volunteer: Volunteer, reason: str = "") -> Volunteer:
    errors: dict = {}
    _validate_volunteer(actor=actor, volunteer=volunteer, errors=errors)
    if errors:
        raise ValidationError(errors)
    if not volunteer.volunteer_number:
        volunteer.volunteer_number = next_volunteer_number(volunteer.region)
    volunteer.search_text = build_search_text(*volunteer.searchable_values())
    save_with_history(volunteer, actor=actor, reason=reason)
    # The write must leave a record the actor may still change (e.g. not moved out of their scope).
    if not can(actor, Action.CHANGE, Resource.VOLUNTEER, volunteer):
        raise PermissionDenied
    return volunteer


@transaction.atomic
def volunteer_create(*, actor, region, name: str, sex: str = Sex.UNKNOWN, birth_date=None,
                     document_type: str = DocumentType.RESIDENT_ID, id_number: str = "", phone: str = "",
                     skills: str = "", registered_on=None, user=None, guardian_name: str = "",
                     guardian_phone: str = "", guardian_consent_on=None) -> Volunteer:
    """Register a volunteer; the service assigns the volunteer number (see `next_volunteer_number`).
    Under 14 the guardian's name and consent date are required."""
    volunteer = Volunteer(
        region=region, name=name, sex=sex or Sex.UNKNOWN, birth_date=birth_date,
        document_type=document_type or DocumentType.RESIDENT_ID, id_number=id_number or "", phone=phone or "",
        skills=skills or "", registered_on=registered_on or timezone.localdate(), user=user,
        guardian_name=guardian_name or "", guardian_phone=guardian_phone or "",
        guardian_consent_on=guardian_consent_on,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    return _save_volunteer(actor=actor, volunteer=volunteer)


@transaction.atomic
def volunteer_update(*, actor, volunteer: Volunteer, reason: str = "", **changes) -> Volunteer:
    """Change the given fields. The volunteer number never changes, even when the region does."""
    if volunteer.is_voided:
        raise ValidationError(MSG_RECORD_VOIDED, code="voided")
    if not can(actor, Action.CHANGE, Resource.VOLUNTEER, volunteer):
        raise PermissionDenied
    unknown = set(changes) - set(VOLUNTEER_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for field, value in changes.items():
        blank_as_empty = ("id_number", "phone", "skills", "guardian_name", "guardian_phone")
        setattr(volunteer, field, "" if value is None and field in blank_as_empty else value)
    return _save_volunteer(actor=actor, volunteer=volunteer, reason=reason)


@transaction.atomic
def volunteer_void(*, actor, volunteer: Volunteer, reason: str) -> Volunteer:
    """Void the volunteer and their active team memberships (the number stays taken)."""
    if not can(actor, Action.CHANGE, Resource.VOLUNTEER, volunteer):
        raise PermissionDenied
    reason = _void_reason(reason)
    record_void(actor=actor, obj=volunteer, reason=reason)
    for membership in volunteer.memberships.active():
        record_void(actor=actor, obj=membership, reason=_cascade_reason(MSG_MEMBERSHIP_VOIDED_WITH_VOLUNTEER, reason))
    return volunteer


def volunteer_log_read(*, actor, volunteer: Volunteer) -> None:
    """Records of children under 14 are sensitive personal information (PIPL art. 28): log each read."""
    if volunteer.needs_guardian_consent:
        audit_record(actor=actor, kind=AuditEvent.Kind.SENSITIVE_READ, target=f"volunteer:{volunteer.public_id}",
                     reason="minor_under_14")


# Teams --------------------------------------------------------------------------------------------------

def _validate_team(*, actor, team: Team, errors: dict) -> None:
    team.name = (team.name or "").strip()
    if not team.name:
        _add(errors, "name", MSG_TEAM_NAME_REQUIRED)
    organization = team.organization if team.organization_id else None
    if organization is not None and (organization.is_voided
                                     or not can(actor, Action.VIEW, Resource.ORGANIZATION, organization)):
        _add(errors, "organization", MSG_ORGANIZATION_UNAVAILABLE)
        organization = None
    if team.region_id is None and organization is not None:
        team.region = organization.region
    if team.region_id is None:
        if "organization" not in errors:
            _add(errors, "region", MSG_TEAM_REGION_REQUIRED)
    elif not can_in_region(actor, Action.CHANGE, Resource.TEAM, team.region) and not (
            organization is not None and team.region_id == organization.region_id):
        # An organization's leader keeps its teams in the organization's own region.
        _add(errors, "region", MSG_REGION_OUT_OF_SCOPE)
    if team.founded_on and team.founded_on > datetime.date.today():
        _add(errors, "founded_on", MSG_FOUNDED_ON_FUTURE)


def _save_team(*, actor, team: Team, reason: str = "") -> Team:
    errors: dict = {}
    _validate_team(actor=actor, team=team, errors=errors)
    if errors:
        raise ValidationError(errors)
    team.search_text = build_search_text(*team.searchable_values())
    save_with_history(team, actor=actor, reason=reason)
    # Region roles pass by region, organization leaders by organization; anyone else is refused and the
    # transaction rolls back.
    if not can(actor, Action.CHANGE, Resource.TEAM, team):
        raise PermissionDenied
    return team


@transaction.atomic
def team_create(*, actor, name: str, region=None, organization=None, description: str = "",
                founded_on=None) -> Team:
    team = Team(name=name, region=region, organization=organization, description=description or "",
                founded_on=founded_on, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    return _save_team(actor=actor, team=team)


@transaction.atomic
def team_update(*, actor, team: Team, reason: str = "", **changes) -> Team:
    if team.is_voided:
        raise ValidationError(MSG_TEAM_VOIDED, code="voided")
    if not can(actor, Action.CHANGE, Resource.TEAM, team):
        raise PermissionDenied
    unknown = set(changes) - set(TEAM_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for field, value in changes.items():
        setattr(team, field, "" if value is None and field == "description" else value)
    return _save_team(actor=actor, team=team, reason=reason)


@transaction.atomic
def team_void(*, actor, team: Team, reason: str) -> Team:
    """Void the team and its active memberships."""
    if not can(actor, Action.CHANGE, Resource.TEAM, team):
        raise PermissionDenied
    reason = _void_reason(reason)
    record_void(actor=actor, obj=team, reason=reason)
    for membership in team.memberships.active():
        record_void(actor=actor, obj=membership, reason=_cascade_reason(MSG_MEMBERSHIP_VOIDED_WITH_TEAM, reason))
    return team


# Memberships --------------------------------------------------------------------------------------------

@transaction.atomic
def team_membership_add(*, actor, team: Team, volunteer: Volunteer, role: str = TeamRole.MEMBER,
                        joined_on=None) -> TeamMembership:
    if not can(actor, Action.CHANGE, Resource.TEAM, team):
        raise PermissionDenied
    errors: dict = {}
    if team.is_voided:
        _add(errors, "team", MSG_TEAM_VOIDED)
    if volunteer.is_voided:
        _add(errors, "volunteer", MSG_VOLUNTEER_VOIDED)
    elif TeamMembership.objects.active().filter(team=team, volunteer=volunteer).exists():
        _add(errors, "volunteer", MSG_ALREADY_MEMBER)
    joined_on = joined_on or timezone.localdate()
    if joined_on > timezone.localdate():
        _add(errors, "joined_on", MSG_JOINED_ON_FUTURE)
    if errors:
        raise ValidationError(errors)
    membership = TeamMembership(team=team, volunteer=volunteer, role=role or TeamRole.MEMBER,
                                joined_on=joined_on)
    save_with_history(membership, actor=actor)
    return membership


@transaction.atomic
def team_membership_void(*, actor, membership: TeamMembership, reason: str) -> TeamMembership:
    """Remove a volunteer from a team: the membership is voided with a reason, never deleted."""
    if not can(actor, Action.CHANGE, Resource.TEAM, membership.team):
        raise PermissionDenied
    return record_void(actor=actor, obj=membership, reason=_void_reason(reason))
