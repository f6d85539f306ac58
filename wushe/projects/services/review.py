"""Review of applications (立项评审): expert reviewers, ranking, decisions, publicity (公示) and objections.

Resident votes (one resident one vote) live in `services/voting.py`; this module reads their counts for the
ranking. Every status change goes through `wushe.projects.states`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wushe.accounts.models import RoleAssignment
from wushe.accounts.policy import Action, Resource, can, restrict
from wushe.accounts.roles import Role
from wushe.core.services import CHANGE_REASON_MAX, record_void, save_with_history

from ..models import (
    ExpertReview,
    FundingRound,
    Objection,
    Project,
    ProjectStatus,
    ResidentVote,
    ReviewerAssignment,
    ReviewStage,
    RoundStatus,
)
from ..states import project_transition, round_transition

MSG_ROUND_NOT_IN_REVIEW = _("本轮次不在评审阶段，不能进行此操作。")
MSG_PROJECT_NOT_UNDER_REVIEW = _("该申报不在评审中。")
MSG_NOT_EXPERT = _("只能指派持有“评审专家”角色的用户。")
MSG_UNKNOWN_REVIEWER = _("评审专家不存在或不持有“评审专家”角色。")
MSG_ALREADY_ASSIGNED = _("该专家已被指派评审此项目。")
MSG_EXPERT_CONFLICTED = _("该专家已就此项目声明存在利益冲突，不能再指派。")
MSG_NO_REVIEWERS_SELECTED = _("请至少选择一位评审专家。")
MSG_ASSIGNMENT_VOIDED = _("该评审指派已撤销。")
MSG_CONFLICT_NOTE_REQUIRED = _("声明存在利益冲突时，请说明冲突情况。")
MSG_CONFLICT_VOID_REASON = _("专家声明存在利益冲突：%(note)s")
MSG_DECLARE_FIRST = _("请先声明与该项目不存在利益冲突，再进行评分。")
MSG_NO_CRITERIA = _("本轮次未设置评审指标，无法评分。")
MSG_SCORE_REQUIRED = _("请为“%(label)s”打分。")
MSG_SCORE_NOT_NUMBER = _("“%(label)s”的得分应为数字。")
MSG_SCORE_RANGE = _("“%(label)s”的得分应在 0 到 %(max)s 之间。")
MSG_SCORE_STEP = _("“%(label)s”的得分只能是整数或半分（如 7.5）。")
MSG_SCORE_UNKNOWN = _("不存在的评审指标：%(keys)s")
MSG_COMMENT_REQUIRED = _("请填写评审意见。")
MSG_APPROVED_AMOUNT_REQUIRED = _("同意立项须填写批准金额。")
MSG_APPROVED_AMOUNT_POSITIVE = _("批准金额应大于 0。")
MSG_APPROVED_OVER_REQUESTED = _("批准金额不能超过申请金额（%(amount)s 元）。")
MSG_APPROVED_OVER_CAP = _("批准金额不能超过本轮次单个项目金额上限（%(amount)s 元）。")
MSG_REJECT_REASON_REQUIRED = _("不予立项须填写理由。")
MSG_UNDECIDED_APPLICATIONS = _("尚有 %(count)s 个申报未作出立项决定，不能发布公示。")
MSG_NOT_IN_PUBLICITY = _("本轮次当前不在公示期，不能提出异议。")
MSG_PUBLICITY_WINDOW = _("公示期为 %(start)s 至 %(end)s，当前不在公示期内。")
MSG_FILER_NAME_REQUIRED = _("请填写您的姓名。")
MSG_OBJECTION_CONTENT_REQUIRED = _("请填写异议内容。")
MSG_OBJECTION_TOO_LONG = _("异议内容不能超过 %(max)s 字。")
MSG_OBJECTION_PROJECT_NOT_IN_ROUND = _("所选项目不在本轮次的公示名单中。")
MSG_OBJECTION_FILED = _("您的异议已提交，主办方将核实并答复。")
MSG_ANSWER_REQUIRED = _("请填写答复内容。")
MSG_OBJECTIONS_CLOSED = _("本轮次已结束公示，异议答复不能再修改。")
MSG_OBJECTION_NOT_UPHELD = _("只有针对拟立项项目且已认定成立的异议，才能据此不予立项。")
MSG_OBJECTION_REJECT_REASON = _("公示异议成立：%(answer)s")
# Reasons returned by agreements_may_be_signed().
MSG_REASON_NOT_PUBLISHED = _("立项决定尚未公示。")
MSG_REASON_PUBLICITY_RUNNING = _("公示期至 %(date)s 结束，届满后方可签订协议。")
MSG_REASON_UNANSWERED = _("尚有 %(count)s 条公示异议未答复。")

OBJECTION_MAX_LENGTH = 2000
# Applications that take part in the ranking of a round.
RANKED_STATUSES = (ProjectStatus.UNDER_REVIEW, ProjectStatus.APPROVED, ProjectStatus.REJECTED)
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)


def _require(actor, action: Action, resource: Resource, obj) -> None:
    if not can(actor, action, resource, obj):
        raise PermissionDenied


def _round_in_review(funding_round: FundingRound) -> None:
    if funding_round.status != RoundStatus.REVIEW:
        raise ValidationError(MSG_ROUND_NOT_IN_REVIEW, code="round_not_in_review")


def _reason(text) -> str:
    return str(text)[:CHANGE_REASON_MAX]


# --- expert reviewers -----------------------------------------------------------------------------------

def is_expert(user) -> bool:
    return RoleAssignment.objects.active().filter(user=user, role=Role.EXPERT_REVIEWER).exists()


def _assignment_problem(project: Project, reviewer) -> str | None:
    previous = ReviewerAssignment.objects.filter(project=project, reviewer=reviewer, stage=ReviewStage.APPLICATION)
    if previous.filter(voided_at__isnull=True).exists():
        return MSG_ALREADY_ASSIGNED
    if previous.filter(has_conflict=True).exists():
        return MSG_EXPERT_CONFLICTED
    return None


def _create_assignment(*, actor, project: Project, reviewer) -> ReviewerAssignment:
    assignment = ReviewerAssignment(project=project, reviewer=reviewer, stage=ReviewStage.APPLICATION,
                                    assigned_by=actor)
    save_with_history(assignment, actor=actor, reason=_reason(gettext("指派评审专家")))
    return assignment


@transaction.atomic
def reviewer_assign(*, actor, project: Project, reviewer) -> ReviewerAssignment:
    """Assign one expert (a user already holding the expert_reviewer role) to one application."""
    _require(actor, Action.MANAGE, Resource.PROJECT, project)
    _round_in_review(project.funding_round)
    if project.status != ProjectStatus.UNDER_REVIEW:
        raise ValidationError(MSG_PROJECT_NOT_UNDER_REVIEW, code="not_under_review")
    if not is_expert(reviewer):
        raise ValidationError({"reviewer": MSG_NOT_EXPERT}, code="not_expert")
    problem = _assignment_problem(project, reviewer)
    if problem:
        raise ValidationError({"reviewer": problem}, code="cannot_assign")
    return _create_assignment(actor=actor, project=project, reviewer=reviewer)


@transaction.atomic
def reviewers_assign_to_round(*, actor, funding_round: FundingRound, reviewers: list,
                              projects: list[Project] | None = None) -> int:
    """Assign a panel of experts to every application under review in the round (or to `projects`).
    Existing assignments and declared conflicts are skipped. Returns the number of new assignments."""
    _require(actor, Action.MANAGE, Resource.FUNDING_ROUND, funding_round)
    _round_in_review(funding_round)
    if not reviewers:
        raise ValidationError({"reviewers": MSG_NO_REVIEWERS_SELECTED}, code="no_reviewers")
    for reviewer in reviewers:
        if not is_expert(reviewer):
            raise ValidationError({"reviewers": MSG_NOT_EXPERT}, code="not_expert")
    candidates = restrict(actor, Resource.PROJECT, funding_round.projects.filter(
        status=ProjectStatus.UNDER_REVIEW, voided_at__isnull=True), Action.MANAGE)
    if projects is not None:
        candidates = candidates.filter(pk__in=[p.pk for p in projects])
    taken = set(ReviewerAssignment.objects.filter(
        project__in=candidates, reviewer__in=reviewers, stage=ReviewStage.APPLICATION,
    ).filter(Q(voided_at__isnull=True) | Q(has_conflict=True)).values_list("project_id", "reviewer_id"))
    created = 0
    for project in candidates.order_by("pk"):
        for reviewer in reviewers:
            if (project.pk, reviewer.pk) not in taken:
                _create_assignment(actor=actor, project=project, reviewer=reviewer)
                created += 1
    return created


@transaction.atomic
def reviewer_unassign(*, actor, assignment: ReviewerAssignment, reason: str) -> ReviewerAssignment:
    """Withdraw an expert from an application (voided with a reason; a submitted score no longer counts)."""
    _require(actor, Action.MANAGE, Resource.PROJECT, assignment.project)
    _round_in_review(assignment.project.funding_round)
    return record_void(actor=actor, obj=assignment, reason=reason)


@transaction.atomic
def assignment_declare(*, actor, assignment: ReviewerAssignment, conflict: bool, note: str = "") -> ReviewerAssignment:
    """The expert declares no conflict of interest (then may score), or a conflict: the assignment is then
    voided, the expert no longer sees the application, and the officer sees the declaration on the board."""
    if assignment.reviewer_id != getattr(actor, "pk", None):
        raise PermissionDenied
    if assignment.is_voided:
        raise ValidationError(MSG_ASSIGNMENT_VOIDED, code="assignment_voided")
    _round_in_review(assignment.project.funding_round)
    note = (note or "").strip()
    now = timezone.now()
    assignment.conflict_declared_at = now
    assignment.has_conflict = conflict
    assignment.conflict_note = note
    if conflict:
        if not note:
            raise ValidationError({"note": MSG_CONFLICT_NOTE_REQUIRED}, code="conflict_note_required")
        assignment.voided_at = now
        assignment.voided_by = actor
        assignment.void_reason = str(MSG_CONFLICT_VOID_REASON % {"note": note})
        reason = gettext("声明存在利益冲突")
    else:
        reason = gettext("声明无利益冲突")
    save_with_history(assignment, actor=actor, reason=_reason(reason))
    return assignment


def criteria_of(funding_round: FundingRound) -> list[dict]:
    return [c for c in funding_round.review_criteria or [] if c.get("key")]


def criteria_maximum(funding_round: FundingRound) -> Decimal:
    """The highest possible expert total: the sum of every criterion's maximum."""
    return sum((Decimal(str(c.get("max", 0))) for c in criteria_of(funding_round)), Decimal(0))


