"""The national export (志愿服务信息系统 批量导入) and the Word copy of an extract.

The column set is documented in docs/volunteer-export.md; change both together. This file is the only
place where full ID numbers leave the platform, so it needs `Action.EXPORT` on service records and every
export is written to the audit log.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from wushe.accounts.policy import Action, Resource, require
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record
from wushe.core.masking import mask_id_number

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = ("xlsx", "csv")
NOT_OFFICIAL = gettext_lazy("本证明为组织单位出具的志愿服务记录，非全国志愿服务信息系统出具的官方证明。")


def _local(value, pattern: str) -> str:
    return timezone.localtime(value).strftime(pattern) if value else ""


def _hours(minutes: int | None) -> Decimal:
    return (Decimal(minutes or 0) / 60).quantize(Decimal("0.01"))


def _start(row):
    return row.signed_in_at or row.session.starts_at


def _end(row):
    return row.signed_out_at or row.session.ends_at


def _user_name(user) -> str:
    if user is None:
        return ""
    return getattr(user, "display_name", "") or user.get_username()


def _unit_name(row) -> str:
    activity = row.session.activity
    return activity.organization.name if activity.organization_id else activity.region.name


@dataclass(frozen=True)
class Column:
    header: object
    width: int
    value: Callable


# The upload columns, in order (docs/volunteer-export.md).
COLUMNS: list[Column] = [
    Column(gettext_lazy("志愿者姓名"), 12, lambda r: r.volunteer.name),
    Column(gettext_lazy("证件类型"), 14, lambda r: r.volunteer.get_document_type_display()),
    Column(gettext_lazy("证件号码"), 22, lambda r: r.volunteer.id_number),
    Column(gettext_lazy("志愿者编号"), 20, lambda r: r.volunteer.volunteer_number),
    Column(gettext_lazy("活动名称"), 28, lambda r: r.session.activity.title),
    Column(gettext_lazy("服务日期"), 12, lambda r: _local(_start(r), "%Y-%m-%d")),
    Column(gettext_lazy("服务开始时间"), 18, lambda r: _local(_start(r), "%Y-%m-%d %H:%M")),
    Column(gettext_lazy("服务结束时间"), 18, lambda r: _local(_end(r), "%Y-%m-%d %H:%M")),
    Column(gettext_lazy("服务时长（小时）"), 14, lambda r: _hours(r.service_minutes)),
    Column(gettext_lazy("服务地点"), 24, lambda r: r.session.place or r.session.activity.place),
    Column(gettext_lazy("服务对象"), 18, lambda r: "、".join(g.name for g in r.session.activity.target_groups.all())),
    Column(gettext_lazy("服务内容"), 28, lambda r: r.service_content or r.session.activity.title),
    Column(gettext_lazy("服务评价"), 18, lambda r: r.evaluation),
    Column(gettext_lazy("活动负责人"), 12, lambda r: _user_name(r.session.activity.organizer)),
    Column(gettext_lazy("记录人"), 12, lambda r: _user_name(r.recorded_by or r.hours_confirmed_by)),
    Column(gettext_lazy("确认人"), 12, lambda r: _user_name(r.hours_confirmed_by)),
    Column(gettext_lazy("确认时间"), 18, lambda r: _local(r.hours_confirmed_at, "%Y-%m-%d %H:%M")),
    Column(gettext_lazy("组织单位"), 24, _unit_name),
    Column(gettext_lazy("活动所在区划代码"), 16, lambda r: r.session.activity.region.code),
    Column(gettext_lazy("记录编号"), 38, lambda r: str(r.public_id)),
]


def _values(row) -> list:
    return [column.value(row) for column in COLUMNS]


def write_xlsx(rows, fileobj, *, exported_by: str) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("志愿服务记录"))
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append(_values(row))
        count += 1
    info = workbook.create_sheet(_("说明"))
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 90
    info.append([_("导出内容"), _("志愿服务记录（供批量导入全国志愿服务信息系统）")])
    info.append([_("导出人"), exported_by])
    info.append([_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    info.append([_("记录数"), count])
    info.append([_("范围"), _("仅含组织者已确认的服务时长（实际服务时间，不含往返路途时间），且仅含导出人有权导出的组织单位的活动。")])
    info.append([_("格式"), _("列说明见平台文档 docs/volunteer-export.md；服务时长以小时计，保留两位小数。")])
    info.append([_("注意"), _("本文件含完整证件号码，仅用于上传全国志愿服务信息系统，请妥善保管，上传后及时删除，不得外传。")])
    workbook.save(fileobj)
    return count


def write_csv(rows, fileobj) -> int:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly."""
    text = io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([str(column.header) for column in COLUMNS])
    count = 0
    for row in rows:
        writer.writerow([str(value) for value in _values(row)])
        count += 1
    text.flush()
    text.detach()
    return count


