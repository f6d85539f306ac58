"""Word and Excel files generated from the data: they open, and contain what was entered."""

import datetime
import io
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from wushe.projects.models import PeriodicReport, ProjectStatus
from wushe.projects.services import documents

from .factories import make_project
from .test_archive_services import EXPENSES, LEDGER_TOTAL, SUMS, filled_project

pytestmark = pytest.mark.django_db


def docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def docx_table_rows(content: bytes) -> list[list[str]]:
    document = Document(io.BytesIO(content))
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def test_application_contains_round_pairing_indicators_sections_and_budget(world):
    project = filled_project(world, resources_plan="联系辖区卫生服务站提供健康讲座。",
                             sustainability="项目结束后由助老服务队继续运转。")
    text = docx_text(documents.application_docx(project))
    for expected in [
        project.title, project.funding_round.title, "社区公益金微小项目",
        "将台银龄互助队", "李社工", "将台社区",  # three-party pairing
        "社区高龄独居老人缺少日常陪伴与照看。",  # indicator 1: the need
        "由居民骨干承担项目管理，建立探访记录与财务制度。",  # indicator 2: organization growth
        "主责社工练习优势视角与资源整合，逐步从台前退到支持者位置。",  # indicator 3: worker capacity
        "半年内每周探访30位高龄老人。", "每周探访；每月一次骨干志愿者分享会。", "联系辖区卫生服务站提供健康讲座。",
        "项目结束后由助老服务队继续运转。",
        "活动物料", "志愿者保险与交通", "宣传印刷", "3,000.00", "8,500.00",  # lines and total (incl. +500)
        "8,000.00", "800.00",  # requested and self-raised amounts
    ]:
        assert expected in text, expected
    assert "13912345678" not in text and "139****5678" in text
    assert "13912345678" in docx_text(documents.application_docx(project, show_identity=True))


def test_application_without_budget_says_so(world):
    project = make_project(world)
    assert "尚未填写预算科目。" in docx_text(documents.application_docx(project))


def test_docx_sets_chinese_east_asian_font(world):
    content = documents.application_docx(make_project(world))
    document = Document(io.BytesIO(content))
    fonts = document.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "宋体"
    heading = document.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert heading.get(qn("w:eastAsia")) == "黑体"
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert defaults.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "宋体"


def test_implementation_plan_has_objectives_schedule_budget_tranches_and_volunteers(world):
    project = filled_project(world)
    content = documents.implementation_plan_docx(project)
    text = docx_text(content)
    for expected in ["半年内每周探访30位高龄老人。", "每周探访；每月一次骨干志愿者分享会。", "活动物料",
                     "王志愿", "V110105001001", "签约后", "中期评估通过后"]:
        assert expected in text, expected
    schedule = [row for row in docx_table_rows(content) if row and row[0].isdigit() and "至" in row[1]]
    assert len(schedule) == 6  # 2026-03-01 … 2026-08-31
    assert schedule[0][1] == "2026-03-01 至 2026-03-31" and schedule[-1][1] == "2026-08-01 至 2026-08-31"
    assert "项目启动" in schedule[0][2] and "中期" in schedule[2][2] and "结项" in schedule[-1][2]


def test_schedule_handles_month_ends(world):
    project = make_project(world, starts_on=datetime.date(2026, 1, 31), ends_on=datetime.date(2026, 3, 30))
    rows = documents.schedule_rows(project)
    assert [row[1] for row in rows] == ["2026-01-31 至 2026-02-27", "2026-02-28 至 2026-03-30"]
    assert documents.schedule_rows(make_project(world, starts_on=None)) == []


def test_periodic_report_docx(world):
    project = filled_project(world)
    report = PeriodicReport.objects.filter(project=project, submitted_at__isnull=False).first()
    content = documents.report_docx(report)
    text = docx_text(content)
    assert "季度报告" in text and "第1季度完成探访。" in text and "第1季度老人孤独感下降。" in text
    figures = {row[0]: row[1] for row in docx_table_rows(content) if len(row) == 3}
    assert figures["直接受益人数（不重复人数）"] == "30" and figures["服务人次"] == "120"
    assert "间接受益人数为估算值" in text