def plain_number(value: Decimal) -> str:
    """20 → "20", 7.50 → "7.5" (no exponent)."""
    return format(value.normalize(), "f")


def validate_scores(criteria: list[dict], scores: dict) -> tuple[dict, Decimal]:
    """Check one score per criterion, each 0..max in steps of 0.5; return (clean scores, total)."""
    errors: dict[str, list] = {}
    clean: dict[str, int | float] = {}
    known = {c["key"] for c in criteria}
    unknown = sorted(set(scores or {}) - known)
    if unknown:
        errors["scores"] = [MSG_SCORE_UNKNOWN % {"keys": ", ".join(unknown)}]
    for criterion in criteria:
        key, label = criterion["key"], criterion.get("label", criterion["key"])
        maximum = Decimal(str(criterion.get("max", 0)))
        raw = (scores or {}).get(key)
        if raw is None or str(raw).strip() == "":
            errors[key] = [MSG_SCORE_REQUIRED % {"label": label}]
            continue
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            errors[key] = [MSG_SCORE_NOT_NUMBER % {"label": label}]
            continue
        if not value.is_finite() or value < 0 or value > maximum:
            errors[key] = [MSG_SCORE_RANGE % {"label": label, "max": plain_number(maximum)}]
        elif (value * 2) != (value * 2).to_integral_value():
            errors[key] = [MSG_SCORE_STEP % {"label": label}]
        else:
            clean[key] = int(value) if value == value.to_integral_value() else float(value)
    if errors:
        raise ValidationError(errors, code="invalid_scores")
    return clean, sum((Decimal(str(v)) for v in clean.values()), Decimal(0))


