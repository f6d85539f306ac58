"""A resident opens the survey link on a phone: skip logic shows and hides questions live (HTMX), a repeat
instance is added, and the submitted answers are checked on the server. Drives Debian's Chromium."""

import pytest

from wushe.surveys.models import ResponseStatus, SurveyResponse
from wushe.surveys.services.links import survey_link_path
from wushe.testing.browser import BROWSER_MARKS

from .factories import make_survey

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_respondent_fills_a_form_with_skip_logic_on_a_phone(world, live_server, phone_page):
    from wushe.people.models import PopulationGroup

    # Transactional tests flush the tables, migration data included: make sure the group is there.
    PopulationGroup.objects.get_or_create(code="empty_nest_elderly", defaults={"name": "空巢老人"})
    survey = make_survey(world)
    page = phone_page
    page.goto(f"{live_server.url}{survey_link_path(survey)}")
    page.get_by_label("所在社区").select_option(label="丽都社区")
    page.get_by_label("人群类别").select_option(label="空巢老人")
    page.get_by_role("button", name="开始填写").click()
    page.locator("#fill-form").wait_for()

    page.get_by_label("称呼").fill("钱")
    page.get_by_label("年龄").fill("72")
    page.get_by_label("年龄").blur()
    page.get_by_text("老年人专项").wait_for()  # the group is relevant from 60
    assert page.get_by_label("紧急联系人").count() == 0
    page.get_by_label("是", exact=True).first.check()  # lives alone
    page.get_by_label("紧急联系人").wait_for()
    page.get_by_label("紧急联系人").fill("女儿")
    page.get_by_label("否", exact=True).first.check()  # no longer alone: the question goes away
    page.get_by_label("紧急联系人").wait_for(state="detached")
    page.get_by_label("助餐").check()
    page.get_by_role("button", name="添加子女").click()
    page.get_by_label("子女称呼").wait_for()
    page.get_by_label("子女称呼").fill("小钱")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="提交答卷").click()
    page.get_by_text("答卷已提交，感谢您的参与！").wait_for()

    response = SurveyResponse.objects.get()
    assert response.status == ResponseStatus.SUBMITTED and response.region == world.community2
    assert response.answers["age"] == 72 and response.answers["lives_alone"] == "no"
    assert "helper" not in response.answers and response.answers["needs"] == ["meals"]
    assert response.answers["kids"] == [{"kid_name": "小钱"}]
    assert page.external_requests == []
