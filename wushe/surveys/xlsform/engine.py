"""The server-side form engine: typed answers, skip logic, calculations, constraints, required.

Keys: a question outside repeats is keyed by its name ("age"); inside a repeat by
"<repeat>.<index>.<name>" ("kids.0.kname", index 0-based). ``raw`` may be a dict (JSON: typed values,
a repeat as a list of dicts) or a Django QueryDict / form dict (strings; select_multiple as a list or a
space-separated string; repeat children as "kids.0.kname" keys).
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import expressions
from .expressions import Context, NodeSet

MSG_REQUIRED = _("此题必答。")
MSG_CONSTRAINT = _("答案不符合要求")
MSG_NOT_INTEGER = _("请输入整数。")
MSG_NOT_DECIMAL = _("请输入数字。")
MSG_NOT_DATE = _("请输入有效日期（格式：年-月-日，如 2026-12-01）。")
MSG_NOT_CHOICE = _("“%(value)s”不是本题的选项。")
MSG_NOT_TEXT = _("请输入文字。")

MAX_PASSES = 5
_REPEAT_KEY = re.compile(r"^([^.]+)\.(\d+)\.([^.]+)$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTERPOLATION = re.compile(r"\$\{([^}]*)\}")
_VALUE_TYPES = {"text", "integer", "decimal", "date", "select_one", "select_multiple"}


@dataclass
class EvalResult:
    answers: dict
    errors: dict[str, str] = field(default_factory=dict)
    visible: set[str] = field(default_factory=set)


# --- labels -----------------------------------------------------------------------------------


def ui_language(language: str | None = None) -> str:
    """A form language key for a Django language code: 'zh-hans' -> 'zh', 'en-us' -> 'en'."""
    code = (language or get_language() or "zh-hans").lower()
    return code.split("-")[0].split("_")[0]


def _pick(texts: Any, lang: str) -> str:
    if isinstance(texts, str):
        return texts
    if not texts:
        return ""
    lang = ui_language(lang)
    if texts.get(lang):
        return texts[lang]
    # Labels list the form's default language first (the importer orders them).
    return next((text for text in texts.values() if text), "")


def label(node_or_choice: dict, lang: str | None = None, *, answers: dict | None = None) -> str:
    """The label in a UI language (fallback: default language, any, then the name).

    With ``answers``, ``${name}`` in the label is replaced by the answer (outside repeats).
    """
    text = _pick(node_or_choice.get("label"), lang or ui_language()) or node_or_choice.get("name", "")
    if answers is not None:
        text = _INTERPOLATION.sub(lambda m: _display(answers.get(m.group(1).strip(), "")), text)
    return text


def message(texts: Any, lang: str | None = None) -> str:
    """A translated text of the form (hint, constraint / required message) or ''."""
    return _pick(texts, lang or ui_language())


def _display(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- the form tree ----------------------------------------------------------------------------


def iter_questions(definition: dict) -> Iterator[tuple[dict, str | None]]:
    """Every leaf question in form order (groups flattened), with the name of its repeat or None."""
    def walk(nodes: list[dict], repeat: str | None) -> Iterator[tuple[dict, str | None]]:
        for node in nodes:
            if node["type"] == "group":
                yield from walk(node.get("children", []), repeat)
            elif node["type"] == "repeat":
                yield from walk(node.get("children", []), node["name"])
            else:
                yield node, repeat
    yield from walk(definition.get("questions", []), None)


def _repeat_of(definition: dict) -> dict[str, str | None]:
    """name -> repeat name (None outside repeats), for leaves, groups and repeats."""
    result: dict[str, str | None] = {}

    def walk(nodes: list[dict], repeat: str | None) -> None:
        for node in nodes:
            result[node["name"]] = repeat
            if node["type"] in ("group", "repeat"):
                walk(node.get("children", []), node["name"] if node["type"] == "repeat" else repeat)
    walk(definition.get("questions", []), None)
    return result


def _all_nodes(nodes: list[dict]) -> Iterator[dict]:
    for node in nodes:
        yield node
        yield from _all_nodes(node.get("children", []))


# --- typing raw input -------------------------------------------------------------------------


class _TypeError(ValueError):
    pass


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or \
        (isinstance(value, list | tuple) and not [v for v in value if not _is_empty(v)])


def _typed(question: dict, value: Any) -> Any:
    kind = question["type"]
    if kind == "integer":
        if isinstance(value, bool):
            raise _TypeError(MSG_NOT_INTEGER)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        text = str(value).strip()
        if re.fullmatch(r"[+-]?\d+", text):
            return int(text)
        raise _TypeError(MSG_NOT_INTEGER)
    if kind == "decimal":
        if isinstance(value, bool):
            raise _TypeError(MSG_NOT_DECIMAL)
        if isinstance(value, int | float):
            number = float(value)
        elif re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", str(value).strip()):
            number = float(str(value).strip())
        else:
            raise _TypeError(MSG_NOT_DECIMAL)
        if not math.isfinite(number):
            raise _TypeError(MSG_NOT_DECIMAL)
        return number
    if kind == "date":
        text = value.isoformat() if isinstance(value, datetime.date) else str(value).strip()
        if not _ISO_DATE.match(text):
            raise _TypeError(MSG_NOT_DATE)
        try:
            datetime.date.fromisoformat(text)
        except ValueError:
            raise _TypeError(MSG_NOT_DATE)
        return text
    if kind == "select_one":
        text = str(value).strip()
        if text not in {choice["name"] for choice in question.get("choices", [])}:
            raise _TypeError(MSG_NOT_CHOICE % {"value": text})
        return text
    if kind == "select_multiple":
        items = value.split() if isinstance(value, str) else [str(item).strip() for item in value]
        names = [choice["name"] for choice in question.get("choices", [])]
        for item in items:
            if item and item not in names:
                raise _TypeError(MSG_NOT_CHOICE % {"value": item})
        chosen = set(items)
        return [name for name in names if name in chosen]
    if isinstance(value, dict | list | tuple):
        raise _TypeError(MSG_NOT_TEXT)
    return str(value).strip()


class _Raw:
    """Uniform access to a JSON dict or a form POST (QueryDict)."""

    def __init__(self, raw: Any):
        self.raw = raw if raw is not None else {}
        self.instances: dict[str, dict[int, dict[str, str]]] = {}
        for key in self.raw:
            match = _REPEAT_KEY.match(str(key))
            if match:
                self.instances.setdefault(match.group(1), {}).setdefault(int(match.group(2)), {})[match.group(3)] = key

    def value(self, question: dict, container: Any = None, key: str | None = None) -> Any:
        source = self.raw if container is None else container
        key = key or question["name"]
        if question["type"] == "select_multiple" and hasattr(source, "getlist"):
            values = source.getlist(key)
            return values[0] if len(values) == 1 else values
        return source.get(key) if hasattr(source, "get") else None

    def repeat_instances(self, repeat: str) -> list[tuple[Any, dict[str, str] | None]]:
        """(container, key map) per instance: a JSON list of dicts, or the flat "kids.0.x" keys."""
        listed = self.raw.get(repeat) if hasattr(self.raw, "get") else None
        if isinstance(listed, list):
            return [(item if isinstance(item, dict) else {}, None) for item in listed]
        flat = self.instances.get(repeat, {})
        return [(self.raw, flat[index]) for index in sorted(flat)]


# --- evaluation -------------------------------------------------------------------------------


def _xpath(value: Any) -> Any:
    """An answer as an XPath value: numbers as float, select_multiple space-separated."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    if isinstance(value, int):
        return float(value)
    return value


