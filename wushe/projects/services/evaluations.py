"""Evaluations, closing (结项), archiving and termination of a project (execution area); the rules are
documented in `execution.py`."""

import calendar
import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action
from wushe.core.services import save_with_history

from ..models import (
    BudgetAdjustment,
    Evaluation,
    EvaluationStage,
    MonitoringVisit,
    OrganizationBan,
    Project,
    ProjectStatus,
    Tranche,
    TrancheCondition,
)
from ..models.rounds import DEFAULT_GRADE_BANDS
from ..states import RUNNING, project_transition
from .execution import (
    CENT,
    MSG_REASON_REQUIRED,
    MSG_REQUIRED,
    MSG_TRANCHE_BLOCKED_MIDTERM,
    MSG_TRANCHE_BLOCKED_TERMINATED,
    clean_text,
    lock_project,
    raise_errors,
    require,
    require_any,
    set_tranche_status,
    to_amount,
    today,
)

P = ProjectStatus

MSG_SCORE_RANGE = _("评分须在0到100之间。")
MSG_EVALUATION_NOT_OPEN = _("项目当前状态为“%(status)s”，不能进行%(stage)s。")
MSG_MIDTERM_ALREADY_PASSED = _("中期评估已通过，不能重复评估。")
MSG_EVALUATION_REASON = _("%(stage)s：%(grade)s（%(score)s分）")

MSG_CLOSE_NEEDS_FINAL_EVALUATION = _("结项前须完成终期评估。")
MSG_CLOSE_UNANSWERED_VISITS = _("还有 %(count)s 条监测意见未回应，不能结项。")
MSG_CLOSE_PENDING_ADJUSTMENTS = _("还有 %(count)s 项预算调整待审批，不能结项。")
MSG_CLOSE_NOT_FINAL_REVIEW = _("只有终期评估阶段的项目才能结项。")
MSG_ARCHIVE_NOT_CLOSED = _("只有已结项的项目才能归档。")
MSG_TERMINATE_NOT_RUNNING = _("只有签约后、结项前的项目才能终止。")
MSG_BAN_REASON = _("项目“%(project)s”严重违规：%(reason)s")


def add_years(day: datetime.date, years: int) -> datetime.date:
    year = day.year + years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


# Evaluations -------------------------------------------------------------------------------------------


def grade_for(score: Decimal, bands: list[dict] | None) -> tuple[str, bool]:
    """(grade, passed): the first band whose minimum the score reaches; the lowest band fails."""
    ordered = sorted(bands or DEFAULT_GRADE_BANDS, key=lambda band: Decimal(str(band["min"])), reverse=True)
    for index, band in enumerate(ordered):
        if score >= Decimal(str(band["min"])):
            return str(band["grade"]), index < len(ordered) - 1 or len(ordered) == 1
    return str(ordered[-1]["grade"]), len(ordered) == 1


def combined_score(funding_round, expert_score: Decimal, resident_score: Decimal | None) -> Decimal:
    if resident_score is None:
        return expert_score.quantize(CENT)
    expert_weight, resident_weight = funding_round.expert_weight, funding_round.resident_weight
    if expert_weight + resident_weight == 0:
        expert_weight = resident_weight = 1
    total = (expert_score * expert_weight + resident_score * resident_weight) / (expert_weight + resident_weight)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def _score(value, field: str, errors: dict, *, required: bool) -> Decimal | None:
    if value in (None, ""):
        if required:
            errors[field] = [MSG_REQUIRED]
        return None
    try:
        score = to_amount(value)
    except ValidationError:
        errors[field] = [MSG_SCORE_RANGE]
        return None
    if not Decimal("0") <= score <= Decimal("100"):
        errors[field] = [MSG_SCORE_RANGE]
        return None
    return score


EVALUATION_OPEN = {
    EvaluationStage.MIDTERM: {P.IN_PROGRESS, P.MIDTERM_FAILED},
    EvaluationStage.FINAL: {P.FINAL_REVIEW},
}


