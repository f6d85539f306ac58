"""What is public (公示/信息公开), in one place. Every public page and public API endpoint reads through here.

The rule:
- rounds: every round that is not a draft and not voided;
- a round's decision list: once the round reaches publicity (公示) — the decided applications (approved or
  later, and not funded) with rank, scores and approved amount, by organization name;
- a project page: only projects that were approved (拟立项) or went further, not voided, in a public round;
- personal data: none beyond the names of organizations and of the lead social worker. No phones, ID
  numbers, contact persons, residents, volunteers, payees, receipts or free-text fields that could carry
  them; budget lines show category and totals only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import Http404

from ..models import FundingRound, Objection, Project, ProjectStatus, RoundStatus
from .archive import (
    BudgetSummary,
    OutcomeSummary,
    budget_summary,
    outcome_summary,
    project_evaluations,
    project_tranches,
)

P = ProjectStatus
R = RoundStatus

# Projects that have a public page: approved (during publicity) and everything after it.
PUBLIC_PROJECT_STATUSES = [P.APPROVED, P.CONTRACTED, P.IN_PROGRESS, P.MIDTERM_FAILED, P.FINAL_REVIEW, P.CLOSED,
                           P.ARCHIVED, P.TERMINATED]
# Applications shown (without a page) in a round's decision list.
DECIDED_STATUSES = [*PUBLIC_PROJECT_STATUSES, P.REJECTED]
# Round statuses from which the decision list is published.
DECISION_ROUND_STATUSES = [R.PUBLICITY, R.CONTRACTING, R.FINISHED]

PUBLIC_ROUNDS = ~Q(status=R.DRAFT) & Q(voided_at__isnull=True)
PUBLIC_PROJECTS = Q(status__in=PUBLIC_PROJECT_STATUSES, voided_at__isnull=True, funding_round__voided_at__isnull=True) \
    & ~Q(funding_round__status=R.DRAFT)


def _uuid(value) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise Http404 from exc


def public_rounds():
    """Rounds for the public index, newest first, with how many of their projects have a public page."""
    return (FundingRound.objects.filter(PUBLIC_ROUNDS).select_related("region")
            .annotate(public_projects=Count("projects", filter=Q(
                projects__status__in=PUBLIC_PROJECT_STATUSES, projects__voided_at__isnull=True)))
            .order_by("-opens_on", "-created_at", "-id"))


def public_round(public_id) -> FundingRound:
    funding_round = FundingRound.objects.filter(PUBLIC_ROUNDS).select_related("region").filter(
        public_id=_uuid(public_id)).first()
    if funding_round is None:
        raise Http404
    return funding_round


def decision_published(funding_round: FundingRound) -> bool:
    return funding_round.status in DECISION_ROUND_STATUSES


@dataclass
class DecisionRow:
    public_id: object
    title: str
    applicant: str
    implementer: str
    community: str
    rank: int | None
    expert_score: object
    resident_score: object
    total_score: object
    approved_amount: object
    approved: bool
    has_page: bool


def decision_list(funding_round: FundingRound) -> list[DecisionRow]:
    """The published decision list (one query); empty before publicity."""
    if not decision_published(funding_round):
        return []
    projects = (Project.objects.filter(funding_round=funding_round, status__in=DECIDED_STATUSES,
                                       voided_at__isnull=True)
                .select_related("applicant", "implementer", "region")
                .only("public_id", "title", "status", "rank", "expert_score", "resident_score", "total_score",
                      "approved_amount", "applicant__name", "implementer__name", "region__name"))
    rows = []
    for project in projects:
        approved = project.status != P.REJECTED
        rows.append(DecisionRow(
            public_id=project.public_id, title=project.title, applicant=project.applicant.name,
            implementer=project.implementer.name if project.implementer_id else project.applicant.name,
            community=project.region.name, rank=project.rank, expert_score=project.expert_score,
            resident_score=project.resident_score, total_score=project.total_score,
            approved_amount=project.approved_amount if approved else None, approved=approved, has_page=approved))
    rows.sort(key=lambda r: (not r.approved, r.rank is None, r.rank or 0, -(r.total_score or 0), r.title))
    return rows


def objection_counts(funding_round: FundingRound) -> dict:
    """How many objections were filed and answered (numbers only; who filed them is not public)."""
    return Objection.objects.filter(funding_round=funding_round).aggregate(
        filed=Count("id"), answered=Count("id", filter=~Q(answer="")))


def public_project(public_id) -> Project:
    project = (Project.objects.filter(PUBLIC_PROJECTS)
               .select_related("funding_round", "region", "applicant", "implementer", "lead_worker")
               .filter(public_id=_uuid(public_id)).first())
    if project is None:
        raise Http404
    return project


@dataclass
class Disclosure:
    """Everything a public project page shows, and nothing else."""

    project: Project
    budget: BudgetSummary
    tranches: list
    evaluations: list
    outcomes: OutcomeSummary

    @property
    def lead_worker_name(self) -> str:
        return self.project.lead_worker.name if self.project.lead_worker_id else ""

    @property
    def released_total(self):
        return sum((t.amount for t in self.tranches if t.status == "released"), 0)

    def chart_data(self) -> dict:
        return {
            "categories": [row.label for row in self.budget.rows],
            "planned": [float(row.amount) for row in self.budget.rows],
            "spent": [float(row.spent) for row in self.budget.rows],
            "remaining": [float(row.remaining) for row in self.budget.rows],
        }


def project_disclosure(project: Project) -> Disclosure:
    return Disclosure(project=project, budget=budget_summary(project), tranches=list(project_tranches(project)),
                      evaluations=project_evaluations(project), outcomes=outcome_summary(project))


def _labels(choices, values) -> str:
    labels = []
    for value in values or []:
        try:
            labels.append(str(choices(value).label))
        except ValueError:
            labels.append(str(value))
    return "、".join(labels)


def round_rules(funding_round: FundingRound) -> list[tuple[str, str]]:
    """The round's rules as (label, value) lines for the public summary."""
    from django.utils.translation import gettext as _

    from ..models import ApplicantType, ContentCategory, ProjectType, ScopeCategory, TrancheCondition

    yes, no = _("是"), _("否")
    r = funding_round
    rules = [
        (_("单个项目金额上限"), _("%(amount)s 元") % {"amount": f"{r.amount_cap:,.0f}"}),
        (_("实施周期上限"), _("%(months)s 个月") % {"months": r.duration_cap_months}),
    ]
    if r.total_budget is not None:
        rules.append((_("资金总额"), _("%(amount)s 元") % {"amount": f"{r.total_budget:,.0f}"}))
    for label, choices, values in [
        (_("申报主体"), ApplicantType, r.allowed_applicant_types),
        (_("申报范围"), ScopeCategory, r.scopes),
        (_("申报内容"), ContentCategory, r.contents),
        (_("项目类型"), ProjectType, r.project_types),
    ]:
        if values:
            rules.append((label, _labels(choices, values)))
    if r.self_raised_min_percent:
        rules.append((_("自筹比例不低于"), f"{r.self_raised_min_percent:g}%"))
    rules += [
        (_("每个组织限获一项资助"), yes if r.one_grant_per_org else no),
        (_("禁止重复资助"), yes if r.no_double_funding else no),
        (_("须由社区社会组织实施"), yes if r.require_community_org_implementer else no),
        (_("须由社工担任专业主责"), yes if r.require_social_worker_lead else no),
        (_("运营方可以申报"), yes if r.operator_may_apply else no),
        (_("违规禁入年限"), _("%(years)s 年") % {"years": r.breach_ban_years}),
        (_("评审权重"), _("专家 %(expert)s%%，居民 %(resident)s%%") % {"expert": r.expert_weight,
                                                                   "resident": r.resident_weight}),
    ]
    if r.grade_bands:
        bands = [f"{band.get('grade')} ≥ {band.get('min')}" for band in r.grade_bands if isinstance(band, dict)]
        rules.append((_("等级划分"), "，".join(bands)))
    if r.tranche_plan:
        parts = [f"{_labels(TrancheCondition, [step.get('condition')])} {step.get('percent')}%"
                 for step in r.tranche_plan if isinstance(step, dict)]
        rules.append((_("拨付计划"), "，".join(parts)))
    return rules
