"""The form engine: typing, skip logic, calculations, constraints, required, repeats, expressions."""

import datetime
import math

import pytest
from django.http import QueryDict
from django.utils import translation

from wushe.surveys.tests import xlsforms
from wushe.surveys.xlsform import evaluate, expressions, import_xlsform

TODAY = datetime.date(2026, 12, 1)


def definition_of(data: bytes) -> dict:
    result = import_xlsform(data, "form.xlsx")
    assert result.ok, result.errors
    return result.definition


@pytest.fixture(scope="module")
def needs_form():
    return definition_of(xlsforms.resident_needs_form())


@pytest.fixture(scope="module")
def household():
    return definition_of(xlsforms.household_form())


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


ELDER_ALONE = {"age": "72", "lives_alone": "yes", "needs": ["meals", "other"], "needs_other": "陪聊",
               "last_visit": "2026-11-20"}


# --- skip logic and required ------------------------------------------------------------------


def test_complete_answers_are_typed_and_calculated(needs_form):
    result = evaluate(needs_form, ELDER_ALONE, final=True, today=TODAY)

    assert result.errors == {}
    assert result.answers == {"age": 72, "lives_alone": "yes", "needs": ["meals", "other"],
                              "needs_other": "陪聊", "last_visit": "2026-11-20", "need_count": 2}
    assert {"support", "needs", "needs_other", "thanks"} <= result.visible


def test_skip_logic_removes_irrelevant_answers_and_ignores_their_required(needs_form):
    # Under 60: lives_alone is hidden, so is the whole group that depends on it.
    result = evaluate(needs_form, {**ELDER_ALONE, "age": "35"}, final=True, today=TODAY)

    assert result.errors == {}
    assert result.answers == {"age": 35, "last_visit": "2026-11-20", "need_count": 0}
    assert "lives_alone" not in result.visible
    assert "support" not in result.visible and "needs" not in result.visible


def test_group_relevance_applies_to_children_and_required_is_enforced_when_shown(needs_form):
    result = evaluate(needs_form, {"age": "72", "lives_alone": "yes"}, final=True, today=TODAY)

    assert result.errors == {"needs": "此题必答。"}   # needs_other stays hidden: 'other' not selected
    assert "needs_other" not in result.visible


def test_selected_in_relevant_shows_the_follow_up(needs_form):
    result = evaluate(needs_form, {"age": "72", "lives_alone": "yes", "needs": "meals other"}, final=True,
                      today=TODAY)

    assert result.errors == {"needs_other": "此题必答。"}
    assert result.answers["needs"] == ["meals", "other"]


def test_draft_reports_type_and_constraint_errors_but_not_required(needs_form):
    draft = evaluate(needs_form, {"age": "abc", "last_visit": "2030-01-01"}, final=False, today=TODAY)
    final = evaluate(needs_form, {"age": "abc", "last_visit": "2030-01-01"}, final=True, today=TODAY)

    assert draft.errors == {"age": "请输入整数。", "last_visit": "日期不能晚于今天"}
    # A value that cannot be typed is dropped; one that breaks a constraint is kept for correction.
    assert draft.answers == {"last_visit": "2030-01-01", "need_count": 0}
    assert final.errors == {"age": "请输入整数。", "last_visit": "日期不能晚于今天"}
    assert evaluate(needs_form, {}, final=False).errors == {}
    assert evaluate(needs_form, {}, final=True).errors == {"age": "此题必答。"}


# --- constraints --------------------------------------------------------------------------------


def test_constraint_message_follows_the_ui_language(needs_form):
    raw = {**ELDER_ALONE, "age": "130"}

    with translation.override("zh-hans"):
        assert evaluate(needs_form, raw, final=True, today=TODAY).errors == {"age": "年龄应在0到120之间"}
    with translation.override("en"):
        assert evaluate(needs_form, raw, final=True, today=TODAY).errors == {"age": "Age must be between 0 and 120"}


def test_select_multiple_count_selected_constraint(needs_form):
    raw = {**ELDER_ALONE, "needs": ["meals", "cleaning", "medical"]}

    result = evaluate(needs_form, raw, final=True, today=TODAY)

    assert result.errors == {"needs": "最多选两项"}
    assert result.answers["needs"] == ["meals", "cleaning", "medical"]
    assert result.answers["need_count"] == 3


def test_constraint_without_message_uses_the_default_message(household):
    raw = {"address": "幸福路1号", "members": [{"member_name": "张三", "member_age": "-1"}]}

    result = evaluate(household, raw, final=False)

    assert result.errors == {"members.0.member_age": "答案不符合要求"}


