"""Intake and the steps of MZ/T 094: assessment → plan → intervention → evaluation → closing, the
not-accepted branch, step records and service goals."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Length
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can_in_region, may_ever
from wushe.core.services import save_with_history
from wushe.core.text import build_search_text
from wushe.people.models import ConsentBasis, Resident
from wushe.regions.models import Region

from ..models import (
    Case,
    CaseGoal,
    CaseRecord,
    CaseStatus,
    CaseWorker,
    CaseWorkerRole,
    ClientSource,
    ClosingReason,
    GoalStatus,
)
from ._common import (
    MSG_CONTENT_REQUIRED,
    MSG_DATE_FUTURE,
    MSG_NO_WORKER_PROFILE,
    STEP_KIND,
    add_error,
    check_record_date,
    clean_text,
    raise_if,
    require_case,
    require_writable,
    today,
    worker_profile,
    write_record,
)
from .reports import open_mandatory_report, validate_minor_harm

MSG_CLIENT_OUT_OF_SCOPE = _("该服务对象不在您服务的社区内。")
MSG_CLIENT_VOIDED = _("该居民档案已作废，不能接案。")
MSG_SOURCE_INVALID = _("请选择个案来源。")
MSG_REFERRAL_SOURCE_REQUIRED = _("转介个案请填写转介来源。")
MSG_PROBLEM_REQUIRED = _("请填写求助问题。")
MSG_CONSENT_REQUIRED = _("请记录服务对象的同意或法定依据：未记录同意不能接案。")
MSG_CONSENT_INVALID = _("信息处理依据无效。")
MSG_CONSENT_DATE_REQUIRED = _("请填写取得同意的日期。")
MSG_GUARDIAN_REQUIRED = _("未满14周岁的服务对象须取得监护人同意，或以履行法定职责为依据。")
MSG_GUARDIAN_DETAILS_REQUIRED = _("监护人同意须填写监护人姓名和与服务对象的关系。")
MSG_RISK_INVALID = _("风险等级无效。")
MSG_NUMBER_EXHAUSTED = _("该社区本年度的个案编号已用完，请联系平台管理员。")
MSG_ILLEGAL_STEP = _("当前阶段不能转到所选阶段。")
MSG_REASON_REQUIRED = _("不接案须填写原因。")
MSG_GOAL_REQUIRED = _("进入介入阶段前须至少制定一项服务目标。")
MSG_CLOSING_REASON_REQUIRED = _("结案须选择结案原因。")
MSG_GOALS_OPEN = _("结案前须评定每项服务目标的达成情况。")
MSG_GOAL_STATUS_INVALID = _("目标达成情况无效。")
MSG_RECORD_NOT_ALLOWED = _("当前阶段不能添加记录。")
MSG_GOAL_DESCRIPTION_REQUIRED = _("请填写服务目标。")
MSG_GOALS_LOCKED = _("只有在预估、计划、介入和评估阶段才能制定或修改服务目标。")
MSG_GOAL_VOIDED = _("该服务目标已作废。")

GUARDIAN_CONSENT_AGE = 14
CASE_NUMBER_PREFIX = "GA"
SEQUENCE_DIGITS = 4
RISK_LEVELS = {"", "low", "medium", "high"}
GOAL_STEPS = {CaseStatus.ASSESSMENT, CaseStatus.PLAN, CaseStatus.INTERVENTION, CaseStatus.EVALUATION}

# The legal moves of case_advance; referral and the referred end go through services.referrals.
TRANSITIONS = {
    CaseStatus.INTAKE: {CaseStatus.ASSESSMENT, CaseStatus.NOT_ACCEPTED},
    CaseStatus.ASSESSMENT: {CaseStatus.PLAN},
    CaseStatus.PLAN: {CaseStatus.INTERVENTION},
    CaseStatus.INTERVENTION: {CaseStatus.EVALUATION},
    CaseStatus.EVALUATION: {CaseStatus.INTERVENTION, CaseStatus.CLOSED},
}


def next_steps(case: Case) -> list[str]:
    """The statuses `case_advance` accepts from the case's current status, in step order."""
    if case.is_voided:
        return []
    order = [*CaseStatus.values]
    return sorted(TRANSITIONS.get(case.status, set()), key=order.index)


def next_case_number(region: Region, year: int) -> str:
    """`GA-<community code>-<year>-<seq>`, a sequence per community and year. The region row is locked
    (PostgreSQL) so concurrent intakes queue; SQLite serialises writers anyway."""
    Region.objects.select_for_update().filter(pk=region.pk).values_list("pk", flat=True).first()
    prefix = f"{CASE_NUMBER_PREFIX}-{region.code}-{year}-"
    last = (Case._base_manager.filter(case_number__startswith=prefix)
            .annotate(number_length=Length("case_number"))
            .filter(number_length=len(prefix) + SEQUENCE_DIGITS)
            .order_by("-case_number").values_list("case_number", flat=True).first())
    sequence = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    if sequence >= 10 ** SEQUENCE_DIGITS:
        raise ValidationError(MSG_NUMBER_EXHAUSTED, code="number_exhausted")
    return f"{prefix}{sequence:0{SEQUENCE_DIGITS}d}"


