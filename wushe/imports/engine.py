"""The import engine: validate every row first, then write everything in one transaction, or nothing.

Memory stays bounded for large files: rows are read in streaming mode and handled in chunks; what a valid
chunk will write is pickled to a temporary file (the plan) rather than kept in memory; only the natural keys
seen so far stay in memory (for duplicates within the file). Validation reports progress after each chunk,
outside any transaction, so a job page can show it while the import runs; the write happens at the end in
one short transaction that only does database work (search text is computed during validation).
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, can_in_region
from wushe.regions.models import Region

from .kinds.base import (
    CREATE,
    MSG_DUPLICATE_IN_FILE,
    MSG_REGION_OUT_OF_SCOPE,
    MSG_REGION_REVOKED,
    MSG_REGION_UNKNOWN,
    MSG_REQUIRED,
    MSG_SAME_RECORD_IN_FILE,
    MSG_SAMPLE_ROW,
    UNCHANGED,
    UPDATE,
    ImportSpec,
    Row,
    WriteConflict,
    cell_text,
    parse_cell,
)
from .reader import Sheet, is_blank

MSG_MISSING_COLUMNS = _("缺少必填列：%(columns)s。请使用本平台的导入模板。")
MSG_FILE_EMPTY = _("文件中没有数据行。")
MSG_WRITE_CONFLICT = _("写入时发现数据已被他人修改，本次导入未写入任何数据，请重新导入。")

CHUNK_SIZE = 1000
# The column a duplicate is reported on, by the kind of key that collided.
_KEY_FIELDS = {"document": "id_number", "number": "volunteer_number", "credit_code": "credit_code", "code": "code"}


@dataclass
class ImportOutcome:
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict] = field(default_factory=list)
    written: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportContext:
    """What the validation of one file remembers between chunks."""

    def __init__(self, spec: ImportSpec, *, actor, dry_run: bool, change_reason: str = ""):
        self.spec = spec
        self.actor = actor  # None: an operator on the command line, unrestricted
        self.dry_run = dry_run
        self.change_reason = change_reason[:100]
        self.regions: dict[str, Region | None] = {}
        self.region_codes: dict[int, str] = {}
        self.scope: dict[str, bool] = {}
        self.seen_keys: dict[tuple, int] = {}
        self.claimed: dict[int, int] = {}  # existing pk → the row that updates it
        self.state: dict = {}  # per-spec scratch space

    def may_import_into(self, region) -> bool:
        if self.actor is None:
            return True
        allowed = self.scope.get(region.code)
        if allowed is None:
            allowed = self.scope[region.code] = can_in_region(self.actor, Action.IMPORT, self.spec.resource, region)
        return allowed

    def may_change(self, obj) -> bool:
        """An existing record may be merged into only if it lies within the actor's import scope."""
        return self.may_import_into(obj.region)

    def region_code(self, region_id: int) -> str:
        return self.region_codes[region_id]


class Plan:
    """What validation decided to write, pickled chunk by chunk to a temporary file."""

    def __init__(self):
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close(); deleted on close)

    def add(self, entries: list[tuple]) -> None:
        if entries:
            pickle.dump(entries, self._file, protocol=pickle.HIGHEST_PROTOCOL)

    def chunks(self) -> Iterator[list[tuple]]:
        self._file.seek(0)
        while True:
            try:
                yield pickle.load(self._file)
            except EOFError:
                return

    def close(self) -> None:
        self._file.close()


def normalise_header(text) -> str:
    return str(text or "").replace("（必填）", "").replace("(必填)", "").strip().rstrip("*＊").strip()


def column_positions(spec: ImportSpec, headers: list[str]) -> tuple[list[tuple], list[str]]:
    """(column, index) for each known header (by Chinese header or field name), and missing required headers."""
    index_of: dict[str, int] = {}
    for index, header in enumerate(headers):
        index_of.setdefault(normalise_header(header), index)
    positions, missing = [], []
    for column in spec.columns:
        index = index_of.get(str(column.header), index_of.get(column.field))
        if index is not None:
            positions.append((column, index, spec.max_length(column)))
        elif column.required:
            missing.append(str(column.header))
    return positions, missing


def missing_columns_message(missing: list[str]) -> str:
    return str(MSG_MISSING_COLUMNS % {"columns": "、".join(missing)})