# --- typing -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "key", "message"), [
    ({"age": "12.5"}, "age", "请输入整数。"),
    ({"age": True}, "age", "请输入整数。"),
    ({"last_visit": "2026-02-30"}, "last_visit", "请输入有效日期（格式：年-月-日，如 2026-12-01）。"),
    ({"last_visit": "1/12/2026"}, "last_visit", "请输入有效日期（格式：年-月-日，如 2026-12-01）。"),
    ({"age": "70", "lives_alone": "maybe"}, "lives_alone", "“maybe”不是本题的选项。"),
    ({"age": "70", "lives_alone": "yes", "needs": ["meals", "golf"]}, "needs", "“golf”不是本题的选项。"),
])
def test_type_errors(needs_form, raw, key, message):
    result = evaluate(needs_form, raw, final=False, today=TODAY)

    assert result.errors == {key: message}
    assert key not in result.answers


def test_json_typed_values_and_select_multiple_in_choice_order(needs_form):
    raw = {"age": 72.0, "lives_alone": "yes", "needs": ["medical", "meals", "meals"], "last_visit": "2026-01-01"}

    result = evaluate(needs_form, raw, final=False, today=TODAY)

    assert result.answers["age"] == 72 and isinstance(result.answers["age"], int)
    assert result.answers["needs"] == ["meals", "medical"]


def test_a_type_error_on_a_hidden_question_is_dropped_with_the_answer(needs_form):
    result = evaluate(needs_form, {"age": "30", "lives_alone": "nonsense"}, final=False, today=TODAY)

    assert result.errors == {}
    assert result.answers == {"age": 30, "need_count": 0}


def test_form_post_querydict(needs_form):
    post = QueryDict(mutable=True)
    post.update({"age": "72", "lives_alone": "yes", "last_visit": "2026-11-01"})
    post.setlist("needs", ["meals", "cleaning"])

    result = evaluate(needs_form, post, final=True, today=TODAY)

    assert result.errors == {}
    assert result.answers["needs"] == ["meals", "cleaning"]
    assert result.answers["need_count"] == 2


# --- repeats --------------------------------------------------------------------------------------


def test_repeat_siblings_count_and_sum(household):
    raw = {"address": "幸福路1号", "members": [
        {"member_name": "张三", "member_age": "45", "income": "3000.5", "in_school": "yes"},
        {"member_name": "张小三", "member_age": "12", "in_school": "yes", "income": "999"},
        {"member_name": "李四", "member_age": "40", "income": "2000"},
    ]}

    result = evaluate(household, raw, final=True)

    assert result.errors == {}
    members = result.answers["members"]
    # in_school only for the child, income only for adults: relative to each instance.
    assert members[0] == {"member_name": "张三", "member_age": 45, "income": 3000.5, "is_child": 0}
    assert members[1] == {"member_name": "张小三", "member_age": 12, "in_school": "yes", "is_child": 1}
    assert result.answers["member_count"] == 3
    assert result.answers["total_income"] == 5000.5
    assert result.answers["children"] == 1
    assert "members.1.in_school" in result.visible and "members.0.in_school" not in result.visible
    assert "why_alone" not in result.visible


def test_repeat_required_children_are_keyed_by_instance(household):
    raw = {"address": "x", "members": [{"member_name": "王五", "member_age": "10"}]}

    result = evaluate(household, raw, final=True)

    assert result.errors == {"members.0.in_school": "此题必答。", "why_alone": "此题必答。"}
    assert result.answers["member_count"] == 1


def test_repeat_from_flat_form_keys(household):
    post = QueryDict(mutable=True)
    post.update({"address": "x", "members.0.member_name": "甲", "members.0.member_age": "30",
                 "members.1.member_name": "乙", "members.1.member_age": "abc"})

    result = evaluate(household, post, final=False)

    assert result.errors == {"members.1.member_age": "请输入整数。"}
    assert result.answers["member_count"] == 2
    assert result.answers["members"][0] == {"member_name": "甲", "member_age": 30, "is_child": 0}


def test_no_repeat_instances_count_zero_and_sum_zero(household):
    result = evaluate(household, {"address": "x"}, final=True)

    assert result.answers["member_count"] == 0
    assert result.answers["total_income"] == 0
    assert "why_alone" not in result.visible


# --- calculations and forward references ------------------------------------------------------------


def test_calculations_in_form_order_and_forward_references_settle():
    definition = definition_of(xlsforms.workbook(survey=[
        ["type", "name", "label", "relevant", "calculation", "required"],
        ["text", "early", "前面的问题", "${late_total} > 10", "", "yes"],
        ["integer", "a", "甲", "", "", ""],
        ["calculate", "doubled", "", "", "${a} * 2", ""],
        ["calculate", "late_total", "", "", "${doubled} + 1", ""],
        ["calculate", "label_text", "", "", "concat('共', ${late_total}, '分')", ""],
        ["calculate", "ratio", "", "", "${a} div 4", ""],
    ]))

    shown = evaluate(definition, {"a": "5", "early": "kept"}, final=True)
    hidden = evaluate(definition, {"a": "2", "early": "dropped"}, final=True)

    assert shown.answers == {"a": 5, "early": "kept", "doubled": 10, "late_total": 11, "label_text": "共11分",
                             "ratio": 1.25}
    assert hidden.answers == {"a": 2, "doubled": 4, "late_total": 5, "label_text": "共5分", "ratio": 0.5}
    assert hidden.errors == {}
    assert evaluate(definition, {"a": "5"}, final=True).errors == {"early": "此题必答。"}
    # Nothing to compute from: an empty number gives NaN, stored as no answer.
    assert "doubled" not in evaluate(definition, {}, final=False).answers


