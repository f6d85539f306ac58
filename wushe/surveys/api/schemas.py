"""Schemas of the questionnaire endpoints (responses, analysis and needs keep theirs beside their routers)."""

import datetime
from uuid import UUID

from ninja import Schema

from wushe.core.api import ErrorDetail


class SurveyOut(Schema):
    public_id: UUID
    title: str
    status: str
    audience: str
    region: str
    region_name: str
    organization: UUID | None = None
    project: UUID | None = None
    owner: str
    form_id: str
    form_version: str
    allow_link: bool
    allow_anonymous: bool
    capture_group: bool
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None
    quota_by: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj) -> str:
        return obj.region.name

    @staticmethod
    def resolve_organization(obj):
        return obj.organization.public_id if obj.organization_id else None

    @staticmethod
    def resolve_project(obj):
        return obj.project.public_id if obj.project_id else None

    @staticmethod
    def resolve_owner(obj) -> str:
        return str(obj.owner)


class SurveyDetailOut(SurveyOut):
    description: str
    definition: dict
    submitted: int

    @staticmethod
    def resolve_submitted(obj, context) -> int:
        from wushe.surveys.selectors.surveys import submitted_count

        return submitted_count(context["request"].user, obj)


class SurveySettingsIn(Schema):
    title: str | None = None
    description: str | None = None
    audience: str | None = None
    organization: UUID | None = None
    project: UUID | None = None
    allow_link: bool | None = None
    allow_anonymous: bool | None = None
    capture_group: bool | None = None
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None
    quota_by: str | None = None


class SurveyCreateIn(Schema):
    region: str
    title: str = ""
    description: str = ""
    audience: str = "residents"
    organization: UUID | None = None
    project: UUID | None = None
    allow_link: bool = True
    allow_anonymous: bool = True
    capture_group: bool = True
    opens_on: datetime.date | None = None
    closes_on: datetime.date | None = None
    quota_by: str = ""


class ProblemOut(Schema):
    sheet: str
    row: int | None = None
    column: str
    message: str


class FormCheckOut(Schema):
    ok: bool
    title: str
    questions: int
    errors: list[ProblemOut]
    warnings: list[ProblemOut]


class FormRejectedDetail(ErrorDetail):
    problems: list[ProblemOut] = []


class FormRejectedOut(Schema):
    error: FormRejectedDetail


class TransitionIn(Schema):
    transition: str


class ReasonIn(Schema):
    reason: str


class QuotaIn(Schema):
    community: str | None = None  # region code, when the survey's quotas are by community
    group: str | None = None  # population group code, when by group
    target: int


class QuotasIn(Schema):
    quotas: list[QuotaIn]


class QuotaOut(Schema):
    label: str
    community: str | None = None
    group: str | None = None
    target: int
    count: int
    percent: float
    full: bool


class LinkOut(Schema):
    url: str
