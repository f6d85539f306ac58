"""Collecting through the services: start rules, drafts and submission validated by the form's rules, quotas,
editing and voiding (with the analysis rows kept in step)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wushe.people.models import PopulationGroup
from wushe.surveys.models import AnswerValue, QuotaDimension, ResponseStatus
from wushe.surveys.services.responses import response_save, response_start, response_void

from .factories import make_quota, make_survey

pytestmark = pytest.mark.django_db

VALID = {"nickname": "张", "age": 45, "lives_alone": "no", "needs": ["meals"]}


def group(code="empty_nest_elderly"):
    return PopulationGroup.objects.get(code=code)


def start(world, survey, *, actor=None, region=None, mode="interview", **extra):
    actor = world.users["community_staff"] if actor is None and mode == "interview" else actor
    return response_start(actor=actor, survey=survey, region=region or world.community,
                          population_group=extra.pop("population_group", group()), mode=mode, **extra)


def codes(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors} if hasattr(error, "error_dict") \
        else {e.code for e in error.error_list}


def test_interviewer_starts_in_own_community_and_is_recorded(world):
    response = start(world, make_survey(world))
    assert response.status == ResponseStatus.DRAFT
    assert response.collected_by == world.community_staff and response.respondent_user is None


def test_interviewer_cannot_start_in_a_community_outside_their_area(world):
    with pytest.raises(ValidationError) as error:
        start(world, make_survey(world), region=world.community2)
    assert codes(error.value) == {"community_not_yours"}


def test_community_outside_the_survey_is_refused(world):
    with pytest.raises(ValidationError) as error:
        start(world, make_survey(world), actor=world.admin, region=world.other_community)
    assert codes(error.value) == {"community_outside"}


def test_a_respondent_outside_every_group_is_a_general_resident(world):
    # Most residents belong to none of the registry's groups: no group means 一般居民, not an error.
    response = start(world, make_survey(world), population_group=None)
    assert response.population_group is None


def test_population_group_required_when_quotas_are_by_group(world):
    from wushe.people.models import PopulationGroup
    from wushe.surveys.tests.factories import make_quota

    survey = make_survey(world, quota_by="group")
    make_quota(survey, population_group=PopulationGroup.objects.get(code="migrant"), target=5)
    with pytest.raises(ValidationError) as error:
        start(world, survey, population_group=None)
    assert codes(error.value) == {"group_required"}


@pytest.mark.parametrize("fields, code", [
    ({"status": "draft"}, "survey_not_open"),
    ({"status": "closed"}, "survey_not_open"),
    ({"opens_on": datetime.date.today() + datetime.timedelta(days=3)}, "survey_not_yet_open"),
    ({"closes_on": datetime.date.today() - datetime.timedelta(days=1),
      "opens_on": datetime.date.today() - datetime.timedelta(days=9)}, "survey_closed"),
])
def test_survey_must_be_collecting(world, fields, code):
    with pytest.raises(ValidationError) as error:
        start(world, make_survey(world, **fields))
    assert codes(error.value) == {code}


def test_anonymous_self_response_needs_allow_anonymous(world):
    survey = make_survey(world, allow_anonymous=False)
    with pytest.raises(ValidationError) as error:
        start(world, survey, actor=None, mode="self")
    assert codes(error.value) == {"login_required"}
    response = start(world, survey, actor=world.resident, mode="self")
    assert response.respondent_user == world.resident and response.collected_by is None


def test_draft_keeps_valid_values_and_returns_errors(world):
    response = start(world, make_survey(world))
    result = response_save(actor=world.community_staff, response=response,
                           raw={"nickname": "王", "age": "abc", "kids": [{"kid_name": "小明", "kid_age": "-2"}]},
                           final=False)
    response.refresh_from_db()
    assert set(result.errors) == {"age", "kids.0.kid_age"}
    assert response.answers == {"nickname": "王", "kids": [{"kid_name": "小明"}]}
    assert response.status == ResponseStatus.DRAFT and not AnswerValue.objects.exists()


def test_submit_with_errors_saves_nothing(world):
    response = start(world, make_survey(world))
    response_save(actor=world.community_staff, response=response, raw={"nickname": "王"}, final=False)
    with pytest.raises(ValidationError) as error:
        response_save(actor=world.community_staff, response=response, raw={"nickname": "李", "age": 130},
                      final=True)
    assert error.value.message_dict["age"] == ["年龄不合理"]
    assert error.value.message_dict["lives_alone"] == ["此题必答。"]
    response.refresh_from_db()
    assert response.answers == {"nickname": "王"} and response.status == ResponseStatus.DRAFT


def test_submit_drops_non_relevant_answers_and_writes_values(world):
    response = start(world, make_survey(world))
    response_save(actor=world.community_staff, response=response,
                  raw={**VALID, "helper": "邻居", "chronic": "yes"}, final=True)
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED and response.submitted_at is not None
    assert "helper" not in response.answers and "chronic" not in response.answers
    assert response.answers["age_months"] == 540
    assert set(AnswerValue.objects.filter(response=response).values_list("question", flat=True)) == {
        "nickname", "age", "lives_alone", "needs", "age_months"}


def test_required_only_on_submit(world):
    response = start(world, make_survey(world))
    result = response_save(actor=world.community_staff, response=response, raw={}, final=False)
    assert result.errors == {}
    with pytest.raises(ValidationError):
        response_save(actor=world.community_staff, response=response, raw={}, final=True)


def test_only_survey_managers_edit_a_submitted_response(world):
    response = start(world, make_survey(world))
    response_save(actor=world.community_staff, response=response, raw=VALID, final=True)
    with pytest.raises(PermissionDenied):
        response_save(actor=world.community_staff, response=response, raw={**VALID, "age": 50}, final=True)
    with pytest.raises(ValidationError):
        response_save(actor=world.street_officer, response=response, raw={**VALID, "age": 500}, final=False)
    response_save(actor=world.street_officer, response=response, raw={**VALID, "age": 66, "chronic": "no"},
                  final=False)
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED and response.answers["chronic"] == "no"
    assert AnswerValue.objects.get(response=response, question="age").number == 66


def test_void_removes_analysis_rows(world):
    response = start(world, make_survey(world))
    response_save(actor=world.community_staff, response=response, raw=VALID, final=True)
    assert AnswerValue.objects.filter(response=response).exists()
    response_void(actor=world.street_officer, response=response, reason="重复录入")
    assert response.voided_at is not None and not AnswerValue.objects.filter(response=response).exists()
    with pytest.raises(ValidationError):
        response_save(actor=world.street_officer, response=response, raw=VALID, final=True)


def submit(world, survey, region=None, population_group=None):
    response = start(world, survey, actor=world.admin, region=region, population_group=population_group or group())
    response_save(actor=world.admin, response=response, raw=VALID, final=True)
    return response


def test_full_community_quota_refuses_start_and_submit(world):
    survey = make_survey(world, quota_by=QuotaDimension.COMMUNITY)
    make_quota(survey, region=world.community, target=1)
    make_quota(survey, region=world.community2, target=5)
    waiting = start(world, survey, actor=world.admin)
    submit(world, survey)
    with pytest.raises(ValidationError) as error:
        start(world, survey, actor=world.admin)
    assert codes(error.value) == {"quota_full"}
    assert "将台社区" in error.value.message_dict["region"][0]
    with pytest.raises(ValidationError) as error:
        response_save(actor=world.admin, response=waiting, raw=VALID, final=True)
    assert codes(error.value) == {"quota_full"}
    waiting.refresh_from_db()
    assert waiting.status == ResponseStatus.DRAFT
    assert submit(world, survey, region=world.community2).status == ResponseStatus.SUBMITTED


def test_community_without_quota_is_refused_when_quotas_exist(world):
    survey = make_survey(world, quota_by=QuotaDimension.COMMUNITY)
    with_no_rows = start(world, survey, actor=world.admin, region=world.village)
    assert with_no_rows.pk
    make_quota(survey, region=world.community, target=3)
    with pytest.raises(ValidationError) as error:
        start(world, survey, actor=world.admin, region=world.village)
    assert codes(error.value) == {"no_quota"}


def test_group_quota(world):
    survey = make_survey(world, quota_by=QuotaDimension.GROUP)
    make_quota(survey, population_group=group("oldest_old"), target=1)
    submit(world, survey, population_group=group("oldest_old"))
    with pytest.raises(ValidationError) as error:
        start(world, survey, actor=world.admin, population_group=group("oldest_old"))
    assert codes(error.value) == {"quota_full"}
    with pytest.raises(ValidationError) as error:
        start(world, survey, actor=world.admin, population_group=group("migrant"))
    assert codes(error.value) == {"no_quota"}


def test_voided_responses_free_their_quota_place(world):
    survey = make_survey(world, quota_by=QuotaDimension.COMMUNITY)
    make_quota(survey, region=world.community, target=1)
    response = submit(world, survey)
    response_void(actor=world.admin, response=response, reason="测试")
    assert start(world, survey, actor=world.admin).pk

