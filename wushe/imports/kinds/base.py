"""What an importable kind is: its columns, how a row is cleaned, matched to existing records and written.

Each kind (residents, organizations, …) is an `ImportSpec` subclass. The engine (`wushe.imports.engine`)
drives every spec the same way, chunk by chunk:

    parse cells → spec.clean (cross-field rules) → resolve region codes and the actor's scope →
    duplicates within the file (spec.keys) → spec.match (existing records, clashes) → create / update / unchanged

Cleaned values are keyed by model attribute names (`region_id`, `id_number`, …). A blank optional cell
means "leave as it is": it never clears an existing value.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from wushe.accounts.policy import Resource
from wushe.core.identity import (
    DocumentType,
    Sex,
    normalise_document,
    parse_citizen_id,
    validate_mobile,
    validate_uscc,
)
from wushe.core.text import build_search_text

MSG_REQUIRED = _("必填项不能为空。")
MSG_CHOICE_INVALID = _("“%(value)s”不是允许的值，可填：%(choices)s。")
MSG_DATE_INVALID = _("日期格式不正确，请填写如 2024-03-01 的日期。")
MSG_TOO_LONG = _("内容过长，最多%(max)s个字符。")
MSG_REGION_CODE_FORMAT = _("区划代码应为12位数字。")
MSG_REGION_UNKNOWN = _("区划代码不存在，请核对12位统计用区划代码。")
MSG_REGION_REVOKED = _("该区划代码已撤销，请改用继承区划的代码。")
MSG_REGION_OUT_OF_SCOPE = _("该区划不在您的导入权限范围内。")
MSG_DUPLICATE_IN_FILE = _("与本文件第%(row)s行重复。")
MSG_SAME_RECORD_IN_FILE = _("与本文件第%(row)s行对应同一条已有记录。")
MSG_CLASH_OTHER_NAME = _("该证件号码已登记在另一姓名下，无法合并。")
MSG_CLASH_OUT_OF_SCOPE = _("已有相同记录，但该记录不在您的导入权限范围内，无法合并。")
MSG_CLASH_AMBIGUOUS = _("匹配到多条已有记录，无法确定合并对象，请补充证件号码。")
MSG_SEX_MISMATCH = _("性别与身份证号不一致。")
MSG_BIRTH_MISMATCH = _("出生日期与身份证号不一致。")
MSG_SAMPLE_ROW = _("这是模板中的示例行，请删除后再导入。")
MSG_CODE_FORMAT = _("编号只能包含字母、数字和短横线，最多20位。")

# What validation decided for a row.
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


class WriteConflict(Exception):
    """The data changed between validation and writing (e.g. a record was voided meanwhile)."""

# Column kinds: how a cell is parsed.
TEXT, CHOICE, DATE, PHONE, REGION, DOCUMENT, USCC, CODE = (
    "text", "choice", "date", "phone", "region", "document", "uscc", "code")

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日")
_REGION_CODE = re.compile(r"\d{12}")
_PUBLIC_CODE = re.compile(r"[A-Za-z0-9-]{1,20}")


@dataclass(frozen=True)
class Column:
    field: str  # attribute name in cleaned values (a model field, or "region" for the owning region's code)
    header: Any  # Chinese header (lazy translation)
    kind: str = TEXT
    required: bool = False
    choices: type[models.TextChoices] | None = None
    help: Any = ""
    identity: bool = False  # ID numbers and phones: masked in exports without VIEW_IDENTITY
    width: int = 16

    @property
    def is_text_formatted(self) -> bool:
        """Columns Excel must keep as text (long digit strings lose digits as numbers)."""
        return self.kind in (DOCUMENT, PHONE, REGION, USCC, CODE)


@dataclass
class Row:
    number: int  # the row number in the sheet (header is row 1)
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    region: Any = None
    existing: Any = None
    action: str = ""
    changes: dict[str, Any] = field(default_factory=dict)

    def error(self, field_name: str, message) -> None:
        self.errors.append((field_name, str(message)))

    def has_error(self, *fields: str) -> bool:
        return any(f in fields for f, _m in self.errors) if fields else bool(self.errors)


def cell_text(value) -> str:
    """A cell as trimmed text; whole floats lose their '.0', datetimes become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = cell_text(value)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(MSG_DATE_INVALID, code="date_invalid")


_choice_lookup_cache: dict[type, dict[str, str]] = {}


