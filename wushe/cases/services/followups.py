"""后追: follow-ups scheduled after closing, done when their record is written."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action
from wushe.core.services import save_with_history

from ..models import Case, CaseFollowUp, CaseStatus, RecordKind
from ._common import (
    MSG_CONTENT_REQUIRED,
    add_error,
    check_record_date,
    clean_text,
    raise_if,
    require_case,
    require_writable,
    today,
    write_record,
)

MSG_FOLLOW_UP_NOT_CLOSED = _("只有已结案的个案才能安排跟进。")
MSG_FOLLOW_UP_DUE_INVALID = _("计划跟进日期不能早于结案日期。")
MSG_FOLLOW_UP_DONE = _("该跟进已完成。")
MSG_FOLLOW_UP_VOIDED = _("该跟进已取消。")


@transaction.atomic
def case_follow_up_schedule(*, actor, case: Case, due_on: datetime.date) -> CaseFollowUp:
    require_case(actor, Action.CHANGE, case)
    require_writable(case)
    if case.status != CaseStatus.CLOSED:
        raise ValidationError(MSG_FOLLOW_UP_NOT_CLOSED, code="follow_up_not_closed")
    if due_on is None or due_on < case.closed_on:
        raise ValidationError({"due_on": [MSG_FOLLOW_UP_DUE_INVALID]})
    follow_up = CaseFollowUp(case=case, due_on=due_on, scheduled_by=actor)
    save_with_history(follow_up, actor=actor)
    return follow_up


@transaction.atomic
def case_follow_up_record(*, actor, follow_up: CaseFollowUp, content: str,
                          done_on: datetime.date | None = None) -> CaseFollowUp:
    case = follow_up.case
    require_case(actor, Action.CHANGE, case)
    if follow_up.is_voided:
        raise ValidationError(MSG_FOLLOW_UP_VOIDED, code="follow_up_voided")
    if follow_up.record_id is not None:
        raise ValidationError(MSG_FOLLOW_UP_DONE, code="follow_up_done")
    errors: dict = {}
    content, done_on = clean_text(content), done_on or today()
    if not content:
        add_error(errors, "content", MSG_CONTENT_REQUIRED)
    check_record_date(errors, case, done_on, field="done_on")
    raise_if(errors)
    follow_up.record = write_record(actor=actor, case=case, kind=RecordKind.FOLLOW_UP, content=content,
                                    recorded_on=done_on)
    follow_up.done_on = done_on
    save_with_history(follow_up, actor=actor)
    return follow_up
