"""Sample XLSForm workbooks: offered for download on the upload page and used by the demo.

Both are ordinary XLSForms (survey / choices / settings sheets, Chinese and English labels), so they open in
KoboToolbox or ODK as well."""

import io

from openpyxl import Workbook

ZH, EN = "label::中文 (zh)", "label::English (en)"
SURVEY_HEADER = ["type", "name", ZH, EN, "hint::中文 (zh)", "hint::English (en)", "required", "relevant",
                 "constraint", "constraint_message::中文 (zh)", "constraint_message::English (en)", "calculation"]

RESIDENT_NEEDS = {
    "title": ("社区居民需求调查", "Community residents' needs survey"),
    "form_id": "resident_needs",
    "survey": [
        ["begin_group", "basic", "基本情况", "About you", "", "", "", "", "", "", "", ""],
        ["integer", "age", "您的年龄（周岁）", "Your age (years)", "请填写周岁", "Full years", "yes", "",
         ". >= 14 and . <= 110", "年龄应在 14 到 110 岁之间", "Age must be between 14 and 110", ""],
        ["select_one sex", "sex", "性别", "Sex", "", "", "yes", "", "", "", "", ""],
        ["select_one years", "years_here", "在本社区居住了多久", "How long have you lived here", "", "", "yes", "",
         "", "", "", ""],
        ["integer", "household_size", "家庭同住人数", "People living in your household", "", "", "yes", "",
         ". >= 1 and . <= 20", "同住人数应在 1 到 20 之间", "Between 1 and 20", ""],
        ["select_one yn", "lives_alone", "您是否独自居住", "Do you live alone", "", "", "yes",
         "${age} >= 60", "", "", "", ""],
        ["end_group", "", "", "", "", "", "", "", "", "", "", ""],
        ["begin_group", "needs_group", "服务需求", "Needs", "", "", "", "", "", "", "", ""],
        ["select_multiple needs", "needs", "您最需要社区提供哪些服务（最多选三项）",
         "Which services do you need most (up to three)", "", "", "yes", "",
         "count-selected(.) <= 3", "最多选择三项", "Choose at most three", ""],
        ["select_one freq", "meal_frequency", "您希望每周在社区食堂用餐几次", "Meals a week at the community canteen",
         "", "", "yes", "selected(${needs}, 'meals')", "", "", "", ""],
        ["select_one satisfaction", "satisfaction", "您对社区现有服务的总体满意度",
         "Overall satisfaction with current services", "", "", "yes", "", "", "", "", ""],
        ["select_multiple barriers", "barriers", "您较少参加社区活动的原因", "Why you rarely take part in activities",
         "可多选", "Choose any", "", "", "", "", "", ""],
        ["select_one yn", "volunteer_willing", "您是否愿意成为社区志愿者", "Would you volunteer in the community",
         "", "", "yes", "", "", "", "", ""],
        ["text", "suggestion", "您对社区服务还有什么建议", "Any other suggestion", "", "", "", "", "", "", "", ""],
        ["end_group", "", "", "", "", "", "", "", "", "", "", ""],
        ["calculate", "is_elderly", "", "", "", "", "", "", "", "", "", "if(${age} >= 60, 'yes', 'no')"],
    ],
    "choices": [
        ("sex", "male", "男", "Male"), ("sex", "female", "女", "Female"),
        ("years", "lt1", "不到1年", "Under a year"), ("years", "1to5", "1–5年", "1–5 years"),
        ("years", "5to10", "5–10年", "5–10 years"), ("years", "gt10", "10年以上", "Over 10 years"),
        ("yn", "yes", "是", "Yes"), ("yn", "no", "否", "No"),
        ("needs", "meals", "老年助餐", "Meals for older people"),
        ("needs", "home_care", "居家照护/探访", "Home care and visits"),
        ("needs", "after_school", "儿童课后托管", "After-school care"),
        ("needs", "health", "健康讲座与义诊", "Health talks and clinics"),
        ("needs", "mental", "心理疏导", "Counselling"),
        ("needs", "employment", "就业技能培训", "Job skills training"),
        ("needs", "culture", "文体娱乐活动", "Culture and sports"),
        ("needs", "environment", "楼道与环境整治", "Stairwells and environment"),
        ("freq", "1to2", "1–2次", "1–2 times"), ("freq", "3to5", "3–5次", "3–5 times"),
        ("freq", "daily", "每天", "Every day"),
        ("satisfaction", "5", "非常满意", "Very satisfied"), ("satisfaction", "4", "比较满意", "Satisfied"),
        ("satisfaction", "3", "一般", "Neutral"), ("satisfaction", "2", "不太满意", "Dissatisfied"),
        ("satisfaction", "1", "很不满意", "Very dissatisfied"),
        ("barriers", "no_time", "没有时间", "No time"), ("barriers", "no_info", "不知道活动信息", "Did not know"),
        ("barriers", "not_interested", "活动内容不感兴趣", "Not interesting"),
        ("barriers", "health", "身体原因", "Health reasons"),
        ("barriers", "far", "活动地点远", "Too far"),
    ],
}