@transaction.atomic
def evaluation_record(*, actor, project: Project, stage: str, expert_score, resident_score=None,
                      conclusion: str) -> Evaluation:
    """Enter (or, while the stage is open and not yet passed, re-enter) the mid-term or final evaluation."""
    require_any(actor, (Action.MONITOR, Action.MANAGE), project)
    project = lock_project(project.pk, "funding_round")
    stage = EvaluationStage(stage)
    if project.status not in EVALUATION_OPEN[stage]:
        raise ValidationError(MSG_EVALUATION_NOT_OPEN % {"status": project.get_status_display(),
                                                         "stage": stage.label}, code="evaluation_not_open")
    existing = Evaluation.objects.select_for_update().filter(project=project, stage=stage).first()
    if stage == EvaluationStage.MIDTERM and existing is not None and existing.passed:
        raise ValidationError(MSG_MIDTERM_ALREADY_PASSED, code="midterm_passed")
    errors: dict = {}
    expert = _score(expert_score, "expert_score", errors, required=True)
    resident = _score(resident_score, "resident_score", errors, required=False)
    conclusion = clean_text(conclusion)
    if not conclusion:
        errors["conclusion"] = [MSG_REQUIRED]
    raise_errors(errors)
    score = combined_score(project.funding_round, expert, resident)
    grade, passed = grade_for(score, project.funding_round.grade_bands)
    evaluation = existing or Evaluation(project=project, stage=stage)
    evaluation.expert_score, evaluation.resident_score, evaluation.score = expert, resident, score
    evaluation.grade, evaluation.passed, evaluation.conclusion = grade, passed, conclusion
    evaluation.decided_by, evaluation.decided_at = actor, timezone.now()
    reason = str(MSG_EVALUATION_REASON % {"stage": stage.label, "grade": grade, "score": score})
    save_with_history(evaluation, actor=actor, reason=reason)

    if stage == EvaluationStage.MIDTERM:
        if passed:
            set_tranche_status(actor, project, condition=TrancheCondition.MIDTERM, from_status=Tranche.Status.BLOCKED,
                          to_status=Tranche.Status.PLANNED, note="")
            if project.status == P.MIDTERM_FAILED:
                project_transition(actor=actor, project=project, to=P.IN_PROGRESS, reason=reason)
        else:
            note = str(MSG_TRANCHE_BLOCKED_MIDTERM % {"conclusion": conclusion})
            set_tranche_status(actor, project, condition=TrancheCondition.MIDTERM, from_status=Tranche.Status.PLANNED,
                          to_status=Tranche.Status.BLOCKED, note=note)
            if project.status == P.IN_PROGRESS:
                project_transition(actor=actor, project=project, to=P.MIDTERM_FAILED, reason=reason)
    else:
        project.final_grade = grade
        save_with_history(project, actor=actor, reason=reason)
    return evaluation


# Closing, archiving, termination -----------------------------------------------------------------------


def closing_blockers(project: Project) -> list[str]:
    """Why the project cannot be closed (结项) yet; empty when it can."""
    if project.status != P.FINAL_REVIEW:
        return [str(MSG_CLOSE_NOT_FINAL_REVIEW)]
    reasons = []
    if not Evaluation.objects.filter(project=project, stage=EvaluationStage.FINAL).exists():
        reasons.append(str(MSG_CLOSE_NEEDS_FINAL_EVALUATION))
    unanswered = MonitoringVisit.objects.active().filter(project=project, response="").count()
    if unanswered:
        reasons.append(str(MSG_CLOSE_UNANSWERED_VISITS % {"count": unanswered}))
    pending = BudgetAdjustment.objects.filter(project=project, status=BudgetAdjustment.Status.REQUESTED).count()
    if pending:
        reasons.append(str(MSG_CLOSE_PENDING_ADJUSTMENTS % {"count": pending}))
    return reasons


@transaction.atomic
def project_close(*, actor, project: Project, note: str = "") -> Project:
    require(actor, Action.MANAGE, project)
    project = lock_project(project.pk)
    reasons = closing_blockers(project)
    if reasons:
        raise ValidationError(reasons, code="cannot_close")
    project.closed_at = timezone.now()
    return project_transition(actor=actor, project=project, to=P.CLOSED, reason=clean_text(note) or str(_("结项")))


@transaction.atomic
def project_archive_mark(*, actor, project: Project) -> Project:
    require(actor, Action.MANAGE, project)
    project = lock_project(project.pk)
    if project.status != P.CLOSED:
        raise ValidationError(MSG_ARCHIVE_NOT_CLOSED, code="not_closed")
    return project_transition(actor=actor, project=project, to=P.ARCHIVED, reason=str(_("归档")))


@transaction.atomic
def project_terminate(*, actor, project: Project, reason: str, breach: bool = False) -> Project:
    """Stop a running project. With `breach`, ban its organizations for the round's ban period."""
    require(actor, Action.MANAGE, project)
    project = lock_project(project.pk, "funding_round")
    if project.status not in RUNNING:
        raise ValidationError(MSG_TERMINATE_NOT_RUNNING, code="not_running")
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": [MSG_REASON_REQUIRED]})
    set_tranche_status(actor, project, from_status=Tranche.Status.PLANNED, to_status=Tranche.Status.BLOCKED,
                  note=str(MSG_TRANCHE_BLOCKED_TERMINATED))
    project_transition(actor=actor, project=project, to=P.TERMINATED, reason=reason)
    years = project.funding_round.breach_ban_years
    if breach and years:
        starts_on = today()
        for organization_id in dict.fromkeys(filter(None, [project.applicant_id, project.implementer_id])):
            ban = OrganizationBan(organization_id=organization_id, starts_on=starts_on,
                                  ends_on=add_years(starts_on, years), source_project=project,
                                  reason=str(MSG_BAN_REASON % {"project": project.title, "reason": reason}))
            save_with_history(ban, actor=actor)
    return project
