"""Demo questionnaires on the demo district of `wushe.core.demo`, built through the services.

- 东苑地区居民需求调查: the street's residents' needs survey from the sample XLSForm, quotas per community,
  about 60 answers per community given through the link (anonymous) and by the demo social worker in
  interviews, so the analysis page has real percentages and cross-tabs; a few drafts left to resume.
- 社会工作者“三社联动”工作状况调查: the district's survey of social workers (no population group), whose
  answers echo the Beijing pilot's finding that most workers name low resident participation.
All answers are synthetic (a seeded random generator).
"""

from __future__ import annotations

import random

from django.db import transaction
from django.db.models import Q

from wushe.accounts.models import User
from wushe.people.models import PopulationGroup

from .models import CollectionMode, Survey, SurveyStatus
from .samples import resident_needs_workbook, worker_survey_workbook
from .selectors.surveys import communities_of
from .services import responses as response_services
from .services import surveys as survey_services

RESIDENT_SURVEY = "东苑地区居民需求调查"
WORKER_SURVEY = "社会工作者“三社联动”工作状况调查"
GROUP_WEIGHTS = {"oldest_old": 4, "empty_nest_elderly": 4, "left_behind_children": 1, "migrant": 3, "disability": 1,
                 "single_parent": 1}


def _users() -> dict[str, User]:
    names = ["demo_street", "demo_district", "demo_worker", "demo_community"]
    return {u.username: u for u in User.objects.filter(username__in=names)}


def _resident_answers(rng: random.Random, group_code: str) -> dict:
    elderly = group_code in {"oldest_old", "empty_nest_elderly"} or rng.random() < 0.15
    age = rng.randint(60, 92) if elderly else rng.randint(18, 59)
    needs_weights = {"meals": 6 if elderly else 1, "home_care": 5 if elderly else 1,
                     "after_school": 1 if elderly else 5, "health": 4, "mental": 2, "employment": 0 if elderly else 3,
                     "culture": 3, "environment": 2}
    needs = []
    while len(needs) < rng.randint(1, 3):
        choice = rng.choices(list(needs_weights), weights=list(needs_weights.values()))[0]
        if choice not in needs:
            needs.append(choice)
    answers = {
        "age": age, "sex": rng.choice(["male", "female"]),
        "years_here": rng.choices(["lt1", "1to5", "5to10", "gt10"], weights=[1, 3, 3, 5 if elderly else 2])[0],
        "household_size": 1 if elderly and rng.random() < 0.4 else rng.randint(2, 5),
        "needs": needs,
        "satisfaction": rng.choices(["5", "4", "3", "2", "1"], weights=[3, 5, 4, 2, 1])[0],
        "barriers": rng.sample(["no_time", "no_info", "not_interested", "health", "far"], rng.randint(0, 2)),
        "volunteer_willing": "yes" if rng.random() < 0.45 else "no",
    }
    if age >= 60:
        answers["lives_alone"] = "yes" if answers["household_size"] == 1 else "no"
    if "meals" in needs:
        answers["meal_frequency"] = rng.choice(["1to2", "3to5", "daily"])
    if rng.random() < 0.2:
        answers["suggestion"] = rng.choice(["希望增加周末活动", "楼道灯经常坏，希望及时修", "希望有上门理发服务",
                                            "活动通知能提前在微信群发", "希望食堂价格再优惠些"])
    return answers


def _worker_answers(rng: random.Random) -> dict:
    difficulties = [name for name, share in (("participation", 0.70), ("funding", 0.55), ("admin", 0.62),
                                             ("recognition", 0.38), ("coordination", 0.30)) if rng.random() < share]
    answers = {
        "certificate": rng.choices(["none", "assistant", "worker", "senior"], weights=[3, 5, 3, 1])[0],
        "years_in_post": rng.randint(0, 15),
        "difficulties": difficulties or ["participation"],
        "training_wanted": [name for name, share in (("volunteer_mgmt", 0.9), ("project_design", 0.6),
                                                     ("finance", 0.4), ("case_work", 0.5)) if rng.random() < share],
        "supervision_hours": rng.randint(0, 60),
        "projects": [{"project_name": rng.choice(["银龄互助", "四点半课堂", "楼门文化", "邻里守望"]),
                      "project_role": rng.choice(["lead", "support"])} for _ in range(rng.randint(0, 2))],
    }
    return answers


