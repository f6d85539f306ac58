"""Writes for organizations, their boards, members and growth records.

Every function takes the acting user, checks that the actor may change the organization (the views
and API check it first; this is the second line), validates, and saves through `save_with_history`.
"""

import datetime
import os

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can, can_in_region
from wushe.core.identity import validate_mobile, validate_uscc
from wushe.core.services import record_void, save_with_history
from wushe.core.text import build_search_text

from .models import (
    BoardMember,
    GrowthMilestone,
    GrowthRecord,
    Organization,
    OrganizationMember,
    RegistrationStatus,
    ServiceOrientation,
)

MSG_NAME_REQUIRED = _("请填写名称。")
MSG_PERSON_NAME_REQUIRED = _("请填写姓名。")
MSG_CREDIT_CODE_REQUIRED = _("已登记的组织必须填写统一社会信用代码。")
MSG_CREDIT_CODE_TAKEN = _("该统一社会信用代码已被其他组织使用。")
MSG_REGION_OUT_OF_SCOPE = _("您无权在该区划下登记或迁入组织。")
MSG_ORGANIZATION_VOIDED = _("该组织已作废，不能再修改。")
MSG_RECORD_VOIDED = _("该记录已作废，不能再修改。")
MSG_DATE_IN_FUTURE = _("日期不能晚于今天。")
MSG_FOUNDED_AFTER_REGISTERED = _("成立日期不能晚于登记/备案日期。")
MSG_TERM_END_NOT_AFTER_START = _("任期结束日期必须晚于任期开始日期。")
MSG_LEFT_BEFORE_JOINED = _("退出日期不能早于加入日期。")
MSG_EVIDENCE_REQUIRED = _("请填写佐证说明。")
MSG_EVIDENCE_FILE_TYPE = _("佐证材料仅支持 PDF、JPG、PNG、DOCX、XLSX 文件。")
MSG_EVIDENCE_FILE_TOO_LARGE = _("佐证材料不能超过 10 MB。")

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# Extension → the leading bytes a genuine file of that type starts with (docx and xlsx are zip archives).
EVIDENCE_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}

ORGANIZATION_FIELDS = (
    "region", "name", "kind", "registration_status", "credit_code", "registered_on", "founded_on",
    "orientation", "leader_name", "contact_phone", "address", "description", "charter",
)
BOARD_MEMBER_FIELDS = ("name", "position", "term_start", "term_end", "elected_by_residents", "resident")
MEMBER_FIELDS = ("name", "joined_on", "left_on", "serves_regularly", "takes_part_in_governance", "resident")
GROWTH_FIELDS = ("milestone", "achieved_on", "evidence", "evidence_file")

# Registration statuses that count as the 正式备案 milestone.
FORMAL_STATUSES = {RegistrationStatus.REGISTERED, RegistrationStatus.FILED}


def _today() -> datetime.date:
    return timezone.localdate()


def _assign(obj, fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"unknown fields for {type(obj).__name__}: {sorted(unknown)}")
    for name, value in fields.items():
        if isinstance(value, str) and name not in ("description", "charter", "evidence"):
            value = value.strip()
        setattr(obj, name, value)


def _require_change(actor, organization: Organization) -> None:
    if organization.pk and not can(actor, Action.CHANGE, Resource.ORGANIZATION, organization):
        raise PermissionDenied
    if organization.is_voided:
        raise ValidationError(MSG_ORGANIZATION_VOIDED, code="organization_voided")


def _require_active(record) -> None:
    if record.is_voided:
        raise ValidationError(MSG_RECORD_VOIDED, code="record_voided")


def _validated(obj, validate) -> None:
    """Run `validate(obj)`; on failure reload `obj` so the caller never holds half-applied changes."""
    try:
        validate(obj)
    except ValidationError:
        if obj.pk:
            obj.refresh_from_db()
        raise


# Organizations ----------------------------------------------------------------------------------------


def _validate_organization(organization: Organization) -> None:
    errors: dict[str, list] = {}
    if not organization.name:
        errors.setdefault("name", []).append(ValidationError(MSG_NAME_REQUIRED, code="required"))
    code = (organization.credit_code or "").strip().upper().replace(" ", "").replace("-", "")
    if code:
        try:
            code = validate_uscc(code)
        except ValidationError as exc:
            errors.setdefault("credit_code", []).append(exc)
    elif organization.registration_status == RegistrationStatus.REGISTERED:
        errors.setdefault("credit_code", []).append(
            ValidationError(MSG_CREDIT_CODE_REQUIRED, code="credit_code_required"))
    organization.credit_code = code
    if code and "credit_code" not in errors:
        taken = Organization.objects.active().filter(credit_code=code).exclude(pk=organization.pk).exists()
        if taken:
            errors.setdefault("credit_code", []).append(
                ValidationError(MSG_CREDIT_CODE_TAKEN, code="credit_code_taken"))
    if organization.contact_phone:
        try:
            organization.contact_phone = validate_mobile(organization.contact_phone)
        except ValidationError as exc:
            errors.setdefault("contact_phone", []).append(exc)
    for field in ("registered_on", "founded_on"):
        value = getattr(organization, field)
        if value and value > _today():
            errors.setdefault(field, []).append(ValidationError(MSG_DATE_IN_FUTURE, code="date_in_future"))
    if (organization.founded_on and organization.registered_on
            and organization.founded_on > organization.registered_on):
        errors.setdefault("founded_on", []).append(
            ValidationError(MSG_FOUNDED_AFTER_REGISTERED, code="founded_after_registered"))
    if errors:
        raise ValidationError(errors)


