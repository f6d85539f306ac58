"""Excel export of a survey's submitted responses (答卷), repeats in their own sheets.

Read from the responses' `answers` (the source of truth) in streaming mode: rows are fetched in chunks and
written by openpyxl's write-only workbook, so 50,000 responses never sit in memory together.
"""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from wushe.accounts import policy
from wushe.accounts.policy import Action, Resource
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record
from wushe.surveys.models import CollectionMode, Survey
from wushe.surveys.selectors.analysis import (
    AnalysisFilters,
    questions_of,
    submitted_responses,
    ui_language,
)
from wushe.surveys.xlsform.engine import label

MULTIPLE_SEPARATOR = "；"
CHUNK = 2000
_BOLD = Font(bold=True)
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _header(sheet, texts: list[str]) -> list:
    cells = []
    for text in texts:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = _BOLD
        cells.append(cell)
    return cells


def _sheet_title(text: str, taken: set[str]) -> str:
    base = _SHEET_FORBIDDEN.sub("", text).strip()[:28] or "repeat"
    title, number = base, 2
    while title.lower() in taken:
        title, number = f"{base[:26]}{number}", number + 1
    taken.add(title.lower())
    return title


class _Columns:
    """The columns of one question list and how a value of each is written."""

    def __init__(self, questions: list[dict], language: str):
        self.questions = questions
        self.labels = {q["name"]: {c["name"]: label(c, language) for c in q.get("choices") or []}
                       for q in questions}
        self.headers: list[str] = []
        for question in questions:
            text = label(question, language)
            self.headers.append(text)
            if question["type"] == "select_multiple":
                self.headers += [f"{text}：{label(choice, language)}" for choice in question.get("choices") or []]

    def values(self, answers: dict) -> list:
        row: list = []
        for question in self.questions:
            value = answers.get(question["name"])
            kind = question["type"]
            empty = value is None or value == "" or value == []
            if kind == "select_multiple":
                chosen = [str(v) for v in value] if isinstance(value, list) else ([] if empty else [str(value)])
                names = self.labels[question["name"]]
                row.append(MULTIPLE_SEPARATOR.join(names.get(v, v) for v in chosen) if chosen else None)
                row += [None if empty else int(c["name"] in chosen) for c in question.get("choices") or []]
            elif empty:
                row.append(None)
            elif kind == "select_one":
                row.append(self.labels[question["name"]].get(str(value), str(value)))
            elif kind == "date":
                try:
                    row.append(datetime.date.fromisoformat(str(value)))
                except ValueError:
                    row.append(str(value))
            elif isinstance(value, bool):
                row.append(str(value))
            elif isinstance(value, int | float | str):
                row.append(value)
            else:
                row.append(str(value))
        return row


def survey_export(*, actor, survey: Survey, filters: AnalysisFilters | None = None, fileobj) -> int:
    """Write the submitted responses `actor` may see to `fileobj` (.xlsx) and record the export; returns the
    number of responses written. Respondents are named only for those who may see identities.

    Not one transaction: on SQLite an atomic block would hold the write lock for the whole export; the
    audit row is written once the file is complete."""
    if not policy.can(actor, Action.EXPORT, Resource.SURVEY, survey):
        raise PermissionDenied
    filters = filters or AnalysisFilters()
    identity = policy.can(actor, Action.VIEW_IDENTITY, Resource.SURVEY, survey)
    language = ui_language(survey.definition or {})
    questions = questions_of(survey)
    top = _Columns([q for q, repeat in questions if not repeat], language)
    repeat_names = list(dict.fromkeys(repeat for _q, repeat in questions if repeat))
    repeats = {name: _Columns([q for q, repeat in questions if repeat == name], language) for name in repeat_names}
    repeat_nodes = {node["name"]: node for node in _nodes(survey.definition.get("questions") or [])
                    if node.get("type") == "repeat"}

    workbook = Workbook(write_only=True)
    main = workbook.create_sheet(_("答卷"))
    taken = {main.title.lower(), _("说明").lower()}
    fixed = [_("答卷编号"), _("提交时间"), _("社区"), _("人群类别"), _("填写方式")]
    if identity:
        fixed.append(_("受访者"))
    main.append(_header(main, fixed + top.headers))
    repeat_sheets = {}
    for name in repeat_names:
        sheet = workbook.create_sheet(_sheet_title(label(repeat_nodes.get(name, {"name": name}), language), taken))
        sheet.append(_header(sheet, [_("答卷编号"), _("第几项")] + repeats[name].headers))
        repeat_sheets[name] = sheet

    modes = dict(CollectionMode.choices)
    rows = (submitted_responses(actor, survey, filters).order_by("submitted_at", "id")
            .values_list("public_id", "submitted_at", "region__name", "population_group__name", "mode", "answers",
                         "respondent__name", "respondent_user__display_name")
            .iterator(chunk_size=CHUNK))
    count = 0
    for public_id, submitted_at, region, group, mode, answers, resident, user in rows:
        answers = answers or {}
        response_id = str(public_id)
        line = [response_id, timezone.localtime(submitted_at).replace(tzinfo=None) if submitted_at else None,
                region, group or "", str(modes.get(mode, mode))]
        if identity:
            line.append(resident or user or "")
        main.append(line + top.values(answers))
        for name, sheet in repeat_sheets.items():
            for number, instance in enumerate(answers.get(name) or [], start=1):
                sheet.append([response_id, number] + repeats[name].values(instance or {}))
        count += 1

    exported_at = timezone.localtime()
    notes = workbook.create_sheet(_("说明"))
    notes.append(_header(notes, [_("项目"), _("内容")]))
    notes.append([_("问卷"), survey.title])
    notes.append([_("表单编号"), survey.form_id])
    notes.append([_("表单版本"), survey.form_version])
    notes.append([_("导出时间"), exported_at.strftime("%Y-%m-%d %H:%M")])
    notes.append([_("导出人"), str(actor)])
    notes.append([_("答卷数"), count])
    for text, value in filters.describe() or [(_("筛选条件"), _("全部已提交答卷"))]:
        notes.append([text, value])
    notes.append([_("受访者身份"), _("已包含") if identity else _("未包含（无查看身份权限）")])
    notes.append([_("多选题"), _("选项以“；”分隔；其后每个选项一列，1 为选中，0 为未选，空白为未作答。")])
    notes.append([])
    notes.append(_header(notes, [_("题目"), _("字段名"), _("题型"), _("所在重复组")]))
    for question, repeat in questions:
        notes.append([label(question, language), question["name"], question["type"], repeat or ""])
    workbook.save(fileobj)

    audit_record(actor=actor, kind=AuditEvent.Kind.EXPORT, target=f"survey:{survey.public_id}",
                 export_kind="survey_responses", rows=count, identity=identity, filters=filters.params())
    return count


def _nodes(nodes: list[dict]):
    for node in nodes:
        yield node
        yield from _nodes(node.get("children") or [])


def export_filename(survey: Survey) -> str:
    title = _SHEET_FORBIDDEN.sub("", survey.title).replace('"', "").strip() or "survey"
    return f"{title}-{timezone.localdate():%Y%m%d}.xlsx"
