"""The ODK XPath subset used in relevant / constraint / calculation / required, parsed with lark.

Values follow XPath 1.0 / ODK rules: an unanswered question is ``''``; ``''`` compared with a number
is false (``number('')`` is NaN); dates are ISO strings that compare and subtract as days since
1970-01-01 (as in JavaRosa). References to questions inside a repeat give a node-set (``NodeSet``)
unless the expression is evaluated inside an instance of that same repeat, where they name the sibling.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import LarkError

GRAMMAR = r"""
?start: or_expr

?or_expr: and_expr | or_expr OR and_expr -> or_op
?and_expr: eq_expr | and_expr AND eq_expr -> and_op
?eq_expr: rel_expr | eq_expr EQ_OP rel_expr -> compare
?rel_expr: add_expr | rel_expr REL_OP add_expr -> compare
?add_expr: mul_expr | add_expr ADD_OP mul_expr -> arith
?mul_expr: unary | mul_expr MUL_OP unary -> arith
?unary: primary | "-" unary -> neg
?primary: NUMBER -> number
        | STRING -> string
        | REF -> ref
        | "." -> current
        | FUNC_NAME "(" [or_expr ("," or_expr)*] ")" -> call
        | "(" or_expr ")"

OR: "or"
AND: "and"
EQ_OP: "!=" | "="
REL_OP: "<=" | ">=" | "<" | ">"
ADD_OP: "+" | "-"
MUL_OP: "*" | "div" | "mod"
NUMBER: /\d+(\.\d*)?|\.\d+/
STRING: /'[^']*'|"[^"]*"/
REF: /\$\{[^}]*\}/
FUNC_NAME: /[A-Za-z_][\w.-]*(:[A-Za-z_][\w.-]*)?(?=\s*\()/

%import common.WS
%ignore WS
"""

_PARSER = Lark(GRAMMAR, parser="lalr", maybe_placeholders=False)


class ExpressionError(ValueError):
    """The expression cannot be parsed (the message is lark's, for logs; callers translate)."""


# --- AST --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: Any


@dataclass(frozen=True)
class Ref:
    name: str


@dataclass(frozen=True)
class Current:
    pass


@dataclass(frozen=True)
class Neg:
    operand: Any


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple


@v_args(inline=True)
class _ToAst(Transformer):
    def number(self, token: Token) -> Literal:
        return Literal(float(token))

    def string(self, token: Token) -> Literal:
        return Literal(str(token)[1:-1])

    def ref(self, token: Token) -> Ref:
        return Ref(str(token)[2:-1].strip())

    def current(self) -> Current:
        return Current()

    def neg(self, operand: Any) -> Neg:
        return Neg(operand)

    def or_op(self, left: Any, _op: Token, right: Any) -> BinOp:
        return BinOp("or", left, right)

    def and_op(self, left: Any, _op: Token, right: Any) -> BinOp:
        return BinOp("and", left, right)

    def compare(self, left: Any, op: Token, right: Any) -> BinOp:
        return BinOp(str(op), left, right)

    def arith(self, left: Any, op: Token, right: Any) -> BinOp:
        return BinOp(str(op), left, right)

    def call(self, name: Token, *args: Any) -> Call:
        return Call(str(name), tuple(args))


@lru_cache(maxsize=4096)
def parse(expr: str) -> Any:
    """The AST of an expression (cached); raises ExpressionError."""
    try:
        return _ToAst().transform(_PARSER.parse(expr))
    except LarkError as error:
        raise ExpressionError(str(error)) from None


def _walk(node: Any):
    yield node
    if isinstance(node, Neg):
        yield from _walk(node.operand)
    elif isinstance(node, BinOp):
        yield from _walk(node.left)
        yield from _walk(node.right)
    elif isinstance(node, Call):
        for arg in node.args:
            yield from _walk(arg)


def names(expr: str) -> set[str]:
    """The question names an expression refers to with ``${name}``."""
    return {node.name for node in _walk(parse(expr)) if isinstance(node, Ref)}


def functions(expr: str) -> set[str]:
    """The function names an expression calls."""
    return {node.name for node in _walk(parse(expr)) if isinstance(node, Call)}


_FUNCTION_NAME = re.compile(r"([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)\s*\(")
_STRING_LITERAL = re.compile(r"'[^']*'|\"[^\"]*\"")


def functions_by_scan(expr: str) -> set[str]:
    """Function names found by a plain scan (for expressions that do not parse)."""
    return set(_FUNCTION_NAME.findall(_STRING_LITERAL.sub("''", expr)))


# --- values -----------------------------------------------------------------------------------


@dataclass
class NodeSet:
    """The values of a question across the instances of a repeat (or the instances themselves)."""

    values: list = field(default_factory=list)


_EPOCH = datetime.date(1970, 1, 1)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def _first(value: Any) -> Any:
    if isinstance(value, NodeSet):
        return value.values[0] if value.values else ""
    return value


def to_string(value: Any) -> str:
    value = _first(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return "" if value is None else str(value)


def _date_to_days(value: datetime.date) -> float:
    if isinstance(value, datetime.datetime):
        midnight = datetime.datetime.combine(value.date(), datetime.time(), tzinfo=value.tzinfo)
        fraction = (value - midnight).total_seconds() / 86400
        return float((value.date() - _EPOCH).days) + fraction
    return float((value - _EPOCH).days)


def to_number(value: Any) -> float:
    value = _first(value)
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, datetime.date):
        return _date_to_days(value)
    text = to_string(value).strip()
    if _ISO_DATE.match(text):
        try:
            return _date_to_days(datetime.date.fromisoformat(text))
        except ValueError:
            return math.nan
    if re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", text):
        return float(text)
    return math.nan


def to_boolean(value: Any) -> bool:
    if isinstance(value, NodeSet):
        return bool(value.values)
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, datetime.date):
        return True
    return to_string(value) != ""


def to_date(value: Any) -> datetime.date | None:
    value = _first(value)
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if math.isnan(value) or math.isinf(value):
            return None
        return _EPOCH + datetime.timedelta(days=math.floor(value))
    text = to_string(value).strip()
    try:
        if _ISO_DATE.match(text):
            return datetime.date.fromisoformat(text)
        if _ISO_DATETIME.match(text):
            return datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    return None


# --- evaluation -------------------------------------------------------------------------------


@dataclass
class Context:
    """What an expression sees.

    ``resolve(name)`` gives the value of ``${name}`` (an engine supplies it, knowing repeats);
    ``current`` is the value of ``.``.
    """

    resolve: Callable[[str], Any]
    current: Any = ""
    today: datetime.date | None = None


def _compare(op: str, left: Any, right: Any) -> bool:
    if isinstance(left, NodeSet):
        return any(_compare(op, item, right) for item in left.values)
    if isinstance(right, NodeSet):
        return any(_compare(op, left, item) for item in right.values)
    if op in ("=", "!="):
        if isinstance(left, bool) or isinstance(right, bool):
            equal = to_boolean(left) == to_boolean(right)
        elif isinstance(left, int | float | datetime.date) or isinstance(right, int | float | datetime.date):
            equal = to_number(left) == to_number(right)
        else:
            equal = to_string(left) == to_string(right)
        return equal if op == "=" else not equal
    a, b = to_number(left), to_number(right)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _arith(op: str, left: Any, right: Any) -> float:
    a, b = to_number(left), to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1, b)
        return a / b
    if b == 0 or math.isnan(a) or math.isnan(b) or math.isinf(a):
        return math.nan
    return math.fmod(a, b)


