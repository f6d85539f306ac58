"""Surveys for tests, built directly from a normalized definition (no XLSForm upload needed).

`make_survey(world)` gives an open survey covering the home street with SAMPLE_DEFINITION, which has one
question of every supported type, skip logic, a constraint, a group and a repeat.
"""

import copy

from django.utils import timezone

from wushe.surveys.models import Survey, SurveyQuota, SurveyStatus


def _label(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


YES_NO = [{"name": "yes", "label": _label("是", "Yes")}, {"name": "no", "label": _label("否", "No")}]

SAMPLE_DEFINITION: dict = {
    "version": 1, "form_id": "sample", "form_version": "2026120101",
    "title": _label("社区居民需求调查", "Community needs survey"),
    "languages": ["zh", "en"], "default_language": "zh",
    "questions": [
        {"name": "intro", "type": "note", "label": _label("感谢您参与本次调查。", "Thank you for taking part.")},
        {"name": "nickname", "type": "text", "label": _label("称呼", "How to address you"),
         "hint": _label("可填姓氏", "A surname is enough"), "required": True},
        {"name": "age", "type": "integer", "label": _label("年龄", "Age"), "required": True,
         "constraint": ". >= 0 and . < 120", "constraint_message": _label("年龄不合理", "Implausible age")},
        {"name": "income", "type": "decimal", "label": _label("月收入（元）", "Monthly income")},
        {"name": "moved_in", "type": "date", "label": _label("入住日期", "Moved in on")},
        {"name": "lives_alone", "type": "select_one", "label": _label("是否独居", "Living alone"),
         "required": True, "choices": YES_NO},
        {"name": "helper", "type": "text", "label": _label("紧急联系人", "Emergency contact"), "required": True,
         "relevant": "${lives_alone} = 'yes'"},
        {"name": "needs", "type": "select_multiple", "label": _label("需要哪些服务", "Services needed"),
         "choices": [{"name": "meals", "label": _label("助餐", "Meals")},
                     {"name": "medical", "label": _label("助医", "Medical")},
                     {"name": "company", "label": _label("陪伴", "Company")}]},
        {"name": "elderly", "type": "group", "label": _label("老年人专项", "Older people"),
         "relevant": "${age} >= 60",
         "children": [{"name": "chronic", "type": "select_one", "label": _label("是否有慢性病", "Chronic illness"),
                       "choices": YES_NO}]},
        {"name": "kids", "type": "repeat", "label": _label("子女", "Children"),
         "children": [{"name": "kid_name", "type": "text", "label": _label("子女称呼", "Child"), "required": True},
                      {"name": "kid_age", "type": "integer", "label": _label("子女年龄", "Child's age"),
                       "constraint": ". >= 0", "constraint_message": _label("年龄不能为负", "Age cannot be negative")}]},
        {"name": "age_months", "type": "calculate", "calculation": "${age} * 12"},
    ],
}


def make_survey(world, definition: dict | None = None, **fields) -> Survey:
    """An open survey of the home street (owner: the street officer) with the given definition."""
    values = {
        "region": world.street, "title": "东风街道居民需求调查", "status": SurveyStatus.OPEN,
        "owner": world.users["street_officer"], "form_id": "sample", "form_version": "2026120101",
        "opened_at": timezone.now(),
    }
    values.update(fields)
    return Survey.objects.create(definition=copy.deepcopy(definition or SAMPLE_DEFINITION), **values)


def make_quota(survey: Survey, *, region=None, population_group=None, target: int = 1) -> SurveyQuota:
    return SurveyQuota.objects.create(survey=survey, region=region, population_group=population_group, target=target)


def make_resident(world, name: str = "孙大妈", *, region=None):
    from wushe.core.text import build_search_text
    from wushe.people.models import Resident

    return Resident.objects.create(region=region or world.community, name=name, search_text=build_search_text(name))