def choice_lookup(choices: type[models.TextChoices]) -> dict[str, str]:
    """Accept a stored value, its Chinese label or its English label."""
    lookup = _choice_lookup_cache.get(choices)
    if lookup is None:
        lookup = {}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup.update({str(label).strip().lower(): value for value, label in choices.choices})
        lookup.update({str(value).lower(): value for value in choices.values})
        _choice_lookup_cache[choices] = lookup
    return lookup


def choice_labels(choices: type[models.TextChoices]) -> list[str]:
    return [str(label) for label in choices.labels]


def choice_label(choices: type[models.TextChoices], value) -> str:
    if value in (None, ""):
        return ""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def parse_cell(column: Column, raw, max_length: int | None):
    """Parse one non-blank cell; raises ValidationError with a translatable message."""
    if column.kind == DATE:
        return parse_date(raw)
    text = cell_text(raw)
    if column.kind == CHOICE:
        value = choice_lookup(column.choices).get(text.lower())
        if value is None:
            raise ValidationError(MSG_CHOICE_INVALID % {"value": text, "choices": "、".join(choice_labels(column.choices))},
                                  code="choice_invalid")
        return value
    if column.kind == PHONE:
        return validate_mobile(text)
    if column.kind == REGION:
        if not _REGION_CODE.fullmatch(text):
            raise ValidationError(MSG_REGION_CODE_FORMAT, code="region_code_format")
        return text
    if column.kind == USCC:
        return validate_uscc(text)
    if column.kind == CODE:
        text = text.upper()
        if not _PUBLIC_CODE.fullmatch(text):
            raise ValidationError(MSG_CODE_FORMAT, code="code_format")
        return text
    if column.kind == DOCUMENT:
        return text.upper().replace(" ", "")  # validated with the document type in clean()
    if max_length and len(text) > max_length:
        raise ValidationError(MSG_TOO_LONG % {"max": max_length}, code="too_long")
    return text


class ImportSpec:
    """One importable kind. Subclasses declare columns and the matching rules for their natural keys."""

    kind: ClassVar[str]
    model: ClassVar[type[models.Model]]
    resource: ClassVar[Resource]
    columns: ClassVar[tuple[Column, ...]]
    sample: ClassVar[dict[str, Any]] = {}
    matching_help: ClassVar[Any] = ""
    key_fields: ClassVar[tuple[str, ...]] = ()  # a row with an error in one of these has no key
    duplicate_field: ClassVar[str] = "name"  # the column a duplicate is reported on
    has_search_text: ClassVar[bool] = True
    voidable: ClassVar[bool] = True

    # --- columns -------------------------------------------------------------------------------
    @classmethod
    def column(cls, field_name: str) -> Column | None:
        return next((c for c in cls.columns if c.field == field_name), None)

    @classmethod
    def header_for(cls, field_name: str) -> str:
        column = cls.column(field_name)
        return str(column.header) if column else ""

    @classmethod
    def max_length(cls, column: Column) -> int | None:
        if column.kind != TEXT:
            return None
        try:
            return cls.model._meta.get_field(column.field).max_length
        except FieldDoesNotExist:
            return None

    # --- validation hooks ----------------------------------------------------------------------
    def clean(self, row: Row) -> None:
        """Cross-field rules after each cell was parsed. Add errors with row.error(field, message)."""

    def keys(self, row: Row) -> list[tuple]:
        """Natural keys of a valid row; two rows sharing any key are duplicates."""
        return []

    def match(self, rows: list[Row], ctx) -> None:
        """Find the existing record of each row (bulk queries per chunk); report clashes as row errors."""

    def changes(self, obj, values: dict) -> dict:
        return {name: value for name, value in values.items() if getattr(obj, name) != value}

    def new_object(self, values: dict, ctx):
        obj = self.model(**values)
        if hasattr(obj, "created_by_id"):
            obj.created_by = ctx.actor
        return obj

    def search_text(self, obj) -> str | None:
        return build_search_text(*obj.searchable_values())

    def finish(self, ctx) -> list[tuple[int, str, str]]:
        """Checks that need the whole file (references to rows further down); (row, field, message)."""
        return []

    # --- writing (inside the import's one transaction) -------------------------------------------
    def write(self, plan, ctx) -> None:
        """Write planned rows chunk by chunk with bulk operations; history rows name the actor."""
        for chunk in plan.chunks():
            creates = []
            updates = []
            for action, pk, values, text in chunk:
                if action == CREATE:
                    obj = self.new_object(values, ctx)
                    if self.has_search_text:
                        obj.search_text = text if text is not None else self.search_text(obj)
                    creates.append(obj)
                elif action == UPDATE:
                    updates.append((pk, values, text))
            if creates:
                bulk_create_with_history(creates, self.model, default_user=ctx.actor,
                                         default_change_reason=ctx.change_reason)
            if updates:
                self.write_updates(updates, ctx)

    def write_updates(self, updates: list[tuple[int, dict, str | None]], ctx) -> None:
        objects = self.model._default_manager.in_bulk([pk for pk, _values, _text in updates])
        now = timezone.now()
        fields = {"updated_at"}
        changed = []
        for pk, values, text in updates:
            obj = objects.get(pk)
            if obj is None or getattr(obj, "voided_at", None) is not None:
                raise WriteConflict(pk)
            for name, value in values.items():
                setattr(obj, name, value)
            fields.update(values)
            if self.has_search_text:
                obj.search_text = text
                fields.add("search_text")
            obj.updated_at = now
            changed.append(obj)
        bulk_update_with_history(changed, self.model, sorted(fields), default_user=ctx.actor,
                                 default_change_reason=ctx.change_reason)

    # --- reading existing records ---------------------------------------------------------------
    def existing_queryset(self):
        manager = self.model.objects
        return manager.active() if self.voidable else manager.all()

    # --- export ----------------------------------------------------------------------------------
    def export_queryset(self):
        return self.existing_queryset().select_related("region").order_by("region__code", "name", "pk")

    def export_value(self, obj, column: Column):
        if column.field == "region":
            return obj.region.code
        value = getattr(obj, column.field)
        if column.kind == CHOICE:
            return choice_label(column.choices, value)
        if column.kind == DATE:
            return value.isoformat() if value else ""
        return value if value is not None else ""


