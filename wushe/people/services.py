"""Writes to the residents and households registry. Every write validates, rebuilds `search_text` and
saves through `save_with_history`, so the history row names the actor."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can, can_in_region, may_ever
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record
from wushe.core.identity import DocumentType, Sex, normalise_document, parse_citizen_id, validate_mobile
from wushe.core.services import MSG_ALREADY_VOIDED, record_void, save_with_history
from wushe.core.text import build_search_text
from wushe.regions.models import Level

from .models import ConsentBasis, Household, Resident

MSG_NAME_REQUIRED = _("请填写姓名。")
MSG_REGION_REQUIRED = _("请选择所属社区（村）。")
MSG_REGION_NOT_COMMUNITY = _("所属区划必须是社区（村）一级。")
MSG_REGION_REVOKED = _("该区划已撤销，请选择现行区划。")
MSG_REGION_OUT_OF_SCOPE = _("您无权在该社区（村）登记或修改记录。")
MSG_DOCUMENT_TYPE_INVALID = _("请选择有效的证件类型。")
MSG_DUPLICATE_DOCUMENT = _("已有在册居民使用该证件号码，请勿重复登记。")
MSG_BIRTH_DATE_FUTURE = _("出生日期不能晚于今天。")
MSG_SEX_INVALID = _("请选择有效的性别。")
MSG_CONSENT_INVALID = _("请选择有效的信息处理依据。")
MSG_RECORD_VOIDED = _("该记录已作废，不能修改。")
MSG_USER_TAKEN = _("该平台账号已关联其他居民。")
MSG_HOUSEHOLD_VOIDED = _("该家庭户已作废。")
MSG_RESIDENT_VOIDED = _("该居民已作废，不能加入家庭户。")
MSG_ALREADY_IN_HOUSEHOLD = _("该居民已属于其他家庭户，请先从原家庭户移出。")
MSG_ALREADY_MEMBER = _("该居民已是本户成员。")
MSG_NOT_A_MEMBER = _("该居民不是本户成员。")
MSG_HEAD_NOT_MEMBER = _("户主必须是本户在册成员。")
MSG_HOUSEHOLD_NAME_REQUIRED = _("请填写户名。")
MSG_HEAD_RELATION = _("户主")

RESIDENT_FIELDS = {"name", "region", "document_type", "id_number", "birth_date", "sex", "ethnicity", "phone",
                   "address", "relation_to_head", "consent_basis", "notes", "user", "groups"}
HOUSEHOLD_FIELDS = {"name", "region", "address", "notes", "head"}


# --- shared checks ------------------------------------------------------------------------------------

def _check_region(actor, resource: Resource, region, errors: dict) -> None:
    """A record belongs to a current community-level region inside the actor's change scope."""
    if region is None:
        errors["region"] = MSG_REGION_REQUIRED
    elif region.level != Level.COMMUNITY:
        errors["region"] = MSG_REGION_NOT_COMMUNITY
    elif region.is_revoked:
        errors["region"] = MSG_REGION_REVOKED
    elif not can_in_region(actor, Action.CHANGE, resource, region):
        errors["region"] = MSG_REGION_OUT_OF_SCOPE


def _require_change(actor, resource: Resource, obj=None) -> None:
    allowed = can(actor, Action.CHANGE, resource, obj) if obj is not None else may_ever(actor, resource,
                                                                                          Action.CHANGE)
    if not allowed:
        raise PermissionDenied


