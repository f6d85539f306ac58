"""On a phone: an expert declares no conflict and scores an application; a resident votes for it with a code
sent to the registered phone. Drives Debian's Chromium through Playwright against a live server."""

import re

import pytest

from wushe.projects import sms
from wushe.projects.models import ExpertReview, ProjectStatus, ResidentVote, RoundStatus
from wushe.testing.browser import BROWSER_MARKS
from wushe.testing.personas import PASSWORD

from .factories import make_project, make_round
from .test_review_services import CRITERIA, assign, make_resident

pytestmark = BROWSER_MARKS


@pytest.fixture
def phone(phone_pages):
    return phone_pages


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.django_db(transaction=True)
def test_expert_scores_and_resident_votes_on_a_phone(world, live_server, phone, settings):
    settings.WUSHE_SMS_BACKEND = "wushe.projects.sms.LocMemBackend"
    sms.LocMemBackend.outbox.clear()
    funding_round = make_round(world, status=RoundStatus.REVIEW, review_criteria=CRITERIA)
    project = make_project(world, funding_round, status=ProjectStatus.UNDER_REVIEW)
    assign(world, project, declare=False)
    make_resident(world.community2, "13912340005", name="郑居民")

    expert = phone()
    expert.goto(f"{live_server.url}/accounts/login/")
    expert.get_by_label("手机号或用户名").fill("13800000010")
    expert.get_by_label("密码").fill(PASSWORD)
    expert.get_by_role("button", name="登录").click()
    expert.wait_for_url(f"{live_server.url}/")
    expert.goto(f"{live_server.url}/projects/reviews/mine/")
    expert.get_by_role("link", name=re.compile(project.title)).click()
    expert.get_by_label("本人与该项目的申报主体、实施组织及人员不存在利益冲突").check()
    expert.get_by_role("button", name="提交声明").click()
    expert.get_by_label("回应需求（0–10）").fill("8.5")
    expert.get_by_label("可行性（0–20）").fill("17")
    expert.get_by_label("评审意见").fill("需求真实，骨干稳定。")
    expert.get_by_role("button", name="提交评分").click()
    expert.get_by_test_id("review-total").wait_for()
    assert expert.get_by_test_id("review-total").inner_text() == "25.50"
    assert fits(expert)
    assert ExpertReview.objects.get().total == 25.5

    resident = phone()
    resident.goto(f"{live_server.url}/public/rounds/{funding_round.public_id}/vote/")
    assert fits(resident)
    resident.get_by_label("登记的手机号").fill("13912340005")
    resident.get_by_role("button", name="获取验证码").click()
    resident.get_by_test_id("vote-notice").wait_for()
    code = re.search(r"验证码 (\d{6})", sms.LocMemBackend.outbox[-1].message).group(1)
    resident.get_by_label("短信验证码（6位数字）").fill(code)
    resident.get_by_role("checkbox").first.check()
    resident.get_by_role("button", name="确认投票").click()
    resident.get_by_test_id("vote-done").wait_for()
    assert project.title in resident.get_by_test_id("vote-done").inner_text()
    vote = ResidentVote.objects.get()
    assert (vote.project_id, vote.community) == (project.pk, world.community2)
