"""Schemas of the activities API (input parsing and output shapes only)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from ninja import Schema


class ActivityOut(Schema):
    public_id: UUID
    title: str
    kind: str
    kind_display: str
    status: str
    status_display: str
    place: str
    starts_at: datetime
    ends_at: datetime
    region_code: str
    region_name: str
    organization_id: UUID | None
    organization_name: str
    project_id: UUID | None
    lead_worker_id: UUID | None
    capacity: int | None
    signup_deadline: datetime | None
    volunteers_needed: int
    is_risky: bool
    insurance_recorded: bool
    insurance_valid_until: date | None
    voided_at: datetime | None

    @staticmethod
    def resolve_kind_display(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_status_display(obj):
        return str(obj.get_status_display())

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_organization_id(obj):
        return obj.organization.public_id if obj.organization_id else None

    @staticmethod
    def resolve_organization_name(obj):
        return obj.organization.name if obj.organization_id else ""

    @staticmethod
    def resolve_project_id(obj):
        return obj.project.public_id if obj.project_id else None

    @staticmethod
    def resolve_lead_worker_id(obj):
        return obj.lead_worker.public_id if obj.lead_worker_id else None


class SessionOut(Schema):
    public_id: UUID
    sequence: int
    title: str
    place: str
    starts_at: datetime
    ends_at: datetime


class ActivityDetailOut(ActivityOut):
    description: str
    summary: str
    indirect_beneficiaries: int | None
    indirect_basis: str
    insurance_insurer: str
    insurance_policy_number: str
    sessions: list[SessionOut]

    @staticmethod
    def resolve_sessions(obj):
        return list(obj.sessions.active().order_by("sequence"))


class ActivityIn(Schema):
    title: str
    kind: str = "activity"
    region: str
    place: str
    starts_at: datetime
    ends_at: datetime
    description: str = ""
    organization: UUID | None = None
    project: UUID | None = None
    lead_worker: UUID | None = None
    capacity: int | None = None
    signup_deadline: datetime | None = None
    volunteers_needed: int = 0
    is_risky: bool = False
    insurance_insurer: str = ""
    insurance_policy_number: str = ""
    insurance_valid_until: date | None = None


class ActivityPatch(Schema):
    title: str | None = None
    place: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    description: str | None = None
    capacity: int | None = None
    signup_deadline: datetime | None = None
    volunteers_needed: int | None = None
    is_risky: bool | None = None
    insurance_insurer: str | None = None
    insurance_policy_number: str | None = None
    insurance_valid_until: date | None = None
    summary: str | None = None
    indirect_beneficiaries: int | None = None
    indirect_basis: str | None = None


class TransitionIn(Schema):
    transition: str  # open | close | complete | cancel
    reason: str = ""


class ReasonIn(Schema):
    reason: str


class SessionIn(Schema):
    starts_at: datetime
    ends_at: datetime
    title: str = ""
    place: str = ""


class RegistrationIn(Schema):
    """A resident (by public id) or a volunteer (by volunteer number, with a duty)."""

    resident: UUID | None = None
    volunteer_number: str = ""
    duty: str = ""


class RegistrationOut(Schema):
    public_id: UUID
    role: str
    status: str
    person_name: str
    duty: str

    @staticmethod
    def resolve_person_name(obj):
        return obj.volunteer.name if obj.volunteer_id else obj.resident.name


class HeadCountOut(Schema):
    persons: int
    person_times: int


class StatsOut(Schema):
    sessions: int
    participants: HeadCountOut
    volunteers: HeadCountOut
    pending_identities: int
    indirect_beneficiaries: int | None
    indirect_basis: str
    feedback_count: int
    average_satisfaction: Decimal | None
    volunteer_minutes: int


class FeedbackIn(Schema):
    satisfaction: int
    comment: str = ""
    paper: bool = False


class FeedbackOut(Schema):
    public_id: UUID
    satisfaction: int
    comment: str
    created_at: datetime


class QrOut(Schema):
    session_id: UUID
    url: str
    expires_at: datetime


class AttendanceOut(Schema):
    public_id: UUID
    session_id: UUID
    session_sequence: int
    role: str
    person_name: str
    phone: str
    match_status: str
    source: str
    signed_in_at: datetime | None
    signed_out_at: datetime | None
    service_minutes: int | None

    @staticmethod
    def resolve_session_id(obj):
        return obj.session.public_id

    @staticmethod
    def resolve_session_sequence(obj):
        return obj.session.sequence


class MarkIn(Schema):
    resident: UUID | None = None
    volunteer_number: str = ""
    signed_in_at: datetime | None = None
    signed_out_at: datetime | None = None
    source: str = "roster"


class BatchIn(Schema):
    lines: str = ""
    residents: list[UUID] = []


class ResolveIn(Schema):
    decision: str  # match | create | reject
    resident: UUID | None = None
    reason: str = ""


class SigninIn(Schema):
    token: str
    name: str = ""
    phone: str = ""
    volunteer_number: str = ""


class SigninOut(Schema):
    attendance_id: UUID
    created: bool
    pending: bool
    person_name: str
    signed_in_at: datetime | None
    signed_out_at: datetime | None


class SignoutIn(Schema):
    token: str
    attendance_id: UUID
