"""A volunteer on a phone opens 我的服务时长, asks for a correction, and anyone verifies the extract's number
on the public page (no login, nothing wider than the phone, no external requests)."""

import pytest

from wushe.testing.browser import BROWSER_MARKS
from wushe.testing.personas import PASSWORD
from wushe.volunteers.models import HoursCorrection

from .records_factories import issue, make_activity, volunteer_row

pytestmark = BROWSER_MARKS


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db(transaction=True)
def test_volunteer_asks_for_a_correction_and_the_public_verifies_on_a_phone(world, live_server, phone_pages):
    base = live_server.url
    volunteer = world.objects["volunteer"]
    row = volunteer_row(make_activity(world), volunteer, minutes=90, confirmed=True,
                        confirmed_by=world.community_staff)
    extract = issue(world, volunteer)
    page = phone_pages()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("手机号或用户名").fill("13800000009")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/volunteers/records/mine/")
    assert page.get_by_test_id("total-hours").inner_text().startswith("1.5")
    assert fits(page)
    page.locator("summary", has_text="申请更正").click()
    page.get_by_label("申请更正为（分钟）").fill("120")
    page.get_by_label("更正理由").fill("签退漏扫，实际服务到11:00")
    page.get_by_role("button", name="提交更正申请").click()
    page.get_by_text("更正申请已提交").wait_for()
    assert HoursCorrection.objects.get(attendance=row).requested_minutes == 120

    public = phone_pages()
    public.goto(f"{base}/public/volunteer-records/")
    public.get_by_label("证明编号").fill(extract.number.lower())
    public.get_by_role("button", name="核验").click()
    public.get_by_test_id("status").wait_for()
    assert "有效" in public.get_by_test_id("status").inner_text()
    assert fits(public)
    assert page.external_requests == [] and public.external_requests == []
