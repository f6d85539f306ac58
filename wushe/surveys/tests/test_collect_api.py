"""The responses API: start with answers, drafts and submission validated by the form's rules, edits, voiding,
masking, quotas, and 404 for outsiders."""

import pytest

from wushe.surveys.models import AnswerValue, QuotaDimension, ResponseStatus, SurveyResponse

from .factories import make_quota, make_resident, make_survey

pytestmark = pytest.mark.django_db

BASE = "/api/v1/surveys"
ANSWERS = {"nickname": "张", "age": 45, "lives_alone": "no", "needs": ["company", "meals"]}


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def start(client, survey, **data):
    body = {"community": "110105001001", "population_group": "migrant", **data}
    return post(client, f"{BASE}/{survey.public_id}/responses", body)


def test_interviewer_submits_in_one_call_and_non_relevant_answers_are_dropped(world, api_for):
    survey = make_survey(world)
    answer = start(api_for("community_staff"), survey, answers={**ANSWERS, "helper": "不该保存"}, final=True)
    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert body["status"] == "submitted" and body["community"] == "110105001001" and body["population_group"] == "migrant"
    assert "helper" not in body["answers"] and body["answers"]["needs"] == ["meals", "company"]
    assert body["resume_code"] == ""
    assert AnswerValue.objects.filter(question="needs").count() == 2


def test_violated_constraint_returns_the_forms_message_and_saves_nothing(world, api_for):
    survey = make_survey(world)
    answer = start(api_for("community_staff"), survey, answers={**ANSWERS, "age": 130}, final=True)
    assert answer.status_code == 422
    assert answer.json()["error"]["fields"]["age"] == ["年龄不合理"]
    assert not SurveyResponse.objects.exists()


def test_required_is_enforced_on_submit_only(world, api_for):
    survey = make_survey(world)
    client = api_for("community_staff")
    draft = start(client, survey, answers={"nickname": "王", "age": -1})
    assert draft.status_code == 201
    assert draft.json()["errors"] == {"age": "年龄不合理"} and draft.json()["answers"] == {"nickname": "王"}
    url = f"{BASE}/responses/{draft.json()['public_id']}"
    refused = patch(client, url, {"final": True})
    assert refused.status_code == 422
    assert set(refused.json()["error"]["fields"]) == {"age", "lives_alone"}
    done = patch(client, url, {"answers": {"age": 80, "lives_alone": "yes", "helper": "邻居"}, "final": True})
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "submitted" and done.json()["answers"]["helper"] == "邻居"


def test_submitted_response_edited_only_by_survey_managers(world, api_for):
    survey = make_survey(world)
    body = start(api_for("community_staff"), survey, answers=ANSWERS, final=True).json()
    url = f"{BASE}/responses/{body['public_id']}"
    assert patch(api_for("community_staff"), url, {"answers": {"age": 50}}).status_code == 403
    edited = patch(api_for("street_officer"), url, {"answers": {"age": 50, "needs": None}})
    assert edited.status_code == 200 and edited.json()["answers"]["age"] == 50 and "needs" not in edited.json()["answers"]
    assert not AnswerValue.objects.filter(question="needs").exists()


def test_interviewer_cannot_start_outside_their_communities(world, api_for):
    survey = make_survey(world)
    answer = start(api_for("community_staff"), survey, community="110105001002")
    assert answer.status_code == 422 and "region" in answer.json()["error"]["fields"]
    assert start(api_for("community_staff"), survey, community="999999999999").status_code == 422


def test_full_quota_refuses_start_and_submit(world, api_for):
    survey = make_survey(world, quota_by=QuotaDimension.COMMUNITY)
    make_quota(survey, region=world.community, target=1)
    client = api_for("street_officer")
    waiting = start(client, survey).json()
    assert start(client, survey, answers=ANSWERS, final=True).status_code == 201
    refused = start(client, survey)
    assert refused.status_code == 422 and "已满" in refused.json()["error"]["message"]
    late = patch(client, f"{BASE}/responses/{waiting['public_id']}", {"answers": ANSWERS, "final": True})
    assert late.status_code == 422
    assert SurveyResponse.objects.filter(status=ResponseStatus.SUBMITTED).count() == 1


def test_list_is_paginated_masked_and_filtered(world, api_for):
    survey = make_survey(world)
    resident = make_resident(world)
    start(api_for("community_staff"), survey, respondent=str(resident.public_id), answers=ANSWERS, final=True)
    start(api_for("community_staff"), survey)
    officer = api_for("street_officer").get(f"{BASE}/{survey.public_id}/responses").json()
    assert officer["count"] == 2 and {item["respondent"] for item in officer["items"]} == {"孙**", ""}
    staff = api_for("community_staff").get(f"{BASE}/{survey.public_id}/responses", {"status": "submitted"}).json()
    assert staff["count"] == 1 and staff["items"][0]["respondent"] == "孙大妈"


def test_void_through_the_api(world, api_for):
    survey = make_survey(world)
    body = start(api_for("community_staff"), survey, answers=ANSWERS, final=True).json()
    url = f"{BASE}/responses/{body['public_id']}/void"
    assert post(api_for("community_staff"), url, {"reason": "错"}).status_code == 403
    assert post(api_for("street_officer"), url, {"reason": ""}).status_code == 422
    assert post(api_for("street_officer"), url, {"reason": "重复"}).status_code == 200
    assert not AnswerValue.objects.exists()
    assert api_for("street_officer").get(f"{BASE}/responses/{body['public_id']}").status_code == 404


def test_outsider_gets_404_on_every_endpoint(world, api_for):
    survey = make_survey(world)
    body = start(api_for("community_staff"), survey, answers=ANSWERS).json()
    outsider = api_for("outsider")
    one = f"{BASE}/responses/{body['public_id']}"
    assert outsider.get(f"{BASE}/{survey.public_id}/responses").status_code == 404
    assert start(outsider, survey, community="110105002001").status_code == 404
    assert outsider.get(one).status_code == 404
    assert patch(outsider, one, {"answers": {"age": 1}}).status_code == 404
    assert post(outsider, f"{one}/void", {"reason": "x"}).status_code == 404
    assert SurveyResponse.objects.get().voided_at is None


def test_openapi_tags_responses_with_surveys(world, api_for):
    schema = api_for("admin").get("/api/v1/openapi.json").json()
    paths = [path for path in schema["paths"] if "/surveys/" in path and "responses" in path]
    assert len(paths) == 3  # GET+POST, GET+PATCH, void
    for path in paths:
        for operation in schema["paths"][path].values():
            assert operation["tags"] == ["surveys"]
