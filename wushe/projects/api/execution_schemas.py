"""Schemas of the execution area's API (/api/v1/projects/{project}/…). They only parse and shape data."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.urls import reverse
from ninja import Schema

from ..models import EvaluationStage, PeriodicReport
from ..services import monitoring


def _user(obj, name: str) -> str:
    return str(getattr(obj, name)) if getattr(obj, f"{name}_id") else ""


# Schemas -----------------------------------------------------------------------------------------------


class AgreementIn(Schema):
    signed_on: date
    funder_name: str
    implementer_signatory: str
    worker_signatory: str
    community_signatory: str
    terms: str = ""


class AgreementOut(Schema):
    public_id: UUID
    signed_on: date
    funder_name: str
    implementer_signatory: str
    worker_signatory: str
    community_signatory: str
    terms: str
    file_url: str | None
    recorded_by: str

    @staticmethod
    def resolve_file_url(obj):
        return reverse("api-v1:projects_agreement_file", args=[obj.project.public_id]) if obj.file else None

    @staticmethod
    def resolve_recorded_by(obj):
        return _user(obj, "recorded_by")


class TrancheOut(Schema):
    public_id: UUID
    sequence: int
    percent: Decimal
    amount: Decimal
    condition: str
    condition_display: str
    status: str
    status_display: str
    released_on: date | None
    released_by: str
    note: str
    blocker: str | None = None

    @staticmethod
    def resolve_condition_display(obj):
        return str(obj.get_condition_display())

    @staticmethod
    def resolve_status_display(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_released_by(obj):
        return _user(obj, "released_by")


class ReleaseIn(Schema):
    released_on: date | None = None
    note: str = ""


class LineIn(Schema):
    category: str
    amount: Decimal
    description: str = ""
    self_raised: bool = False


class LineOut(Schema):
    public_id: UUID
    category: str
    description: str
    amount: Decimal
    spent: Decimal
    remaining: Decimal
    self_raised: bool
    voided_at: datetime | None
    void_reason: str


class ExpenseIn(Schema):
    line: UUID
    amount: Decimal
    payee: str
    spent_on: date
    description: str


class ExpenseOut(Schema):
    public_id: UUID
    line: UUID
    line_category: str
    amount: Decimal
    payee: str
    spent_on: date
    description: str
    receipt_url: str | None
    recorded_by: str
    created_at: datetime
    voided_at: datetime | None
    void_reason: str

    @staticmethod
    def resolve_line(obj):
        return obj.line.public_id

    @staticmethod
    def resolve_line_category(obj):
        return obj.line.category

    @staticmethod
    def resolve_receipt_url(obj):
        if not obj.receipt:
            return None
        return reverse("api-v1:projects_expense_receipt", args=[obj.project.public_id, obj.public_id])

    @staticmethod
    def resolve_recorded_by(obj):
        return _user(obj, "recorded_by")


class VoidIn(Schema):
    reason: str


class AdjustmentIn(Schema):
    line: UUID
    delta: Decimal
    reason: str


class TransferIn(Schema):
    from_line: UUID
    to_line: UUID
    amount: Decimal
    reason: str


class DecisionIn(Schema):
    approve: bool
    note: str = ""


class AdjustmentOut(Schema):
    public_id: UUID
    line: UUID
    line_category: str
    delta: Decimal
    reason: str
    transfer_group: UUID | None
    status: str
    status_display: str
    requested_by: str
    decided_by: str
    decided_at: datetime | None
    decision_note: str
    created_at: datetime

    @staticmethod
    def resolve_line(obj):
        return obj.line.public_id

    @staticmethod
    def resolve_line_category(obj):
        return obj.line.category

    @staticmethod
    def resolve_status_display(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_requested_by(obj):
        return _user(obj, "requested_by")

    @staticmethod
    def resolve_decided_by(obj):
        return _user(obj, "decided_by")


class VisitIn(Schema):
    visited_on: date
    method: str = ""
    findings: str
    recommendations: str
    response_due_on: date | None = None


class AnswerIn(Schema):
    response: str


class VisitOut(Schema):
    public_id: UUID
    project: UUID
    visited_on: date
    visitor: str
    method: str
    findings: str
    recommendations: str
    response_due_on: date | None
    response: str
    responded_by: str
    responded_at: datetime | None
    overdue: bool
    voided_at: datetime | None
    void_reason: str

    @staticmethod
    def resolve_project(obj):
        return obj.project.public_id

    @staticmethod
    def resolve_visitor(obj):
        return _user(obj, "visitor")

    @staticmethod
    def resolve_responded_by(obj):
        return _user(obj, "responded_by")

    @staticmethod
    def resolve_overdue(obj):
        return monitoring.visit_is_overdue(obj) and obj.voided_at is None


class ReportIn(Schema):
    kind: PeriodicReport.Kind
    period_start: date
    period_end: date
    progress: str
    outcomes: str = ""
    problems: str = ""
    next_steps: str = ""
    activities_held: int = 0
    direct_beneficiaries: int = 0
    person_times: int = 0
    indirect_beneficiaries: int = 0
    volunteers_involved: int = 0


class ReportPatch(Schema):
    kind: PeriodicReport.Kind | None = None
    period_start: date | None = None
    period_end: date | None = None
    progress: str | None = None
    outcomes: str | None = None
    problems: str | None = None
    next_steps: str | None = None
    activities_held: int | None = None
    direct_beneficiaries: int | None = None
    person_times: int | None = None
    indirect_beneficiaries: int | None = None
    volunteers_involved: int | None = None


class ReportOut(Schema):
    public_id: UUID
    kind: str
    kind_display: str
    period_start: date
    period_end: date
    progress: str
    outcomes: str
    problems: str
    next_steps: str
    activities_held: int
    direct_beneficiaries: int
    person_times: int
    indirect_beneficiaries: int
    volunteers_involved: int
    submitted_at: datetime | None
    submitted_by: str
    voided_at: datetime | None

    @staticmethod
    def resolve_kind_display(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_submitted_by(obj):
        return _user(obj, "submitted_by")


class EvaluationIn(Schema):
    stage: EvaluationStage
    expert_score: Decimal
    resident_score: Decimal | None = None
    conclusion: str


class EvaluationOut(Schema):
    public_id: UUID
    stage: str
    stage_display: str
    expert_score: Decimal | None
    resident_score: Decimal | None
    score: Decimal
    grade: str
    passed: bool
    conclusion: str
    decided_by: str
    decided_at: datetime | None

    @staticmethod
    def resolve_stage_display(obj):
        return str(obj.get_stage_display())

    @staticmethod
    def resolve_decided_by(obj):
        return _user(obj, "decided_by")


class CloseIn(Schema):
    note: str = ""


class TerminateIn(Schema):
    reason: str
    breach: bool = False


class ProjectStatusOut(Schema):
    public_id: UUID
    status: str
    status_display: str
    final_grade: str
    closed_at: datetime | None

    @staticmethod
    def resolve_status_display(obj):
        return str(obj.get_status_display())
