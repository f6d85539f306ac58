"""/api/v1/surveys/{id}/analysis and export: the same selectors and service as the analysis pages.

Filters as query parameters: `community` (region code), `group` (population group code, or "none"),
`from` and `to` (submission dates, inclusive)."""

import datetime
import tempfile
from uuid import UUID

from django.http import FileResponse
from ninja import Field, Query, Router, Schema

from wushe.accounts.policy import Action
from wushe.core.api import ErrorOut

from ..selectors import analysis
from ..selectors.surveys import get_survey
from ..services.export import export_filename, survey_export

router = Router()

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class FiltersIn(Schema):
    community: str = ""
    group: str = ""
    submitted_from: datetime.date | None = Field(None, alias="from")
    submitted_to: datetime.date | None = Field(None, alias="to")


class OptionOut(Schema):
    name: str
    label: str
    count: int
    percent: float


class BinOut(Schema):
    low: float
    high: float
    label: str
    count: int
    percent: float


class TextOut(Schema):
    text: str
    submitted_at: datetime.datetime


class QuestionOut(Schema):
    name: str
    type: str
    kind: str = Field(description="select | numeric | date | text")
    label: str
    repeat: str | None = None
    unit: str = Field(description="respondents, or instances for questions inside a repeat")
    total: int = Field(description="submitted responses (or repeat instances) in the filter")
    n: int = Field(description="respondents (or instances) who answered")
    skipped: int
    skipped_percent: float
    multiple: bool | None = None
    options: list[OptionOut] | None = Field(None, description="percent of those who answered; "
                                                                    "select_multiple may add up to more than 100")
    percent_sum: float | None = None
    numbers: int | None = None
    mean: float | None = None
    median: float | None = None
    min: float | None = None
    max: float | None = None
    histogram: list[BinOut] | None = None
    earliest: str | None = None
    latest: str | None = None
    texts_visible: bool | None = None
    recent: list[TextOut] | None = Field(None, description="the latest text answers, only for those who may see "
                                                           "identities or change the survey")


class SummaryOut(Schema):
    survey: UUID
    responses: int
    filters: dict[str, str]
    questions: list[QuestionOut]


class ColumnOut(Schema):
    key: int | None
    label: str
    base: int


class CellOut(Schema):
    count: int
    percent: float


class RowOut(Schema):
    name: str
    label: str
    cells: list[CellOut]
    total: CellOut


class CrosstabQuestionOut(Schema):
    name: str
    label: str
    type: str
    multiple: bool
    repeat: str | None
    unit: str


class CrosstabOut(Schema):
    question: CrosstabQuestionOut
    by: str
    columns: list[ColumnOut]
    total_base: int
    rows: list[RowOut]
    filters: dict[str, str]


def _filters(survey, params: FiltersIn) -> analysis.AnalysisFilters:
    return analysis.parse_filters(survey, {"community": params.community, "group": params.group,
                                           "from": params.submitted_from, "to": params.submitted_to})


@router.get("/{uuid:survey_id}/analysis", response={200: SummaryOut, **ERRORS},
            summary="Frequencies and summaries per question (select_multiple: percent of respondents)")
def survey_summary(request, survey_id: UUID, filters: Query[FiltersIn]):
    survey = get_survey(request.user, survey_id)
    chosen = _filters(survey, filters)
    result = analysis.summary(request.user, survey, filters=chosen)
    return {"survey": survey.public_id, "responses": result["responses"], "filters": chosen.params(),
            "questions": result["questions"]}


@router.get("/{uuid:survey_id}/analysis/{question}", response={200: CrosstabOut, **ERRORS},
            summary="Cross-tab of a select question by community or population group (column percents)")
def survey_crosstab(request, survey_id: UUID, question: str, filters: Query[FiltersIn], by: str = "community"):
    survey = get_survey(request.user, survey_id)
    chosen = _filters(survey, filters)
    table = analysis.crosstab(request.user, survey, question, by=by, filters=chosen)
    return {**table, "filters": chosen.params()}


@router.get("/{uuid:survey_id}/export.xlsx", response={200: None, **ERRORS},
            summary="Submitted responses as .xlsx, repeats in their own sheets (audit-logged)")
def survey_export_xlsx(request, survey_id: UUID, filters: Query[FiltersIn]):
    survey = get_survey(request.user, survey_id, action=Action.EXPORT)
    spool = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    survey_export(actor=request.user, survey=survey, filters=_filters(survey, filters), fileobj=spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=export_filename(survey),
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
