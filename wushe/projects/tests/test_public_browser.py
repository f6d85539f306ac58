"""A resident on a phone opens a round's public page, follows the decision list to a project and sees the
budget chart drawn by the locally served ECharts (no login, no CDN)."""

import os

import pytest

from wushe.core.tests.test_browser_phone import CHROMIUM, CHROMIUM_FLAGS
from wushe.core.tests.test_browser_phone import pytestmark as browser_marks
from wushe.projects.models import ProjectStatus

from .test_archive_services import filled_project
from .test_public_pages import publicity_round

pytestmark = browser_marks


@pytest.fixture
def phone_page(live_server):
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                      device_scale_factor=2, locale="zh-CN")
        page = context.new_page()
        external = []
        page.on("request", lambda request: external.append(request.url)
                if not request.url.startswith(live_server.url) and not request.url.startswith("data:") else None)
        page.external_requests = external
        yield page
        context.close()
        browser.close()


@pytest.mark.django_db(transaction=True)
def test_public_project_page_on_a_phone_draws_the_budget_chart(world, live_server, phone_page):
    funding_round = publicity_round(world)
    project = filled_project(world, funding_round, status=ProjectStatus.IN_PROGRESS, title="银龄探访")
    page = phone_page
    page.goto(f"{live_server.url}/public/")
    page.get_by_role("link", name=funding_round.title).click()
    page.get_by_role("link", name=project.title).click()
    page.wait_for_url(f"{live_server.url}/public/projects/{project.public_id}/")
    chart = page.locator("#budget-chart svg")
    chart.wait_for()
    assert page.locator("#budget-chart").get_by_text("活动物料").count() >= 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    assert page.external_requests == []
