"""An organization leader on a phone books an expense with a photographed receipt; the line's remaining
money and the ledger update. Drives Debian's Chromium through Playwright against a live server."""

from decimal import Decimal

import pytest

from wushe.projects.models import Expense
from wushe.projects.services.execution import today
from wushe.testing.browser import BROWSER_MARKS
from wushe.testing.personas import PASSWORD

from .test_execution_helpers import PNG, _review_allows_signing, line, running_project  # noqa: F401 - fixture

pytestmark = BROWSER_MARKS


@pytest.mark.django_db(transaction=True)
def test_org_leader_books_an_expense_with_a_receipt_photo_on_a_phone(world, live_server, phone_page, tmp_path):
    project = running_project(world)
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("手机号或用户名").fill("13800000008")  # org_leader
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/projects/{project.public_id}/budget/")
    page.get_by_test_id("add-expense").click()
    page.get_by_label("预算科目").select_option(label="活动物料（剩余 3000.00 元）")
    page.get_by_label("金额（元）").fill("268.50")
    page.get_by_label("收款方").fill("将台文具店")
    page.get_by_label("支出日期").fill(today().isoformat())
    page.get_by_label("用途").fill("探访慰问品")
    receipt = tmp_path / "receipt.png"
    receipt.write_bytes(PNG)
    page.get_by_label("票据").set_input_files(str(receipt))
    page.get_by_role("button", name="记账").click()

    page.get_by_text("支出已记账。").wait_for()
    assert page.get_by_test_id("expense").filter(has_text="将台文具店").count() == 1
    assert page.get_by_text("剩余 2731.50 元").count() == 1
    # Nothing on the page is wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expense = Expense.objects.get(project=project)
    assert expense.amount == Decimal("268.50") and expense.receipt and line(project).spent == Decimal("268.50")