# --- helpers shared by the person-like kinds ------------------------------------------------------

def clean_person_document(row: Row) -> None:
    """Validate the ID number against its document type; derive or check birth date and sex for 居民身份证."""
    values = row.values
    number = values.get("id_number")
    if not number:
        values.pop("document_type", None)  # a type without a number changes nothing
        return
    document_type = values.setdefault("document_type", DocumentType.RESIDENT_ID)
    try:
        if document_type == DocumentType.RESIDENT_ID:
            citizen = parse_citizen_id(number)
            values["id_number"] = citizen.number
        else:
            citizen = None
            values["id_number"] = normalise_document(document_type, number)
    except ValidationError as error:
        values.pop("id_number")
        row.error("id_number", error.messages[0])
        return
    if citizen is not None:
        if "birth_date" in values and values["birth_date"] != citizen.birth_date:
            row.error("birth_date", MSG_BIRTH_MISMATCH)
        if values.get("sex") not in (None, Sex.UNKNOWN, citizen.sex):
            row.error("sex", MSG_SEX_MISMATCH)
        values["birth_date"] = citizen.birth_date
        values["sex"] = citizen.sex


def document_key(values: dict) -> tuple | None:
    if values.get("id_number"):
        return ("document", values.get("document_type", DocumentType.RESIDENT_ID), values["id_number"])
    return None


def match_documents(rows: list[Row], queryset, ctx) -> list[Row]:
    """Match rows that carry a document to active records with the same document (one query).

    The same document under another name, or a record outside the actor's scope, is a clash that
    cannot be merged. Returns the rows still unmatched (no document, or a document not on file yet)."""
    with_document = [row for row in rows if row.values.get("id_number")]
    if with_document:
        numbers = {row.values["id_number"] for row in with_document}
        found = {(o.document_type, o.id_number): o
                 for o in queryset.filter(id_number__in=numbers).select_related("region")}
        for row in with_document:
            obj = found.get((row.values.get("document_type", DocumentType.RESIDENT_ID), row.values["id_number"]))
            if obj is None:
                continue
            if obj.name != row.values.get("name"):
                row.error("id_number", MSG_CLASH_OTHER_NAME)
            elif not ctx.may_change(obj):
                row.error("id_number", MSG_CLASH_OUT_OF_SCOPE)
            else:
                row.existing = obj
    return [row for row in rows if row.existing is None and not row.errors]


def fallback_candidates(row: Row, candidates: list) -> list:
    """A row with a document may only merge into a record that has no document yet."""
    if row.values.get("id_number"):
        return [c for c in candidates if not c.id_number]
    return candidates


def pick_single(row: Row, candidates: list, ctx, field_name: str) -> None:
    """Use the one candidate found by a weaker key; several are ambiguous, out of scope is a clash."""
    if not candidates:
        return
    if len(candidates) > 1:
        row.error(field_name, MSG_CLASH_AMBIGUOUS)
    elif not ctx.may_change(candidates[0]):
        row.error(field_name, MSG_CLASH_OUT_OF_SCOPE)
    else:
        row.existing = candidates[0]
