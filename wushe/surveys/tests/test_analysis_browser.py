"""The analysis page on a phone: ECharts (served locally) draws one bar chart per question, with the same
percentages as the tables, and a cross-tab opens in place (HTMX). Drives Debian's Chromium."""

import pytest

from wushe.surveys.models import CollectionMode
from wushe.surveys.services import responses as response_services
from wushe.testing.browser import BROWSER_MARKS
from wushe.testing.personas import PASSWORD

from .factories import make_survey

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_charts_and_crosstab_on_a_phone(world, live_server, phone_page):
    survey = make_survey(world)
    for community, alone, needs in ((world.community, "yes", ["meals"]), (world.community, "no", ["meals", "company"]),
                                    (world.community2, "no", ["medical"])):
        response = response_services.response_start(actor=None, survey=survey, region=community,
                                                    mode=CollectionMode.SELF)
        raw = {"nickname": "钱", "age": 70, "lives_alone": alone, "needs": needs}
        if alone == "yes":
            raw["helper"] = "女儿"
        response_services.response_save(actor=None, response=response, raw=raw, final=True)
    page, base = phone_page, live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("手机号或用户名").fill(world.street_officer.phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/surveys/{survey.public_id}/analysis/")
    chart = page.locator('[data-chart="chart-needs"] svg')
    chart.wait_for()
    # 助餐 is chosen by 2 of 3 respondents: 66.7% (of respondents, not of answers), drawn and tabled
    assert "66.7%" in page.locator('[data-chart="chart-needs"]').inner_text()
    assert page.locator("#q-needs table").get_by_text("66.7%").count() == 1
    assert page.locator(".analysis-chart svg").count() >= 3
    section = page.locator("#q-lives_alone")
    section.get_by_role("button", name="查看").click()
    section.locator("table").nth(1).wait_for()
    assert world.community2.name in section.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.external_requests == []  # every asset is served locally
