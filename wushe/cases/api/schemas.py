"""Schemas of the case-work API. Narrative fields appear only in outputs of logged reads."""

from datetime import date, datetime
from uuid import UUID

from ninja import Schema

from ..services.referrals import referral_is_withdrawn


class ClientOut(Schema):
    public_id: UUID
    name: str
    age: int | None


class WorkerOut(Schema):
    public_id: UUID
    name: str
    role: str

    @staticmethod
    def resolve_public_id(obj):
        return obj.worker.public_id

    @staticmethod
    def resolve_name(obj):
        return obj.worker.name


class GoalOut(Schema):
    public_id: UUID
    description: str
    measure: str
    status: str
    status_display: str

    @staticmethod
    def resolve_status_display(obj):
        return str(obj.get_status_display())


class ReferralOut(Schema):
    public_id: UUID
    to_worker_id: UUID | None
    to_worker_name: str
    to_agency: str
    reason: str
    status: str
    referred_by: str
    created_at: datetime
    answered_at: datetime | None
    answer_note: str
    withdrawn: bool

    @staticmethod
    def resolve_withdrawn(obj):
        return referral_is_withdrawn(obj)

    @staticmethod
    def resolve_to_worker_id(obj):
        return obj.to_worker.public_id if obj.to_worker_id else None

    @staticmethod
    def resolve_to_worker_name(obj):
        return obj.to_worker.name if obj.to_worker_id else ""

    @staticmethod
    def resolve_referred_by(obj):
        return str(obj.referred_by)


class CaseListOut(Schema):
    public_id: UUID
    case_number: str
    status: str
    status_display: str
    client_display: str
    region_code: str
    region_name: str
    intake_on: date
    closed_on: date | None
    lead_worker: str
    has_pending_referral: bool = False
    has_report_due: bool = False

    @staticmethod
    def resolve_status_display(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_client_display(obj):
        from ..selectors import masked_name

        return masked_name(obj.client.name)

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_lead_worker(obj):
        return next((a.worker.name for a in obj.active_assignments if a.role == "lead"), "")


class CaseDetailOut(CaseListOut):
    client: ClientOut
    source: str
    referral_source: str
    voluntary: bool
    presenting_problem: str
    background: str
    consent_basis: str
    consent_recorded_on: date | None
    guardian_name: str
    guardian_relation: str
    risk_level: str
    suspected_minor_harm: bool
    not_accepted_reason: str
    closing_reason: str
    workers: list[WorkerOut]
    goals: list[GoalOut]
    next_steps: list[str]
    pending_referral: ReferralOut | None
    may_change: bool
    may_review: bool
    may_history: bool

    @staticmethod
    def resolve_workers(obj):
        return obj.active_assignments

    @staticmethod
    def resolve_goals(obj):
        return obj.goals_list


class RecordOut(Schema):
    public_id: UUID
    kind: str
    kind_display: str
    recorded_on: date
    author: str
    content: str
    supervisor_comment: str
    reviewed_by: str | None
    reviewed_at: datetime | None
    signed_off: bool

    @staticmethod
    def resolve_kind_display(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_author(obj):
        return str(obj.author)

    @staticmethod
    def resolve_reviewed_by(obj):
        return str(obj.reviewed_by) if obj.reviewed_by_id else None


class RecordStatusOut(Schema):
    """What a write returns: the record's identity and review state, not its content."""

    public_id: UUID
    kind: str
    recorded_on: date
    signed_off: bool
    case_status: str

    @staticmethod
    def resolve_case_status(obj):
        return obj.case.status


class IncomingReferralOut(Schema):
    public_id: UUID
    case_number: str
    region_code: str
    region_name: str
    referred_by: str
    created_at: datetime

    @staticmethod
    def resolve_case_number(obj):
        return obj.case.case_number

    @staticmethod
    def resolve_region_code(obj):
        return obj.case.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.case.region.name

    @staticmethod
    def resolve_referred_by(obj):
        return str(obj.referred_by)


class IncomingReferralDetailOut(IncomingReferralOut):
    client_display: str
    reason: str

    @staticmethod
    def resolve_client_display(obj):
        from ..selectors import masked_name

        return masked_name(obj.case.client.name)


class FollowUpOut(Schema):
    public_id: UUID
    due_on: date
    done_on: date | None
    record_id: UUID | None

    @staticmethod
    def resolve_record_id(obj):
        return obj.record.public_id if obj.record_id else None


class GrantOut(Schema):
    public_id: UUID
    user: str
    reason: str
    expires_on: date
    granted_by: str
    revoked_at: datetime | None

    @staticmethod
    def resolve_user(obj):
        return str(obj.user)

    @staticmethod
    def resolve_granted_by(obj):
        return str(obj.granted_by)


class ReportOut(Schema):
    public_id: UUID
    status: str
    concern: str
    flagged_by: str
    created_at: datetime
    authority: str
    reported_at: datetime | None
    receipt_reference: str
    outcome: str
    closed_at: datetime | None

    @staticmethod
    def resolve_flagged_by(obj):
        return str(obj.flagged_by)


class ReportStatusOut(Schema):
    public_id: UUID
    status: str
    authority: str
    reported_at: datetime | None
    receipt_reference: str
    closed_at: datetime | None


class ReadLogOut(Schema):
    case_number: str
    reader: str
    at: datetime
    what: str
    channel: str

    @staticmethod
    def resolve_case_number(obj):
        return obj.case.case_number

    @staticmethod
    def resolve_reader(obj):
        return str(obj.reader)


# Inputs -------------------------------------------------------------------------------------------------

class IntakeIn(Schema):
    client_id: UUID
    source: str
    voluntary: bool = True
    intake_on: date | None = None
    presenting_problem: str
    background: str = ""
    consent_basis: str
    consent_recorded_on: date | None = None
    guardian_name: str = ""
    guardian_relation: str = ""
    referral_source: str = ""
    risk_level: str = ""
    suspected_minor_harm: bool = False
    harm_concern: str = ""


class AdvanceIn(Schema):
    to_status: str
    content: str = ""
    recorded_on: date | None = None
    reason: str = ""
    closing_reason: str = ""
    goal_statuses: dict[str, str] = {}


class RecordIn(Schema):
    content: str
    recorded_on: date | None = None


class ReviewIn(Schema):
    comment: str = ""
    sign_off: bool = False


class GoalIn(Schema):
    description: str
    measure: str = ""


class GoalPatch(Schema):
    description: str | None = None
    measure: str | None = None
    status: str | None = None


class ReferralIn(Schema):
    to_worker_id: UUID | None = None
    to_agency: str = ""
    reason: str


class ReferralWithdrawIn(Schema):
    reason: str


class ReferralAnswerIn(Schema):
    accept: bool
    note: str = ""


class FollowUpIn(Schema):
    due_on: date


class FollowUpRecordIn(Schema):
    content: str
    done_on: date | None = None


class GrantIn(Schema):
    account: str
    reason: str
    expires_on: date


class HarmIn(Schema):
    concern: str


class ReportFileIn(Schema):
    authority: str
    reported_at: datetime | None = None
    receipt_reference: str = ""


class ReportCloseIn(Schema):
    outcome: str
