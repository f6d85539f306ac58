"""Writes for the social-worker registry. Every write: check scope, validate, set search_text, save with history."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can, can_in_region, regions_for
from wushe.core.identity import DocumentType, Sex, normalise_document, parse_citizen_id, validate_mobile
from wushe.core.services import record_void, save_with_history
from wushe.core.text import build_search_text
from wushe.regions.models import Level

from .models import CertificateLevel, Placement, SocialWorker

MSG_NAME_REQUIRED = _("请填写姓名。")
MSG_REGION_OUT_OF_SCOPE = _("所属区划不在您的管辖范围内。")
MSG_CERTIFICATE_NUMBER_REQUIRED = _("持有职业资格证书时必须填写证书编号。")
MSG_CERTIFIED_ON_REQUIRED = _("持有职业资格证书时必须填写取证日期。")
MSG_CERTIFIED_ON_FUTURE = _("取证日期不能晚于今天。")
MSG_CERTIFICATE_WITHOUT_LEVEL = _("未选择职业资格等级时不应填写证书编号或取证日期。")
MSG_MENTOR_SELF = _("带教督导不能是本人。")
MSG_MENTOR_CYCLE = _("带教关系不能形成循环：所选督导直接或间接由本人带教。")
MSG_MENTOR_UNAVAILABLE = _("所选带教督导不存在、已作废或不在您的管辖范围内。")
MSG_COMMUNITY_NOT_COMMUNITY_LEVEL = _("服务社区必须是社区（村）一级的区划。")
MSG_COMMUNITY_OUT_OF_SCOPE = _("服务社区不在您的管辖范围内或已撤销。")
MSG_EMPLOYER_UNAVAILABLE = _("所选单位不存在、已作废或不在您的管辖范围内。")
MSG_DUPLICATE_DOCUMENT = _("已有使用该证件号码的社工档案。")
MSG_USER_ALREADY_LINKED = _("该平台账号已关联其他社工档案。")
MSG_STARTED_ON_FUTURE = _("从业日期不能晚于今天。")
MSG_RECORD_VOIDED = _("该记录已作废，不能修改。")
MSG_VOID_REASON_TOO_LONG = _("作废原因不能超过100个字。")
# simple-history stores the change reason (the void reason) in a 100-character column.
VOID_REASON_MAX_LENGTH = 100

EDITABLE_FIELDS = (
    "region", "name", "sex", "document_type", "id_number", "birth_date", "phone", "certificate_level",
    "certificate_number", "certified_on", "placement", "employer", "mentor", "started_on", "user",
)


def _derive_identity(worker: SocialWorker, errors: dict) -> None:
    """Normalise the document number; a citizen ID fixes birth date and sex."""
    worker.id_number = (worker.id_number or "").strip()
    if not worker.id_number:
        return
    try:
        worker.id_number = normalise_document(worker.document_type, worker.id_number)
    except ValidationError as error:
        errors.setdefault("id_number", []).extend(error.messages)
        return
    if worker.document_type == DocumentType.RESIDENT_ID:
        citizen = parse_citizen_id(worker.id_number)
        worker.birth_date, worker.sex = citizen.birth_date, citizen.sex


def _mentor_cycle(worker: SocialWorker, mentor: SocialWorker) -> bool:
    """Would `worker` → `mentor` close a loop? Walk the mentor chain upwards (one query per step)."""
    seen: set[int] = set()
    current = mentor.pk
    while current is not None and current not in seen:
        if current == worker.pk:
            return True
        seen.add(current)
        current = SocialWorker._base_manager.filter(pk=current).values_list("mentor_id", flat=True).first()
    return False


def _validate(*, actor, worker: SocialWorker, communities, errors: dict) -> None:
    today = datetime.date.today()
    worker.name = (worker.name or "").strip()
    if not worker.name:
        errors.setdefault("name", []).append(MSG_NAME_REQUIRED)
    if worker.region_id is None or not can_in_region(actor, Action.CHANGE, Resource.SOCIAL_WORKER, worker.region):
        errors.setdefault("region", []).append(MSG_REGION_OUT_OF_SCOPE)
    _derive_identity(worker, errors)
    if worker.phone:
        try:
            worker.phone = validate_mobile(worker.phone)
        except ValidationError as error:
            errors.setdefault("phone", []).extend(error.messages)

    worker.certificate_number = (worker.certificate_number or "").strip()
    if worker.certificate_level != CertificateLevel.NONE:
        if not worker.certificate_number:
            errors.setdefault("certificate_number", []).append(MSG_CERTIFICATE_NUMBER_REQUIRED)
        if worker.certified_on is None:
            errors.setdefault("certified_on", []).append(MSG_CERTIFIED_ON_REQUIRED)
    elif worker.certificate_number or worker.certified_on:
        errors.setdefault("certificate_level", []).append(MSG_CERTIFICATE_WITHOUT_LEVEL)
    if worker.certified_on and worker.certified_on > today:
        errors.setdefault("certified_on", []).append(MSG_CERTIFIED_ON_FUTURE)
    if worker.started_on and worker.started_on > today:
        errors.setdefault("started_on", []).append(MSG_STARTED_ON_FUTURE)

    if worker.mentor_id is not None:
        mentor = worker.mentor
        if worker.pk is not None and mentor.pk == worker.pk:
            errors.setdefault("mentor", []).append(MSG_MENTOR_SELF)
        elif mentor.is_voided or not can(actor, Action.VIEW, Resource.SOCIAL_WORKER, mentor):
            errors.setdefault("mentor", []).append(MSG_MENTOR_UNAVAILABLE)
        elif worker.pk is not None and _mentor_cycle(worker, mentor):
            errors.setdefault("mentor", []).append(MSG_MENTOR_CYCLE)

    if worker.employer_id is not None:
        employer = worker.employer
        if employer.is_voided or not can(actor, Action.VIEW, Resource.ORGANIZATION, employer):
            errors.setdefault("employer", []).append(MSG_EMPLOYER_UNAVAILABLE)

    if communities is not None:
        allowed = set(regions_for(actor, Resource.SOCIAL_WORKER, Action.CHANGE)
                      .filter(pk__in=[c.pk for c in communities]).values_list("pk", flat=True))
        for community in communities:
            if community.level != Level.COMMUNITY:
                errors.setdefault("communities", []).append(MSG_COMMUNITY_NOT_COMMUNITY_LEVEL)
                break
            if community.pk not in allowed:
                errors.setdefault("communities", []).append(MSG_COMMUNITY_OUT_OF_SCOPE)
                break

    if worker.id_number and "id_number" not in errors:
        duplicates = SocialWorker.objects.active().filter(document_type=worker.document_type,
                                                          id_number=worker.id_number)
        if worker.pk is not None:
            duplicates = duplicates.exclude(pk=worker.pk)
        if duplicates.exists():
            errors.setdefault("id_number", []).append(MSG_DUPLICATE_DOCUMENT)
    if worker.user_id is not None:
        linked = SocialWorker.objects.filter(user_id=worker.user_id)
        if worker.pk is not None:
            linked = linked.exclude(pk=worker.pk)
        if linked.exists():
            errors.setdefault("user", []).append(MSG_USER_ALREADY_LINKED)


def _set_communities(worker: SocialWorker, communities) -> None:
    """Replace the served communities through the join table directly, so the save that follows writes one
    history row holding both the field and the community changes."""
    through = SocialWorker.communities.through
    wanted = {c.pk for c in communities}
    current = set(through.objects.filter(socialworker_id=worker.pk).values_list("region_id", flat=True))
    if wanted == current:
        return
    through.objects.filter(socialworker_id=worker.pk, region_id__in=current - wanted).delete()
    through.objects.bulk_create([through(socialworker_id=worker.pk, region_id=pk) for pk in wanted - current])


def _save(*, actor, worker: SocialWorker, communities, reason: str = "") -> SocialWorker:
    errors: dict = {}
    _validate(actor=actor, worker=worker, communities=communities, errors=errors)
    if errors:
        raise ValidationError(errors)
    worker.search_text = build_search_text(*worker.searchable_values())
    if worker.pk is None:
        worker.created_by = actor if getattr(actor, "is_authenticated", False) else None
        save_with_history(worker, actor=actor, reason=reason)
        if communities:
            # The creation row exists now; the communities become a second, attributed history row.
            worker._history_user = actor
            worker.communities.set(communities)
    else:
        if communities is not None:
            _set_communities(worker, communities)
        save_with_history(worker, actor=actor, reason=reason)
    # The write must leave a record the actor may still change (e.g. not moved out of their scope).
    if not can(actor, Action.CHANGE, Resource.SOCIAL_WORKER, worker):
        raise PermissionDenied
    return worker


@transaction.atomic
def socialworker_create(*, actor, region, name: str, communities=(), sex: str = Sex.UNKNOWN,
                        document_type: str = DocumentType.RESIDENT_ID, id_number: str = "", birth_date=None,
                        phone: str = "", certificate_level: str = CertificateLevel.NONE,
                        certificate_number: str = "", certified_on=None,
                        placement: str = Placement.COMMUNITY_WORKER, employer=None, mentor=None,
                        started_on=None, user=None) -> SocialWorker:
    worker = SocialWorker(
        region=region, name=name, sex=sex or Sex.UNKNOWN, document_type=document_type or DocumentType.RESIDENT_ID,
        id_number=id_number or "", birth_date=birth_date, phone=phone or "",
        certificate_level=certificate_level or CertificateLevel.NONE, certificate_number=certificate_number or "",
        certified_on=certified_on, placement=placement or Placement.COMMUNITY_WORKER, employer=employer,
        mentor=mentor, started_on=started_on, user=user,
    )
    return _save(actor=actor, worker=worker, communities=list(communities or []))


@transaction.atomic
def socialworker_update(*, actor, worker: SocialWorker, communities=None, reason: str = "",
                        **changes) -> SocialWorker:
    """Change the given fields (others keep their values); `communities=None` leaves them as they are."""
    if worker.is_voided:
        raise ValidationError(MSG_RECORD_VOIDED, code="voided")
    if not can(actor, Action.CHANGE, Resource.SOCIAL_WORKER, worker):
        raise PermissionDenied
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    for field, value in changes.items():
        if field in ("id_number", "phone", "certificate_number") and value is None:
            value = ""
        setattr(worker, field, value)
    return _save(actor=actor, worker=worker, communities=None if communities is None else list(communities),
                 reason=reason)


@transaction.atomic
def socialworker_void(*, actor, worker: SocialWorker, reason: str) -> SocialWorker:
    if not can(actor, Action.CHANGE, Resource.SOCIAL_WORKER, worker):
        raise PermissionDenied
    if len((reason or "").strip()) > VOID_REASON_MAX_LENGTH:
        raise ValidationError({"reason": [MSG_VOID_REASON_TOO_LONG]}, code="void_reason_too_long")
    return record_void(actor=actor, obj=worker, reason=(reason or "").strip())
