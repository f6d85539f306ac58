"""The Excel export: sheets, headers, values, repeats, identity by role, the audit event."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import load_workbook

from wushe.audit.models import AuditEvent
from wushe.surveys.models import CollectionMode, ResponseStatus, SurveyResponse
from wushe.surveys.selectors.analysis import AnalysisFilters
from wushe.surveys.services.export import survey_export
from wushe.surveys.services.values import refresh_values
from wushe.surveys.tests.factories import make_survey

from .test_analysis_selectors import generate

ANSWERS = {"nickname": "老张", "age": 72, "income": 2500.5, "moved_in": "2010-05-01", "lives_alone": "yes",
           "helper": "张女儿", "needs": ["meals", "company"], "chronic": "no", "age_months": 864,
           "kids": [{"kid_name": "大女儿", "kid_age": 45}, {"kid_name": "小儿子"}]}


@pytest.fixture
def survey(world):
    survey = make_survey(world, region=world.community)
    response = SurveyResponse.objects.create(
        survey=survey, region=world.community, mode=CollectionMode.INTERVIEW, status=ResponseStatus.SUBMITTED,
        respondent=world.objects["resident"], answers=ANSWERS, submitted_at=timezone.now())
    refresh_values(response)
    draft = SurveyResponse.objects.create(survey=survey, region=world.community, mode=CollectionMode.SELF,
                                          answers={"nickname": "草稿"})
    refresh_values(draft)
    survey.response = response
    return survey


def _export(user, survey, filters=None):
    buffer = io.BytesIO()
    count = survey_export(actor=user, survey=survey, filters=filters, fileobj=buffer)
    buffer.seek(0)
    return count, load_workbook(buffer)


def _rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_main_sheet_has_one_row_per_submitted_response_with_labels(world, survey):
    count, book = _export(world.users["community_staff"], survey)
    assert count == 1
    assert book.sheetnames == ["答卷", "子女", "说明"]
    header, row = _rows(book["答卷"])
    assert header[:6] == ["答卷编号", "提交时间", "社区", "人群类别", "填写方式", "受访者"]
    assert header[6:] == ["称呼", "年龄", "月收入（元）", "入住日期", "是否独居", "紧急联系人", "需要哪些服务",
                          "需要哪些服务：助餐", "需要哪些服务：助医", "需要哪些服务：陪伴", "是否有慢性病",
                          "age_months"]
    values = dict(zip(header, row, strict=True))
    assert values["答卷编号"] == str(survey.response.public_id)
    assert values["社区"] == "将台社区" and values["填写方式"] == "访员代填" and values["受访者"] == "赵居民"
    assert values["是否独居"] == "是" and values["需要哪些服务"] == "助餐；陪伴"
    assert [values["需要哪些服务：助餐"], values["需要哪些服务：助医"], values["需要哪些服务：陪伴"]] == [1, 0, 1]
    assert values["年龄"] == 72 and values["月收入（元）"] == 2500.5 and values["age_months"] == 864
    assert values["入住日期"].date().isoformat() == "2010-05-01"


def test_repeat_sheet_has_one_row_per_instance(world, survey):
    _count, book = _export(world.users["community_staff"], survey)
    rows = _rows(book["子女"])
    assert rows[0] == ["答卷编号", "第几项", "子女称呼", "子女年龄"]
    response_id = str(survey.response.public_id)
    assert rows[1:] == [[response_id, 1, "大女儿", 45], [response_id, 2, "小儿子", None]]


def test_notes_sheet_names_survey_version_time_and_filters(world, survey):
    _count, book = _export(world.users["community_staff"], survey, AnalysisFilters(community=world.community))
    notes = {row[0]: row[1] for row in _rows(book["说明"]) if row and row[0]}
    assert notes["问卷"] == survey.title and notes["表单版本"] == "2026120101"
    assert notes["导出时间"].startswith(timezone.localdate().isoformat())
    assert notes["社区"] == "将台社区" and notes["答卷数"] == 1


def test_respondent_names_only_for_those_who_may_see_identities(world, survey):
    # The street officer may export the community's survey but not see who answered.
    _count, book = _export(world.users["street_officer"], survey)
    header, row = _rows(book["答卷"])
    assert "受访者" not in header and "赵居民" not in row
    notes = {r[0]: r[1] for r in _rows(book["说明"]) if r and r[0]}
    assert notes["受访者身份"].startswith("未包含")


def test_export_is_audited(world, survey):
    _export(world.users["street_officer"], survey)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.actor == world.users["street_officer"] and event.target == f"survey:{survey.public_id}"
    assert event.detail["rows"] == 1 and event.detail["identity"] is False


def test_export_without_export_permission_is_refused(world):
    survey = make_survey(world, region=world.district)
    with pytest.raises(PermissionDenied):
        survey_export(actor=world.users["community_staff"], survey=survey, fileobj=io.BytesIO())
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.EXPORT).exists()


def test_export_leaves_out_drafts_and_voided_and_applies_filters(world):
    data = generate(world, seed=3, count=40)
    counted = data.counted()
    count, book = _export(world.users["street_officer"], data.survey)
    ids = {row[0] for row in _rows(book["答卷"])[1:]}
    assert count == len(counted) and ids == {str(r["response"].public_id) for r in counted}
    kids = _rows(book["子女"])[1:]
    assert len(kids) == sum(len(r["answers"].get("kids", [])) for r in counted)
    count, _book = _export(world.users["street_officer"], data.survey, AnalysisFilters(community=world.village))
    assert count == len(data.counted(region=world.village))
