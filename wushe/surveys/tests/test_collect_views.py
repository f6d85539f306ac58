"""Staff collection pages: interview start, the fill page (skip logic and constraints enforced by the server),
the response list (masking, quota progress, query count), voiding, and the outsider sweep."""

import pytest
from django.urls import reverse

from wushe.people.models import PopulationGroup
from wushe.surveys.models import AnswerValue, CollectionMode, QuotaDimension, ResponseStatus, SurveyResponse
from wushe.surveys.services.responses import response_save, response_start

from .factories import make_quota, make_resident, make_survey

pytestmark = pytest.mark.django_db

FORM = {"nickname": "张", "age": "45", "lives_alone": "no", "needs": ["meals", "company"]}


def group():
    return PopulationGroup.objects.get(code="empty_nest_elderly")


def interview(world, survey, actor="community_staff", region=None, respondent=None):
    return response_start(actor=world.users[actor], survey=survey, region=region or world.community,
                          population_group=group(), respondent=respondent, mode=CollectionMode.INTERVIEW)


def fill_url(response):
    return reverse("surveys:response_fill", args=[response.public_id])


def test_interviewer_starts_an_identified_interview(world, client_for):
    survey = make_survey(world)
    resident = make_resident(world)
    client = client_for("community_staff")
    url = reverse("surveys:survey_collect", args=[survey.public_id])
    page = client.get(url)
    assert page.status_code == 200
    assert list(page.context["form"].fields["region"].queryset) == [world.community]
    found = client.get(url, {"resident_q": "孙大妈"})
    assert [r.name for r in found.context["candidates"]] == ["孙大妈"]
    answer = client.post(url, {"region": world.community.pk, "population_group": group().pk,
                               "respondent": str(resident.public_id)})
    response = SurveyResponse.objects.get()
    assert answer.status_code == 302 and answer["Location"] == fill_url(response)
    assert response.respondent == resident and response.collected_by == world.community_staff


def test_interview_in_a_foreign_community_is_refused(world, client_for):
    survey = make_survey(world)
    page = client_for("community_staff").post(reverse("surveys:survey_collect", args=[survey.public_id]),
                                              {"region": world.community2.pk, "population_group": group().pk})
    assert page.status_code == 422 and not SurveyResponse.objects.exists()


def test_staff_who_see_but_cannot_collect_get_403(world, client_for):
    survey = make_survey(world, status="closed")
    assert client_for("street_officer").get(reverse("surveys:survey_collect", args=[survey.public_id])).status_code == 403


def test_fill_page_renders_every_question_type(world, client_for):
    response = interview(world, make_survey(world))
    page = client_for("community_staff").get(fill_url(response))
    html = page.content.decode()
    assert page.status_code == 200
    for needle in ['name="nickname"', 'type="number" step="1"', 'step="any"', 'type="date"', 'type="radio"',
                   'type="checkbox"', "感谢您参与本次调查。", 'name="kids.count"', 'value="kids"']:
        assert needle in html
    assert 'name="helper"' not in html  # relevant only when living alone
    assert "老年人专项" not in html  # the group is relevant from 60


def test_preview_applies_skip_logic_without_saving(world, client_for):
    response = interview(world, make_survey(world))
    client = client_for("community_staff")
    page = client.post(fill_url(response), {"preview": "1", "lives_alone": "yes", "age": "70"}, HTTP_HX_REQUEST="true")
    html = page.content.decode()
    assert page.status_code == 200 and "<html" not in html
    assert 'name="helper"' in html and "老年人专项" in html and 'name="chronic"' in html
    response.refresh_from_db()
    assert response.answers == {}


def test_add_and_remove_repeat_instances(world, client_for):
    response = interview(world, make_survey(world))
    client = client_for("community_staff")
    page = client.post(fill_url(response), {"kids.count": "1", "kids.0.kid_name": "小明", "add_instance": "kids"})
    assert 'name="kids.1.kid_name"' in page.content.decode()
    page = client.post(fill_url(response), {"kids.count": "2", "kids.0.kid_name": "小明", "kids.1.kid_name": "小红",
                                            "remove_instance": "kids.0"})
    html = page.content.decode()
    assert 'value="小红"' in html and 'value="小明"' not in html and 'name="kids.1.kid_name"' not in html


def test_submit_through_the_page_enforces_the_form_rules(world, client_for):
    response = interview(world, make_survey(world))
    client = client_for("community_staff")
    page = client.post(fill_url(response), {**FORM, "age": "150", "action": "submit"})
    assert page.status_code == 422
    assert "年龄不合理" in page.content.decode()
    response.refresh_from_db()
    assert response.status == ResponseStatus.DRAFT and response.answers == {}
    page = client.post(fill_url(response), {"action": "submit"})
    assert page.status_code == 422 and page.content.decode().count("此题必答。") == 3
    page = client.post(fill_url(response), {**FORM, "helper": "不该保存", "kids.count": "1",
                                            "kids.0.kid_name": "小明", "kids.0.kid_age": "8", "action": "submit"})
    assert page.status_code == 302
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED
    assert "helper" not in response.answers
    assert response.answers["kids"] == [{"kid_name": "小明", "kid_age": 8}]
    assert AnswerValue.objects.filter(response=response, question="needs").count() == 2