@transaction.atomic
def expert_review_submit(*, actor, assignment: ReviewerAssignment, scores: dict, comment: str) -> ExpertReview:
    """Save (or revise) the expert's scores; possible until the round leaves review. The total is the sum."""
    if assignment.reviewer_id != getattr(actor, "pk", None):
        raise PermissionDenied
    project = assignment.project
    _require(actor, Action.REVIEW, Resource.PROJECT, project)
    if assignment.is_voided:
        raise ValidationError(MSG_ASSIGNMENT_VOIDED, code="assignment_voided")
    _round_in_review(project.funding_round)
    if assignment.conflict_declared_at is None or assignment.has_conflict:
        raise ValidationError(MSG_DECLARE_FIRST, code="declare_first")
    criteria = criteria_of(project.funding_round)
    if not criteria:
        raise ValidationError(MSG_NO_CRITERIA, code="no_criteria")
    comment = (comment or "").strip()
    try:
        clean, total = validate_scores(criteria, scores)
    except ValidationError as error:
        if not comment:
            error.error_dict.setdefault("comment", []).append(ValidationError(MSG_COMMENT_REQUIRED))
        raise
    if not comment:
        raise ValidationError({"comment": MSG_COMMENT_REQUIRED}, code="comment_required")
    review = ExpertReview.objects.filter(assignment=assignment).first() or ExpertReview(assignment=assignment)
    revising = review.pk is not None
    review.scores, review.total, review.comment = clean, total, comment
    review.submitted_at = timezone.now()
    save_with_history(review, actor=actor, reason=_reason(gettext("修改评分") if revising else gettext("提交评分")))
    return review