def _save_organization(organization: Organization, *, actor, reason: str = "") -> None:
    organization.search_text = build_search_text(*organization.searchable_values())
    try:
        # A savepoint, so that losing a race for the same credit code leaves the transaction usable.
        with transaction.atomic():
            save_with_history(organization, actor=actor, reason=reason)
    except IntegrityError:
        raise ValidationError({"credit_code": ValidationError(MSG_CREDIT_CODE_TAKEN, code="credit_code_taken")})


@transaction.atomic
def organization_create(*, actor, **fields) -> Organization:
    """Register an organization in a region the actor may change (fields: ORGANIZATION_FIELDS)."""
    organization = Organization(created_by=actor)
    _assign(organization, fields, ORGANIZATION_FIELDS)
    if organization.region_id is None or not can_in_region(actor, Action.CHANGE, Resource.ORGANIZATION,
                                                          organization.region):
        raise PermissionDenied(MSG_REGION_OUT_OF_SCOPE)
    _validate_organization(organization)
    _save_organization(organization, actor=actor)
    return organization


@transaction.atomic
def organization_update(*, actor, organization: Organization, growth_evidence: str = "",
                        growth_evidence_file=None, **fields) -> list[GrowthRecord]:
    """Change an organization. When the orientation or the registration status moves forward and
    `growth_evidence` is given, the matching growth records are written in the same transaction.

    Returns the growth records created (possibly none)."""
    _require_change(actor, organization)
    before_region_id = organization.region_id
    before_orientation = organization.orientation
    before_status = organization.registration_status
    _assign(organization, fields, ORGANIZATION_FIELDS)
    if organization.region_id != before_region_id and not can_in_region(
            actor, Action.CHANGE, Resource.ORGANIZATION, organization.region):
        organization.refresh_from_db()
        raise PermissionDenied(MSG_REGION_OUT_OF_SCOPE)
    _validated(organization, _validate_organization)
    _save_organization(organization, actor=actor)
    created = []
    growth_evidence = (growth_evidence or "").strip()
    if growth_evidence:
        for milestone, detail in growth_changes(organization, before_orientation=before_orientation,
                                                before_status=before_status):
            created.append(growth_record_create(
                actor=actor, organization=organization, milestone=milestone, achieved_on=_today(),
                evidence=f"{detail}\n{growth_evidence}",
                # One uploaded file can be stored once; it goes with the first record.
                evidence_file=growth_evidence_file if not created else None,
            ))
    return created


def growth_changes(organization: Organization, *, before_orientation: str, before_status: str) -> list[tuple]:
    """Milestones evidenced by a change of orientation or registration status: [(milestone, detail)]."""
    changes = []
    if organization.orientation != before_orientation:
        detail = _("服务取向：%(old)s → %(new)s") % {
            "old": ServiceOrientation(before_orientation).label,
            "new": organization.get_orientation_display(),
        }
        changes.append((GrowthMilestone.ORIENTATION_CHANGE, str(detail)))
    if organization.registration_status != before_status and organization.registration_status in FORMAL_STATUSES:
        detail = _("登记状态：%(old)s → %(new)s") % {
            "old": RegistrationStatus(before_status).label,
            "new": organization.get_registration_status_display(),
        }
        changes.append((GrowthMilestone.REGISTERED, str(detail)))
    return changes


@transaction.atomic
def organization_void(*, actor, organization: Organization, reason: str) -> Organization:
    if not can(actor, Action.CHANGE, Resource.ORGANIZATION, organization):
        raise PermissionDenied
    return record_void(actor=actor, obj=organization, reason=reason)


# Board members ----------------------------------------------------------------------------------------


