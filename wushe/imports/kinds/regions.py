"""The region tree: level and parent come from the 12-digit code; revoked codes are kept, never deleted."""

from types import SimpleNamespace

from django.utils.translation import gettext_lazy as _
from simple_history.utils import bulk_create_with_history

from wushe.accounts.policy import Resource
from wushe.imports.models import ImportKind
from wushe.regions.models import Level, Region, UrbanRuralClass, level_for_code, parent_code_for

from .base import (
    CHOICE,
    CREATE,
    DATE,
    MSG_REGION_OUT_OF_SCOPE,
    REGION,
    UPDATE,
    Column,
    ImportSpec,
    Row,
)

MSG_REGION_CODE_INVALID = _("区划代码无效：前两位省级代码不能为00。")
MSG_PARENT_UNKNOWN = _("上级区划（%(code)s）不存在，请先导入上级区划或在本文件中一并填写。")
MSG_REPLACEMENT_UNKNOWN = _("继承区划代码不存在。")
MSG_REPLACEMENT_WITHOUT_REVOKED = _("填写继承区划代码时必须同时填写撤销日期。")
MSG_REPLACEMENT_SELF = _("继承区划不能是其本身。")


class RegionSpec(ImportSpec):
    kind = ImportKind.REGIONS
    model = Region
    resource = Resource.REGION
    columns = (
        Column("code", _("区划代码"), REGION, required=True, width=16,
               help=_("12位统计用区划代码；层级和上级区划由代码自动得出。")),
        Column("name", _("名称"), required=True, width=20),
        Column("urban_rural_class", _("城乡分类"), CHOICE, choices=UrbanRuralClass, width=14,
               help=_("可填名称或三位代码（如 111）。")),
        Column("revoked_on", _("撤销日期"), DATE, width=12, help=_("已撤销的区划填写撤销日期；区划不会被删除。")),
        Column("replaced_by", _("继承区划代码"), REGION, width=16, help=_("撤销后由哪个区划继承（12位代码）。")),
    )
    sample = {"code": "110105001003", "name": "示例社区", "urban_rural_class": "城乡接合区", "revoked_on": "",
              "replaced_by": ""}
    matching_help = _("匹配规则：按区划代码匹配已有区划；已有区划的名称、城乡分类、撤销日期和继承区划会被更新。")
    key_fields = ("code",)
    duplicate_field = "code"
    has_search_text = False
    voidable = False

    def clean(self, row: Row) -> None:
        values = row.values
        code = values.get("code")
        if code and code[:2] == "00":
            row.error("code", MSG_REGION_CODE_INVALID)
        replacement = values.pop("replaced_by", None)
        if replacement:
            if "revoked_on" not in values:
                row.error("replaced_by", MSG_REPLACEMENT_WITHOUT_REVOKED)
            elif replacement == code:
                row.error("replaced_by", MSG_REPLACEMENT_SELF)
            values["replaced_by_code"] = replacement

    def keys(self, row: Row) -> list[tuple]:
        return [("code", row.values["code"])]

    def match(self, rows: list[Row], ctx) -> None:
        codes = {row.values["code"] for row in rows}
        referenced = {parent_code_for(code) for code in codes} - {None}
        referenced |= {row.values["replaced_by_code"] for row in rows if row.values.get("replaced_by_code")}
        found = {r.code: r for r in Region.objects.filter(code__in=codes | referenced).select_related("replaced_by")}
        pending = ctx.state.setdefault("pending_references", [])
        for row in rows:
            code = row.values["code"]
            if not ctx.may_import_into(SimpleNamespace(code=code)):
                row.error("code", MSG_REGION_OUT_OF_SCOPE)
                continue
            row.existing = found.get(code)
            parent = parent_code_for(code)
            if parent and parent not in found:
                pending.append((row.number, "code", parent, MSG_PARENT_UNKNOWN % {"code": parent}))
            replacement = row.values.get("replaced_by_code")
            if replacement and replacement not in found:
                pending.append((row.number, "replaced_by", replacement, str(MSG_REPLACEMENT_UNKNOWN)))

    def finish(self, ctx) -> list[tuple[int, str, str]]:
        """A parent or replacement may come later in the file; check once every code is known."""
        return [(number, field_name, message)
                for number, field_name, code, message in ctx.state.get("pending_references", [])
                if ("code", code) not in ctx.seen_keys]

    def changes(self, obj, values: dict) -> dict:
        changes = {name: value for name, value in values.items()
                   if name not in ("code", "replaced_by_code") and getattr(obj, name) != value}
        replacement = values.get("replaced_by_code")
        if replacement and (obj.replaced_by is None or obj.replaced_by.code != replacement):
            changes["replaced_by_code"] = replacement
        return changes

    def write(self, plan, ctx) -> None:
        """Create level by level so every parent exists before its children; then updates."""
        late_replacements: list[tuple[str, str]] = []
        for level in Level.values:
            for chunk in plan.chunks():
                creates = [values for action, _pk, values, _text in chunk
                           if action == CREATE and level_for_code(values["code"]) == level]
                if creates:
                    self._create(level, creates, ctx, late_replacements)
        for chunk in plan.chunks():
            updates = [(pk, values) for action, pk, values, _text in chunk if action == UPDATE]
            if updates:
                self._update(updates, ctx)
        if late_replacements:
            self._update([(None, {"code": code, "replaced_by_code": replacement})
                          for code, replacement in late_replacements], ctx)

    def _create(self, level: int, creates: list[dict], ctx, late_replacements: list) -> None:
        parents = {parent_code_for(values["code"]) for values in creates} - {None}
        replacements = {values["replaced_by_code"] for values in creates if values.get("replaced_by_code")}
        pks = dict(Region.objects.filter(code__in=parents | replacements).values_list("code", "pk"))
        objects = []
        for values in creates:
            values = dict(values)
            replacement = values.pop("replaced_by_code", None)
            region = Region(**values, level=level, parent_id=pks.get(parent_code_for(values["code"])))
            if replacement in pks:
                region.replaced_by_id = pks[replacement]
            elif replacement:
                late_replacements.append((values["code"], replacement))
            objects.append(region)
        bulk_create_with_history(objects, Region, default_user=ctx.actor, default_change_reason=ctx.change_reason)

    def _update(self, updates: list[tuple[int | None, dict]], ctx) -> None:
        """Updates by pk, or by code for replacements resolved after their target was created."""
        for start in range(0, len(updates), 1000):
            batch = updates[start:start + 1000]
            codes = {values["replaced_by_code"] for _pk, values in batch if values.get("replaced_by_code")}
            codes |= {values["code"] for pk, values in batch if pk is None}
            pks = dict(Region.objects.filter(code__in=codes).values_list("code", "pk")) if codes else {}
            converted = []
            for pk, values in batch:
                values = dict(values)
                code = values.pop("code", None)
                replacement = values.pop("replaced_by_code", None)
                if replacement:
                    values["replaced_by_id"] = pks[replacement]
                converted.append((pk if pk is not None else pks[code], values, None))
            self.write_updates(converted, ctx)

    def export_queryset(self):
        return Region.objects.select_related("replaced_by").order_by("code")

    def export_value(self, obj, column: Column):
        if column.field == "replaced_by":
            return obj.replaced_by.code if obj.replaced_by_id else ""
        return super().export_value(obj, column)