@transaction.atomic
def seed_surveys(*, seed: int = 20261201) -> dict[str, int] | None:
    """Build the demo surveys; None (and no change) when they exist or the demo is missing."""
    if Survey.objects.filter(title=RESIDENT_SURVEY).exists():
        return None
    users = _users()
    if len(users) < 4:
        return None
    rng = random.Random(seed)
    street_user, district_user, worker = users["demo_street"], users["demo_district"], users["demo_worker"]
    street = street_user.role_assignments.get(role="street_officer").region
    district = district_user.role_assignments.get(role="civil_affairs_officer").region
    groups = {g.code: g for g in PopulationGroup.objects.filter(code__in=GROUP_WEIGHTS)}
    group_codes = [code for code in GROUP_WEIGHTS if code in groups]

    survey = survey_services.survey_create(
        actor=street_user, region=street, data=resident_needs_workbook(), filename="resident-needs.xlsx",
        title=RESIDENT_SURVEY, description="了解各社区居民的服务需求，为下一轮社区公益微项目和公益创投确定方向。",
        quota_by="community")
    communities = list(communities_of(survey))
    survey_services.quotas_set(actor=street_user, survey=survey, targets={c: 60 for c in communities})
    survey = survey_services.survey_transition(actor=street_user, survey=survey, transition="open")
    worker_communities = set(worker.social_worker.communities.values_list("pk", flat=True))
    submitted = 0
    for community in communities:
        for index in range(rng.randint(38, 55)):
            code = rng.choices(group_codes, weights=[GROUP_WEIGHTS[c] for c in group_codes])[0] if group_codes else None
            interview = community.pk in worker_communities and index % 3 == 0
            response = response_services.response_start(
                actor=worker if interview else None, survey=survey, region=community,
                population_group=groups.get(code), mode=CollectionMode.INTERVIEW if interview else CollectionMode.SELF,
                language="zh")
            answers = _resident_answers(rng, code or "")
            final = index % 17 != 5  # a few drafts wait to be resumed
            response_services.response_save(actor=worker if interview else None, response=response, raw=answers,
                                            final=final)
            submitted += final

    needs = _needs_from_survey(users["demo_community"], survey)

    workers = Survey.objects.none()
    if district is not None:
        workers = survey_services.survey_create(
            actor=district_user, region=district, data=worker_survey_workbook(), filename="social-workers.xlsx",
            title=WORKER_SURVEY, audience="social_workers", capture_group=False, allow_anonymous=True,
            description="了解社区社会工作者开展联动工作的困难与培训需求。")
        workers = survey_services.survey_transition(actor=district_user, survey=workers, transition="open")
        district_communities = list(communities_of(workers))
        for _index in range(120):
            response = response_services.response_start(actor=None, survey=workers,
                                                         region=rng.choice(district_communities),
                                                         mode=CollectionMode.SELF, language="zh")
            response_services.response_save(actor=None, response=response, raw=_worker_answers(rng), final=True)
            submitted += 1
    return {"surveys": 2 if workers else 1, "responses": submitted, "needs": needs}


# The options of the residents' survey that become needs of the community when enough respondents name them.
NEED_OPTIONS = {"meals": ("高龄老人助餐", "elderly_care", "oldest_old"),
                "home_care": ("独居老人居家探访", "elderly_care", "empty_nest_elderly"),
                "after_school": ("儿童课后托管", "children", None),
                "health": ("健康讲座与义诊进社区", "health", None)}


def _needs_from_survey(staff: User, survey: Survey) -> int:
    """The demo community's register gets the needs its own respondents name most, with the figure."""
    from .selectors.analysis import AnalysisFilters, summary
    from .services.needs import need_create

    community = staff.role_assignments.get(role="community_staff").region
    figures = summary(staff, survey, filters=AnalysisFilters(community=community))
    question = next(q for q in figures["questions"] if q["name"] == "needs")
    created = 0
    for option in sorted(question["options"], key=lambda o: -o["count"]):
        if option["name"] not in NEED_OPTIONS or option["percent"] < 20:
            continue
        title, category, group_code = NEED_OPTIONS[option["name"]]
        need_create(actor=staff, region=community, title=title, category=category, source="survey",
                    priority="high" if option["percent"] >= 30 else "medium", survey=survey,
                    population_group=PopulationGroup.objects.filter(code=group_code).first() if group_code else None,
                    evidence=f"{survey.title}：本社区 {question['n']} 名受访者中 {option['percent']}% 选择“{option['label']}”。")
        created += 1
    return created


def purge_surveys(low: str, high: str, owners) -> None:
    """Remove the demo's surveys (of the regions coded low..high or owned by demo users) and their rows."""
    from wushe.core.demo import _purge

    from .models import AnswerValue, SurveyQuota, SurveyResponse

    surveys = Survey.objects.filter(Q(region__code__gte=low, region__code__lte=high) | Q(owner__in=owners))
    ids = list(surveys.values_list("pk", flat=True))
    AnswerValue.objects.filter(survey__in=ids).delete()
    _purge(SurveyResponse.objects.filter(survey__in=ids))
    _purge(SurveyResponse.objects.filter(region__code__gte=low, region__code__lte=high))
    _purge(SurveyQuota.objects.filter(survey__in=ids))
    _purge(Survey.objects.filter(pk__in=ids))


__all__ = ["RESIDENT_SURVEY", "WORKER_SURVEY", "SurveyStatus", "purge_surveys", "seed_surveys"]
