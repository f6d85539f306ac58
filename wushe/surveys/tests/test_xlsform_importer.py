"""XLSForm import: definitions of supported forms, and row-by-row reports of what is not supported."""

import pytest
from django.utils import translation
from pyxform.errors import PyXFormError

from wushe.surveys.tests import xlsforms
from wushe.surveys.xlsform import import_xlsform, iter_questions, label
from wushe.surveys.xlsform import importer as importer_module


@pytest.fixture(autouse=True)
def _chinese():
    with translation.override("zh-hans"):
        yield


def problems(result):
    return {(p.sheet, p.row, p.column) for p in result.errors}


def message_at(result, sheet, row, column):
    found = [p.message for p in result.errors if (p.sheet, p.row, p.column) == (sheet, row, column)]
    assert found, f"no problem at {sheet}!{row} {column}: {[(p.sheet, p.row, p.column) for p in result.errors]}"
    return " ".join(found)


# --- supported forms --------------------------------------------------------------------------


def test_resident_needs_form_gives_a_bilingual_definition():
    result = import_xlsform(xlsforms.resident_needs_form(), "需求调查.xlsx")

    assert result.ok, result.errors
    definition = result.definition
    assert definition["form_id"] == "resident_needs"
    assert definition["form_version"] == "2026120101"
    assert definition["title"] == {"zh": "居民需求调查"}
    assert definition["languages"] == ["zh", "en"]
    assert definition["default_language"] == "zh"
    age, lives_alone, support, last_visit, need_count, thanks = definition["questions"]
    assert age == {"name": "age", "type": "integer", "label": {"zh": "您的年龄", "en": "Your age"},
                   "hint": {"zh": "周岁"}, "required": True, "required_message": {},
                   "constraint": ". >= 0 and . <= 120",
                   "constraint_message": {"zh": "年龄应在0到120之间", "en": "Age must be between 0 and 120"},
                   "relevant": None, "appearance": "", "row": 2}
    assert lives_alone["type"] == "select_one"
    assert lives_alone["relevant"] == "${age} >= 60"
    assert [c["name"] for c in lives_alone["choices"]] == ["yes", "no"]
    assert lives_alone["choices"][0]["label"] == {"zh": "是", "en": "Yes"}
    assert support["type"] == "group" and support["row"] == 4
    assert support["relevant"] == "${lives_alone} = 'yes'"
    assert [child["name"] for child in support["children"]] == ["needs", "needs_other"]
    assert support["children"][0]["type"] == "select_multiple"
    assert len(support["children"][0]["choices"]) == 4
    assert last_visit["type"] == "date"
    assert need_count == {"name": "need_count", "type": "calculate", "label": {}, "hint": {}, "relevant": None,
                          "calculation": "count-selected(${needs})", "appearance": "", "row": 9}
    assert thanks["type"] == "note"
    assert result.warnings == []


def test_iter_questions_flattens_groups_in_form_order():
    definition = import_xlsform(xlsforms.resident_needs_form(), "f.xlsx").definition

    assert [(q["name"], repeat) for q, repeat in iter_questions(definition)] == [
        ("age", None), ("lives_alone", None), ("needs", None), ("needs_other", None), ("last_visit", None),
        ("need_count", None), ("thanks", None)]


def test_label_picks_the_ui_language_and_falls_back_to_the_default_language():
    definition = import_xlsform(xlsforms.resident_needs_form(), "f.xlsx").definition
    age = definition["questions"][0]

    assert label(age, "zh-hans") == "您的年龄"
    assert label(age, "en") == "Your age"
    assert label(age, "fr") == "您的年龄"
    assert label(definition["questions"][1]["choices"][1], "en") == "No"
    with translation.override("en"):
        assert label(age) == "Your age"
    assert label({"name": "x", "label": {}}, "en") == "x"
    thanks = definition["questions"][-1]
    assert label(thanks, "zh", answers={"need_count": 2}) == "谢谢您，共 2 项需求"


