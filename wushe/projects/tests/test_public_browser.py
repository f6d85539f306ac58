"""A resident on a phone opens a round's public page, follows the decision list to a project and sees the
budget chart drawn by the locally served ECharts (no login, no CDN)."""


import pytest

from wushe.projects.models import ProjectStatus
from wushe.testing.browser import BROWSER_MARKS

from .test_archive_services import filled_project
from .test_public_pages import publicity_round

pytestmark = BROWSER_MARKS


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
