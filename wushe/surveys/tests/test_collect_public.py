"""Filling through the public link: anonymous and identified respondents, resume by code from another device,
server-side rules, quotas, and revoked links."""

import pytest
from django.test import Client
from django.urls import reverse

from wushe.people.models import PopulationGroup
from wushe.surveys.models import CollectionMode, QuotaDimension, ResponseStatus, SurveyResponse
from wushe.surveys.services.links import make_link_token, survey_from_token, survey_link_path
from wushe.surveys.services.surveys import survey_rotate_link

from .factories import make_quota, make_survey

pytestmark = pytest.mark.django_db

ANSWERS = {"nickname": "张", "age": "30", "lives_alone": "no"}


def group():
    return PopulationGroup.objects.get(code="migrant")


def begin(client, survey, region, **extra):
    return client.post(survey_link_path(survey), {"region": region.pk, "population_group": group().pk, **extra})


def test_anonymous_respondent_fills_and_submits(world):
    survey = make_survey(world)
    client = Client()
    start = client.get(survey_link_path(survey))
    assert start.status_code == 200
    assert [c.name for c in start.context["form"].fields["region"].queryset] == ["将台社区", "丽都社区", "南十里居村"]
    answer = begin(client, survey, world.community2)
    response = SurveyResponse.objects.get()
    assert answer.status_code == 302 and answer["Location"] == reverse(
        "surveys_public:fill", args=[make_link_token(survey), response.resume_code])
    assert response.mode == CollectionMode.SELF and response.is_anonymous and response.region == world.community2
    fill = client.get(answer["Location"])
    assert fill.status_code == 200 and 'id="fill-form"' in fill.content.decode()
    done = client.post(answer["Location"], {**ANSWERS, "helper": "丢弃", "action": "submit"})
    assert done.status_code == 302
    thanks = client.get(answer["Location"])
    assert "感谢您的参与" in thanks.content.decode()
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED and "helper" not in response.answers
    # A submitted answer cannot be changed through the link.
    client.post(answer["Location"], {**ANSWERS, "age": "31", "action": "submit"})
    response.refresh_from_db()
    assert response.answers["age"] == 30


def test_constraint_message_and_required_on_the_public_page(world):
    survey = make_survey(world)
    client = Client()
    url = begin(client, survey, world.community)["Location"]
    page = client.post(url, {**ANSWERS, "age": "200", "action": "submit"})
    assert page.status_code == 422 and "年龄不合理" in page.content.decode()
    page = client.post(url, {"nickname": "张", "action": "submit"})
    assert page.status_code == 422 and "此题必答。" in page.content.decode()
    assert SurveyResponse.objects.get().status == ResponseStatus.DRAFT


def test_draft_is_resumed_by_code_on_another_device_and_submitted(world):
    survey = make_survey(world)
    phone = Client()
    url = begin(phone, survey, world.community)["Location"]
    saved = phone.post(url, {"nickname": "李", "age": "72", "action": "save"})
    response = SurveyResponse.objects.get()
    assert saved.status_code == 200 and response.resume_code in saved.content.decode()
    assert response.answers == {"nickname": "李", "age": 72, "age_months": 864}
    # The same browser is offered to continue.
    assert phone.get(survey_link_path(survey)).context["remembered"] == response
    laptop = Client()
    assert laptop.get(survey_link_path(survey)).context["remembered"] is None
    bad = laptop.post(survey_link_path(survey), {"resume-code": "nonsense"})
    assert bad.status_code == 422 and "续填码无效" in bad.content.decode()
    found = laptop.post(survey_link_path(survey), {"resume-code": response.resume_code})
    assert found.status_code == 302 and found["Location"] == url
    page = laptop.get(url)
    assert 'value="李"' in page.content.decode() and 'name="chronic"' in page.content.decode()
    assert laptop.post(url, {"nickname": "李", "age": "72", "lives_alone": "yes", "helper": "女儿",
                             "chronic": "yes", "action": "submit"}).status_code == 302
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    assert response.answers["helper"] == "女儿" and response.answers["chronic"] == "yes"


def test_identified_survey_sends_visitors_to_login_and_records_the_user(world, client_for):
    survey = make_survey(world, allow_anonymous=False)
    link = survey_link_path(survey)
    anonymous = Client().get(link)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    assert "next=" in anonymous["Location"]
    assert begin(Client(), survey, world.community).status_code == 302 and not SurveyResponse.objects.exists()
    resident = client_for("resident")
    url = begin(resident, survey, world.community)["Location"]
    response = SurveyResponse.objects.get()
    assert response.respondent_user == world.resident and not response.is_anonymous
    # Another signed-in user holding the code cannot open someone's identified draft.
    assert client_for("volunteer").get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_full_quota_refuses_start_and_submit_on_the_link(world):
    survey = make_survey(world, quota_by=QuotaDimension.COMMUNITY)
    make_quota(survey, region=world.community, target=1)
    make_quota(survey, region=world.community2, target=1)
    first, second = Client(), Client()
    url_first = begin(first, survey, world.community)["Location"]
    url_second = begin(second, survey, world.community)["Location"]
    assert first.post(url_first, {**ANSWERS, "action": "submit"}).status_code == 302
    late = second.post(url_second, {**ANSWERS, "action": "submit"})
    assert late.status_code == 422 and "样本配额（1 份）已满" in late.content.decode()
    refused = begin(Client(), survey, world.community)
    assert refused.status_code == 422 and "已满" in refused.content.decode()
    unplanned = begin(Client(), survey, world.village)
    assert unplanned.status_code == 422 and "不在本问卷的抽样计划内" in unplanned.content.decode()
    assert SurveyResponse.objects.filter(status=ResponseStatus.SUBMITTED).count() == 1


def test_rotated_secret_revokes_the_link(world):
    survey = make_survey(world)
    client = Client()
    old_link = survey_link_path(survey)
    old_fill = begin(client, survey, world.community)["Location"]
    survey_rotate_link(actor=world.street_officer, survey=survey)
    survey.refresh_from_db()
    assert client.get(old_link).status_code == 404
    assert client.get(old_fill).status_code == 404
    assert client.get(survey_link_path(survey)).status_code == 200


@pytest.mark.parametrize("token", ["nonsense", "eyJzIjoiMSJ9:1abc:xyz"])
def test_bad_tokens_give_404(world, token):
    assert survey_from_token(token) is None
    assert Client().get(reverse("surveys_public:start", args=[token])).status_code == 404


def test_links_of_voided_or_linkless_surveys_give_404(world):
    voided = make_survey(world)
    link = survey_link_path(voided)
    voided.voided_at = voided.created_at
    voided.save()
    assert Client().get(link).status_code == 404
    linkless = make_survey(world, allow_link=False)
    assert Client().get(survey_link_path(linkless)).status_code == 404


def test_closed_survey_link_says_so(world):
    survey = make_survey(world, status="closed")
    page = Client().get(survey_link_path(survey))
    assert page.status_code == 200 and "未在收集答卷" in page.content.decode()
    assert begin(Client(), survey, world.community).status_code == 200 and not SurveyResponse.objects.exists()


def test_interview_responses_cannot_be_opened_through_the_link(world):
    from wushe.surveys.services.responses import response_start

    survey = make_survey(world)
    response = response_start(actor=world.community_staff, survey=survey, region=world.community,
                              population_group=group(), mode=CollectionMode.INTERVIEW)
    url = reverse("surveys_public:fill", args=[make_link_token(survey), response.resume_code])
    assert Client().get(url).status_code == 404