def _unknown_fields(fields: dict, allowed: set[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _save_with_groups(resident: Resident, *, actor, created: bool, groups=None, reason: str = "") -> None:
    """Save the row and its groups as ONE history entry holding the final groups.

    simple-history writes an entry on save and another on every m2m change. On update we set the groups
    with history suppressed and then save. On create the row needs a key before it can have groups, so
    we save and set the groups with history suppressed, then send post_save once to write the "+" entry."""
    if not groups and created:
        save_with_history(resident, actor=actor, reason=reason)
        return
    resident.skip_history_when_saving = True
    try:
        if created:
            save_with_history(resident, actor=actor, reason=reason)
        if groups is not None:
            resident.groups.set(groups)
    finally:
        del resident.skip_history_when_saving
    if created:
        post_save.send(sender=Resident, instance=resident, created=True, raw=False,
                       using=resident._state.db, update_fields=None)
    else:
        save_with_history(resident, actor=actor, reason=reason)


# --- residents ----------------------------------------------------------------------------------------

def _clean_resident(resident: Resident, *, actor, region_changed: bool) -> None:
    """Normalise and validate the resident in place; identity numbers decide birth date and sex."""
    errors: dict = {}
    resident.name = (resident.name or "").strip()
    if not resident.name:
        errors["name"] = MSG_NAME_REQUIRED
    if region_changed:
        _check_region(actor, Resource.RESIDENT, resident.region if resident.region_id else None, errors)

    if resident.document_type not in DocumentType.values:
        errors["document_type"] = MSG_DOCUMENT_TYPE_INVALID
    else:
        number = (resident.id_number or "").strip()
        if number:
            try:
                resident.id_number = normalise_document(resident.document_type, number)
            except ValidationError as error:
                errors["id_number"] = error.messages[0]
            else:
                if resident.document_type == DocumentType.RESIDENT_ID:
                    citizen = parse_citizen_id(resident.id_number)
                    resident.birth_date, resident.sex = citizen.birth_date, citizen.sex
                duplicate = (Resident.objects.active().exclude(pk=resident.pk)
                             .filter(document_type=resident.document_type, id_number=resident.id_number))
                if duplicate.exists():
                    errors["id_number"] = MSG_DUPLICATE_DOCUMENT
        else:
            resident.id_number = ""

    if resident.birth_date and resident.birth_date > datetime.date.today():
        errors.setdefault("birth_date", MSG_BIRTH_DATE_FUTURE)
    resident.sex = resident.sex or Sex.UNKNOWN
    if resident.sex not in Sex.values:
        errors["sex"] = MSG_SEX_INVALID
    if resident.consent_basis not in ConsentBasis.values:
        errors["consent_basis"] = MSG_CONSENT_INVALID

    phone = (resident.phone or "").strip()
    if phone:
        try:
            resident.phone = validate_mobile(phone)
        except ValidationError as error:
            errors["phone"] = error.messages[0]
    else:
        resident.phone = ""

    if resident.user_id and Resident.objects.exclude(pk=resident.pk).filter(user_id=resident.user_id).exists():
        errors["user"] = MSG_USER_TAKEN

    for field in ("ethnicity", "address", "relation_to_head", "notes"):
        setattr(resident, field, (getattr(resident, field) or "").strip())
    if errors:
        raise ValidationError(errors)
    resident.search_text = build_search_text(*resident.searchable_values())


def _store_resident(resident: Resident, *, actor, created: bool, groups=None, reason: str = "") -> Resident:
    try:
        with transaction.atomic():
            _save_with_groups(resident, actor=actor, created=created, groups=groups, reason=reason)
    except IntegrityError:
        # Two clerks registering the same document at once: the partial unique constraint decides.
        raise ValidationError({"id_number": MSG_DUPLICATE_DOCUMENT}, code="duplicate_document")
    return resident


@transaction.atomic
def resident_create(*, actor, region, name: str, document_type: str = DocumentType.RESIDENT_ID,
                    id_number: str = "", birth_date: datetime.date | None = None, sex: str = Sex.UNKNOWN,
                    ethnicity: str = "", phone: str = "", address: str = "", groups=None,
                    consent_basis: str = ConsentBasis.NOT_RECORDED, notes: str = "", user=None,
                    household: Household | None = None, relation_to_head: str = "") -> Resident:
    """Register a resident in a community the actor may change; a citizen ID decides birth date and sex."""
    _require_change(actor, Resource.RESIDENT)
    resident = Resident(region=region, name=name, document_type=document_type, id_number=id_number or "",
                        birth_date=birth_date, sex=sex, ethnicity=ethnicity or "", phone=phone or "",
                        address=address or "", consent_basis=consent_basis, notes=notes or "", user=user,
                        relation_to_head=relation_to_head or "", created_by=actor)
    _clean_resident(resident, actor=actor, region_changed=True)
    _store_resident(resident, actor=actor, created=True, groups=list(groups or []))
    if household is not None:
        household_add_member(actor=actor, household=household, resident=resident,
                             relation_to_head=relation_to_head)
    return resident


@transaction.atomic
def resident_update(*, actor, resident: Resident, **fields) -> Resident:
    """Change some fields (any of RESIDENT_FIELDS); `groups` replaces the population groups."""
    _unknown_fields(fields, RESIDENT_FIELDS)
    _require_change(actor, Resource.RESIDENT, resident)
    if resident.is_voided:
        raise ValidationError(MSG_RECORD_VOIDED, code="voided")
    groups = fields.pop("groups", None)
    region_changed = "region" in fields and fields["region"] != resident.region
    for field, value in fields.items():
        setattr(resident, field, value)
    _clean_resident(resident, actor=actor, region_changed=region_changed)
    _store_resident(resident, actor=actor, created=False, groups=list(groups) if groups is not None else None)
    return resident


@transaction.atomic
def resident_set_groups(*, actor, resident: Resident, groups) -> Resident:
    """Replace the resident's population groups (one history entry)."""
    return resident_update(actor=actor, resident=resident, groups=groups)


@transaction.atomic
def resident_void(*, actor, resident: Resident, reason: str) -> Resident:
    """Void with a reason; the row stays, history keeps who and why. A voided head leaves the household
    without a head."""
    _require_change(actor, Resource.RESIDENT, resident)
    resident.search_text = build_search_text(*resident.searchable_values())
    record_void(actor=actor, obj=resident, reason=reason)
    for household in Household.objects.filter(head=resident):
        household.head = None
        save_with_history(household, actor=actor, reason=reason.strip())
    return resident


def resident_record_read(*, actor, resident: Resident) -> None:
    """Log a read of a resident in a sensitive population group (PIPL: sensitive personal information)."""
    if any(group.is_sensitive for group in resident.groups.all()):
        audit_record(actor=actor, kind=AuditEvent.Kind.SENSITIVE_READ, target=f"resident:{resident.public_id}")


# --- households ---------------------------------------------------------------------------------------

def _clean_household(household: Household, *, actor, region_changed: bool) -> None:
    errors: dict = {}
    household.name = (household.name or "").strip()
    household.address = (household.address or "").strip()
    household.notes = (household.notes or "").strip()
    if not household.name:
        errors["name"] = MSG_HOUSEHOLD_NAME_REQUIRED
    if region_changed:
        _check_region(actor, Resource.HOUSEHOLD, household.region if household.region_id else None, errors)
    if household.head_id and not (household.pk and household.members.active().filter(pk=household.head_id)
                                  .exists()):
        errors["head"] = MSG_HEAD_NOT_MEMBER
    if errors:
        raise ValidationError(errors)
    household.search_text = build_search_text(*household.searchable_values())


@transaction.atomic
def household_create(*, actor, region, name: str, address: str = "", notes: str = "") -> Household:
    _require_change(actor, Resource.HOUSEHOLD)
    household = Household(region=region, name=name, address=address, notes=notes, created_by=actor)
    _clean_household(household, actor=actor, region_changed=True)
    save_with_history(household, actor=actor)
    return household


@transaction.atomic
def household_update(*, actor, household: Household, **fields) -> Household:
    """Change some fields (any of HOUSEHOLD_FIELDS); `head` must be an active member."""
    _unknown_fields(fields, HOUSEHOLD_FIELDS)
    _require_change(actor, Resource.HOUSEHOLD, household)
    if household.is_voided:
        raise ValidationError(MSG_RECORD_VOIDED, code="voided")
    region_changed = "region" in fields and fields["region"] != household.region
    for field, value in fields.items():
        setattr(household, field, value)
    _clean_household(household, actor=actor, region_changed=region_changed)
    save_with_history(household, actor=actor)
    return household


@transaction.atomic
def household_void(*, actor, household: Household, reason: str) -> Household:
    """Void with a reason; the members leave the household (each with a history entry)."""
    _require_change(actor, Resource.HOUSEHOLD, household)
    if household.is_voided:
        raise ValidationError(MSG_ALREADY_VOIDED, code="already_voided")
    household.search_text = build_search_text(*household.searchable_values())
    record_void(actor=actor, obj=household, reason=reason)
    for member in household.members.active():
        member.household = None
        member.relation_to_head = ""
        member.search_text = build_search_text(*member.searchable_values())
        _store_resident(member, actor=actor, created=False, reason=reason.strip())
    return household


@transaction.atomic
def household_add_member(*, actor, household: Household, resident: Resident, relation_to_head: str = "",
                         is_head: bool = False) -> Resident:
    _require_change(actor, Resource.HOUSEHOLD, household)
    _require_change(actor, Resource.RESIDENT, resident)
    if household.is_voided:
        raise ValidationError(MSG_HOUSEHOLD_VOIDED, code="household_voided")
    if resident.is_voided:
        raise ValidationError({"resident": MSG_RESIDENT_VOIDED}, code="resident_voided")
    if resident.household_id == household.pk:
        raise ValidationError({"resident": MSG_ALREADY_MEMBER}, code="already_member")
    if resident.household_id is not None:
        raise ValidationError({"resident": MSG_ALREADY_IN_HOUSEHOLD}, code="in_other_household")
    resident.household = household
    resident.relation_to_head = (relation_to_head or "").strip() or (str(MSG_HEAD_RELATION) if is_head else "")
    resident.search_text = build_search_text(*resident.searchable_values())
    _store_resident(resident, actor=actor, created=False)
    if is_head:
        household.head = resident
        _clean_household(household, actor=actor, region_changed=False)
        save_with_history(household, actor=actor)
    return resident


@transaction.atomic
def household_remove_member(*, actor, household: Household, resident: Resident) -> Resident:
    _require_change(actor, Resource.HOUSEHOLD, household)
    _require_change(actor, Resource.RESIDENT, resident)
    if household.is_voided:
        raise ValidationError(MSG_HOUSEHOLD_VOIDED, code="household_voided")
    if resident.household_id != household.pk:
        raise ValidationError({"resident": MSG_NOT_A_MEMBER}, code="not_member")
    resident.household = None
    resident.relation_to_head = ""
    resident.search_text = build_search_text(*resident.searchable_values())
    _store_resident(resident, actor=actor, created=False)
    if household.head_id == resident.pk:
        household.head = None
        save_with_history(household, actor=actor)
    return resident
