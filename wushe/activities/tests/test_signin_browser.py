"""A resident scans the activity's sign-in QR code on a phone and signs in with name and phone."""

import pytest

from wushe.activities.models import Attendance
from wushe.activities.services.tokens import signin_path
from wushe.testing.browser import BROWSER_MARKS

from .factories import make_activity, make_resident

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_resident_signs_in_on_a_phone(world, live_server, phone_page):
    activity = make_activity(world)
    resident = make_resident(world, "钱测试", "13900000001")
    page = phone_page
    page.goto(f"{live_server.url}{signin_path(activity.sessions.get())}")
    page.get_by_label("姓名").fill("钱测试")
    page.get_by_label("手机号").fill("13900000001")
    page.get_by_role("button", name="签到").click()
    page.get_by_text("签到成功！").wait_for()
    assert page.get_by_role("button", name="签退").is_visible()
    row = Attendance.objects.get(session__activity=activity)
    assert row.resident == resident and row.source == "qr"
