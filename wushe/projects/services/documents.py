"""Word and Excel files generated from what was entered (申报书, 实施方案, 项目报告, 结项报告, 专账), so nobody
types the same thing twice.

Each function returns the file's bytes. They read the models directly (the callers have already checked
that the viewer may see the project). Chinese text is set in 宋体 (headings 黑体) through the East-Asian
font slot (`w:eastAsia`), which is what Word uses to render CJK characters.
"""

from __future__ import annotations

import calendar
import datetime
import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from wushe.core.masking import mask_phone

from ..models import (
    ApplicantType,
    ContentCategory,
    PeriodicReport,
    Project,
    ProjectType,
    ScopeCategory,
)
from ..selectors.archive import (
    budget_summary,
    ledger_entries,
    outcome_summary,
    project_evaluations,
    project_reports,
    project_tranches,
)

BODY_FONT = "宋体"
BODY_FONT_LATIN = "Times New Roman"
HEADING_FONT = "黑体"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EMPTY = "—"


# Formatting helpers -------------------------------------------------------------------------------------


def money(value) -> str:
    if value is None or value == "":
        return EMPTY
    return f"{Decimal(value):,.2f}"


def day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else EMPTY


def _label(choices, value) -> str:
    if not value:
        return EMPTY
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _labels(choices, values) -> str:
    return "、".join(_label(choices, v) for v in values or []) or EMPTY


def _set_east_asian(rpr_parent, east_asian: str, latin: str = BODY_FONT_LATIN) -> None:
    """Set the Latin and East-Asian fonts on an element that owns a `w:rPr` (a style or a run)."""
    rpr = rpr_parent.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attribute), latin)
    fonts.set(qn("w:eastAsia"), east_asian)
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")


