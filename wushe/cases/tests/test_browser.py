"""On a phone: a worker finds a client, takes the case in, moves it to assessment, and the supervisor
signs the intake record off. Drives Debian's Chromium through Playwright against a live server."""

import datetime

import pytest

from wushe.cases.models import Case, CaseReadLog, CaseStatus
from wushe.testing.browser import BROWSER_MARKS
from wushe.testing.personas import PASSWORD

from .factories import PROBLEM, make_client

pytestmark = BROWSER_MARKS


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def login(page, base, phone):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("手机号或用户名").fill(phone)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{base}/")


@pytest.mark.django_db(transaction=True)
def test_intake_advance_and_sign_off_on_a_phone(world, live_server, phone_pages):
    base = live_server.url
    make_client(world, "孙测试")
    worker = phone_pages()
    login(worker, base, "13800000006")
    worker.goto(f"{base}/cases/new/")
    assert worker.get_by_test_id("principles").is_visible() and fits(worker)
    worker.get_by_label("搜索服务对象").fill("孙")
    worker.get_by_role("link", name="孙测试").click()
    worker.get_by_test_id("intake-client").wait_for()
    worker.get_by_label("个案来源").select_option("self")
    worker.get_by_label("求助问题").fill(PROBLEM)
    worker.get_by_label("信息处理依据").select_option("consent")
    worker.get_by_label("同意记录日期").fill(datetime.date.today().isoformat())
    worker.get_by_role("button", name="确认接案").click()
    worker.get_by_test_id("step-bar").wait_for()
    assert fits(worker)
    case = Case.objects.get()
    assert worker.get_by_test_id("case-number").inner_text() == case.case_number
    worker.get_by_label("进入阶段").select_option("assessment")
    worker.get_by_label("本阶段记录").fill("预估：社会支持网络薄弱。")
    worker.get_by_role("button", name="保存并进入").click()
    worker.get_by_text("已进入预估阶段。").wait_for()
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT and fits(worker)

    supervisor = phone_pages()
    login(supervisor, base, "13800000007")
    supervisor.goto(f"{base}/cases/")
    supervisor.get_by_test_id("case-row").click()
    supervisor.get_by_text("督导审阅").first.click()
    supervisor.get_by_label("签核本记录").first.check()
    supervisor.get_by_role("button", name="提交审阅").first.click()
    supervisor.get_by_test_id("signed-off").first.wait_for()
    assert fits(supervisor)
    assert case.records.get(kind="intake").signed_off
    assert CaseReadLog.objects.filter(case=case, reader=world.supervisor).exists()
    assert not worker.external_requests and not supervisor.external_requests
