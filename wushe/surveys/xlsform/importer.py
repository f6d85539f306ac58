"""XLSForm upload -> the normalized survey definition (docs: /work/notes/definition.md).

The workbook is read with pyxform's own reader (so .xlsx and .xls give the same cell strings and
row numbers), checked row by row against what this platform supports (every problem is reported,
not only the first), then converted by pyxform as a second opinion. The definition is built from the
checked rows, so that each question keeps its Excel row number.

Accepted and ignored (with a warning): metadata types (start, end, today, deviceid, username, …),
``guidance_hint`` and columns this platform does not know. Refused: see ``UNSUPPORTED_TYPES`` and
``UNSUPPORTED_COLUMNS``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _
from pyxform.errors import PyXFormError
from pyxform.xls2json_backends import get_xlsform
from pyxform.xls2xform import convert

from . import expressions

SUPPORTED_EXTENSIONS = (".xlsx", ".xlsm", ".xls")

MSG_NOT_EXCEL = _("请上传 Excel 格式（.xlsx 或 .xls）的 XLSForm 文件，“%(filename)s”不是 Excel 文件。")
MSG_CORRUPT = _("无法读取文件“%(filename)s”：文件已损坏或不是有效的 Excel 工作簿。")
MSG_NO_SURVEY = _("工作簿中没有名为 survey 的工作表，不是有效的 XLSForm。")
MSG_EMPTY_SURVEY = _("survey 工作表中没有任何题目。")
MSG_DUPLICATE_HEADER = _("工作表中有重复的列标题“%(value)s”。")
MSG_UNSUPPORTED_SHEET = _("本平台不支持 %(value)s 工作表。")
MSG_NO_TYPE_COLUMN = _("survey 工作表缺少 type 列。")
MSG_NO_NAME_COLUMN = _("工作表缺少 name 列。")
MSG_NO_LIST_NAME_COLUMN = _("choices 工作表缺少 list_name 列。")
MSG_UNKNOWN_TYPE = _("未知的题型“%(value)s”。")
MSG_UNSUPPORTED_TYPE = _("本平台不支持题型“%(value)s”。")
MSG_OR_OTHER = _("本平台不支持 or_other（“其他”选项自动追加）：“%(value)s”。请在选项表中添加“其他”选项，并另设一道文本题。")
MSG_NESTED_REPEAT = _("本平台不支持嵌套的重复组：“%(value)s”位于另一个重复组之内。")
MSG_UNMATCHED_END = _("“%(value)s”没有对应的开始行。")
MSG_UNCLOSED = _("“%(value)s”没有对应的结束行（end_group / end_repeat）。")
MSG_MISSING_NAME = _("缺少名称（name）。")
MSG_INVALID_NAME = _("名称“%(value)s”不合规：须以字母或下划线开头，只能包含字母、数字、下划线和连字符。")
MSG_DUPLICATE_NAME = _("名称“%(value)s”重复：第 %(first_row)s 行已使用该名称，整张表单内名称必须唯一。")
MSG_MISSING_LABEL = _("题目“%(name)s”缺少题目文字（label）。")
MSG_MISSING_CALCULATION = _("计算字段“%(name)s”缺少计算公式（calculation）。")
MSG_CALCULATION_NOT_CALCULATE = _("只有 calculate 类型支持计算公式，“%(name)s”的类型是 %(type)s。")
MSG_MISSING_LIST = _("选项列表“%(value)s”在 choices 工作表中不存在。")
MSG_MISSING_LIST_NAME = _("选择题“%(value)s”缺少选项列表名称。")
MSG_UNSUPPORTED_COLUMN = _("本平台不支持 %(column)s 列（值为“%(value)s”）。")
MSG_DEFAULT_EXPRESSION = _("本平台只支持固定的默认值，不支持表达式“%(value)s”。")
MSG_UNPARSABLE = _("无法解析表达式“%(value)s”。只支持 ${题目名称} 引用、常量、运算符和常用函数。")
MSG_UNSUPPORTED_FUNCTION = _("本平台不支持函数 %(function)s()（表达式“%(value)s”）。")
MSG_WRONG_ARGUMENTS = _("函数 %(function)s() 的参数个数不对（表达式“%(value)s”）。")
MSG_UNKNOWN_REFERENCE = _("引用了不存在的题目 ${%(name)s}（“%(value)s”）。")
MSG_IGNORED_REFERENCE = _("引用了本平台忽略的字段 ${%(name)s}（“%(value)s”）。")
MSG_CHOICE_MISSING_LIST_NAME = _("选项缺少列表名称（list_name）。")
MSG_CHOICE_MISSING_NAME = _("列表“%(list)s”中的选项缺少名称（name）。")
MSG_CHOICE_MISSING_LABEL = _("列表“%(list)s”中的选项“%(value)s”缺少选项文字（label）。")
MSG_CHOICE_DUPLICATE = _("列表“%(list)s”中的选项“%(value)s”重复（第 %(first_row)s 行已有）。")
MSG_CHOICE_SPACE = _("选项名称“%(value)s”不能包含空格。")
MSG_PYXFORM = _("表单转换失败：%(detail)s")
MSG_IGNORED_TYPE = _("题型“%(value)s”（“%(name)s”）为设备元数据，本平台将忽略该行。")
MSG_IGNORED_COLUMN = _("本平台不使用 %(column)s 列，该列内容将被忽略。")
MSG_MISSING_TRANSLATION = _("缺少 %(language)s 语言的文字，将显示默认语言。")
MSG_UNKNOWN_DEFAULT_LANGUAGE = _("默认语言“%(value)s”在表单的列中不存在。")
MSG_PYXFORM_WARNING = _("转换提示：%(detail)s")


@dataclass
class RowProblem:
    sheet: str
    row: int | None
    column: str
    message: str


@dataclass
class ImportResult:
    definition: dict | None
    errors: list[RowProblem] = field(default_factory=list)
    warnings: list[RowProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.definition is not None


SIMPLE_TYPES = {"text": "text", "string": "text", "integer": "integer", "int": "integer",
                "decimal": "decimal", "date": "date", "note": "note", "calculate": "calculate"}
METADATA_TYPES = {"start", "end", "today", "deviceid", "imei", "subscriberid", "simserial", "phonenumber",
                  "username", "email", "audit", "start-geopoint"}
UNSUPPORTED_TYPES = {"geopoint", "geotrace", "geoshape", "image", "photo", "audio", "video", "file", "barcode",
                     "range", "rank", "acknowledge", "trigger", "time", "datetime", "dateTime", "hidden",
                     "xml-external", "csv-external", "background-audio", "background-geopoint",
                     "select_one_from_file", "select_multiple_from_file", "select one from file",
                     "select multiple from file", "select_one_external", "osm", "begin loop", "begin_loop"}
_SELECT = re.compile(r"^(select_one|select one|select1|select_multiple|select all that apply)(?:\s+(\S+))?"
                     r"(\s+or_other)?$")
_GROUP_TYPES = {"begin group": ("begin", "group"), "begin_group": ("begin", "group"),
                "end group": ("end", "group"), "end_group": ("end", "group"),
                "begin repeat": ("begin", "repeat"), "begin_repeat": ("begin", "repeat"),
                "end repeat": ("end", "repeat"), "end_repeat": ("end", "repeat")}

# Column header (lower-case, before "::") -> canonical column.
_SURVEY_COLUMNS = {
    "type": "type", "name": "name", "label": "label", "caption": "label", "hint": "hint",
    "required": "required", "required_message": "required_message", "requiredmsg": "required_message",
    "jr:requiredmsg": "required_message", "relevant": "relevant", "relevance": "relevant",
    "constraint": "constraint", "constraint_message": "constraint_message",
    "constraining_message": "constraint_message", "jr:constraintmsg": "constraint_message",
    "calculation": "calculation", "calculate": "calculation", "appearance": "appearance", "default": "default",
}
_TRANSLATABLE = {"label", "hint", "required_message", "constraint_message"}
_IGNORED_COLUMNS = {"guidance_hint", "note", "notes", "comment", "comments"}
UNSUPPORTED_COLUMNS = {"repeat_count", "jr:count", "count", "choice_filter", "trigger", "read_only", "readonly",
                       "parameters", "image", "big-image", "audio", "video", "media", "body", "bind", "instance",
                       "save_to", "autoplay", "rows", "jr:noapperrorstring", "no_app_error_string",
                       "compact_tag"}
_EXPRESSION_COLUMNS = ("relevant", "constraint", "calculation", "required")
_TRUE = {"yes", "true", "true()"}
_FALSE = {"no", "false", "false()", ""}
_NAME = re.compile(r"^[^\W\d][\w-]*$")
_LANGUAGE_CODE = re.compile(r"\(([^()]+)\)\s*$")
_ROW = re.compile(r"\[row\s*:\s*(\d+)\]\s*")
_INTERPOLATION = re.compile(r"\$\{([^}]*)\}")
DEFAULT_LANGUAGE = "default"


def language_key(language: str | None) -> str:
    """'中文 (zh)' -> 'zh'; a language without a code keeps its name; no language -> 'default'."""
    if not language:
        return DEFAULT_LANGUAGE
    match = _LANGUAGE_CODE.search(language)
    return match.group(1).strip() if match else language.strip()


def _split_header(header: str) -> tuple[str, str | None]:
    base, _sep, rest = header.partition("::")
    return base.strip().lower(), (rest.strip() or None) if _sep else None


@dataclass
class _Cell:
    column: str        # canonical column
    header: str        # as written in the sheet
    language: str | None
    value: str


@dataclass
class _Row:
    number: int
    cells: list[_Cell]

    def get(self, column: str) -> str:
        return next((cell.value for cell in self.cells if cell.column == column and cell.language is None), "")

    def translated(self, column: str) -> dict[str, str]:
        return {language_key(cell.language): cell.value for cell in self.cells if cell.column == column}

    def header(self, column: str) -> str:
        return next((cell.header for cell in self.cells if cell.column == column), column)


class _Import:
    def __init__(self, filename: str):
        self.filename = filename
        self.errors: list[RowProblem] = []
        self.warnings: list[RowProblem] = []
        self.languages: list[str] = []          # language keys in column order
        self.ignored_names: set[str] = set()
        self.all_names: dict[str, int] = {}

    def error(self, sheet: str, row: int | None, column: str, message: Any) -> None:
        self.errors.append(RowProblem(sheet, row, column, str(message)))

    def warn(self, sheet: str, row: int | None, column: str, message: Any) -> None:
        self.warnings.append(RowProblem(sheet, row, column, str(message)))

    # --- sheets -> rows -------------------------------------------------------------------

    def rows(self, sheet: str, records: list[dict] | None, columns: dict[str, str],
             translatable: set[str]) -> list[_Row]:
        reported: set[str] = set()
        result = []
        for index, record in enumerate(records or []):
            cells = []
            for header, value in record.items():
                base, language = _split_header(header)
                column = columns.get(base)
                text = str(value).strip()
                if column is None:
                    if not text or header in reported:
                        continue
                    reported.add(header)
                    if base in UNSUPPORTED_COLUMNS or header.lower() in UNSUPPORTED_COLUMNS:
                        continue  # reported per row below
                    self.warn(sheet, None, header, MSG_IGNORED_COLUMN % {"column": header})
                    continue
                if column == "label" and language_key(language) not in self.languages:
                    self.languages.append(language_key(language))
                cells.append(_Cell(column, header, language if column in translatable else None, text))
            for header, value in record.items():
                base, _language = _split_header(header)
                if (base in UNSUPPORTED_COLUMNS or header.lower() in UNSUPPORTED_COLUMNS) and str(value).strip():
                    if base in ("read_only", "readonly") and str(value).strip().lower() in _FALSE:
                        continue
                    self.error(sheet, index + 2, header,
                               MSG_UNSUPPORTED_COLUMN % {"column": header, "value": str(value).strip()})
            if cells:
                result.append(_Row(index + 2, cells))
        return result

    # --- survey ---------------------------------------------------------------------------

    def survey(self, rows: list[_Row], choice_lists: dict[str, list[dict]]) -> list[dict]:
        root: list[dict] = []
        stack: list[tuple[dict, str]] = []   # (node, kind) of open groups / repeats
        checks: list[tuple[_Row, dict]] = []
        for row in rows:
            raw_type = " ".join(row.get("type").split())
            type_key = raw_type.lower()
            name = row.get("name")
            if not raw_type:
                if name or row.get("label"):
                    self.error("survey", row.number, "type", MSG_UNKNOWN_TYPE % {"value": ""})
                continue
            siblings = stack[-1][0]["children"] if stack else root
            if type_key in _GROUP_TYPES:
                action, kind = _GROUP_TYPES[type_key]
                if action == "end":
                    if not stack or stack[-1][1] != kind:
                        self.error("survey", row.number, "type", MSG_UNMATCHED_END % {"value": raw_type})
                    else:
                        stack.pop()
                    continue
                if kind == "repeat" and any(open_kind == "repeat" for _node, open_kind in stack):
                    self.error("survey", row.number, "type", MSG_NESTED_REPEAT % {"value": name or raw_type})
                node = self.node(row, kind)
                node["children"] = []
                siblings.append(node)
                stack.append((node, kind))
                checks.append((row, node))
                continue
            if type_key in METADATA_TYPES:
                self.ignored_names.add(name)
                self.warn("survey", row.number, "type", MSG_IGNORED_TYPE % {"value": raw_type, "name": name})
                continue
            select = _SELECT.match(type_key)
            if select:
                if select.group(3):
                    self.error("survey", row.number, "type", MSG_OR_OTHER % {"value": raw_type})
                list_name = (raw_type.split()[-2] if select.group(3) else raw_type.split()[-1]) \
                    if select.group(2) else ""
                node = self.node(row, "select_multiple" if "multiple" in type_key or "all" in type_key
                                 else "select_one")
                node["list_name"] = list_name
                if not list_name:
                    self.error("survey", row.number, "type", MSG_MISSING_LIST_NAME % {"value": raw_type})
                elif list_name not in choice_lists:
                    self.error("survey", row.number, "type", MSG_MISSING_LIST % {"value": list_name})
                node["choices"] = choice_lists.get(list_name, [])
            elif type_key in SIMPLE_TYPES:
                node = self.node(row, SIMPLE_TYPES[type_key])
            else:
                base_type = type_key.split()[0] if type_key else type_key
                unsupported = type_key in UNSUPPORTED_TYPES or base_type in UNSUPPORTED_TYPES \
                    or raw_type in UNSUPPORTED_TYPES or type_key.startswith("uri:")
                message = MSG_UNSUPPORTED_TYPE if unsupported else MSG_UNKNOWN_TYPE
                self.error("survey", row.number, "type", message % {"value": raw_type})
                if name:
                    self.ignored_names.add(name)
                continue
            siblings.append(node)
            checks.append((row, node))
        for node, kind in stack:
            self.error("survey", node["row"], "type", MSG_UNCLOSED % {"value": f"begin_{kind} {node['name']}"})
        for row, node in checks:
            self.check_node(row, node)
        return root

    def node(self, row: _Row, kind: str) -> dict:
        name = row.get("name")
        if not name:
            self.error("survey", row.number, "name", MSG_MISSING_NAME)
        elif not _NAME.match(name):
            self.error("survey", row.number, "name", MSG_INVALID_NAME % {"value": name})
        elif name in self.all_names:
            self.error("survey", row.number, "name",
                       MSG_DUPLICATE_NAME % {"value": name, "first_row": self.all_names[name]})
        else:
            self.all_names[name] = row.number
        node: dict[str, Any] = {"name": name, "type": kind, "label": row.translated("label")}
        if kind not in ("group", "repeat"):
            node["hint"] = row.translated("hint")
        if kind not in ("group", "repeat", "note", "calculate"):
            required = row.get("required")
            lowered = required.lower()
            node["required"] = True if lowered in _TRUE else False if lowered in _FALSE else required
            node["required_message"] = row.translated("required_message")
            node["constraint"] = row.get("constraint") or None
            node["constraint_message"] = row.translated("constraint_message")
        node["relevant"] = row.get("relevant") or None
        if kind == "calculate":
            node["calculation"] = row.get("calculation")
        node["appearance"] = row.get("appearance")
        default = row.get("default")
        if default and kind not in ("group", "repeat", "note", "calculate"):
            if "${" in default or "(" in default:
                self.error("survey", row.number, row.header("default"), MSG_DEFAULT_EXPRESSION % {"value": default})
            else:
                node["default"] = default
        node["row"] = row.number
        return node

    def check_node(self, row: _Row, node: dict) -> None:
        kind, name = node["type"], node["name"]
        if kind not in ("group", "repeat", "calculate") and not any(node["label"].values()):
            self.error("survey", row.number, "label", MSG_MISSING_LABEL % {"name": name})
        if kind == "calculate" and not node["calculation"]:
            self.error("survey", row.number, "calculation", MSG_MISSING_CALCULATION % {"name": name})
        if kind != "calculate" and row.get("calculation"):
            self.error("survey", row.number, row.header("calculation"),
                       MSG_CALCULATION_NOT_CALCULATE % {"name": name, "type": kind})
        for column in _EXPRESSION_COLUMNS:
            value = row.get(column)
            if column == "required" and value.lower() in _TRUE | _FALSE:
                continue
            if value:
                self.check_expression(row.number, row.header(column), value)
        for cell in row.cells:
            if cell.column in _TRANSLATABLE:
                for reference in _INTERPOLATION.findall(cell.value):
                    self.check_reference(row.number, cell.header, reference.strip(), cell.value)
        if kind != "calculate" and any(node["label"].values()):
            for language in self.languages:
                if not node["label"].get(language):
                    self.warn("survey", row.number, "label",
                              MSG_MISSING_TRANSLATION % {"language": language})

    def check_expression(self, row: int, column: str, value: str) -> None:
        try:
            tree_functions = expressions.functions(value)
            references = expressions.names(value)
        except expressions.ExpressionError:
            unsupported = sorted(expressions.functions_by_scan(value) - expressions.SUPPORTED_FUNCTIONS)
            for function in unsupported:
                self.error("survey", row, column, MSG_UNSUPPORTED_FUNCTION % {"function": function, "value": value})
            if not unsupported:
                self.error("survey", row, column, MSG_UNPARSABLE % {"value": value})
            return
        for function in sorted(tree_functions - expressions.SUPPORTED_FUNCTIONS):
            self.error("survey", row, column, MSG_UNSUPPORTED_FUNCTION % {"function": function, "value": value})
        for call in _calls(expressions.parse(value)):
            if call.name in expressions.SUPPORTED_FUNCTIONS and not expressions.arity_ok(call.name, len(call.args)):
                self.error("survey", row, column, MSG_WRONG_ARGUMENTS % {"function": call.name, "value": value})
        for reference in sorted(references):
            self.check_reference(row, column, reference, value)

    def check_reference(self, row: int, column: str, reference: str, value: str) -> None:
        if reference in self.all_names:
            return
        message = MSG_IGNORED_REFERENCE if reference in self.ignored_names else MSG_UNKNOWN_REFERENCE
        self.error("survey", row, column, message % {"name": reference, "value": value})

    # --- choices --------------------------------------------------------------------------

    def choices(self, rows: list[_Row]) -> dict[str, list[dict]]:
        lists: dict[str, list[dict]] = {}
        seen: dict[tuple[str, str], int] = {}
        for row in rows:
            list_name, name = row.get("list_name"), row.get("name")
            if not list_name:
                self.error("choices", row.number, "list_name", MSG_CHOICE_MISSING_LIST_NAME)
                continue
            if not name:
                self.error("choices", row.number, "name", MSG_CHOICE_MISSING_NAME % {"list": list_name})
                continue
            if (list_name, name) in seen:
                self.error("choices", row.number, "name", MSG_CHOICE_DUPLICATE % {
                    "list": list_name, "value": name, "first_row": seen[(list_name, name)]})
                continue
            seen[(list_name, name)] = row.number
            if " " in name:
                self.error("choices", row.number, "name", MSG_CHOICE_SPACE % {"value": name})
            label = row.translated("label")
            if not any(label.values()):
                self.error("choices", row.number, "label", MSG_CHOICE_MISSING_LABEL % {"list": list_name, "value": name})
            lists.setdefault(list_name, []).append({"name": name, "label": label, "row": row.number})
        return lists


def _calls(node: Any):
    for item in expressions._walk(node):
        if isinstance(item, expressions.Call):
            yield item


_SHEET_ORDER = {"": 0, "survey": 1, "choices": 2, "settings": 3}


def _report_order(problem: RowProblem) -> tuple[int, int]:
    return _SHEET_ORDER.get(problem.sheet, 4), problem.row or 0


def _order_labels(nodes: list[dict], languages: list[str]) -> None:
    """Labels list the default language first, so that a fallback to 'any' picks it."""
    def order(mapping: dict) -> dict:
        return {key: mapping[key] for key in sorted(mapping, key=lambda k: languages.index(k)
                                                       if k in languages else len(languages))}
    for node in nodes:
        for key in ("label", "hint", "required_message", "constraint_message"):
            if key in node:
                node[key] = order(node[key])
        for choice in node.get("choices", []):
            choice["label"] = order(choice["label"])
        _order_labels(node.get("children", []), languages)


def _pyxform_problem(error: Exception) -> RowProblem:
    detail = str(error)
    match = _ROW.search(detail)
    row = int(match.group(1)) if match else None
    detail = _ROW.sub("", detail).strip()
    sheet = "survey" if "survey" in detail or row else ""
    return RowProblem(sheet, row, "", str(MSG_PYXFORM % {"detail": detail}))


def import_xlsform(data: bytes, filename: str) -> ImportResult:
    """Check and convert an uploaded XLSForm; ``definition`` is None when there are errors."""
    extension = Path(filename or "").suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        return ImportResult(None, [RowProblem("", None, "", str(MSG_NOT_EXCEL % {"filename": filename}))])
    try:
        book = get_xlsform(BytesIO(data), file_type=extension)
    except PyXFormError as error:
        detail = str(error)
        if detail.startswith("Duplicate column header"):
            value = detail.partition(":")[2].strip()
            return ImportResult(None, [RowProblem("", 1, value, str(MSG_DUPLICATE_HEADER % {"value": value}))])
        return ImportResult(None, [RowProblem("", None, "", str(MSG_CORRUPT % {"filename": filename}))])
    except Exception:  # xlrd / zip / xml errors of a damaged file
        return ImportResult(None, [RowProblem("", None, "", str(MSG_CORRUPT % {"filename": filename}))])
    sheet_names = {name.lower() for name in (book.sheet_names or [])}
    if "survey" not in sheet_names:
        return ImportResult(None, [RowProblem("", None, "", str(MSG_NO_SURVEY))])

    work = _Import(filename)
    for sheet in ("external_choices", "entities", "osm"):
        if sheet in sheet_names:
            work.error(sheet, None, "", MSG_UNSUPPORTED_SHEET % {"value": sheet})
    survey_headers = {_split_header(h)[0] for record in (book.survey_header or []) for h in record}
    if "type" not in survey_headers:
        work.error("survey", 1, "type", MSG_NO_TYPE_COLUMN)
    if "name" not in survey_headers:
        work.error("survey", 1, "name", MSG_NO_NAME_COLUMN)
    choice_headers = {_split_header(h)[0] for record in (book.choices_header or []) for h in record}
    if book.choices and "list_name" not in choice_headers:
        work.error("choices", 1, "list_name", MSG_NO_LIST_NAME_COLUMN)
    survey_rows = work.rows("survey", list(book.survey or []), _SURVEY_COLUMNS, _TRANSLATABLE)
    choice_rows = work.rows("choices", list(book.choices or []),
                            {"list_name": "list_name", "list name": "list_name", "name": "name",
                             "value": "name", "label": "label", "caption": "label"}, {"label"})
    settings_rows = work.rows("settings", list(book.settings or []),
                              {"form_title": "form_title", "form_id": "form_id", "version": "version",
                               "default_language": "default_language", "style": "style",
                               "instance_name": "instance_name"}, set())
    choice_lists = work.choices(choice_rows)
    if not survey_rows and not work.errors:
        work.error("survey", None, "", MSG_EMPTY_SURVEY)
    questions = work.survey(survey_rows, choice_lists)

    settings = settings_rows[0] if settings_rows else _Row(2, [])
    default_language_name = settings.get("default_language")
    default_language = language_key(default_language_name) if default_language_name else None
    languages = list(work.languages) or [DEFAULT_LANGUAGE]
    if default_language and default_language not in languages:
        work.warn("settings", settings.number, "default_language",
                  MSG_UNKNOWN_DEFAULT_LANGUAGE % {"value": default_language_name})
        default_language = None
    default_language = default_language or languages[0]
    languages.remove(default_language)
    languages.insert(0, default_language)

    warnings: list[str] = []
    try:
        convert(data, warnings=warnings, file_type=extension)
    except PyXFormError as error:
        problem = _pyxform_problem(error)
        reported_rows = {existing.row for existing in work.errors}
        if not work.errors or (problem.row is not None and problem.row not in reported_rows):
            work.errors.append(problem)
    except Exception as error:  # pyxform bugs on odd input must not become a server error
        if not work.errors:
            work.errors.append(RowProblem("", None, "", str(MSG_PYXFORM % {"detail": type(error).__name__})))
    for warning in warnings:
        if "is missing the" in warning:  # language columns: reported per row above
            continue
        problem = _pyxform_problem(Exception(warning))
        work.warnings.append(RowProblem(problem.sheet, problem.row, "", str(MSG_PYXFORM_WARNING % {
            "detail": _ROW.sub("", warning).strip()})))

    work.errors.sort(key=_report_order)
    work.warnings.sort(key=_report_order)
    if work.errors:
        return ImportResult(None, work.errors, work.warnings)
    _order_labels(questions, languages)
    stem = Path(filename).stem
    title = settings.get("form_title") or stem
    definition = {
        "version": 1,
        "form_id": settings.get("form_id") or re.sub(r"\W+", "_", stem).strip("_") or "form",
        "form_version": settings.get("version"),
        "title": {default_language: title},
        "languages": languages,
        "default_language": default_language,
        "questions": questions,
    }
    return ImportResult(definition, [], work.warnings)