# --- ranking --------------------------------------------------------------------------------------------

@dataclass
class RankedScore:
    project_id: int
    expert_score: Decimal | None
    resident_score: Decimal
    total_score: Decimal
    rank: int = 0
    review_count: int = 0
    vote_count: int = 0


def _quantize(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def ranking_scores(funding_round: FundingRound) -> dict[int, RankedScore]:
    """The combined score of every application of the round (computed, not saved).

    - expert score = the average total of the submitted expert reviews (assignment not withdrawn, no
      conflict), normalised to 100 by the criteria maximum: ``avg_total / sum(criterion max) × 100``;
      an application without a submitted review has no expert score and counts 0 in the combination;
    - resident score = the application's support votes normalised to 100 relative to the application with
      the most votes in the round: ``votes / max_votes × 100`` (0 for all when nobody voted);
    - total = ``expert × expert_weight% + resident × resident_weight%``, from the two rounded scores;
    - rank = competition ranking by total (equal totals share a rank: 1, 2, 2, 4), ties listed by expert
      score. Each score is rounded to two decimals (half up).
    """
    project_ids = list(funding_round.projects.filter(status__in=RANKED_STATUSES, voided_at__isnull=True)
                       .values_list("pk", flat=True))
    reviews = {row["assignment__project_id"]: row for row in ExpertReview.objects.filter(
        assignment__project_id__in=project_ids, assignment__stage=ReviewStage.APPLICATION,
        assignment__voided_at__isnull=True, assignment__has_conflict=False, submitted_at__isnull=False,
    ).values("assignment__project_id").annotate(total_sum=Sum("total"), count=Count("pk"))}
    votes = dict(ResidentVote.objects.filter(project_id__in=project_ids, stage=ReviewStage.APPLICATION)
                 .values("project_id").annotate(count=Count("pk")).values_list("project_id", "count"))
    maximum = criteria_maximum(funding_round)
    most_votes = max(votes.values(), default=0)
    expert_weight = Decimal(funding_round.expert_weight) / HUNDRED
    resident_weight = Decimal(funding_round.resident_weight) / HUNDRED
    scores: dict[int, RankedScore] = {}
    for project_id in project_ids:
        review = reviews.get(project_id)
        expert = None
        if review and review["count"] and maximum > 0:
            average = Decimal(str(review["total_sum"])) / review["count"]
            expert = _quantize(average / maximum * HUNDRED)
        vote_count = votes.get(project_id, 0)
        resident = _quantize(Decimal(vote_count) / most_votes * HUNDRED) if most_votes else Decimal("0.00")
        total = _quantize((expert or Decimal(0)) * expert_weight + resident * resident_weight)
        scores[project_id] = RankedScore(project_id, expert, resident, total,
                                         review_count=review["count"] if review else 0, vote_count=vote_count)
    ordered = sorted(scores.values(), key=lambda s: (-s.total_score, -(s.expert_score or Decimal(-1)),
                                                     s.project_id))
    previous_total, previous_rank = None, 0
    for position, score in enumerate(ordered, start=1):
        score.rank = previous_rank if score.total_score == previous_total else position
        previous_total, previous_rank = score.total_score, score.rank
    return scores


@transaction.atomic
def ranking_compute(*, actor, funding_round: FundingRound) -> dict[int, RankedScore]:
    """Store expert_score, resident_score, total_score and rank on each application of the round."""
    _require(actor, Action.MANAGE, Resource.FUNDING_ROUND, funding_round)
    _round_in_review(funding_round)
    scores = ranking_scores(funding_round)
    for project in Project.objects.filter(pk__in=scores):
        score = scores[project.pk]
        values = (score.expert_score, score.resident_score, score.total_score, score.rank)
        if (project.expert_score, project.resident_score, project.total_score, project.rank) == values:
            continue
        project.expert_score, project.resident_score, project.total_score, project.rank = values
        save_with_history(project, actor=actor, reason=_reason(gettext("计算评审排名")))
    return scores


# --- decisions and publicity ----------------------------------------------------------------------------

def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationError({"approved_amount": MSG_APPROVED_AMOUNT_REQUIRED}, code="amount_invalid")


@transaction.atomic
def project_decide(*, actor, project: Project, approve: bool, approved_amount=None, reason: str = "") -> Project:
    """Approve (with an amount ≤ requested and ≤ the round's cap) or reject (with a reason) an application."""
    _require(actor, Action.MANAGE, Resource.PROJECT, project)
    funding_round = project.funding_round
    _round_in_review(funding_round)
    reason = (reason or "").strip()
    if approve:
        amount = _amount(approved_amount)
        if amount is None:
            raise ValidationError({"approved_amount": MSG_APPROVED_AMOUNT_REQUIRED}, code="amount_required")
        if amount <= 0:
            raise ValidationError({"approved_amount": MSG_APPROVED_AMOUNT_POSITIVE}, code="amount_positive")
        if project.requested_amount is not None and amount > project.requested_amount:
            raise ValidationError({"approved_amount": MSG_APPROVED_OVER_REQUESTED % {
                "amount": project.requested_amount}}, code="over_requested")
        if amount > funding_round.amount_cap:
            raise ValidationError({"approved_amount": MSG_APPROVED_OVER_CAP % {"amount": funding_round.amount_cap}},
                                  code="over_cap")
        target = ProjectStatus.APPROVED
        project.approved_amount = amount
    else:
        if not reason:
            raise ValidationError({"reason": MSG_REJECT_REASON_REQUIRED}, code="reason_required")
        target = ProjectStatus.REJECTED
        project.approved_amount = None
    project.decision_note = reason
    project.decided_at = timezone.now()
    project.decided_by = actor
    label = gettext("同意立项") if approve else gettext("不予立项")
    history_reason = _reason(f"{label}：{reason}" if reason else label)
    if project.status == target == ProjectStatus.APPROVED:  # a changed amount or note
        save_with_history(project, actor=actor, reason=history_reason)
        return project
    return project_transition(actor=actor, project=project, to=target, reason=history_reason)


@transaction.atomic
def round_publish_decisions(*, actor, funding_round: FundingRound) -> FundingRound:
    """Freeze the ranking and publish the decision list: the round enters publicity (公示) from today for
    `publicity_days` days."""
    _require(actor, Action.MANAGE, Resource.FUNDING_ROUND, funding_round)
    _round_in_review(funding_round)
    undecided = funding_round.projects.filter(status=ProjectStatus.UNDER_REVIEW, voided_at__isnull=True).count()
    if undecided:
        raise ValidationError(MSG_UNDECIDED_APPLICATIONS % {"count": undecided}, code="undecided")
    ranking_compute(actor=actor, funding_round=funding_round)
    today = timezone.localdate()
    funding_round.publicity_starts_on = today
    funding_round.publicity_ends_on = today + datetime.timedelta(days=funding_round.publicity_days)
    return round_transition(actor=actor, funding_round=funding_round, to=RoundStatus.PUBLICITY,
                            reason=_reason(gettext("发布立项决定公示")))


def publicity_is_open(funding_round: FundingRound, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (funding_round.status == RoundStatus.PUBLICITY and funding_round.publicity_starts_on is not None
            and funding_round.publicity_ends_on is not None
            and funding_round.publicity_starts_on <= today <= funding_round.publicity_ends_on)


def objection_projects(funding_round: FundingRound):
    """The applications an objection may be about: those on the published decision list."""
    return funding_round.projects.filter(
        status__in=(ProjectStatus.APPROVED, ProjectStatus.REJECTED), voided_at__isnull=True)


@transaction.atomic
def objection_file(*, actor=None, funding_round: FundingRound, filer_name: str, content: str,
                   filer_contact: str = "", project: Project | None = None) -> Objection:
    """Anyone (no login needed) files an objection during the publicity period, about one application or
    about the whole round."""
    if funding_round.status != RoundStatus.PUBLICITY:
        raise ValidationError(MSG_NOT_IN_PUBLICITY, code="not_in_publicity")
    if not publicity_is_open(funding_round):
        raise ValidationError(MSG_PUBLICITY_WINDOW % {"start": funding_round.publicity_starts_on,
                                                      "end": funding_round.publicity_ends_on},
                              code="outside_publicity")
    filer_name, content, filer_contact = (filer_name or "").strip(), (content or "").strip(), \
        (filer_contact or "").strip()
    errors = {}
    if not filer_name:
        errors["filer_name"] = MSG_FILER_NAME_REQUIRED
    if not content:
        errors["content"] = MSG_OBJECTION_CONTENT_REQUIRED
    elif len(content) > OBJECTION_MAX_LENGTH:
        errors["content"] = MSG_OBJECTION_TOO_LONG % {"max": OBJECTION_MAX_LENGTH}
    if project is not None and not objection_projects(funding_round).filter(pk=project.pk).exists():
        errors["project"] = MSG_OBJECTION_PROJECT_NOT_IN_ROUND
    if errors:
        raise ValidationError(errors, code="invalid_objection")
    objection = Objection(funding_round=funding_round, project=project, filer_name=filer_name,
                          filer_contact=filer_contact, content=content)
    user = actor if getattr(actor, "is_authenticated", False) else None
    save_with_history(objection, actor=user, reason=_reason(gettext("提出公示异议")))
    return objection


@transaction.atomic
def objection_answer(*, actor, objection: Objection, answer: str, upheld: bool) -> Objection:
    """The officer answers an objection (and says whether it is upheld); may revise until contracting."""
    _require(actor, Action.MANAGE, Resource.FUNDING_ROUND, objection.funding_round)
    if objection.funding_round.status != RoundStatus.PUBLICITY:
        raise ValidationError(MSG_OBJECTIONS_CLOSED, code="objections_closed")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": MSG_ANSWER_REQUIRED}, code="answer_required")
    revising = objection.answered_at is not None
    objection.answer, objection.upheld = answer, upheld
    objection.answered_by, objection.answered_at = actor, timezone.now()
    save_with_history(objection, actor=actor, reason=_reason(gettext("修改异议答复") if revising else gettext("答复异议")))
    return objection


@transaction.atomic
def project_reject_after_objection(*, actor, objection: Objection, reason: str = "") -> Project:
    """An upheld objection against an approved application lets the officer reject it during publicity."""
    project = objection.project
    if project is None:
        raise ValidationError(MSG_OBJECTION_NOT_UPHELD, code="not_upheld")
    _require(actor, Action.MANAGE, Resource.PROJECT, project)
    if (objection.funding_round.status != RoundStatus.PUBLICITY or not objection.upheld
            or objection.answered_at is None or project.status != ProjectStatus.APPROVED):
        raise ValidationError(MSG_OBJECTION_NOT_UPHELD, code="not_upheld")
    reason = (reason or "").strip() or str(MSG_OBJECTION_REJECT_REASON % {"answer": objection.answer})
    project.decision_note = reason
    project.decided_at, project.decided_by = timezone.now(), actor
    project.approved_amount = None
    return project_transition(actor=actor, project=project, to=ProjectStatus.REJECTED, reason=_reason(reason))


def agreements_may_be_signed(funding_round: FundingRound) -> list[str]:
    """Translated reasons why agreements of this round may not be signed yet; empty when they may.

    Agreements wait for the publicity period (公示) to be over (the day after `publicity_ends_on`) and for
    every objection to be answered. The execution area calls this before signing; entering contracting
    (`round_contracting_start`) is refused while it returns reasons.
    """
    reasons: list[str] = []
    published = {RoundStatus.PUBLICITY, RoundStatus.CONTRACTING, RoundStatus.FINISHED}
    if funding_round.status not in published or funding_round.publicity_ends_on is None:
        reasons.append(str(MSG_REASON_NOT_PUBLISHED))
    elif timezone.localdate() <= funding_round.publicity_ends_on:
        reasons.append(str(MSG_REASON_PUBLICITY_RUNNING % {"date": funding_round.publicity_ends_on.isoformat()}))
    unanswered = Objection.objects.filter(funding_round=funding_round, answered_at__isnull=True).count()
    if unanswered:
        reasons.append(str(MSG_REASON_UNANSWERED % {"count": unanswered}))
    return reasons


@transaction.atomic
def round_contracting_start(*, actor, funding_round: FundingRound) -> FundingRound:
    """Move the round from publicity to contracting, refused while `agreements_may_be_signed` gives reasons."""
    _require(actor, Action.MANAGE, Resource.FUNDING_ROUND, funding_round)
    reasons = agreements_may_be_signed(funding_round)
    if reasons:
        raise ValidationError(reasons, code="agreements_not_yet")
    return round_transition(actor=actor, funding_round=funding_round, to=RoundStatus.CONTRACTING,
                            reason=_reason(gettext("公示期满，进入签约实施")))
