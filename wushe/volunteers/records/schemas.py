"""Schemas of /api/v1/services/volunteer-records/ (wushe.volunteers.api_records)."""

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from django.utils import timezone
from ninja import Schema

from wushe.core.masking import mask_id_number

from . import exports, selectors, services


class RecordOut(Schema):
    public_id: UUID
    activity_id: UUID
    activity_title: str
    session_sequence: int
    starts_at: datetime
    place: str
    organizer_unit: str
    signed_in_at: datetime | None
    signed_out_at: datetime | None
    service_minutes: int | None
    service_hours: Decimal | None
    service_content: str
    evaluation: str
    hours_status: str
    correction_pending: bool = False

    @staticmethod
    def resolve_activity_id(obj):
        return obj.session.activity.public_id

    @staticmethod
    def resolve_activity_title(obj):
        return obj.session.activity.title

    @staticmethod
    def resolve_session_sequence(obj):
        return obj.session.sequence

    @staticmethod
    def resolve_starts_at(obj):
        return obj.session.starts_at

    @staticmethod
    def resolve_place(obj):
        return obj.session.place or obj.session.activity.place

    @staticmethod
    def resolve_organizer_unit(obj):
        activity = obj.session.activity
        return activity.organization.name if activity.organization_id else activity.region.name

    @staticmethod
    def resolve_correction_pending(obj):
        return bool(getattr(obj, "has_pending", False))


class MyHoursOut(Schema):
    volunteer_number: str
    name: str
    total_minutes: int
    total_hours: Decimal
    records: list[RecordOut]


class ConfirmRowOut(Schema):
    public_id: UUID
    volunteer_number: str
    volunteer_name: str
    session_sequence: int
    signed_in_at: datetime | None
    signed_out_at: datetime | None
    service_minutes: int | None
    max_minutes: int
    hours_status: str
    hours_confirmed_at: datetime | None

    @staticmethod
    def resolve_volunteer_number(obj):
        return obj.volunteer.volunteer_number

    @staticmethod
    def resolve_volunteer_name(obj):
        return obj.volunteer.name

    @staticmethod
    def resolve_session_sequence(obj):
        return obj.session.sequence

    @staticmethod
    def resolve_max_minutes(obj):
        return services.max_minutes_for(obj)[0]


class ConfirmIn(Schema):
    attendance_ids: list[UUID] | None = None  # none: every unconfirmed volunteer row of the activity
    minutes: dict[str, int] = {}
    service_contents: dict[str, str] = {}
    evaluations: dict[str, str] = {}


class CorrectionOut(Schema):
    public_id: UUID
    attendance_id: UUID
    activity_title: str
    volunteer_number: str
    volunteer_name: str
    minutes_before: int | None
    requested_minutes: int
    reason: str
    status: str
    answer: str
    answered_at: datetime | None
    minutes_after: int | None
    created_at: datetime

    @staticmethod
    def resolve_attendance_id(obj):
        return obj.attendance.public_id

    @staticmethod
    def resolve_activity_title(obj):
        return obj.attendance.session.activity.title

    @staticmethod
    def resolve_volunteer_number(obj):
        return obj.volunteer.volunteer_number

    @staticmethod
    def resolve_volunteer_name(obj):
        return obj.volunteer.name


class CorrectionIn(Schema):
    requested_minutes: int
    reason: str


class AnswerIn(Schema):
    accept: bool
    answer: str = ""
    minutes: int | None = None


class ExtractOut(Schema):
    public_id: UUID
    number: str
    volunteer_number: str
    volunteer_name: str
    issuer_name: str
    period_start: date
    period_end: date
    total_minutes: int
    total_hours: Decimal
    issued_on: date
    handler_name: str
    voided: bool

    @staticmethod
    def resolve_volunteer_number(obj):
        return obj.volunteer.volunteer_number

    @staticmethod
    def resolve_volunteer_name(obj):
        return obj.volunteer.name

    @staticmethod
    def resolve_voided(obj):
        return obj.is_voided


class ExtractLineOut(Schema):
    date: date
    activity_title: str
    place: str
    service_content: str
    service_minutes: int


class ExtractDetailOut(ExtractOut):
    document_type: str
    id_number_masked: str
    person_in_charge: str
    contact: str
    service_summary: str
    region_code: str
    notice: str
    lines: list[ExtractLineOut] = []

    @staticmethod
    def resolve_document_type(obj):
        return obj.volunteer.get_document_type_display() if obj.volunteer.id_number else ""

    @staticmethod
    def resolve_id_number_masked(obj):
        return mask_id_number(obj.volunteer.id_number)

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_notice(obj):
        return str(exports.NOT_OFFICIAL)

    @staticmethod
    def resolve_lines(obj):
        return [{"date": timezone.localtime(line.session.starts_at).date(), "activity_title": line.session.activity.title,
                 "place": line.session.place or line.session.activity.place,
                 "service_content": line.service_content, "service_minutes": line.service_minutes or 0}
                for line in selectors.extract_lines(obj)]


class ExtractIn(Schema):
    volunteer_id: UUID
    issuer_organization_id: UUID | None = None
    issuer_region_code: str | None = None
    period_start: date
    period_end: date
    person_in_charge: str
    handler_name: str
    contact: str
    service_summary: str = ""


class VoidIn(Schema):
    reason: str


class VerifyOut(Schema):
    """What anyone may learn from an extract's number: no ID number, no phone."""

    number: str
    valid: bool
    voided_on: date | None
    volunteer_name: str
    volunteer_number: str
    total_hours: Decimal
    period_start: date
    period_end: date
    issuer_name: str
    issued_on: date
    notice: str