def test_final_report_sums_outcomes_and_keeps_unique_persons_and_person_times_apart(world):
    project = filled_project(world)
    content = documents.final_report_docx(project)
    text = docx_text(content)
    figures = {row[0]: row[1] for row in docx_table_rows(content) if len(row) == 3}
    assert figures["开展活动次数"] == str(SUMS["activities"])
    assert figures["直接受益人数（不重复人数）"] == str(SUMS["direct"])
    assert figures["服务人次"] == str(SUMS["person_times"])
    assert figures["间接受益人数（估算）"] == str(SUMS["indirect"])
    assert figures["参与志愿者（各期报告之和）"] == str(SUMS["volunteers"])
    assert figures["登记参与本项目的志愿者"] == "1"
    assert str(documents.MSG_INDIRECT_IS_ESTIMATE) in text
    assert "9000" not in text  # the draft report does not count
    assert "2 份已提交的项目报告" in text


def test_final_report_budget_against_spending_evaluations_and_grade(world):
    project = filled_project(world)
    content = documents.final_report_docx(project)
    rows = {row[0]: row for row in docx_table_rows(content) if len(row) == 7}
    assert rows["活动物料"][2:] == ["3,000.00", "0.00", "3,000.00", "1,550.50", "1,449.50"]
    assert rows["志愿者保险与交通"][2:] == ["2,000.00", "500.00", "2,500.00", "800.00", "1,700.00"]
    assert rows["合计"][2:] == ["8,000.00", "500.00", "8,500.00", "2,350.50", "6,149.50"]
    evaluations = {row[0]: row for row in docx_table_rows(content) if len(row) == 6}
    assert evaluations["中期评估"][4:] == ["B", "通过"] and evaluations["终期评估"][3:] == ["90.10", "A", "通过"]
    text = docx_text(content)
    assert "终期等级：A" in text and "目标全部达成。" in text


def test_ledger_xlsx_has_expenses_lines_and_correct_totals(world):
    project = filled_project(world)
    workbook = load_workbook(io.BytesIO(documents.ledger_xlsx(project)))
    assert workbook.sheetnames == ["支出明细", "预算执行"]
    expenses = [row for row in workbook["支出明细"].iter_rows(min_row=6, values_only=True) if row[0]]
    assert [(row[2], row[3], row[4], Decimal(str(row[5]))) for row in expenses] == [
        ("活动物料", "北京将台印刷有限公司", "探访登记册印制", Decimal("1200")),
        ("活动物料", "孙小明", "志愿者慰问品", Decimal("350.5")),
        ("志愿者保险与交通", "某保险股份有限公司", "志愿者意外险", Decimal("800")),
    ]
    assert len(expenses) == len(EXPENSES)  # the voided entry is not in the ledger
    assert expenses[0][1].date() == datetime.date(2026, 4, 1)
    total_row = [row for row in workbook["支出明细"].iter_rows(values_only=True) if row[4] == "合计"][0]
    assert Decimal(str(total_row[5])) == LEDGER_TOTAL
    lines = {row[0]: row for row in workbook["预算执行"].iter_rows(min_row=6, values_only=True) if row[0]}
    assert [Decimal(str(v)) for v in lines["志愿者保险与交通"][2:]] == [
        Decimal("2000"), Decimal("500"), Decimal("2500"), Decimal("800"), Decimal("1700")]
    assert [Decimal(str(v)) for v in lines["合计"][2:]] == [
        Decimal("8000"), Decimal("500"), Decimal("8500"), LEDGER_TOTAL, Decimal("8500") - LEDGER_TOTAL]


def test_ledger_of_a_project_without_entries(world):
    project = make_project(world, status=ProjectStatus.CONTRACTED)
    workbook = load_workbook(io.BytesIO(documents.ledger_xlsx(project)))
    total_row = [row for row in workbook["支出明细"].iter_rows(values_only=True) if row[4] == "合计"][0]
    assert total_row[5] == 0