def test_household_form_keeps_repeat_children_inside_the_repeat():
    result = import_xlsform(xlsforms.household_form(), "household.xlsx")

    assert result.ok, result.errors
    members = result.definition["questions"][1]
    assert members["type"] == "repeat"
    assert [child["name"] for child in members["children"]] == [
        "member_name", "member_age", "in_school", "income", "is_child"]
    assert [(q["name"], repeat) for q, repeat in iter_questions(result.definition)][1:3] == [
        ("member_name", "members"), ("member_age", "members")]
    # No language columns: one language named "default"; the title falls back to the file name.
    assert result.definition["languages"] == ["default"]
    assert result.definition["title"] == {"default": "household"}
    assert result.definition["form_id"] == "household"


def test_minimal_form_without_language_columns():
    result = import_xlsform(xlsforms.minimal_form(), "minimal.xlsx")

    assert result.ok, result.errors
    comment, score = result.definition["questions"]
    assert comment["label"] == {"default": "意见"}
    assert score["type"] == "integer" and score["required"] is False
    assert label(comment, "en") == "意见"
    assert result.definition["default_language"] == "default"


def test_metadata_types_are_ignored_with_a_warning_and_static_defaults_are_kept():
    data = xlsforms.workbook(survey=[
        ["type", "name", "label", "default"],
        ["start", "started", "", ""],
        ["today", "day", "", ""],
        ["deviceid", "device", "", ""],
        ["integer", "household_size", "家庭人数", "1"],
    ])

    result = import_xlsform(data, "f.xlsx")

    assert result.ok, result.errors
    assert [q["name"] for q in result.definition["questions"]] == ["household_size"]
    assert result.definition["questions"][0]["default"] == "1"
    assert [(w.row, w.column) for w in result.warnings] == [(2, "type"), (3, "type"), (4, "type")]
    assert "start" in result.warnings[0].message and "忽略" in result.warnings[0].message


def test_missing_translation_is_a_row_warning_not_an_error():
    data = xlsforms.workbook(survey=[
        ["type", "name", "label::中文 (zh)", "label::English (en)"],
        ["text", "a", "甲", "A"],
        ["text", "b", "乙", ""],
    ])

    result = import_xlsform(data, "f.xlsx")

    assert result.ok
    assert [(w.sheet, w.row, w.column) for w in result.warnings] == [("survey", 3, "label")]
    assert "en" in result.warnings[0].message


# --- refused forms ----------------------------------------------------------------------------