def _batched(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while batch := list(islice(iterator, size)):
        yield batch


def _sample_signature(spec: ImportSpec, positions) -> list[tuple[int, str]]:
    return [(index, cell_text(spec.sample[column.field])) for column, index, _m in positions
            if cell_text(spec.sample.get(column.field))]


def parse_row(spec: ImportSpec, number: int, cells: tuple, positions, sample) -> Row:
    row = Row(number)
    if sample and all(index < len(cells) and cell_text(cells[index]) == text for index, text in sample):
        row.error("", MSG_SAMPLE_ROW)
        return row
    for column, index, max_length in positions:
        raw = cells[index] if index < len(cells) else None
        if is_blank(raw):
            if column.required:
                row.error(column.field, MSG_REQUIRED)
            continue
        try:
            row.values[column.field] = parse_cell(column, raw, max_length)
        except ValidationError as error:
            row.error(column.field, error.messages[0])
    spec.clean(row)
    return row


def _resolve_regions(rows: list[Row], ctx: ImportContext) -> None:
    """Owning regions by 12-digit code: one query per chunk for codes not seen before."""
    codes = {row.values["region"] for row in rows if "region" in row.values} - ctx.regions.keys()
    if codes:
        for region in Region.objects.filter(code__in=codes):
            ctx.regions[region.code] = region
            ctx.region_codes[region.pk] = region.code
        for code in codes:
            ctx.regions.setdefault(code, None)
    for row in rows:
        code = row.values.pop("region", None)
        if code is None:
            continue
        region = ctx.regions[code]
        if region is None:
            row.error("region", MSG_REGION_UNKNOWN)
        elif region.revoked_on is not None:
            row.error("region", MSG_REGION_REVOKED)
        elif not ctx.may_import_into(region):
            row.error("region", MSG_REGION_OUT_OF_SCOPE)
        else:
            row.values["region_id"] = region.pk
            row.region = region


def validate_chunk(spec: ImportSpec, rows: list[Row], ctx: ImportContext) -> None:
    if spec.column("region") is not None:
        _resolve_regions(rows, ctx)
    for row in rows:
        if row.has_error(*spec.key_fields, ""):
            continue
        for key in spec.keys(row):
            first = ctx.seen_keys.setdefault(key, row.number)
            if first != row.number:
                row.error(_KEY_FIELDS.get(key[0], spec.duplicate_field), MSG_DUPLICATE_IN_FILE % {"row": first})
    candidates = [row for row in rows if not row.errors]
    if candidates:
        spec.match(candidates, ctx)
    for row in candidates:
        if row.errors:
            continue
        if row.existing is None:
            row.action = CREATE
            continue
        first = ctx.claimed.setdefault(row.existing.pk, row.number)
        if first != row.number:
            row.error(spec.duplicate_field, MSG_SAME_RECORD_IN_FILE % {"row": first})
            continue
        row.changes = spec.changes(row.existing, row.values)
        row.action = UPDATE if row.changes else UNCHANGED


def _plan_entry(spec: ImportSpec, row: Row) -> tuple | None:
    if row.action == CREATE:
        text = spec.search_text(spec.model(**row.values)) if spec.has_search_text else None
        return (CREATE, None, row.values, text)
    if row.action == UPDATE:
        obj = row.existing
        for name, value in row.changes.items():
            if hasattr(obj, name):
                setattr(obj, name, value)
        text = spec.search_text(obj) if spec.has_search_text else None
        return (UPDATE, obj.pk, row.changes, text)
    return None


def error_entry(spec: ImportSpec, number: int, field_name: str, message) -> dict:
    return {"row": number, "column": spec.header_for(field_name), "message": str(message)}


def run_import(spec: ImportSpec, sheet: Sheet, *, actor, dry_run: bool,
               progress: Callable[[int], None] | None = None, change_reason: str = "",
               on_written: Callable[[ImportOutcome], None] | None = None) -> ImportOutcome:
    """Validate every row of `sheet`; unless there is an error or this is a dry run, write all of it.

    `on_written` runs inside the write transaction after the rows (to record the job and audit with them)."""
    outcome = ImportOutcome()
    positions, missing = column_positions(spec, sheet.headers)
    if missing:
        outcome.errors.append({"row": 1, "column": "", "message": missing_columns_message(missing)})
        return outcome
    ctx = ImportContext(spec, actor=actor, dry_run=dry_run, change_reason=change_reason)
    sample = _sample_signature(spec, positions)
    plan = Plan()
    try:
        for batch in _batched(sheet.rows(), CHUNK_SIZE):
            rows = [parse_row(spec, number, cells, positions, sample) for number, cells in batch]
            validate_chunk(spec, rows, ctx)
            entries = []
            for row in rows:
                if row.errors:
                    outcome.errors.extend(error_entry(spec, row.number, f, m) for f, m in row.errors)
                    continue
                if row.action == CREATE:
                    outcome.created += 1
                elif row.action == UPDATE:
                    outcome.updated += 1
                else:
                    outcome.unchanged += 1
                if not dry_run and not outcome.errors:
                    entry = _plan_entry(spec, row)
                    if entry is not None:
                        entries.append(entry)
            if not dry_run and not outcome.errors:
                plan.add(entries)
            outcome.total_rows += len(rows)
            if progress is not None:
                progress(outcome.total_rows)
        late = [error_entry(spec, number, f, m) for number, f, m in spec.finish(ctx)]
        if late:
            outcome.errors = sorted(outcome.errors + late, key=lambda e: e["row"])
        if not outcome.total_rows:
            outcome.errors.append({"row": 1, "column": "", "message": str(MSG_FILE_EMPTY)})
        if outcome.errors or dry_run:
            return outcome
        try:
            with transaction.atomic():
                spec.write(plan, ctx)
                outcome.written = True
                if on_written is not None:
                    on_written(outcome)
        except (IntegrityError, WriteConflict):
            outcome.written = False
            outcome.errors.append({"row": 0, "column": "", "message": str(MSG_WRITE_CONFLICT)})
        return outcome
    finally:
        plan.close()