def _items(value: Any) -> list:
    return value.values if isinstance(value, NodeSet) else [value]


def _selected_list(value: Any) -> list[str]:
    return to_string(value).split()


def _round(number: float, places: float = 0.0) -> float:
    if math.isnan(number) or math.isinf(number):
        return number
    factor = 10 ** int(places)
    return math.floor(number * factor + 0.5) / factor


def _substr(text: str, start: float, length: float | None = None) -> str:
    # ODK substr is 0-based with an end index: substr(s, start, end).
    begin = max(int(start), 0)
    return text[begin:] if length is None else text[begin:max(int(length), begin)]


def _regex(text: str, pattern: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        return False


def _if(condition: Any, then: Any, otherwise: Any) -> Any:
    return then if to_boolean(condition) else otherwise


def _coalesce(*values: Any) -> Any:
    for value in values:
        if to_string(value) != "":
            return value
    return ""


def _aggregate(values: list, pick: Callable) -> float:
    numbers = [to_number(item) for item in values]
    if not numbers or any(math.isnan(n) for n in numbers):
        return math.nan
    return pick(numbers)


def _today(context: Context) -> datetime.date:
    return context.today or datetime.date.today()


# Functions whose arguments are evaluated eagerly; value: (minimum args, maximum args or None, impl).
_FUNCTIONS: dict[str, tuple[int, int | None, Callable[..., Any]]] = {
    "true": (0, 0, lambda: True),
    "false": (0, 0, lambda: False),
    "not": (1, 1, lambda v: not to_boolean(v)),
    "boolean": (1, 1, to_boolean),
    "string": (1, 1, to_string),
    "number": (1, 1, to_number),
    "int": (1, 1, lambda v: float(math.trunc(n)) if math.isfinite(n := to_number(v)) else n),
    "round": (1, 2, lambda v, p=0.0: _round(to_number(v), to_number(p))),
    "floor": (1, 1, lambda v: float(math.floor(n)) if math.isfinite(n := to_number(v)) else n),
    "ceiling": (1, 1, lambda v: float(math.ceil(n)) if math.isfinite(n := to_number(v)) else n),
    "abs": (1, 1, lambda v: abs(to_number(v))),
    "selected": (2, 2, lambda v, choice: to_string(choice).strip() in _selected_list(v)),
    "count-selected": (1, 1, lambda v: float(len(_selected_list(v)))),
    "string-length": (1, 1, lambda v: float(len(to_string(v)))),
    "normalize-space": (1, 1, lambda v: " ".join(to_string(v).split())),
    "regex": (2, 2, lambda v, p: _regex(to_string(v), to_string(p))),
    "if": (3, 3, _if),
    "concat": (0, None, lambda *vs: "".join(to_string(v) for v in vs)),
    "coalesce": (2, None, _coalesce),
    "contains": (2, 2, lambda a, b: to_string(b) in to_string(a)),
    "starts-with": (2, 2, lambda a, b: to_string(a).startswith(to_string(b))),
    "ends-with": (2, 2, lambda a, b: to_string(a).endswith(to_string(b))),
    "substr": (2, 3, lambda s, a, b=None: _substr(to_string(s), to_number(a), None if b is None else to_number(b))),
    "substring-before": (2, 2, lambda a, b: to_string(a).partition(to_string(b))[0]
                         if to_string(b) in to_string(a) else ""),
    "substring-after": (2, 2, lambda a, b: to_string(a).partition(to_string(b))[2]
                        if to_string(b) in to_string(a) else ""),
    "count": (1, 1, lambda v: float(len(v.values)) if isinstance(v, NodeSet) else math.nan),
    "sum": (1, 1, lambda v: _aggregate(_items(v), sum) if _items(v) else 0.0),
    "max": (1, None, lambda *vs: _aggregate([i for v in vs for i in _items(v)], max)),
    "min": (1, None, lambda *vs: _aggregate([i for v in vs for i in _items(v)], min)),
    "join": (2, None, lambda sep, *vs: to_string(sep).join(to_string(i) for v in vs for i in _items(v))),
    "date": (1, 1, lambda v: to_date(v) or ""),
    "decimal-date-time": (1, 1, lambda v: _date_to_days(d) if (d := to_date(v)) else math.nan),
}
_CONTEXT_FUNCTIONS: dict[str, tuple[int, int | None, Callable[..., Any]]] = {
    "today": (0, 0, _today),
    "now": (0, 0, lambda context: datetime.datetime.now().astimezone()),
}
_XPATH_SUBSTRING = "substring"  # XPath substring(s, start1, length): 1-based; distinct from ODK substr


def _substring(text: Any, start: Any, length: Any = None) -> str:
    s, begin = to_string(text), _round(to_number(start))
    if math.isnan(begin):
        return ""
    end = math.inf if length is None else begin + _round(to_number(length))
    return "".join(ch for position, ch in enumerate(s, start=1) if begin <= position < end)


_FUNCTIONS[_XPATH_SUBSTRING] = (2, 3, _substring)

SUPPORTED_FUNCTIONS: frozenset[str] = frozenset(_FUNCTIONS) | frozenset(_CONTEXT_FUNCTIONS)


class EvaluationError(ValueError):
    """An expression the importer should have refused (unknown function, wrong argument count)."""


def arity_ok(name: str, count: int) -> bool:
    spec = _FUNCTIONS.get(name) or _CONTEXT_FUNCTIONS.get(name)
    if spec is None:
        return False
    minimum, maximum, _ = spec
    return count >= minimum and (maximum is None or count <= maximum)


def evaluate_node(node: Any, context: Context) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return context.resolve(node.name)
    if isinstance(node, Current):
        return context.current
    if isinstance(node, Neg):
        return -to_number(evaluate_node(node.operand, context))
    if isinstance(node, BinOp):
        if node.op == "or":
            return to_boolean(evaluate_node(node.left, context)) or to_boolean(evaluate_node(node.right, context))
        if node.op == "and":
            return to_boolean(evaluate_node(node.left, context)) and to_boolean(evaluate_node(node.right, context))
        left, right = evaluate_node(node.left, context), evaluate_node(node.right, context)
        if node.op in ("=", "!=", "<", "<=", ">", ">="):
            return _compare(node.op, left, right)
        return _arith(node.op, left, right)
    if isinstance(node, Call):
        if not arity_ok(node.name, len(node.args)):
            raise EvaluationError(node.name)
        if node.name in _CONTEXT_FUNCTIONS:
            return _CONTEXT_FUNCTIONS[node.name][2](context)
        args = [evaluate_node(arg, context) for arg in node.args]
        return _FUNCTIONS[node.name][2](*args)
    raise EvaluationError(repr(node))


def evaluate(expr: str, context: Context) -> Any:
    """The value of an expression (str, float, bool, date or NodeSet)."""
    return evaluate_node(parse(expr), context)