def test_every_unsupported_feature_is_reported_on_its_row_and_column():
    header = ["type", "name", "label", "relevant", "constraint", "calculation", "repeat_count", "choice_filter",
              "trigger", "default", "read_only", "parameters", "media::image"]
    blank = [""] * (len(header) - 3)

    def row(type_, name, label="题", **columns):
        cells = dict(zip(header[3:], blank, strict=True))
        cells.update(columns)
        return [type_, name, label, *cells.values()]

    survey = [
        header,
        row("geopoint", "location"),                                                     # 2
        row("image", "photo"),                                                           # 3
        row("time", "visit_time"),                                                       # 4
        row("datetime", "visit_at"),                                                     # 5
        row("range", "satisfaction"),                                                    # 6
        row("select_one_from_file streets.csv", "street"),                              # 7
        row("barcode", "code"),                                                          # 8
        row("begin_repeat", "members", repeat_count="3"),                               # 9
        row("begin_repeat", "pets"),                                                     # 10
        row("text", "pet_name"),                                                         # 11
        row("end_repeat", "", ""),                                                       # 12
        row("end_repeat", "", ""),                                                       # 13
        row("select_one yes_no", "q1", choice_filter="filter = 1"),                     # 14
        row("text", "q2", trigger="${q1}"),                                              # 15
        row("date", "q3", default="today()"),                                            # 16
        row("text", "q4", read_only="yes"),                                              # 17
        row("select_one yes_no or_other", "q5"),                                         # 18
        row("integer", "q6", parameters="step=1"),                                       # 19
        row("text", "q7", relevant="pulldata('hh', 'name', 'id', ${q4}) != ''"),         # 20
        row("text", "q8", constraint="indexed-repeat(${pet_name}, ${pets}, 1) = 'x'"),   # 21
        row("calculate", "q9", "", calculation="jr:choice-name(${q1}, '${q1}')"),        # 22
        row("text", "q10", relevant="position(..) > 1"),                                 # 23
        row("calculate", "q11", "", calculation="once(random())"),                      # 24
        row("text", "q12", relevant="count(instance('streets')/root/item) > 0"),         # 25
        row("text", "q13", **{"media::image": "photo.png"}),                             # 26
        row("acknowledge", "q14"),                                                       # 27
        row("hidden", "q15"),                                                            # 28
    ]
    data = xlsforms.workbook(survey=survey, choices=[["list_name", "name", "label"], ["yes_no", "yes", "是"]],
                             external_choices=[["list_name", "name", "label"], ["x", "a", "A"]])

    result = import_xlsform(data, "f.xlsx")

    assert not result.ok and result.definition is None
    expected = {
        ("survey", 2, "type"): "geopoint", ("survey", 3, "type"): "image", ("survey", 4, "type"): "time",
        ("survey", 5, "type"): "datetime", ("survey", 6, "type"): "range",
        ("survey", 7, "type"): "select_one_from_file", ("survey", 8, "type"): "barcode",
        ("survey", 9, "repeat_count"): "3", ("survey", 10, "type"): "pets",
        ("survey", 14, "choice_filter"): "filter = 1", ("survey", 15, "trigger"): "${q1}",
        ("survey", 16, "default"): "today()", ("survey", 17, "read_only"): "yes",
        ("survey", 18, "type"): "or_other", ("survey", 19, "parameters"): "step=1",
        ("survey", 20, "relevant"): "pulldata", ("survey", 21, "constraint"): "indexed-repeat",
        ("survey", 22, "calculation"): "jr:choice-name", ("survey", 23, "relevant"): "position",
        ("survey", 24, "calculation"): "random", ("survey", 25, "relevant"): "instance",
        ("survey", 26, "media::image"): "photo.png", ("survey", 27, "type"): "acknowledge",
        ("survey", 28, "type"): "hidden", ("external_choices", None, ""): "external_choices",
    }
    for (sheet, row_number, column), value in expected.items():
        text = message_at(result, sheet, row_number, column)
        assert value in text, (row_number, column, text)
        assert "不支持" in text, text
    assert "once" in message_at(result, "survey", 24, "calculation")
    # Nothing else is reported: no consequential noise, no row reported twice for one problem.
    assert problems(result) == set(expected)