def new_document(title: str, subtitle: str = "") -> Document:
    document = Document()
    styles = document.styles
    # The document defaults, then every style we use, get the Chinese font.
    defaults = styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr_default = defaults.find(qn("w:rPrDefault"))
        if rpr_default is not None:
            rpr = rpr_default.find(qn("w:rPr"))
            if rpr is not None:
                fonts = rpr.find(qn("w:rFonts"))
                if fonts is None:
                    fonts = OxmlElement("w:rFonts")
                    rpr.insert(0, fonts)
                fonts.set(qn("w:eastAsia"), BODY_FONT)
                fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
    normal = styles["Normal"]
    normal.font.size = Pt(11)
    _set_east_asian(normal.element, BODY_FONT)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        _set_east_asian(styles[name].element, HEADING_FONT)
    for name in ("Table Grid", "List Bullet"):
        if name in [s.name for s in styles]:
            element = styles[name].element
            if hasattr(element, "get_or_add_rPr"):
                _set_east_asian(element, BODY_FONT)
    heading = document.add_heading(title, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if subtitle:
        paragraph = document.add_paragraph(subtitle)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return document


def _paragraphs(document, text: str) -> None:
    text = (text or "").strip()
    if not text:
        document.add_paragraph(EMPTY)
        return
    for line in text.splitlines():
        if line.strip():
            document.add_paragraph(line.strip())


def _section(document, heading: str, text: str, level: int = 2) -> None:
    document.add_heading(heading, level=level)
    _paragraphs(document, text)


def _table(document, header: list[str], rows: list[list], widths: list[float] | None = None):
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = "" if value is None else str(value)
    return table


def _key_values(document, pairs: list[tuple[str, object]]) -> None:
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for key, value in pairs:
        cells = table.add_row().cells
        cells[0].text = ""
        cells[0].paragraphs[0].add_run(str(key)).bold = True
        cells[1].text = EMPTY if value in (None, "") else str(value)


def _to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _pairing(project: Project) -> list[tuple[str, object]]:
    return [
        (_("实施组织（实施方）"), project.implementer or project.applicant),
        (_("主责社工"), project.lead_worker.name if project.lead_worker_id else EMPTY),
        (_("协调监督社区"), project.region),
    ]


def _budget_table(document, summary, *, with_spending: bool) -> None:
    if not summary.rows:
        document.add_paragraph(_("尚未填写预算科目。"))
        return
    if with_spending:
        header = [_("科目"), _("说明"), _("预算（元）"), _("调整（元）"), _("调整后预算（元）"), _("已支出（元）"),
                  _("结余（元）")]
        rows = [[r.label, r.description or EMPTY, money(r.planned), money(r.adjustment), money(r.amount),
                 money(r.spent), money(r.remaining)] for r in summary.rows]
        rows.append([_("合计"), "", money(summary.planned), money(summary.adjustment), money(summary.amount),
                     money(summary.spent), money(summary.remaining)])
    else:
        header = [_("科目"), _("说明"), _("金额（元）")]
        rows = [[r.label, r.description or EMPTY, money(r.amount)] for r in summary.rows]
        rows.append([_("合计"), "", money(summary.amount)])
    _table(document, header, rows)


def _volunteers(project: Project) -> list:
    return list(project.volunteers.filter(voided_at__isnull=True).order_by("volunteer_number"))


# 申报书 --------------------------------------------------------------------------------------------------


def application_docx(project: Project, *, show_identity: bool = False) -> bytes:
    """The application form (申报书) as entered: round, three-party pairing, the three indicators, every
    section and the budget lines. The contact phone is masked unless `show_identity`."""
    funding_round = project.funding_round
    document = new_document(_("项目申报书"), project.title)
    document.add_heading(_("一、基本信息"), level=1)
    phone = project.contact_phone if show_identity else mask_phone(project.contact_phone)
    _key_values(document, [
        (_("项目名称"), project.title),
        (_("资助轮次"), funding_round.title),
        (_("轮次类型"), funding_round.get_round_type_display()),
        (_("申报主体"), project.applicant),
        (_("申报主体类型"), _label(ApplicantType, project.applicant_type)),
        (_("项目负责人"), project.contact_name),
        (_("联系电话"), phone),
        (_("项目类型"), _label(ProjectType, project.project_type)),
        (_("申报范围"), _label(ScopeCategory, project.scope)),
        (_("申报内容"), _label(ContentCategory, project.content)),
        (_("申请金额（元）"), money(project.requested_amount)),
        (_("自筹金额（元）"), money(project.self_raised_amount)),
        (_("实施周期（月）"), project.duration_months),
        (_("计划起止"), f"{day(project.starts_on)} 至 {day(project.ends_on)}"),
    ])
    document.add_heading(_("二、三方联动"), level=1)
    _key_values(document, _pairing(project))
    document.add_heading(_("三、三项指标"), level=1)
    _section(document, _("1. 回应的社区需求"), project.need_statement)
    _section(document, _("2. 如何促进组织成长"), project.org_growth)
    _section(document, _("3. 如何提升社工专业能力"), project.worker_capacity)
    document.add_heading(_("四、项目内容"), level=1)
    for heading, text in [
        (_("项目概述"), project.summary),
        (_("项目目标"), project.objectives),
        (_("活动安排"), project.activities_plan),
        (_("服务对象"), project.beneficiaries),
        (_("志愿者参与"), project.volunteers_plan),
        (_("资源整合"), project.resources_plan),
        (_("可持续性"), project.sustainability),
        (_("其他资助来源"), project.other_funding),
    ]:
        _section(document, heading, text)
    if project.expected_beneficiaries is not None:
        document.add_paragraph(_("预计直接受益人数：%(n)s 人") % {"n": project.expected_beneficiaries})
    document.add_heading(_("五、预算"), level=1)
    _budget_table(document, budget_summary(project), with_spending=False)
    document.add_paragraph(_("生成时间：%(at)s（根据平台数据自动生成）") % {
        "at": timezone.localtime().strftime("%Y-%m-%d %H:%M")})
    return _to_bytes(document)


# 实施方案 ------------------------------------------------------------------------------------------------


def _add_months(value: datetime.date, months: int) -> datetime.date:
    month = value.month - 1 + months
    year = value.year + month // 12
    month = month % 12 + 1
    return datetime.date(year, month, min(value.day, calendar.monthrange(year, month)[1]))


def schedule_rows(project: Project) -> list[list[str]]:
    """A month-by-month schedule from the planned dates: start-up, service months, mid-term, closing."""
    if not project.starts_on:
        return []
    end = project.ends_on or _add_months(project.starts_on, project.duration_months or 6) - datetime.timedelta(1)
    months = []
    start = project.starts_on
    while start <= end and len(months) < 60:
        next_start = _add_months(project.starts_on, len(months) + 1)
        months.append((start, min(end, next_start - datetime.timedelta(days=1))))
        start = next_start
    middle = (len(months) - 1) // 2
    rows = []
    for index, (first, last) in enumerate(months):
        tasks = []
        if index == 0:
            tasks.append(_("项目启动：签订三方协议、首批资金拨付、招募与培训志愿者"))
        tasks.append(_("按活动安排开展服务，记录活动与受益人"))
        if index == middle and len(months) > 2:
            tasks.append(_("提交中期报告，接受中期评估"))
        if index == len(months) - 1:
            tasks.append(_("提交结项报告，接受终期评估与结项"))
        rows.append([str(index + 1), f"{day(first)} 至 {day(last)}", "；".join(tasks)])
    return rows


def implementation_plan_docx(project: Project) -> bytes:
    """The implementation plan (实施方案): objectives, activities, a schedule from the dates, budget lines,
    tranches and volunteers."""
    document = new_document(_("项目实施方案"), project.title)
    document.add_heading(_("一、项目概况"), level=1)
    _key_values(document, [
        (_("资助轮次"), project.funding_round.title),
        *_pairing(project),
        (_("批准金额（元）"), money(project.approved_amount or project.requested_amount)),
        (_("实施周期"), f"{day(project.starts_on)} 至 {day(project.ends_on)}"),
    ])
    _section(document, _("二、项目目标"), project.objectives, level=1)
    _section(document, _("三、活动安排"), project.activities_plan, level=1)
    _section(document, _("服务对象"), project.beneficiaries)
    document.add_heading(_("四、进度安排"), level=1)
    rows = schedule_rows(project)
    if rows:
        _table(document, [_("月份"), _("时间"), _("主要工作")], rows)
    else:
        document.add_paragraph(_("尚未填写计划起止日期。"))
    document.add_heading(_("五、预算"), level=1)
    _budget_table(document, budget_summary(project), with_spending=False)
    tranches = list(project_tranches(project))
    if tranches:
        document.add_heading(_("拨付计划"), level=2)
        _table(document, [_("批次"), _("比例（%）"), _("金额（元）"), _("拨付条件"), _("状态")],
               [[t.sequence, f"{t.percent:g}", money(t.amount), t.get_condition_display(), t.get_status_display()]
                for t in tranches])
    document.add_heading(_("六、志愿者与资源"), level=1)
    _paragraphs(document, project.volunteers_plan)
    volunteers = _volunteers(project)
    if volunteers:
        _table(document, [_("志愿者编号"), _("姓名")], [[v.volunteer_number, v.name] for v in volunteers])
    _section(document, _("资源整合"), project.resources_plan)
    _section(document, _("可持续性"), project.sustainability)
    return _to_bytes(document)


# 项目报告 ------------------------------------------------------------------------------------------------


def _report_figures(report: PeriodicReport) -> list[list]:
    return [
        [_("开展活动次数"), report.activities_held, _("次")],
        [_("直接受益人数（不重复人数）"), report.direct_beneficiaries, _("人")],
        [_("服务人次"), report.person_times, _("人次")],
        [_("间接受益人数（估算）"), report.indirect_beneficiaries, _("人")],
        [_("参与志愿者人数"), report.volunteers_involved, _("人")],
    ]


def report_docx(report: PeriodicReport) -> bytes:
    """One periodic report (月度/季度/中期/结项报告) as submitted."""
    project = report.project
    document = new_document(report.get_kind_display(), project.title)
    _key_values(document, [
        (_("报告期间"), f"{day(report.period_start)} 至 {day(report.period_end)}"),
        *_pairing(project),
        (_("提交时间"), timezone.localtime(report.submitted_at).strftime("%Y-%m-%d %H:%M")
         if report.submitted_at else _("未提交（草稿）")),
    ])
    document.add_heading(_("一、数据"), level=1)
    _table(document, [_("指标"), _("数量"), _("单位")], _report_figures(report))
    document.add_paragraph(_("注：间接受益人数为估算值。"))
    _section(document, _("二、进展与完成情况"), report.progress, level=1)
    _section(document, _("三、成效"), report.outcomes, level=1)
    _section(document, _("四、问题与改进"), report.problems, level=1)
    _section(document, _("五、下一步计划"), report.next_steps, level=1)
    return _to_bytes(document)


# 结项报告 ------------------------------------------------------------------------------------------------

MSG_INDIRECT_IS_ESTIMATE = _("间接受益人数为各期报告的估算值之和，仅供参考，不计入直接受益人数。")


def final_report_docx(project: Project) -> bytes:
    """The closing report (结项报告): outcome figures summed from the submitted reports, budget against
    spending by line, evaluations and the final grade."""
    outcomes = outcome_summary(project)
    summary = budget_summary(project)
    document = new_document(_("项目结项报告"), project.title)
    document.add_heading(_("一、项目概况"), level=1)
    _key_values(document, [
        (_("资助轮次"), project.funding_round.title),
        *_pairing(project),
        (_("项目类型"), _label(ProjectType, project.project_type)),
        (_("批准金额（元）"), money(project.approved_amount)),
        (_("实施周期"), f"{day(project.starts_on)} 至 {day(project.ends_on)}"),
        (_("项目状态"), project.get_status_display()),
    ])
    document.add_heading(_("二、项目成效"), level=1)
    document.add_paragraph(_("以下数字由 %(n)s 份已提交的项目报告汇总。") % {"n": outcomes.reports})
    _table(document, [_("指标"), _("数量"), _("单位")], [
        [_("开展活动次数"), outcomes.activities, _("次")],
        [_("直接受益人数（不重复人数）"), outcomes.direct_beneficiaries, _("人")],
        [_("服务人次"), outcomes.person_times, _("人次")],
        [_("间接受益人数（估算）"), outcomes.indirect_beneficiaries, _("人")],
        [_("参与志愿者（各期报告之和）"), outcomes.volunteers_involved, _("人次")],
        [_("登记参与本项目的志愿者"), outcomes.registered_volunteers, _("人")],
    ])
    document.add_paragraph(_("注：直接受益人数按人计（同一人多次接受服务只计一人），服务人次按次计；")
                           + str(MSG_INDIRECT_IS_ESTIMATE))
    reports = list(project_reports(project).filter(submitted_at__isnull=False))
    if reports:
        document.add_heading(_("各期报告"), level=2)
        _table(document, [_("报告"), _("期间"), _("活动"), _("受益人数"), _("人次")],
               [[r.get_kind_display(), f"{day(r.period_start)} 至 {day(r.period_end)}", r.activities_held,
                 r.direct_beneficiaries, r.person_times] for r in reports])
        outcomes_text = "\n".join(r.outcomes for r in reports if r.outcomes.strip())
        _section(document, _("主要成效"), outcomes_text)
    document.add_heading(_("三、预算执行"), level=1)
    _budget_table(document, summary, with_spending=True)
    tranches = list(project_tranches(project))
    if tranches:
        document.add_heading(_("资金拨付"), level=2)
        _table(document, [_("批次"), _("金额（元）"), _("状态"), _("拨付日期")],
               [[t.sequence, money(t.amount), t.get_status_display(), day(t.released_on)] for t in tranches])
    document.add_heading(_("四、评估"), level=1)
    evaluations = project_evaluations(project)
    if evaluations:
        _table(document, [_("阶段"), _("专家评分"), _("居民评分"), _("综合得分"), _("等级"), _("结论")],
               [[e.get_stage_display(), e.expert_score if e.expert_score is not None else EMPTY,
                 e.resident_score if e.resident_score is not None else EMPTY, e.score, e.grade or EMPTY,
                 _("通过") if e.passed else _("未通过")] for e in evaluations])
        for evaluation in evaluations:
            _section(document, _("%(stage)s结论") % {"stage": evaluation.get_stage_display()},
                     evaluation.conclusion, level=3)
    else:
        document.add_paragraph(_("尚无评估记录。"))
    document.add_paragraph(_("终期等级：%(grade)s") % {"grade": project.final_grade or EMPTY})
    return _to_bytes(document)


# 专账 (Excel) --------------------------------------------------------------------------------------------

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
MONEY_FORMAT = "#,##0.00"


def _sheet_header(sheet, title: str, project: Project, columns: list[tuple[str, int]]) -> int:
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("项目"), project.title])
    sheet.append([_("实施组织"), str(project.implementer or project.applicant)])
    sheet.append([])
    sheet.append([name for name, _width in columns])
    header_row = sheet.max_row
    for index, (_name, width) in enumerate(columns, start=1):
        cell = sheet.cell(row=header_row, column=index)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center")
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    return header_row


