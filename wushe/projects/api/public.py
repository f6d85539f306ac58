"""/api/v1/projects/public/…: the public disclosure (no authentication), read through
`selectors/public.py` so that it shows exactly what the public pages show."""

from datetime import date
from decimal import Decimal
from uuid import UUID

from ninja import Router, Schema
from ninja.pagination import paginate

from wushe.core.api import ErrorOut

from ..selectors import public as selectors

router = Router(tags=["projects"])
ERRORS = {404: ErrorOut}


class PublicRoundOut(Schema):
    public_id: UUID
    title: str
    round_type: str
    round_type_display: str
    status: str
    status_display: str
    region_name: str
    opens_on: date | None
    closes_on: date | None
    public_projects: int

    @staticmethod
    def resolve_round_type_display(obj):
        return str(obj.get_round_type_display())

    @staticmethod
    def resolve_status_display(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name


class RuleOut(Schema):
    label: str
    value: str


class DecisionOut(Schema):
    public_id: UUID | None
    title: str
    applicant: str
    implementer: str
    community: str
    rank: int | None
    expert_score: Decimal | None
    resident_score: Decimal | None
    total_score: Decimal | None
    approved_amount: Decimal | None
    approved: bool


class ObjectionCountsOut(Schema):
    filed: int
    answered: int


class PublicRoundDetailOut(Schema):
    public_id: UUID
    title: str
    round_type: str
    round_type_display: str
    status: str
    status_display: str
    region_name: str
    description: str
    opens_on: date | None
    closes_on: date | None
    publicity_starts_on: date | None
    publicity_ends_on: date | None
    publicity_days: int
    rules: list[RuleOut]
    decisions_published: bool
    decisions: list[DecisionOut]
    objections: ObjectionCountsOut | None


class BudgetLineOut(Schema):
    category: str
    self_raised: bool
    amount: Decimal
    adjustment: Decimal
    spent: Decimal
    remaining: Decimal


class TrancheOut(Schema):
    sequence: int
    percent: Decimal
    amount: Decimal
    condition: str
    status: str
    released_on: date | None


class EvaluationOut(Schema):
    stage: str
    stage_display: str
    expert_score: Decimal | None
    resident_score: Decimal | None
    score: Decimal
    grade: str
    passed: bool


class OutcomesOut(Schema):
    reports: int
    activities: int
    direct_beneficiaries: int
    person_times: int
    indirect_beneficiaries_estimate: int


class PublicProjectOut(Schema):
    public_id: UUID
    title: str
    status: str
    status_display: str
    round_public_id: UUID
    round_title: str
    applicant: str
    implementer: str
    lead_worker_name: str
    community: str
    project_type: str
    project_type_display: str
    approved_amount: Decimal | None
    starts_on: date | None
    ends_on: date | None
    final_grade: str
    budget_total: Decimal
    spent_total: Decimal
    remaining_total: Decimal
    budget_lines: list[BudgetLineOut]
    tranches: list[TrancheOut]
    evaluations: list[EvaluationOut]
    outcomes: OutcomesOut


@router.get("/rounds", response=list[PublicRoundOut], auth=None, summary="Public: funding rounds (not drafts)")
@paginate
def public_rounds(request):
    return selectors.public_rounds()


@router.get("/rounds/{uuid:round_id}", response={200: PublicRoundDetailOut, **ERRORS}, auth=None,
            summary="Public: a round's rules and, from publicity on, its decision list")
def public_round(request, round_id: UUID):
    funding_round = selectors.public_round(round_id)
    published = selectors.decision_published(funding_round)
    return {
        "public_id": funding_round.public_id, "title": funding_round.title,
        "round_type": funding_round.round_type, "round_type_display": str(funding_round.get_round_type_display()),
        "status": funding_round.status, "status_display": str(funding_round.get_status_display()),
        "region_name": funding_round.region.name, "description": funding_round.description,
        "opens_on": funding_round.opens_on, "closes_on": funding_round.closes_on,
        "publicity_starts_on": funding_round.publicity_starts_on,
        "publicity_ends_on": funding_round.publicity_ends_on, "publicity_days": funding_round.publicity_days,
        "rules": [{"label": label, "value": value} for label, value in selectors.round_rules(funding_round)],
        "decisions_published": published,
        "decisions": [{**row.__dict__, "public_id": row.public_id if row.has_page else None}
                      for row in selectors.decision_list(funding_round)],
        "objections": selectors.objection_counts(funding_round) if published else None,
    }


@router.get("/projects/{uuid:project_id}", response={200: PublicProjectOut, **ERRORS}, auth=None,
            summary="Public: an approved project's disclosure (no personal data beyond organization and lead names)")
def public_project(request, project_id: UUID):
    project = selectors.public_project(project_id)
    disclosure = selectors.project_disclosure(project)
    budget, outcomes = disclosure.budget, disclosure.outcomes
    return {
        "public_id": project.public_id, "title": project.title, "status": project.status,
        "status_display": str(project.get_status_display()),
        "round_public_id": project.funding_round.public_id, "round_title": project.funding_round.title,
        "applicant": project.applicant.name,
        "implementer": project.implementer.name if project.implementer_id else project.applicant.name,
        "lead_worker_name": disclosure.lead_worker_name, "community": project.region.name,
        "project_type": project.project_type, "project_type_display": str(project.get_project_type_display()),
        "approved_amount": project.approved_amount, "starts_on": project.starts_on, "ends_on": project.ends_on,
        "final_grade": project.final_grade,
        "budget_total": budget.amount, "spent_total": budget.spent, "remaining_total": budget.remaining,
        "budget_lines": [{"category": r.category, "self_raised": r.self_raised, "amount": r.amount, "adjustment": r.adjustment, "spent": r.spent,
                          "remaining": r.remaining} for r in budget.rows],
        "tranches": [{"sequence": t.sequence, "percent": t.percent, "amount": t.amount, "condition": t.condition,
                      "status": t.status, "released_on": t.released_on} for t in disclosure.tranches],
        "evaluations": [{"stage": e.stage, "stage_display": str(e.get_stage_display()), "expert_score": e.expert_score,
                         "resident_score": e.resident_score, "score": e.score, "grade": e.grade, "passed": e.passed}
                        for e in disclosure.evaluations],
        "outcomes": {"reports": outcomes.reports, "activities": outcomes.activities,
                     "direct_beneficiaries": outcomes.direct_beneficiaries, "person_times": outcomes.person_times,
                     "indirect_beneficiaries_estimate": outcomes.indirect_beneficiaries},
    }
