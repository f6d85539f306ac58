"""An organization leader on a phone fills an application section by section and submits it.

Drives Debian's Chromium through Playwright against a live server (as wushe/core/tests/test_browser_phone.py).
Set WUSHE_SCREENSHOTS=/some/dir to keep a screenshot of each step.
"""

import os

import pytest

from wushe.projects.models import Project, ProjectStatus
from wushe.testing.browser import BROWSER_MARKS
from wushe.testing.personas import PASSWORD

from .factories import make_round
from .test_rounds_services import open_round_dates

pytestmark = BROWSER_MARKS


def snap(page, name):
    folder = os.environ.get("WUSHE_SCREENSHOTS")
    if folder:
        page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_org_leader_fills_and_submits_an_application_on_a_phone(world, live_server, phone_page):
    funding_round = make_round(world, **open_round_dates())
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("手机号或用户名").fill("13800000008")  # org_leader
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/projects/rounds/{funding_round.public_id}/")
    snap(page, "1-round")
    page.get_by_test_id("apply").click()
    page.get_by_label("项目名称").fill("银龄互助 · 高龄独居老人每周探访")
    snap(page, "2-start")
    page.get_by_role("button", name="创建草稿").click()

    # Basic info and pairing: the applicant and community are already chosen.
    page.get_by_label("实施组织").select_option(label="将台银龄互助队")
    page.get_by_label("主责社工").select_option(index=1)
    page.get_by_label("项目负责人").fill("薛阿姨")
    page.get_by_label("联系电话").fill("13800001234")
    page.get_by_label("项目类型").select_option("community_care")
    page.get_by_label("申报范围").select_option("community_public_interest")
    page.get_by_label("申报内容").select_option("vulnerable_groups")
    page.get_by_label("项目概述").fill("低龄老人志愿者与43位高龄独居老人结对，每周上门探访。")
    snap(page, "3-basic")
    # "Save draft" saves in place (HTMX) and the progress bar follows.
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_test_id("saved").wait_for()
    assert "已完成 1 / 5 部分" in page.get_by_test_id("progress").inner_text()
    page.get_by_role("button", name="保存并继续").click()

    page.wait_for_url("**/edit/indicators/")
    page.get_by_label("回应的社区需求").fill("社区现有80岁以上独居老人43位，六成希望每周有人上门探访。")
    page.get_by_label("如何促进组织成长").fill("选出理事会，建立探访制度，经费单独记账。")
    page.get_by_label("如何提升社工专业能力").fill("社工练习优势视角，逐步退到督导位置。")
    page.get_by_role("button", name="保存并继续").click()

    page.wait_for_url("**/edit/plan/")
    page.get_by_label("项目目标").fill("半年内与43位老人全部结对，每周探访不少于1次。")
    page.get_by_label("活动安排").fill("第1个月培训志愿者；第2–5个月每周探访；第6个月回访总结。")
    page.get_by_label("服务对象").fill("80岁以上独居老人43位。")
    page.get_by_role("button", name="保存并继续").click()

    page.wait_for_url("**/edit/volunteers/")
    page.get_by_label("志愿者参与").fill("20名低龄老人志愿者两人一组结对。")
    page.get_by_label("资源整合").fill("社区卫生服务站上门体检。")
    page.get_by_role("button", name="保存并继续").click()

    page.wait_for_url("**/edit/budget/")
    page.get_by_label("申请金额（元）").fill("8000")
    page.get_by_label("自筹金额（元）").fill("800")
    page.get_by_label("实施周期（月）").fill("6")
    page.get_by_label("计划开始").fill("2026-03-01")
    page.get_by_label("计划结束").fill("2026-08-31")
    snap(page, "4-budget")
    page.get_by_role("button", name="保存并检查").click()

    page.wait_for_url("**/edit/")
    assert "已完成 5 / 5 部分" in page.get_by_test_id("progress").inner_text()
    snap(page, "5-hub")
    page.get_by_test_id("submit").click()
    page.get_by_test_id("project-status").wait_for()
    assert page.get_by_test_id("project-status").inner_text() == "已提交"
    snap(page, "6-submitted")
    project = Project.objects.get(title="银龄互助 · 高龄独居老人每周探访")
    assert project.status == ProjectStatus.SUBMITTED
    assert project.contact_phone == "13800001234"
