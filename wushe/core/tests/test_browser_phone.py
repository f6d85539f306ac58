"""A community worker on a phone finds a resident by pinyin initials and opens the record.

Drives Debian's Chromium (/usr/bin/chromium) through Playwright against a live server; no browser download.
"""


import pytest

from wushe.core.text import build_search_text
from wushe.people.models import Resident
from wushe.testing.browser import BROWSER_MARKS
from wushe.testing.personas import PASSWORD

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_community_worker_finds_resident_by_pinyin_initials_on_phone(world, live_server, phone_page):
    resident = Resident.objects.create(region=world.community, name="欧阳明华", address="将台路8号",
                                       search_text=build_search_text("欧阳明华", "将台路8号"))
    Resident.objects.create(region=world.community, name="李小红", search_text=build_search_text("李小红"))
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("手机号或用户名").fill("13800000005")  # community_staff logs in by phone
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/people/")
    search = page.get_by_role("searchbox")
    search.fill("oymh")
    # The live search replaces the rows: the other resident disappears, the match stays.
    page.get_by_text("李小红").wait_for(state="detached")
    result = page.get_by_role("link", name="欧阳明华")
    assert result.count() == 1
    result.click()
    page.wait_for_url(f"**/{resident.public_id}/")
    assert page.get_by_role("heading", name="欧阳明华").is_visible()
    # The page fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