def _validate_board_member(member: BoardMember) -> None:
    errors: dict[str, list] = {}
    if not member.name:
        errors.setdefault("name", []).append(ValidationError(MSG_PERSON_NAME_REQUIRED, code="required"))
    if member.term_start and member.term_end and member.term_end <= member.term_start:
        errors.setdefault("term_end", []).append(
            ValidationError(MSG_TERM_END_NOT_AFTER_START, code="term_end_not_after_start"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def board_member_create(*, actor, organization: Organization, **fields) -> BoardMember:
    """Add a board member. Boards should be elected by residents (PRODUCT.md); a member appointed by the
    committee (`elected_by_residents=False`) is accepted and flagged on the pages."""
    _require_change(actor, organization)
    member = BoardMember(organization=organization)
    _assign(member, fields, BOARD_MEMBER_FIELDS)
    _validate_board_member(member)
    save_with_history(member, actor=actor)
    return member


@transaction.atomic
def board_member_update(*, actor, member: BoardMember, **fields) -> BoardMember:
    _require_change(actor, member.organization)
    _require_active(member)
    _assign(member, fields, BOARD_MEMBER_FIELDS)
    _validated(member, _validate_board_member)
    save_with_history(member, actor=actor)
    return member


@transaction.atomic
def board_member_void(*, actor, member: BoardMember, reason: str) -> BoardMember:
    _require_change(actor, member.organization)
    return record_void(actor=actor, obj=member, reason=reason)


# Members ----------------------------------------------------------------------------------------------


def _validate_member(member: OrganizationMember) -> None:
    errors: dict[str, list] = {}
    if not member.name:
        errors.setdefault("name", []).append(ValidationError(MSG_PERSON_NAME_REQUIRED, code="required"))
    if member.joined_on and member.joined_on > _today():
        errors.setdefault("joined_on", []).append(ValidationError(MSG_DATE_IN_FUTURE, code="date_in_future"))
    if member.joined_on and member.left_on and member.left_on < member.joined_on:
        errors.setdefault("left_on", []).append(ValidationError(MSG_LEFT_BEFORE_JOINED, code="left_before_joined"))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organization_member_create(*, actor, organization: Organization, **fields) -> OrganizationMember:
    _require_change(actor, organization)
    member = OrganizationMember(organization=organization)
    _assign(member, fields, MEMBER_FIELDS)
    _validate_member(member)
    save_with_history(member, actor=actor)
    return member


@transaction.atomic
def organization_member_update(*, actor, member: OrganizationMember, **fields) -> OrganizationMember:
    _require_change(actor, member.organization)
    _require_active(member)
    _assign(member, fields, MEMBER_FIELDS)
    _validated(member, _validate_member)
    save_with_history(member, actor=actor)
    return member


@transaction.atomic
def organization_member_void(*, actor, member: OrganizationMember, reason: str) -> OrganizationMember:
    _require_change(actor, member.organization)
    return record_void(actor=actor, obj=member, reason=reason)


# Growth records ---------------------------------------------------------------------------------------


def validate_evidence_file(upload) -> None:
    """Accept pdf/jpg/png/docx/xlsx up to 10 MB, checked by extension and by the file's leading bytes."""
    extension = os.path.splitext(upload.name or "")[1].lower()
    signatures = EVIDENCE_SIGNATURES.get(extension)
    if signatures is None:
        raise ValidationError({"evidence_file": ValidationError(MSG_EVIDENCE_FILE_TYPE, code="file_type")})
    if upload.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"evidence_file": ValidationError(MSG_EVIDENCE_FILE_TOO_LARGE, code="file_size")})
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(signature) for signature in signatures):
        raise ValidationError({"evidence_file": ValidationError(MSG_EVIDENCE_FILE_TYPE, code="file_type")})


def _validate_growth_record(record: GrowthRecord, *, new_file) -> None:
    errors: dict[str, list] = {}
    if record.achieved_on and record.achieved_on > _today():
        errors.setdefault("achieved_on", []).append(ValidationError(MSG_DATE_IN_FUTURE, code="date_in_future"))
    if not (record.evidence or "").strip():
        errors.setdefault("evidence", []).append(ValidationError(MSG_EVIDENCE_REQUIRED, code="evidence_required"))
    if new_file:
        try:
            validate_evidence_file(new_file)
        except ValidationError as exc:
            errors.setdefault("evidence_file", []).extend(exc.error_dict["evidence_file"])
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def growth_record_create(*, actor, organization: Organization, milestone: str, achieved_on: datetime.date,
                         evidence: str, evidence_file=None) -> GrowthRecord:
    """Record that the organization reached a growth milestone, with evidence text and an optional file."""
    _require_change(actor, organization)
    record = GrowthRecord(organization=organization, milestone=milestone, achieved_on=achieved_on,
                          evidence=(evidence or "").strip(), recorded_by=actor)
    _validate_growth_record(record, new_file=evidence_file)
    if evidence_file:
        record.evidence_file = evidence_file
    save_with_history(record, actor=actor)
    return record


@transaction.atomic
def growth_record_update(*, actor, record: GrowthRecord, **fields) -> GrowthRecord:
    """Correct a growth record; an `evidence_file` given replaces the stored one (the old file is kept on
    disk so that the history stays complete)."""
    _require_change(actor, record.organization)
    _require_active(record)
    new_file = fields.pop("evidence_file", None)
    _assign(record, fields, GROWTH_FIELDS)
    _validated(record, lambda r: _validate_growth_record(r, new_file=new_file))
    if new_file:
        record.evidence_file = new_file
    save_with_history(record, actor=actor)
    return record


@transaction.atomic
def growth_record_void(*, actor, record: GrowthRecord, reason: str) -> GrowthRecord:
    _require_change(actor, record.organization)
    return record_void(actor=actor, obj=record, reason=reason)