def ledger_xlsx(project: Project) -> bytes:
    """The dedicated ledger (专账): every expense, and each line's planned / adjusted / spent / remaining
    with totals (values, so any reader shows the numbers)."""
    workbook = Workbook()
    expenses_sheet = workbook.active
    expenses_sheet.title = _("支出明细")
    header_row = _sheet_header(expenses_sheet, _("项目专账 · 支出明细"), project, [
        (_("序号"), 6), (_("日期"), 12), (_("预算科目"), 18), (_("收款方"), 24), (_("用途"), 36),
        (_("金额（元）"), 14), (_("票据"), 8)])
    total = Decimal("0")
    for index, expense in enumerate(ledger_entries(project), start=1):
        expenses_sheet.append([index, expense.spent_on, expense.line.category, expense.payee, expense.description,
                               expense.amount, _("有") if expense.receipt else _("无")])
        row = expenses_sheet.max_row
        expenses_sheet.cell(row=row, column=2).number_format = "yyyy-mm-dd"
        expenses_sheet.cell(row=row, column=6).number_format = MONEY_FORMAT
        total += expense.amount
    expenses_sheet.append(["", "", "", "", _("合计"), total, ""])
    total_row = expenses_sheet.max_row
    expenses_sheet.cell(row=total_row, column=5).font = Font(bold=True)
    expenses_sheet.cell(row=total_row, column=6).font = Font(bold=True)
    expenses_sheet.cell(row=total_row, column=6).number_format = MONEY_FORMAT
    expenses_sheet.auto_filter.ref = f"A{header_row}:G{max(total_row - 1, header_row)}"

    lines_sheet = workbook.create_sheet(_("预算执行"))
    lines_header = _sheet_header(lines_sheet, _("项目专账 · 预算执行"), project, [
        (_("科目"), 18), (_("说明"), 30), (_("原预算（元）"), 14), (_("调整（元）"), 12),
        (_("调整后预算（元）"), 16), (_("已支出（元）"), 14), (_("结余（元）"), 14)])
    summary = budget_summary(project)
    for row in summary.rows:
        lines_sheet.append([row.label, row.description, row.planned, row.adjustment, row.amount, row.spent,
                            row.remaining])
    lines_sheet.append([_("合计"), "", summary.planned, summary.adjustment, summary.amount, summary.spent,
                        summary.remaining])
    lines_sheet.cell(row=lines_sheet.max_row, column=1).font = Font(bold=True)
    for row_cells in lines_sheet.iter_rows(min_row=lines_header + 1, min_col=3, max_col=7):
        for cell in row_cells:
            cell.number_format = MONEY_FORMAT
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