def worker_serves(actor, worker, region: Region) -> bool:
    """The worker serves the community, or one of the actor's SOCIAL_WORKER assignments covers it."""
    if worker.communities.filter(pk=region.pk).exists():
        return True
    return can_in_region(actor, Action.CHANGE, Resource.CASE, region)


def _validate_consent(errors: dict, *, client: Resident, consent_basis: str, consent_recorded_on,
                      guardian_name: str, guardian_relation: str) -> None:
    if consent_basis == ConsentBasis.NOT_RECORDED or not consent_basis:
        add_error(errors, "consent_basis", MSG_CONSENT_REQUIRED)
        return
    if consent_basis not in ConsentBasis.values:
        add_error(errors, "consent_basis", MSG_CONSENT_INVALID)
        return
    age = client.age
    if age is not None and age < GUARDIAN_CONSENT_AGE and consent_basis not in (
            ConsentBasis.GUARDIAN_CONSENT, ConsentBasis.STATUTORY_DUTY):
        add_error(errors, "consent_basis", MSG_GUARDIAN_REQUIRED)
    if consent_basis == ConsentBasis.GUARDIAN_CONSENT and not (guardian_name and guardian_relation):
        add_error(errors, "guardian_name", MSG_GUARDIAN_DETAILS_REQUIRED)
    if consent_basis in (ConsentBasis.CONSENT, ConsentBasis.GUARDIAN_CONSENT):
        if consent_recorded_on is None:
            add_error(errors, "consent_recorded_on", MSG_CONSENT_DATE_REQUIRED)
        elif consent_recorded_on > today():
            add_error(errors, "consent_recorded_on", MSG_DATE_FUTURE)


@transaction.atomic
def case_intake(*, actor, client: Resident, source: str, voluntary: bool = True,
                intake_on: datetime.date | None = None, presenting_problem: str, background: str = "",
                consent_basis: str, consent_recorded_on: datetime.date | None = None, guardian_name: str = "",
                guardian_relation: str = "", referral_source: str = "", risk_level: str = "",
                suspected_minor_harm: bool = False, harm_concern: str = "") -> Case:
    """接案: open a case for a resident, with the intake worker as lead and the intake record."""
    if not may_ever(actor, Resource.CASE, Action.CHANGE):
        raise PermissionDenied
    worker = worker_profile(actor)
    if worker is None:
        raise ValidationError(MSG_NO_WORKER_PROFILE, code="no_worker_profile")
    errors: dict = {}
    intake_on = intake_on or today()
    presenting_problem, background = clean_text(presenting_problem), clean_text(background)
    guardian_name, guardian_relation = clean_text(guardian_name), clean_text(guardian_relation)
    referral_source, harm_concern = clean_text(referral_source), clean_text(harm_concern)
    if client.is_voided:
        add_error(errors, "client", MSG_CLIENT_VOIDED)
    elif not worker_serves(actor, worker, client.region):
        add_error(errors, "client", MSG_CLIENT_OUT_OF_SCOPE)
    if source not in ClientSource.values:
        add_error(errors, "source", MSG_SOURCE_INVALID)
    elif source == ClientSource.REFERRED and not referral_source:
        add_error(errors, "referral_source", MSG_REFERRAL_SOURCE_REQUIRED)
    if intake_on > today():
        add_error(errors, "intake_on", MSG_DATE_FUTURE)
    if not presenting_problem:
        add_error(errors, "presenting_problem", MSG_PROBLEM_REQUIRED)
    _validate_consent(errors, client=client, consent_basis=consent_basis, consent_recorded_on=consent_recorded_on,
                      guardian_name=guardian_name, guardian_relation=guardian_relation)
    if (risk_level or "") not in RISK_LEVELS:
        add_error(errors, "risk_level", MSG_RISK_INVALID)
    if suspected_minor_harm:
        validate_minor_harm(errors, client=client, concern=harm_concern)
    raise_if(errors)

    number = next_case_number(client.region, intake_on.year)
    case = Case(
        case_number=number, client=client, region=client.region, source=source, voluntary=bool(voluntary),
        intake_on=intake_on, presenting_problem=presenting_problem, background=background,
        consent_basis=consent_basis, consent_recorded_on=consent_recorded_on, guardian_name=guardian_name,
        guardian_relation=guardian_relation, referral_source=referral_source, risk_level=risk_level or "",
        suspected_minor_harm=bool(suspected_minor_harm), created_by=actor, search_text=build_search_text(number),
    )
    save_with_history(case, actor=actor)
    save_with_history(CaseWorker(case=case, worker=worker, role=CaseWorkerRole.LEAD), actor=actor)
    write_record(actor=actor, case=case, kind=STEP_KIND[CaseStatus.INTAKE], content=presenting_problem,
                 recorded_on=intake_on)
    if suspected_minor_harm:
        open_mandatory_report(actor=actor, case=case, concern=harm_concern)
    return case


