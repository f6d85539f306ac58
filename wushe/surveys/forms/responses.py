"""Forms for collecting: the start form (community, population group, optionally the resident interviewed)
and the questionnaire itself, rendered by hand from the survey definition.

The questionnaire's HTML field names are the engine's answer keys: `age` for a question outside repeats,
`kids.0.kid_name` inside instance 0 of repeat `kids`; `kids.count` carries the number of instances.
Parsing only turns POST data into the engine's `raw` dict; validation is the engine's (through the service).
"""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from wushe.core.forms import add_service_errors  # noqa: F401  (re-exported for the views)
from wushe.people.models import PopulationGroup
from wushe.surveys.xlsform import engine

LEAF_TYPES = {"text", "integer", "decimal", "date", "select_one", "select_multiple", "note"}
MAX_INSTANCES = 50


def ui_language() -> str:
    """The definition language key for the current UI language ("zh-hans" → "zh")."""
    return engine.ui_language(get_language())


class StartForm(forms.Form):
    region = forms.ModelChoiceField(label=_("所在社区"), queryset=None, empty_label=_("请选择社区"))
    population_group = forms.ModelChoiceField(label=_("人群类别"), queryset=PopulationGroup.objects.all(),
                                              required=False, empty_label=_("请选择人群类别"))

    def __init__(self, *args, communities, capture_group: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = communities
        if capture_group:
            self.fields["population_group"].empty_label = _("一般居民（不属于以上类别）")
        else:
            del self.fields["population_group"]


class ResumeForm(forms.Form):
    code = forms.CharField(label=_("续填码"), max_length=40)


class VoidForm(forms.Form):
    reason = forms.CharField(label=_("作废原因"), widget=forms.Textarea(attrs={"rows": 2}))


# --- the questionnaire --------------------------------------------------------------------------------


def _walk(nodes):
    """Leaf questions and repeats (groups flattened) as (node, kind) where kind is "leaf" or "repeat"."""
    for node in nodes or []:
        kind = node.get("type")
        if kind == "group":
            yield from _walk(node.get("children"))
        elif kind == "repeat":
            yield node, "repeat"
        elif kind in LEAF_TYPES:
            yield node, "leaf"


def _read_value(node: dict, data, key: str):
    if node["type"] == "select_multiple":
        return [value for value in data.getlist(key) if value]
    if node["type"] == "note":
        return None
    return data.get(key, "")


def instance_count(data, repeat: dict) -> int:
    """How many instances of a repeat the page had, after its add/remove buttons."""
    name = repeat["name"]
    try:
        count = max(0, min(int(data.get(f"{name}.count", 0)), MAX_INSTANCES))
    except (TypeError, ValueError):
        count = 0
    if data.get("add_instance") == name:
        count = min(count + 1, MAX_INSTANCES)
    return count


def parse_answers(definition: dict, data) -> dict:
    """The engine's `raw` dict from a POST (a QueryDict); a pressed remove button drops that instance."""
    raw: dict = {}
    removed = str(data.get("remove_instance", ""))
    for node, kind in _walk(definition.get("questions")):
        if kind == "leaf":
            if node["type"] != "note":
                raw[node["name"]] = _read_value(node, data, node["name"])
            continue
        instances = []
        for index in range(instance_count(data, node)):
            if removed == f"{node['name']}.{index}":
                continue
            instance = {}
            for child, child_kind in _walk(node.get("children")):
                if child_kind == "leaf" and child["type"] != "note":
                    instance[child["name"]] = _read_value(child, data, f"{node['name']}.{index}.{child['name']}")
            instances.append(instance)
        raw[node["name"]] = instances
    return raw


def is_structural_post(data) -> bool:
    """A POST that only reshapes the page (add/remove a repeat instance, live preview): nothing is saved."""
    return bool(data.get("preview") or data.get("add_instance") or data.get("remove_instance"))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _choices(node: dict, lang: str, value) -> list[dict]:
    chosen = {str(item) for item in value} if isinstance(value, list) else {_text(value)}
    return [{"name": choice["name"], "label": engine.label(choice, lang), "checked": str(choice["name"]) in chosen}
            for choice in node.get("choices") or []]


def _leaf(node: dict, key: str, values: dict, errors: dict, visible: set, lang: str) -> dict:
    value = values.get(node["name"])
    hint = node.get("hint")
    return {
        "kind": node["type"], "key": key, "id": "q-" + key.replace(".", "-"), "visible": key in visible,
        "label": engine.label(node, lang), "hint": engine.message(hint, lang) if hint else "",
        "required": bool(node.get("required")), "error": errors.get(key, ""),
        "value": value if isinstance(value, list) else _text(value),
        "choices": _choices(node, lang, value) if node["type"] in {"select_one", "select_multiple"} else [],
    }


def _nodes(children, values: dict, errors: dict, visible: set, lang: str, prefix: str = "") -> list[dict]:
    rendered = []
    for node in children or []:
        kind = node.get("type")
        key = prefix + node["name"]
        if kind == "group":
            rendered.append({"kind": "group", "key": key, "id": "g-" + key.replace(".", "-"),
                             "visible": key in visible, "label": engine.label(node, lang),
                             "children": _nodes(node.get("children"), values, errors, visible, lang, prefix)})
        elif kind == "repeat" and not prefix:
            instances = values.get(node["name"]) or []
            rendered.append({
                "kind": "repeat", "key": key, "id": "r-" + key, "visible": key in visible,
                "label": engine.label(node, lang), "count": len(instances), "error": errors.get(key, ""),
                "instances": [{"index": index, "key": f"{key}.{index}", "number": index + 1,
                               "children": _nodes(node.get("children"), instance if isinstance(instance, dict) else {},
                                                  errors, visible, lang, f"{key}.{index}.")}
                              for index, instance in enumerate(instances)],
            })
        elif kind in LEAF_TYPES:
            rendered.append(_leaf(node, key, values, errors, visible, lang))
    return rendered


def questionnaire(definition: dict, values: dict, *, errors: dict | None = None, visible: set | None = None,
                  lang: str | None = None) -> list[dict]:
    """The nodes the fill template renders: `values` are the answers (stored or as posted), `visible` the
    engine's relevant keys (computed here from `values` when not given)."""
    if visible is None:
        visible = engine.evaluate(definition, values or {}, final=False).visible
    return _nodes(definition.get("questions"), values or {}, errors or {}, set(visible), lang or ui_language())


def _display(node: dict, value, lang: str) -> str:
    if node["type"] in {"select_one", "select_multiple"}:
        labels = {str(choice["name"]): engine.label(choice, lang) for choice in node.get("choices") or []}
        items = value if isinstance(value, list) else [value]
        return "、".join(labels.get(str(item), str(item)) for item in items)
    return _text(value)


def readable_answers(definition: dict, answers: dict, lang: str | None = None) -> list[dict]:
    """Question label and shown answer, in form order, for a read-only view of a response."""
    lang = lang or ui_language()
    rows = []
    for node, kind in _walk(definition.get("questions")):
        if kind == "leaf":
            value = answers.get(node["name"])
            if node["type"] != "note" and value not in (None, "", []):
                rows.append({"key": node["name"], "label": engine.label(node, lang),
                             "value": _display(node, value, lang)})
            continue
        for index, instance in enumerate(answers.get(node["name"]) or []):
            for child, child_kind in _walk(node.get("children")):
                value = (instance or {}).get(child["name"]) if child_kind == "leaf" else None
                if child["type"] != "note" and value not in (None, "", []):
                    rows.append({"key": f"{node['name']}.{index}.{child['name']}",
                                 "label": f"{engine.label(node, lang)} {index + 1} · {engine.label(child, lang)}",
                                 "value": _display(child, value, lang)})
    return rows