def _stored(value: Any) -> Any:
    """A calculation result as stored: number (int when whole), str; '' for empty / NaN."""
    if isinstance(value, NodeSet):
        value = value.values[0] if value.values else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        return int(value) if value.is_integer() else value
    if isinstance(value, datetime.date):
        return expressions.to_string(value)
    return value


class _Evaluation:
    def __init__(self, definition: dict, today: datetime.date | None):
        self.definition = definition
        self.repeat_of = _repeat_of(definition)
        self.today = today
        self.answers: dict = {}
        self.repeats = {node["name"] for node in _all_nodes(definition["questions"]) if node["type"] == "repeat"}

    def resolve(self, name: str, instance: dict | None, repeat: str | None) -> Any:
        if name in self.repeats:
            return NodeSet(["" for _item in self.answers.get(name, [])])
        owner = self.repeat_of.get(name)
        if owner is None:
            return _xpath(self.answers.get(name))
        if owner == repeat and instance is not None:
            return _xpath(instance.get(name))
        return NodeSet([_xpath(item[name]) for item in self.answers.get(owner, []) if name in item])

    def run(self, expr: str, *, instance: dict | None, repeat: str | None, current: Any = "") -> Any:
        context = Context(resolve=lambda name: self.resolve(name, instance, repeat),
                          current=_xpath(current), today=self.today)
        return expressions.evaluate(expr, context)

    def true(self, expr: str | None, **where: Any) -> bool:
        if not expr:
            return True
        return expressions.to_boolean(self.run(expr, **where))


def _required(question: dict, evaluation: _Evaluation, **where: Any) -> bool:
    required = question.get("required")
    if isinstance(required, bool) or required is None:
        return bool(required)
    return evaluation.true(required, **where)


def evaluate(definition: dict, raw: Any, *, final: bool, today: datetime.date | None = None) -> EvalResult:
    """Clean and check answers against a definition (see the module docstring for keys)."""
    source = _Raw(raw)
    errors: dict[str, str] = {}
    typed = _type_all(definition["questions"], source, errors)
    evaluation = _Evaluation(definition, today)
    previous: tuple | None = None
    hidden: set[str] = set()
    calculated: dict[str, Any] = {}
    visible: set[str] = set()
    for _pass in range(MAX_PASSES):
        answers = _copy(typed)
        for key in hidden:
            _drop(answers, key)
        for key, value in calculated.items():
            _put(answers, key, value)
        evaluation.answers = answers
        visible, hidden_now = set(), set()
        _walk_relevance(definition["questions"], evaluation, answers, None, None, "", visible, hidden_now,
                        calculated)
        state = (repr(answers), frozenset(visible))
        hidden = hidden_now
        if state == previous:
            break
        previous = state
    answers = evaluation.answers
    errors = {key: text for key, text in errors.items() if key in visible}
    _check(definition["questions"], evaluation, answers, None, None, "", visible, errors, final)
    return EvalResult(answers=answers, errors=errors, visible=visible)


