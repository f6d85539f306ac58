"""Schemas of the group-work API (input parsing and output shapes only)."""

from datetime import date, datetime
from uuid import UUID

from ninja import Schema

from ..models import GroupKind
from ..selectors import groups as selectors


class GroupOut(Schema):
    public_id: UUID
    title: str
    group_kind: str
    group_kind_display: str
    stage: str
    stage_display: str
    status: str
    region_code: str
    region_name: str
    organization_id: UUID | None
    organization_name: str
    lead_worker_id: UUID | None
    place: str
    starts_at: datetime
    ends_at: datetime
    goals: str
    target_description: str
    planned_sessions: int
    max_members: int | None
    evaluation: str
    member_count: int = 0
    session_count: int = 0
    recorded_count: int = 0

    @staticmethod
    def resolve_public_id(obj):
        return obj.activity.public_id

    @staticmethod
    def resolve_title(obj):
        return obj.activity.title

    @staticmethod
    def resolve_group_kind_display(obj):
        return str(obj.get_group_kind_display())

    @staticmethod
    def resolve_stage_display(obj):
        return str(obj.get_stage_display())

    @staticmethod
    def resolve_status(obj):
        return obj.activity.status

    @staticmethod
    def resolve_region_code(obj):
        return obj.activity.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.activity.region.name

    @staticmethod
    def resolve_organization_id(obj):
        return obj.activity.organization.public_id if obj.activity.organization_id else None

    @staticmethod
    def resolve_organization_name(obj):
        return obj.activity.organization.name if obj.activity.organization_id else ""

    @staticmethod
    def resolve_lead_worker_id(obj):
        return obj.activity.lead_worker.public_id if obj.activity.lead_worker_id else None

    @staticmethod
    def resolve_place(obj):
        return obj.activity.place

    @staticmethod
    def resolve_starts_at(obj):
        return obj.activity.starts_at

    @staticmethod
    def resolve_ends_at(obj):
        return obj.activity.ends_at


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    note: str
    changed_at: datetime
    changed_by: str
    is_correction: bool = False

    @staticmethod
    def resolve_changed_by(obj):
        return str(obj.changed_by)


class MemberOut(Schema):
    public_id: UUID
    resident_id: UUID | None
    name: str
    phone: str
    joined_on: date
    left_on: date | None
    left_reason: str

    @staticmethod
    def resolve_resident_id(obj):
        return obj.resident.public_id if getattr(obj, "resident_visible", False) else None

    @staticmethod
    def resolve_name(obj):
        return obj.resident.name

    @staticmethod
    def resolve_phone(obj):
        return getattr(obj, "phone_display", "")


class SessionOut(Schema):
    public_id: UUID
    sequence: int
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    status: str = ""
    person_times: int = 0
    goals: str
    content: str
    observations: str
    reflection: str
    recorded_at: datetime | None
    recorded_by: str

    @staticmethod
    def resolve_status(obj):
        return getattr(obj, "status", "")

    @staticmethod
    def resolve_recorded_by(obj):
        return str(obj.recorded_by) if obj.recorded_by_id else ""


class GroupDetailOut(GroupOut):
    next_stage: str | None
    previous_stage: str | None
    stage_changes: list[StageChangeOut]
    members: list[MemberOut]
    sessions: list[SessionOut]

    @staticmethod
    def resolve_next_stage(obj):
        return selectors.next_stage(obj)

    @staticmethod
    def resolve_previous_stage(obj):
        return selectors.previous_stage(obj)

    @staticmethod
    def resolve_stage_changes(obj):
        return obj._detail["stage_changes"]

    @staticmethod
    def resolve_members(obj):
        return obj._detail["members"]

    @staticmethod
    def resolve_sessions(obj):
        return obj._detail["sessions"]


class GroupIn(Schema):
    title: str
    region: str
    place: str
    starts_at: datetime
    ends_at: datetime
    group_kind: GroupKind
    goals: str
    target_description: str = ""
    planned_sessions: int = 6
    max_members: int | None = None
    organization: UUID | None = None
    project: UUID | None = None
    lead_worker: UUID | None = None


class GroupPatch(Schema):
    title: str | None = None
    place: str | None = None
    group_kind: GroupKind | None = None
    goals: str | None = None
    target_description: str | None = None
    planned_sessions: int | None = None
    max_members: int | None = None
    evaluation: str | None = None
    organization: UUID | None = None
    project: UUID | None = None
    lead_worker: UUID | None = None


class StageIn(Schema):
    to_stage: str
    note: str = ""
    evaluation: str | None = None


class MemberIn(Schema):
    resident_id: UUID
    joined_on: date


class LeaveIn(Schema):
    left_on: date
    reason: str


class SessionIn(Schema):
    starts_at: datetime
    ends_at: datetime
    title: str = ""
    place: str = ""


class RecordIn(Schema):
    goals: str = ""
    content: str
    observations: str = ""
    reflection: str = ""


class AttendanceIn(Schema):
    present_member_ids: list[UUID]


class AttendanceOut(Schema):
    session_id: UUID
    present_member_ids: list[UUID]
    members_present: int
    person_times: int


class MatrixSessionOut(Schema):
    public_id: UUID
    sequence: int
    starts_at: datetime
    members_present: int
    person_times: int


class MatrixRowOut(Schema):
    member_id: UUID
    name: str
    left_on: date | None
    cells: list[str]
    attended: int
    eligible: int
    rate: int | None


class MatrixOut(Schema):
    sessions: list[MatrixSessionOut]
    rows: list[MatrixRowOut]
    person_times: int
