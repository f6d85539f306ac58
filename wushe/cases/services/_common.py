"""Helpers shared by the case-work services: permission checks, dates, step records, history saves."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can
from wushe.core.services import save_with_history

from ..models import Case, CaseRecord, CaseStatus, RecordKind

MSG_CASE_VOIDED = _("该个案已作废，不能再修改。")
MSG_CASE_ENDED = _("该个案已转介结束，不能再修改。")
MSG_CONTENT_REQUIRED = _("请填写记录内容。")
MSG_DATE_FUTURE = _("日期不能晚于今天。")
MSG_DATE_BEFORE_INTAKE = _("记录日期不能早于接案日期。")
MSG_NO_WORKER_PROFILE = _("您的账号没有关联社工档案，不能接案。")

# The record each status writes (and the kind of additional records while the case stays there).
STEP_KIND = {
    CaseStatus.INTAKE: RecordKind.INTAKE,
    CaseStatus.ASSESSMENT: RecordKind.ASSESSMENT,
    CaseStatus.PLAN: RecordKind.PLAN,
    CaseStatus.INTERVENTION: RecordKind.INTERVENTION,
    CaseStatus.EVALUATION: RecordKind.EVALUATION,
    CaseStatus.CLOSED: RecordKind.CLOSING,
    CaseStatus.NOT_ACCEPTED: RecordKind.NOT_ACCEPTED,
}


def today() -> datetime.date:
    return datetime.date.today()


def require_case(actor, action: Action, case: Case) -> None:
    """Services check the policy again: a caller that skipped `get_case_for` still cannot write."""
    if not can(actor, action, Resource.CASE, case):
        raise PermissionDenied


def require_writable(case: Case) -> None:
    if case.is_voided:
        raise ValidationError(MSG_CASE_VOIDED, code="case_voided")
    if case.status == CaseStatus.REFERRED:
        raise ValidationError(MSG_CASE_ENDED, code="case_ended")


def worker_profile(actor):
    """The acting user's active SocialWorker record, or None."""
    worker = getattr(actor, "social_worker", None) if getattr(actor, "is_authenticated", False) else None
    if worker is None or worker.is_voided:
        return None
    return worker


def add_error(errors: dict, field: str, message) -> None:
    errors.setdefault(field, []).append(message)


def check_record_date(errors: dict, case: Case, day: datetime.date, field: str = "recorded_on") -> None:
    if day > today():
        add_error(errors, field, MSG_DATE_FUTURE)
    elif day < case.intake_on:
        add_error(errors, field, MSG_DATE_BEFORE_INTAKE)


def clean_text(value) -> str:
    return (value or "").strip()


def write_record(*, actor, case: Case, kind: str, content: str, recorded_on: datetime.date) -> CaseRecord:
    record = CaseRecord(case=case, kind=kind, content=content, recorded_on=recorded_on, author=actor)
    save_with_history(record, actor=actor)
    return record


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)