def test_draft_save_through_the_page_shows_errors_and_keeps_valid_values(world, client_for):
    response = interview(world, make_survey(world))
    page = client_for("community_staff").post(fill_url(response), {"nickname": "王", "age": "-3", "action": "save"})
    assert page.status_code == 200 and "年龄不合理" in page.content.decode()
    response.refresh_from_db()
    assert response.answers == {"nickname": "王"} and response.status == ResponseStatus.DRAFT


def test_submitted_response_is_read_only_unless_the_viewer_manages_the_survey(world, client_for):
    response = interview(world, make_survey(world))
    response_save(actor=world.community_staff, response=response, raw=FORM, final=True)
    page = client_for("community_staff").get(fill_url(response))
    assert page.status_code == 200 and "助餐、陪伴" in page.content.decode() and 'id="edit-link"' not in page.content.decode()
    assert client_for("community_staff").post(fill_url(response), {**FORM, "action": "submit"}).status_code == 403
    officer = client_for("street_officer")
    assert 'id="fill-form"' in officer.get(fill_url(response) + "?edit=1").content.decode()
    assert officer.post(fill_url(response), {**FORM, "age": "61", "action": "submit"}).status_code == 302
    response.refresh_from_db()
    assert response.answers["age"] == 61


def test_void_needs_change_on_the_survey(world, client_for):
    response = interview(world, make_survey(world))
    url = reverse("surveys:response_void", args=[response.public_id])
    assert client_for("community_staff").post(url, {"reason": "错"}).status_code == 403
    answer = client_for("street_officer").post(url, {"reason": "重复录入"})
    assert answer.status_code == 302
    response.refresh_from_db()
    assert response.void_reason == "重复录入"
    assert client_for("street_officer").get(fill_url(response)).status_code == 404


def test_list_masks_respondents_without_view_identity(world, client_for):
    survey = make_survey(world)
    resident = make_resident(world)
    interview(world, survey, respondent=resident)
    assert "孙**" in client_for("street_officer").get(reverse("surveys:response_list", args=[survey.public_id])).content.decode()
    assert "孙大妈" in client_for("community_staff").get(reverse("surveys:response_list", args=[survey.public_id])).content.decode()


def test_list_filters_by_status_and_shows_only_the_viewers_area(world, client_for):
    survey = make_survey(world)
    draft = interview(world, survey)
    done = interview(world, survey, actor="street_officer", region=world.community2)
    response_save(actor=world.street_officer, response=done, raw=FORM, final=True)
    url = reverse("surveys:response_list", args=[survey.public_id])
    officer = client_for("street_officer")
    assert {r.pk for r in officer.get(url).context["page"]} == {draft.pk, done.pk}
    rows = officer.get(url, {"status": "submitted"}, HTTP_HX_REQUEST="true")
    assert [r.pk for r in rows.context["page"]] == [done.pk] and "<html" not in rows.content.decode()
    assert [r.pk for r in client_for("community_staff").get(url).context["page"]] == [draft.pk]


def test_quota_progress_on_the_list(world, client_for):
    survey = make_survey(world, quota_by=QuotaDimension.COMMUNITY)
    make_quota(survey, region=world.community, target=2)
    response = interview(world, survey)
    response_save(actor=world.community_staff, response=response, raw=FORM, final=True)
    html = client_for("street_officer").get(reverse("surveys:response_list", args=[survey.public_id])).content.decode()
    assert 'id="quota-progress"' in html and "1 / 2" in html and "width: 50.0%" in html


def test_response_list_query_count_is_fixed(world, client_for, django_assert_max_num_queries):
    survey = make_survey(world)
    for index in range(12):
        resident = make_resident(world, f"居民{index}")
        response = interview(world, survey, respondent=resident)
        if index % 2:
            response_save(actor=world.community_staff, response=response, raw=FORM, final=True)
    client = client_for("street_officer")
    url = reverse("surveys:response_list", args=[survey.public_id])
    client.get(url)
    with django_assert_max_num_queries(14):
        page = client.get(url)
    assert len(page.context["page"]) == 12


def test_outsider_gets_404_on_every_staff_page(world, client_for):
    survey = make_survey(world)
    response = interview(world, survey)
    outsider = client_for("outsider")
    for url in [reverse("surveys:survey_collect", args=[survey.public_id]),
                reverse("surveys:response_list", args=[survey.public_id]), fill_url(response)]:
        assert outsider.get(url).status_code == 404, url
        assert outsider.post(url, {"action": "submit"}).status_code == 404, url
    assert outsider.post(reverse("surveys:response_void", args=[response.public_id]), {"reason": "x"}).status_code == 404
    response.refresh_from_db()
    assert response.voided_at is None


def test_other_community_staff_get_404_on_a_response_outside_their_area(world, client_for):
    survey = make_survey(world)
    response = interview(world, survey, actor="street_officer", region=world.community2)
    assert client_for("community_staff").get(fill_url(response)).status_code == 404
