"""Readable change history from django-simple-history tables (who, when, what changed)."""

from django.utils.translation import gettext_lazy as _

KIND_LABELS = {"+": _("创建"), "~": _("修改"), "-": _("删除")}
HIDDEN_FIELDS = {"search_text", "updated_at", "created_at"}


def _display(record, field_name: str) -> str:
    field = record.instance_type._meta.get_field(field_name)
    value = getattr(record, field.attname, None)
    if getattr(field, "choices", None):
        return str(dict(field.flatchoices).get(value, value or ""))
    if field.is_relation and value is not None:
        related = getattr(record, field_name, None)
        return str(related) if related is not None else str(value)
    return "" if value is None else str(value)


def history_for(obj, limit: int = 50) -> list[dict]:
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in HIDDEN_FIELDS:
                    continue
                field = obj._meta.get_field(change.field)
                if field.many_to_many:
                    old = ", ".join(str(v) for v in _m2m_names(field, change.old))
                    new = ", ".join(str(v) for v in _m2m_names(field, change.new))
                else:
                    old, new = _display(previous, change.field), _display(record, change.field)
                changes.append({"field": field.verbose_name, "old": old, "new": new})
        entries.append({
            "at": record.history_date,
            "actor": record.history_user,
            "kind": KIND_LABELS.get(record.history_type, record.history_type),
            "reason": record.history_change_reason or "",
            "changes": changes,
        })
    return entries


def _m2m_names(field, rows) -> list[str]:
    ids = [row[field.m2m_reverse_field_name()] for row in rows or []]
    return [str(o) for o in field.related_model.objects.filter(pk__in=ids)]
