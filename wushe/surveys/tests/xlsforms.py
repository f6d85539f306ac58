"""Writes XLSForm workbooks with openpyxl for tests.

Each sheet is given as rows: the first row is the header, the rest are data rows, so a test row
``survey[i]`` sits on Excel row ``i + 1``.
"""

from io import BytesIO

from openpyxl import Workbook


def workbook(*, survey: list[list] | None = None, choices: list[list] | None = None,
             settings: list[list] | None = None, **other_sheets: list[list]) -> bytes:
    """The .xlsx bytes of a workbook with the given sheets (None leaves a sheet out)."""
    book = Workbook()
    book.remove(book.active)
    sheets = {"survey": survey, "choices": choices, "settings": settings, **other_sheets}
    for title, rows in sheets.items():
        if rows is None:
            continue
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    if not book.sheetnames:
        book.create_sheet("empty")
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


SURVEY_ZH_EN = ["type", "name", "label::中文 (zh)", "label::English (en)", "hint::中文 (zh)", "required",
                "relevant", "constraint", "constraint_message::中文 (zh)", "constraint_message::English (en)",
                "calculation"]


def resident_needs_form() -> bytes:
    """Resident needs survey: Chinese and English labels, a group with skip logic, selects, a date."""
    return workbook(
        survey=[
            SURVEY_ZH_EN,
            ["integer", "age", "您的年龄", "Your age", "周岁", "yes", "", ". >= 0 and . <= 120",
             "年龄应在0到120之间", "Age must be between 0 and 120", ""],                              # row 2
            ["select_one yes_no", "lives_alone", "是否独居", "Living alone?", "", "yes", "${age} >= 60",
             "", "", "", ""],                                                                         # row 3
            ["begin_group", "support", "照护需求", "Care needs", "", "", "${lives_alone} = 'yes'",
             "", "", "", ""],                                                                         # row 4
            ["select_multiple needs", "needs", "需要哪些服务", "Which services", "", "yes", "",
             "count-selected(.) <= 2", "最多选两项", "At most two", ""],                              # row 5
            ["text", "needs_other", "其他需求", "Other needs", "", "yes", "selected(${needs}, 'other')",
             "", "", "", ""],                                                                         # row 6
            ["end_group", "", "", "", "", "", "", "", "", "", ""],                                    # row 7
            ["date", "last_visit", "上次走访日期", "Last visit", "", "", "", ". <= today()",
             "日期不能晚于今天", "Not in the future", ""],                                             # row 8
            ["calculate", "need_count", "", "", "", "", "", "", "", "", "count-selected(${needs})"],  # row 9
            ["note", "thanks", "谢谢您，共 ${need_count} 项需求", "Thank you", "", "", "", "", "", "", ""],  # row 10
        ],
        choices=[
            ["list_name", "name", "label::中文 (zh)", "label::English (en)"],
            ["yes_no", "yes", "是", "Yes"],
            ["yes_no", "no", "否", "No"],
            ["needs", "meals", "助餐", "Meals"],
            ["needs", "cleaning", "保洁", "Cleaning"],
            ["needs", "medical", "助医", "Medical"],
            ["needs", "other", "其他", "Other"],
        ],
        settings=[["form_title", "form_id", "version", "default_language"],
                  ["居民需求调查", "resident_needs", "2026120101", "中文 (zh)"]],
    )


def household_form() -> bytes:
    """Household members in a repeat, with count / sum outside and sibling references inside."""
    return workbook(
        survey=[
            ["type", "name", "label", "required", "relevant", "constraint", "calculation"],
            ["text", "address", "住址", "yes", "", "", ""],                                           # row 2
            ["begin_repeat", "members", "家庭成员", "", "", "", ""],                                   # row 3
            ["text", "member_name", "姓名", "yes", "", "", ""],                                       # row 4
            ["integer", "member_age", "年龄", "yes", "", ". >= 0", ""],                              # row 5
            ["select_one yes_no", "in_school", "是否在读", "yes", "${member_age} < 18", "", ""],      # row 6
            ["decimal", "income", "月收入（元）", "", "${member_age} >= 18", ". >= 0", ""],           # row 7
            ["calculate", "is_child", "", "", "", "", "if(${member_age} < 18, 1, 0)"],                # row 8
            ["end_repeat", "", "", "", "", "", ""],                                                  # row 9
            ["calculate", "member_count", "", "", "", "", "count(${members})"],                      # row 10
            ["calculate", "total_income", "", "", "", "", "sum(${income})"],                         # row 11
            ["calculate", "children", "", "", "", "", "sum(${is_child})"],                           # row 12
            ["text", "why_alone", "为何独居", "yes", "${member_count} = 1", "", ""],                 # row 13
        ],
        choices=[["list_name", "name", "label"], ["yes_no", "yes", "是"], ["yes_no", "no", "否"]],
    )


def minimal_form() -> bytes:
    """No language columns, no choices, no settings sheet."""
    return workbook(survey=[["type", "name", "label"], ["text", "comment", "意见"],
                            ["integer", "score", "评分"]])
