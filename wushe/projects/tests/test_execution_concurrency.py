"""Many simultaneous expense submissions at one budget line, each thread on its own database connection.

Run on SQLite with the shipped settings (WAL, BEGIN IMMEDIATE, busy timeout; the test settings use a
file database so other connections see committed data) and on PostgreSQL (DATABASE_URL). Proves: the
line is never overspent, the accepted expenses add up to `spent`, no accepted expense is lost, every
refusal is a genuine "overspend" and nothing fails with "database is locked".
"""

import random
import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection

from wushe.projects.models import BudgetLine, Expense
from wushe.projects.services import ledger
from wushe.projects.services.execution import today

from .test_execution_helpers import _review_allows_signing, line, running_project  # noqa: F401 - fixture

THREADS = 24


def run_concurrently(jobs):
    """Start every job at the same moment on its own thread (= its own connection); collect outcomes."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list = [None] * len(jobs)

    def run(index, job):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = ("ok", job())
        except BaseException as error:  # noqa: BLE001 - every outcome is asserted below
            outcomes[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def error_types(outcomes) -> Counter:
    return Counter(type(value).__name__ for kind, value in outcomes if kind == "error")


@pytest.mark.django_db(transaction=True)
def test_concurrent_expenses_never_overspend_a_line(world):
    project = running_project(world)
    target = line(project)  # 活动物料: 3000.00
    rng = random.Random(7)
    amounts = [Decimal(rng.randint(5000, 40000)) / 100 for _ in range(THREADS)]
    assert sum(amounts) > target.amount  # some must be refused

    def submit(index, amount):
        return lambda: ledger.expense_record(actor=world.org_leader, project=project, line=target, amount=amount,
                                             payee=f"商户{index}", spent_on=today(), description=f"并发支出{index}")

    outcomes = run_concurrently([submit(index, amount) for index, amount in enumerate(amounts)])

    assert set(error_types(outcomes)) <= {"ValidationError"}, error_types(outcomes)  # never "database is locked"
    refused = [amounts[i] for i, (kind, value) in enumerate(outcomes) if kind == "error"]
    assert all(value.error_dict["amount"][0].code == "overspent" for kind, value in outcomes if kind == "error")
    accepted = [value for kind, value in outcomes if kind == "ok"]
    assert accepted and refused

    target.refresh_from_db()
    stored = Expense.objects.filter(line=target, voided_at__isnull=True)
    assert target.spent <= target.amount  # never overspent
    assert sorted(stored.values_list("pk", flat=True)) == sorted(e.pk for e in accepted)  # none lost
    assert sum(e.amount for e in accepted) == target.spent == sum(stored.values_list("amount", flat=True))
    # Every refusal was genuine: even now what is left is less than each refused amount.
    assert all(amount > target.remaining for amount in refused)
    assert len(accepted) + len(refused) == THREADS


@pytest.mark.django_db(transaction=True)
def test_concurrent_expenses_voids_and_a_budget_cut_keep_the_line_consistent(world):
    """Expenses, voids and an approved decrease racing on one line: spent stays within amount and equals
    the sum of the active expenses."""
    project = running_project(world)
    target = line(project)
    voidable = [ledger.expense_record(actor=world.org_leader, project=project, line=target, amount=Decimal("100"),
                                      payee="预付", spent_on=today(), description="待作废") for _ in range(4)]
    cut = ledger.budget_adjustment_request(actor=world.org_leader, project=project, line=target,
                                           delta=Decimal("-1500"), reason="压缩物料预算")

    jobs = [lambda i=i: ledger.expense_record(actor=world.community_staff, project=project, line=target,
                                              amount=Decimal("250"), payee=f"商户{i}", spent_on=today(),
                                              description="并发")
            for i in range(12)]
    jobs += [lambda e=e: ledger.expense_void(actor=world.org_leader, expense=e, reason="重复录入") for e in voidable]
    jobs += [lambda: ledger.budget_adjustment_decide(actor=world.street_officer, adjustment=cut, approve=True)]
    outcomes = run_concurrently(jobs)

    assert set(error_types(outcomes)) <= {"ValidationError"}, [str(v) for k, v in outcomes if k == "error"]
    target.refresh_from_db()
    active = Expense.objects.filter(line=target, voided_at__isnull=True)
    assert target.spent <= target.amount
    assert target.spent == sum(active.values_list("amount", flat=True))
    assert Expense.objects.filter(line=target, voided_at__isnull=False).count() == 4
    cut.refresh_from_db()
    assert target.amount == (Decimal("1500") if cut.status == "approved" else Decimal("3000"))
    assert BudgetLine.objects.filter(spent__gt=0).count() == 1