def records_export(*, actor, rows, fileobj, file_format: str = "xlsx", filters: dict | None = None) -> int:
    """Write the national-upload file of `rows` (from `selectors.export_rows`) and audit it."""
    require(actor, Resource.SERVICE_RECORD, Action.EXPORT)
    if file_format not in FORMATS:
        raise ValueError(file_format)
    rows = rows.iterator(chunk_size=500)
    if file_format == "csv":
        count = write_csv(rows, fileobj)
    else:
        count = write_xlsx(rows, fileobj, exported_by=str(actor))
    audit_record(actor=actor, kind=AuditEvent.Kind.EXPORT, target="export:volunteer_records",
                 export_kind="volunteer_records", format=file_format, rows=count, identity=True,
                 filters={k: str(v) for k, v in (filters or {}).items() if v})
    return count


# The Word copy of an extract ----------------------------------------------------------------------------

def _font(run, size: float = 12, bold: bool = False, family: str = "宋体") -> None:
    run.font.size, run.font.bold, run.font.name = Pt(size), bold, family
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), family)


def _paragraph(document, text: str, *, size: float = 12, bold: bool = False, center: bool = False,
               family: str = "宋体"):
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run(text), size, bold, family)
    return paragraph


def extract_docx(extract, lines, *, verify_url: str) -> bytes:
    """The printable extract as .docx: the same content as the HTML print page (masked ID number)."""
    volunteer = extract.volunteer
    document = Document()
    _paragraph(document, _("志愿服务记录证明"), size=18, bold=True, center=True, family="黑体")
    _paragraph(document, _("（组织单位服务记录）"), size=12, center=True)
    _paragraph(document, str(NOT_OFFICIAL), size=10.5, bold=True, center=True)
    _paragraph(document, _("证明编号：%(number)s") % {"number": extract.number}, size=10.5)
    identity = (f"{volunteer.get_document_type_display()} {mask_id_number(volunteer.id_number)}"
                if volunteer.id_number else "—")
    body = _("兹证明 %(name)s（志愿者编号 %(number)s，%(identity)s）于 %(start)s 至 %(end)s 期间参加本单位组织的"
             "志愿服务活动，经确认的服务时长共计 %(hours)s 小时。服务内容：%(summary)s") % {
        "name": volunteer.name, "number": volunteer.volunteer_number, "identity": identity,
        "start": f"{extract.period_start:%Y-%m-%d}", "end": f"{extract.period_end:%Y-%m-%d}",
        "hours": extract.total_hours, "summary": extract.service_summary}
    _paragraph(document, body)
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, [_("日期"), _("活动名称"), _("地点"), _("服务内容"),
                                                 _("时长（小时）")], strict=True):
        cell.text = text
    for line in lines:
        cells = table.add_row().cells
        cells[0].text = _local(line.session.starts_at, "%Y-%m-%d")
        cells[1].text = line.session.activity.title
        cells[2].text = line.session.place or line.session.activity.place
        cells[3].text = line.service_content or "—"
        cells[4].text = str(line.service_hours)
    for label, value in ((_("出具单位"), extract.issuer_name), (_("单位负责人"), extract.person_in_charge),
                         (_("经办人"), extract.handler_name), (_("联系电话"), extract.contact),
                         (_("出具日期"), f"{extract.issued_on:%Y-%m-%d}")):
        _paragraph(document, f"{label}：{value}")
    _paragraph(document, _("（盖章）"))
    _paragraph(document, _("核验：在 %(url)s 输入证明编号可核验本证明的真伪与状态。") % {"url": verify_url}, size=10.5)
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