def test_required_expression_and_custom_required_message():
    definition = definition_of(xlsforms.workbook(survey=[
        ["type", "name", "label", "required", "required_message"],
        ["integer", "children", "子女人数", "", ""],
        ["text", "guardian", "监护人", "${children} > 0", "有子女时必须填写监护人"],
    ]))

    assert evaluate(definition, {"children": "2"}, final=True).errors == {"guardian": "有子女时必须填写监护人"}
    assert evaluate(definition, {"children": "0"}, final=True).errors == {}


def test_date_comparisons_against_today_and_each_other():
    definition = definition_of(xlsforms.workbook(survey=[
        ["type", "name", "label", "constraint", "relevant"],
        ["date", "birth", "出生日期", ". < today()", ""],
        ["date", "moved_in", "入住日期", ". >= ${birth}", ""],
        ["text", "senior_card", "老年卡号", "", "(today() - ${birth}) div 365.25 >= 60"],
    ]))

    ok = evaluate(definition, {"birth": "1950-03-01", "moved_in": "1990-01-01", "senior_card": "S1"}, final=True,
                  today=TODAY)
    bad = evaluate(definition, {"birth": "2027-01-01", "moved_in": "2020-01-01", "senior_card": "S1"}, final=True,
                   today=TODAY)

    assert ok.errors == {} and ok.answers["senior_card"] == "S1"
    assert bad.errors == {"birth": "答案不符合要求", "moved_in": "答案不符合要求"}
    assert "senior_card" not in bad.answers


# --- expressions ------------------------------------------------------------------------------------


def run(expr, values=None, current=""):
    values = values or {}
    context = expressions.Context(resolve=lambda name: values.get(name, ""), current=current, today=TODAY)
    return expressions.evaluate(expr, context)


@pytest.mark.parametrize(("expr", "expected"), [
    ("${empty} < 5", False),
    ("${empty} > 5", False),
    ("${empty} = 5", False),
    ("${empty} != 5", True),
    ("${empty} = ''", True),
    ("1 + 2 * 3", 7.0),
    ("(1 + 2) * 3", 9.0),
    ("-2 + 5", 3.0),
    ("7 mod 3", 1.0),
    ("7 div 2", 3.5),
    ("1 = 1 or 1 div 0 = 1 and false()", True),
    ("not(1 = 2)", True),
    ("if(${n} > 3, 'big', 'small')", "big"),
    ("concat('a', 1, 'b')", "a1b"),
    ("coalesce(${empty}, 'fallback')", "fallback"),
    ("string-length('你好')", 2.0),
    ("regex('13800138000', '^1[0-9]{10}$')", True),
    ("contains('abc', 'b') and starts-with('abc', 'a') and ends-with('abc', 'c')", True),
    ("substr('abcdef', 1, 3)", "bc"),
    ("substring('abcdef', 2, 3)", "bcd"),
    ("round(2.675, 1)", 2.7),
    ("int(-3.7)", -3.0),
    ("number('12') + 1", 13.0),
    ("string(1.0)", "1"),
    ("boolean('')", False),
    ("today() > '2026-11-30'", True),
    ("date('2026-12-01') = today()", True),
    ("string(date(today() + 1))", "2026-12-02"),
    ("selected('a b', 'b')", True),
    ("count-selected('a b c')", 3.0),
    (". > 3", True),
])
def test_expression_semantics(expr, expected):
    assert run(expr, {"n": 5.0}, current=4.0) == expected


def test_number_of_empty_is_nan():
    assert math.isnan(run("number(${empty})"))


def test_node_sets_from_repeats():
    values = {"ages": expressions.NodeSet([30.0, 5.0, ""])}

    assert run("count(${ages})", values) == 3
    assert math.isnan(run("sum(${ages})", values))    # an empty member makes the sum NaN (XPath)
    assert run("sum(${ok})", {"ok": expressions.NodeSet([1.0, 2.5])}) == 3.5
    assert run("${ages} = 5", values) is True
    assert run("max(${ok})", {"ok": expressions.NodeSet([1.0, 2.5])}) == 2.5


def test_parse_is_cached_and_lists_names_and_functions():
    assert expressions.parse("${a} + 1") is expressions.parse("${a} + 1")
    assert expressions.names("${a} > 1 and selected(${ b }, 'x')") == {"a", "b"}
    assert expressions.functions("if(selected(${a}, 'x'), today(), '')") == {"if", "selected", "today"}
    with pytest.raises(expressions.ExpressionError):
        expressions.parse("/data/a = 1")
    with pytest.raises(expressions.ExpressionError):
        expressions.parse("${a} = = 1")