WORKER_SURVEY = {
    "title": ("社会工作者“三社联动”工作状况调查", "Social workers' joint-work survey"),
    "form_id": "worker_linkage",
    "survey": [
        ["select_one cert", "certificate", "您的职业资格等级", "Your certificate level", "", "", "yes", "", "", "",
         "", ""],
        ["integer", "years_in_post", "从事社区社会工作的年限", "Years in community social work", "", "", "yes", "",
         ". >= 0 and . <= 45", "年限应在 0 到 45 之间", "Between 0 and 45", ""],
        ["select_multiple difficulties", "difficulties", "开展“三社联动”的主要困难",
         "Main difficulties of joint work", "可多选", "Choose any", "yes", "", "", "", "", ""],
        ["select_multiple training", "training_wanted", "您希望得到哪些培训", "Training you would like", "可多选",
         "Choose any", "", "", "", "", "", ""],
        ["integer", "supervision_hours", "近一年接受督导的小时数", "Hours of supervision in the past year", "", "",
         "", "", ". >= 0 and . <= 500", "小时数应在 0 到 500 之间", "Between 0 and 500", ""],
        ["begin_repeat", "projects", "您参与的项目", "Projects you took part in", "", "", "", "", "", "", "", ""],
        ["text", "project_name", "项目名称", "Project name", "", "", "yes", "", "", "", "", ""],
        ["select_one role", "project_role", "您在项目中的角色", "Your role", "", "", "yes", "", "", "", "", ""],
        ["end_repeat", "", "", "", "", "", "", "", "", "", "", ""],
    ],
    "choices": [
        ("cert", "none", "暂无", "None"), ("cert", "assistant", "助理社会工作师", "Assistant social worker"),
        ("cert", "worker", "社会工作师", "Social worker"), ("cert", "senior", "高级社会工作师", "Senior social worker"),
        ("difficulties", "participation", "居民参与度低", "Low resident participation"),
        ("difficulties", "funding", "缺乏稳定资金", "No stable funding"),
        ("difficulties", "admin", "行政事务过多", "Too much administration"),
        ("difficulties", "recognition", "专业认可度低", "Little professional recognition"),
        ("difficulties", "coordination", "各方协调困难", "Hard to coordinate the parties"),
        ("training", "volunteer_mgmt", "志愿者管理", "Volunteer management"),
        ("training", "project_design", "项目设计与申报", "Project design and applications"),
        ("training", "finance", "财务管理", "Financial management"),
        ("training", "case_work", "个案工作方法", "Case-work methods"),
        ("role", "lead", "主责社工", "Lead social worker"), ("role", "support", "协助", "Supporting"),
    ],
}


def workbook_bytes(spec: dict) -> bytes:
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(SURVEY_HEADER)
    for row in spec["survey"]:
        survey.append(row)
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", ZH, EN])
    for row in spec["choices"]:
        choices.append(list(row))
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([spec["title"][0], spec["form_id"], "2026120101", "中文 (zh)"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def resident_needs_workbook() -> bytes:
    return workbook_bytes(RESIDENT_NEEDS)


def worker_survey_workbook() -> bytes:
    return workbook_bytes(WORKER_SURVEY)