def _copy(typed: dict) -> dict:
    return {key: [dict(item) for item in value] if isinstance(value, list) and value
            and isinstance(value[0], dict) else value for key, value in typed.items()}


def _put(answers: dict, key: str, value: Any) -> None:
    match = _REPEAT_KEY.match(key)
    if not match:
        answers[key] = value
        return
    items = answers.get(match.group(1))
    if isinstance(items, list) and int(match.group(2)) < len(items):
        items[int(match.group(2))][match.group(3)] = value


def _drop(answers: dict, key: str) -> None:
    match = _REPEAT_KEY.match(key)
    if match:
        items = answers.get(match.group(1))
        if isinstance(items, list) and int(match.group(2)) < len(items):
            items[int(match.group(2))].pop(match.group(3), None)
    else:
        answers.pop(key, None)


def _type_all(nodes: list[dict], source: _Raw, errors: dict[str, str], container: Any = None,
              keys: dict[str, str] | None = None, prefix: str = "") -> dict:
    typed: dict = {}
    for node in nodes:
        kind, name = node["type"], node["name"]
        if kind == "group":
            typed.update(_type_all(node.get("children", []), source, errors, container, keys, prefix))
        elif kind == "repeat":
            instances = []
            for index, (item, key_map) in enumerate(source.repeat_instances(name)):
                instances.append(_type_all(node.get("children", []), source, errors, item, key_map,
                                           f"{name}.{index}."))
            if instances:
                typed[name] = instances
        elif kind in _VALUE_TYPES:
            key = (keys or {}).get(name) if keys is not None else None
            if keys is not None and key is None:
                continue
            value = source.value(node, container, key)
            if _is_empty(value):
                continue
            try:
                typed[name] = _typed(node, value)
            except _TypeError as error:
                errors[prefix + name] = str(error.args[0])
    return typed


def _walk_relevance(nodes: list[dict], evaluation: _Evaluation, answers: dict, instance: dict | None,
                    repeat: str | None, prefix: str, visible: set[str], hidden: set[str],
                    calculated: dict[str, Any], parent_relevant: bool = True) -> None:
    """Form order: decide relevance, drop what is hidden, compute calculations."""
    target = instance if instance is not None else answers
    for node in nodes:
        kind, name = node["type"], node["name"]
        key = prefix + name
        relevant = parent_relevant and evaluation.true(node.get("relevant"), instance=instance, repeat=repeat)
        if relevant:
            visible.add(key)
        if kind == "group":
            _walk_relevance(node.get("children", []), evaluation, answers, instance, repeat, prefix, visible,
                            hidden, calculated, relevant)
            continue
        if kind == "repeat":
            if not relevant:
                answers.pop(name, None)
                hidden.add(name)
                continue
            for index, item in enumerate(answers.get(name, [])):
                _walk_relevance(node.get("children", []), evaluation, answers, item, name, f"{name}.{index}.",
                                visible, hidden, calculated)
            continue
        if not relevant:
            if name in target:
                target.pop(name)
            hidden.add(key)
            calculated.pop(key, None)
            continue
        if kind == "calculate":
            value = _stored(evaluation.run(node["calculation"], instance=instance, repeat=repeat))
            if value == "" or value is None:
                target.pop(name, None)
                calculated.pop(key, None)
            else:
                target[name] = value
                calculated[key] = value


def _check(nodes: list[dict], evaluation: _Evaluation, answers: dict, instance: dict | None,
           repeat: str | None, prefix: str, visible: set[str], errors: dict[str, str], final: bool) -> None:
    target = instance if instance is not None else answers
    lang = ui_language()
    for node in nodes:
        kind, name = node["type"], node["name"]
        key = prefix + name
        if key not in visible:
            continue
        if kind == "group":
            _check(node.get("children", []), evaluation, answers, instance, repeat, prefix, visible, errors, final)
            continue
        if kind == "repeat":
            for index, item in enumerate(answers.get(name, [])):
                _check(node.get("children", []), evaluation, answers, item, name, f"{name}.{index}.", visible,
                       errors, final)
            continue
        if kind not in _VALUE_TYPES or key in errors:
            continue
        where = {"instance": instance, "repeat": repeat}
        if name in target:
            if node.get("constraint") and not evaluation.true(node["constraint"], current=target[name], **where):
                errors[key] = message(node.get("constraint_message"), lang) or str(MSG_CONSTRAINT)
        elif final and _required(node, evaluation, **where):
            errors[key] = message(node.get("required_message"), lang) or str(MSG_REQUIRED)