def test_bad_references_duplicates_missing_lists_and_labels_are_all_reported():
    data = xlsforms.workbook(
        survey=[
            ["type", "name", "label", "relevant", "constraint", "required"],
            ["text", "name", "姓名", "", "", ""],                                      # 2
            ["integer", "age", "年龄", "${agee} > 0", "", ""],                         # 3
            ["text", "name", "再次姓名", "", "", ""],                                   # 4
            ["select_one colours", "colour", "颜色", "", "", ""],                      # 5
            ["text", "note_me", "", "", "", ""],                                      # 6
            ["integer", "count", "数量", "", ". > ${nothing}", "${missing} = 1"],     # 7
            ["text", "bad name", "坏名字", "", "", ""],                                 # 8
            ["text", "broken", "表达式", "${age} = = 1", "", ""],                       # 9
            ["calculate", "calc_without_formula", "", "", "", ""],                     # 10
            ["bogus_type", "weird", "怪", "", "", ""],                                  # 11
            ["note", "shows", "你好 ${nobody}", "", "", ""],                            # 12
            ["select_multiple sizes", "sizes", "尺码", "", "", ""],                    # 13
            ["text", "upper", "大写", "string-length(${name}, 2) > 1", "", ""],        # 14
        ],
        choices=[
            ["list_name", "name", "label"],
            ["sizes", "s", "小"],      # 2
            ["sizes", "s", "又小"],    # 3
            ["sizes", "x l", "特大"],  # 4
            ["sizes", "m", ""],        # 5
            ["", "orphan", "孤儿"],     # 6
        ],
    )

    result = import_xlsform(data, "f.xlsx")

    assert not result.ok
    assert "agee" in message_at(result, "survey", 3, "relevant")
    assert "不存在" in message_at(result, "survey", 3, "relevant")
    assert "第 2 行" in message_at(result, "survey", 4, "name")
    assert "colours" in message_at(result, "survey", 5, "type")
    assert "note_me" in message_at(result, "survey", 6, "label")
    assert "nothing" in message_at(result, "survey", 7, "constraint")
    assert "missing" in message_at(result, "survey", 7, "required")
    assert "bad name" in message_at(result, "survey", 8, "name")
    assert "无法解析" in message_at(result, "survey", 9, "relevant")
    assert "calc_without_formula" in message_at(result, "survey", 10, "calculation")
    assert "bogus_type" in message_at(result, "survey", 11, "type")
    assert "nobody" in message_at(result, "survey", 12, "label")
    assert "string-length" in message_at(result, "survey", 14, "relevant")
    assert "第 2 行" in message_at(result, "choices", 3, "name")
    assert "x l" in message_at(result, "choices", 4, "name")
    assert "m" in message_at(result, "choices", 5, "label")
    assert message_at(result, "choices", 6, "list_name")
    assert len(result.errors) == 16


def test_messages_follow_the_active_language():
    data = xlsforms.workbook(survey=[["type", "name", "label"], ["geopoint", "where", "位置"]])

    result = import_xlsform(data, "f.xlsx")

    # Chinese source strings; the English catalogue is the lead's makemessages run.
    assert result.errors[0].message == "本平台不支持题型“geopoint”。"


def test_unbalanced_groups_are_reported_on_the_begin_or_end_row():
    data = xlsforms.workbook(survey=[
        ["type", "name", "label"],
        ["begin_group", "g1", "组一"],
        ["text", "a", "甲"],
        ["end_repeat", "", ""],
    ])

    result = import_xlsform(data, "f.xlsx")

    assert ("survey", 4, "type") in problems(result)
    assert "g1" in message_at(result, "survey", 2, "type")


@pytest.mark.parametrize(("data", "filename", "expected"), [
    (b"name,label\na,b\n", "form.csv", "不是 Excel 文件"),
    (b"PK\x03\x04 this is not a zip", "form.xlsx", "文件已损坏"),
    (b"\xd0\xcf\x11\xe0 garbage", "form.xls", "文件已损坏"),
    (xlsforms.workbook(choices=[["list_name", "name", "label"], ["a", "b", "c"]]), "form.xlsx", "survey"),
])
def test_non_excel_corrupt_and_surveyless_files_get_one_clear_error(data, filename, expected):
    result = import_xlsform(data, filename)

    assert result.definition is None
    assert len(result.errors) == 1
    assert expected in result.errors[0].message
    assert result.errors[0].row is None


def test_a_pyxform_error_is_wrapped_with_its_row(monkeypatch):
    def failing_convert(*args, **kwargs):
        raise PyXFormError("[row : 3] Something only pyxform knows.")
    monkeypatch.setattr(importer_module, "convert", failing_convert)

    result = import_xlsform(xlsforms.minimal_form(), "f.xlsx")

    assert not result.ok
    assert [(p.sheet, p.row) for p in result.errors] == [("survey", 3)]
    assert result.errors[0].message == "表单转换失败：Something only pyxform knows."