def _apply_goal_statuses(errors: dict, case: Case, goal_statuses: dict | None) -> list[CaseGoal]:
    goals = list(case.goals.active())
    changed = []
    wanted = {str(key): value for key, value in (goal_statuses or {}).items()}
    for goal in goals:
        status = wanted.get(str(goal.public_id))
        if status:
            if status not in GoalStatus.values:
                add_error(errors, "goal_statuses", MSG_GOAL_STATUS_INVALID)
                continue
            if status != goal.status:
                goal.status = status
                changed.append(goal)
        if goal.status == GoalStatus.OPEN:
            add_error(errors, "goal_statuses", MSG_GOALS_OPEN)
            break
    return changed


@transaction.atomic
def case_advance(*, actor, case: Case, to_status: str, content: str = "", recorded_on: datetime.date | None = None,
                 reason: str = "", closing_reason: str = "", goal_statuses: dict | None = None) -> CaseRecord:
    """Move the case to the next legal step and write that step's record.

    Not accepting needs `reason` (the record's content defaults to it); closing needs `closing_reason`
    and every active goal rated (`goal_statuses`: goal public_id → GoalStatus, or rated before)."""
    require_case(actor, Action.CHANGE, case)
    require_writable(case)
    errors: dict = {}
    recorded_on = recorded_on or today()
    content, reason = clean_text(content), clean_text(reason)
    if to_status not in TRANSITIONS.get(case.status, set()):
        raise ValidationError({"to_status": [MSG_ILLEGAL_STEP]}, code="illegal_step")
    if to_status == CaseStatus.NOT_ACCEPTED:
        if not reason:
            add_error(errors, "reason", MSG_REASON_REQUIRED)
        content = content or reason
    elif not content:
        add_error(errors, "content", MSG_CONTENT_REQUIRED)
    check_record_date(errors, case, recorded_on)
    if to_status == CaseStatus.INTERVENTION and case.status == CaseStatus.PLAN \
            and not case.goals.active().exists():
        add_error(errors, "to_status", MSG_GOAL_REQUIRED)
    changed_goals: list[CaseGoal] = []
    if to_status == CaseStatus.CLOSED:
        if closing_reason not in ClosingReason.values:
            add_error(errors, "closing_reason", MSG_CLOSING_REASON_REQUIRED)
        changed_goals = _apply_goal_statuses(errors, case, goal_statuses)
    raise_if(errors)

    for goal in changed_goals:
        save_with_history(goal, actor=actor)
    case.status = to_status
    if to_status == CaseStatus.NOT_ACCEPTED:
        case.not_accepted_reason = reason
    if to_status == CaseStatus.CLOSED:
        case.closing_reason, case.closed_on = closing_reason, recorded_on
    save_with_history(case, actor=actor, reason=str(CaseStatus(to_status).label))
    return write_record(actor=actor, case=case, kind=STEP_KIND[to_status], content=content, recorded_on=recorded_on)


@transaction.atomic
def case_record_add(*, actor, case: Case, content: str, recorded_on: datetime.date | None = None) -> CaseRecord:
    """An additional record of the current step (intervention notes while in intervention)."""
    require_case(actor, Action.CHANGE, case)
    require_writable(case)
    kind = STEP_KIND.get(case.status)
    if kind is None:
        raise ValidationError(MSG_RECORD_NOT_ALLOWED, code="record_not_allowed")
    errors: dict = {}
    content, recorded_on = clean_text(content), recorded_on or today()
    if not content:
        add_error(errors, "content", MSG_CONTENT_REQUIRED)
    check_record_date(errors, case, recorded_on)
    raise_if(errors)
    return write_record(actor=actor, case=case, kind=kind, content=content, recorded_on=recorded_on)


@transaction.atomic
def case_goal_add(*, actor, case: Case, description: str, measure: str = "") -> CaseGoal:
    require_case(actor, Action.CHANGE, case)
    require_writable(case)
    if case.status not in GOAL_STEPS:
        raise ValidationError(MSG_GOALS_LOCKED, code="goals_locked")
    description = clean_text(description)
    if not description:
        raise ValidationError({"description": [MSG_GOAL_DESCRIPTION_REQUIRED]})
    goal = CaseGoal(case=case, description=description, measure=clean_text(measure))
    save_with_history(goal, actor=actor)
    return goal


@transaction.atomic
def case_goal_update(*, actor, goal: CaseGoal, description: str | None = None, measure: str | None = None,
                     status: str | None = None) -> CaseGoal:
    case = goal.case
    require_case(actor, Action.CHANGE, case)
    require_writable(case)
    if goal.is_voided:
        raise ValidationError(MSG_GOAL_VOIDED, code="goal_voided")
    if case.status not in GOAL_STEPS:
        raise ValidationError(MSG_GOALS_LOCKED, code="goals_locked")
    if description is not None:
        description = clean_text(description)
        if not description:
            raise ValidationError({"description": [MSG_GOAL_DESCRIPTION_REQUIRED]})
        goal.description = description
    if measure is not None:
        goal.measure = clean_text(measure)
    if status is not None:
        if status not in GoalStatus.values:
            raise ValidationError({"status": [MSG_GOAL_STATUS_INVALID]})
        goal.status = status
    save_with_history(goal, actor=actor)
    return goal
