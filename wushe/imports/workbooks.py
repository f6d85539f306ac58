"""Excel files handed out by the app: import templates, error reports and registry exports.

Exports use the template's columns and headers, so an export re-imports cleanly (unless identity columns
were masked for the viewer, which its second sheet says)."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .kinds.base import CHOICE, Column, ImportSpec, cell_text, choice_labels

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_BOLD = Font(bold=True)
_REQUIRED = Font(bold=True, color="C00000")
_SAMPLE = Font(italic=True, color="808080")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def kind_label(spec: ImportSpec) -> str:
    from .models import ImportKind

    return str(ImportKind(spec.kind).label)


def header_text(column: Column) -> str:
    """Required columns carry a trailing * (the importer ignores it when reading headers back)."""
    return f"{column.header}*" if column.required else str(column.header)


def _to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _general_notes(spec: ImportSpec) -> list[str]:
    return [
        _("1. 第一行是表头，请勿修改或删除；带 * 的列必须填写；列的顺序可以调整，多余的列会被忽略。"),
        _("2. 第二行是示例（灰色斜体），导入前请删除；从第二行起每行填写一条记录。"),
        _("3. 所属区划一律填写12位统计用区划代码，并且必须在您的导入权限范围内。"),
        _("4. 全部行检查通过后才会写入；只要有一行有错，就不写入任何数据，并列出每一行的错误。"),
        _("5. 可以先勾选“试运行”只检查不写入；同一文件可以重复导入，不会产生重复记录。"),
        _("6. 导入会更新已有记录中填写了的列；留空的单元格不会清除已有数据。"),
        _("7. 也可以上传 CSV 文件（UTF-8 或 GBK 编码），表头与本模板相同。"),
        str(spec.matching_help),
    ]


def template_workbook(spec: ImportSpec) -> bytes:
    """The import template: headers, one sample row, dropdowns for enum columns, and an instructions sheet."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = kind_label(spec)[:31]
    sheet.append([header_text(c) for c in spec.columns])
    sheet.append([cell_text(spec.sample.get(c.field, "")) for c in spec.columns])
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index)
        header.font = _REQUIRED if column.required else _BOLD
        header.fill = _HEADER_FILL
        sheet.cell(row=2, column=index).font = _SAMPLE
        dimension = sheet.column_dimensions[letter]
        dimension.width = column.width
        if column.is_text_formatted:
            dimension.number_format = "@"
            sheet.cell(row=2, column=index).number_format = "@"
        if column.kind == CHOICE:
            options = ",".join(choice_labels(column.choices))
            if len(options) <= 250:
                validation = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True,
                                            showErrorMessage=False)
                validation.add(f"{letter}2:{letter}5000")
                sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("%(kind)s导入模板 · 填写说明") % {"kind": kind_label(spec)}])
    notes["A1"].font = Font(bold=True, size=14)
    for line in _general_notes(spec):
        notes.append([line])
    notes.append([])
    notes.append([_("列名"), _("是否必填"), _("说明"), _("可填写的值")])
    for cell in notes[notes.max_row]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    for column in spec.columns:
        allowed = "、".join(choice_labels(column.choices)) if column.kind == CHOICE else ""
        notes.append([str(column.header), _("必填") if column.required else _("选填"), str(column.help), allowed])
    for letter, width in zip("ABCD", (18, 10, 60, 60), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = _WRAP
    return _to_bytes(workbook)


def error_report_workbook(job) -> bytes:
    """Every error of an import job: row, column, message."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("错误"))
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 18
    sheet.column_dimensions["C"].width = 70
    header = []
    for text in (_("行号"), _("列"), _("错误说明")):
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = _BOLD
        header.append(cell)
    sheet.append(header)
    for error in job.errors:
        sheet.append([error.get("row") or "", error.get("column", ""), error.get("message", "")])
    info = workbook.create_sheet(_("说明"))
    info.append([_("文件"), job.original_name])
    info.append([_("类型"), job.get_kind_display()])
    info.append([_("状态"), job.get_status_display()])
    info.append([_("导入时间"), timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M")])
    info.append([_("说明"), _("行号是上传文件中的行号（第1行为表头）。修改全部错误后，请重新上传整个文件。")])
    return _to_bytes(workbook)


def write_export(spec: ImportSpec, records: Iterable, fileobj, *, exported_by: str) -> tuple[int, bool]:
    """Write an export to `fileobj` in streaming mode; returns (rows, whether any value was masked).

    `records` yields (obj, identity_visible) pairs; identity columns are masked where not visible."""
    from wushe.core.masking import mask_id_number, mask_phone

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind_label(spec)[:31])
    for index, column in enumerate(spec.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    header = []
    for column in spec.columns:
        cell = WriteOnlyCell(sheet, value=header_text(column))
        cell.font = _REQUIRED if column.required else _BOLD
        header.append(cell)
    sheet.append(header)
    count, masked = 0, False
    for obj, identity_visible in records:
        values = []
        for column in spec.columns:
            value = spec.export_value(obj, column)
            if column.identity and not identity_visible and value:
                value = mask_id_number(value) if column.field == "id_number" else mask_phone(value)
                masked = True
            values.append(value)
        sheet.append(values)
        count += 1
    info = workbook.create_sheet(_("说明"))
    info.column_dimensions["A"].width = 14
    info.column_dimensions["B"].width = 90
    info.append([_("导出内容"), kind_label(spec)])
    info.append([_("导出人"), exported_by])
    info.append([_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    info.append([_("记录数"), count])
    info.append([_("范围"), _("仅包含导出人有权导出的未作废记录。")])
    info.append([_("重新导入"), _("第一个工作表的列与导入模板相同，修改后可直接作为导入文件上传。")])
    if masked:
        masked_headers = "、".join(str(c.header) for c in spec.columns if c.identity)
        info.append([_("已打码"), _("按您的权限，%(columns)s已打码（*），本文件不能重新导入这些列（打码的号码会被判为错误）。"
                                  "需要可重新导入的文件时，请由有权查看完整证件号码和手机号的人员导出。")
                     % {"columns": masked_headers}])
    info.append([_("注意"), _("本文件含个人信息，请妥善保管，用后及时删除，不得外传。")])
    workbook.save(fileobj)
    return count, masked
