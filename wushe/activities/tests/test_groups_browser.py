"""A social worker on a phone adds a member found by live search, takes a session's attendance and reads the
attendance matrix; nothing is wider than the phone. Drives Debian's Chromium through Playwright."""

import datetime

import pytest
from django.utils import timezone

from wushe.activities.models import Attendance
from wushe.people.tests.factories import ResidentFactory
from wushe.testing.browser import BROWSER_MARKS
from wushe.testing.personas import PASSWORD

from .group_factories import add_member, make_group, session

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_social_worker_runs_a_group_session_on_a_phone(world, live_server, phone_page):
    group = make_group(world, sessions=3, first_days=-7)
    add_member(group, name="测试成员甲")
    ResidentFactory(region=world.community, name="吴测试乙")
    base = f"{live_server.url}/activities/groups/{group.activity.public_id}"
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("手机号或用户名").fill("13800000006")  # social_worker
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{base}/members/")
    page.get_by_label("搜索居民").fill("吴测试")
    page.get_by_text("吴测试乙").wait_for()  # HTMX swapped in the candidates
    # Joined before the first session, so they may be marked present there.
    page.get_by_label("入组日期").fill((timezone.localdate() - datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="加入").click()
    page.get_by_text("已将 吴测试乙 加入小组。").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{base}/sessions/{session(group).public_id}/")
    page.get_by_label("测试成员甲").check()
    page.get_by_label("吴测试乙").check()
    page.get_by_role("button", name="保存考勤").click()
    page.get_by_text("考勤已保存：出席 2 人。").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert Attendance.objects.active().filter(session=session(group)).count() == 2

    page.goto(f"{base}/attendance/")
    page.get_by_role("table").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    page.goto(f"{base}/")
    page.get_by_role("button", name="进入形成期").click()
    page.get_by_text("小组已进入形成期。").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.external_requests == []
