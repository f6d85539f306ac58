"""Helpers and fixtures shared by the execution area's tests (imported by test_execution_*.py)."""

import datetime
from decimal import Decimal

import pytest

from wushe.projects.models import BudgetLine, ProjectStatus, RoundStatus
from wushe.projects.services import execution, ledger
from wushe.projects.services.execution import today

from .factories import make_budget, make_project, make_round

PDF = b"%PDF-1.4\n% synthetic receipt\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
SIGNED_DAYS_AGO = 30
REAL_SIGNING_BLOCKERS = execution.signing_blockers


def signed_on() -> datetime.date:
    return today() - datetime.timedelta(days=SIGNED_DAYS_AGO)


@pytest.fixture(autouse=True)
def _review_allows_signing(monkeypatch):
    """The review area's `agreements_may_be_signed` is not ours: by default it has no objections."""
    monkeypatch.setattr(execution, "signing_blockers", lambda funding_round: [])


def approved_project(world, *, approved="8000", self_raised="800", budget=True, **overrides):
    funding_round = overrides.pop("funding_round", None) or make_round(world, status=RoundStatus.CONTRACTING)
    project = make_project(world, funding_round, status=ProjectStatus.APPROVED, approved_amount=Decimal(approved),
                           self_raised_amount=Decimal(self_raised), **overrides)
    if budget:
        make_budget(project)
    return project


def sign(world, project, *, actor=None, **overrides):
    values = {"signed_on": signed_on(), "funder_name": "东风街道办事处", "implementer_signatory": "薛阿姨",
              "worker_signatory": "李社工", "community_signatory": "将台社区居委会"}
    values.update(overrides)
    return execution.agreement_sign(actor=actor or world.street_officer, project=project, **values)


def running_project(world, *, release=True, **overrides):
    """An approved project with the default budget (3000/2000/3000 + 自筹 800), signed; first tranche paid."""
    project = approved_project(world, **overrides)
    sign(world, project)
    if release:
        first = project.tranches.order_by("sequence").first()
        execution.tranche_release(actor=world.street_officer, tranche=first)
    project.refresh_from_db()
    return project


def line(project, category="活动物料") -> BudgetLine:
    return BudgetLine.objects.get(project=project, category=category, voided_at__isnull=True)


def spend(world, project, amount, *, category="活动物料", actor=None, **extra):
    values = {"payee": "某某文具店", "spent_on": today(), "description": "活动用品"}
    values.update(extra)
    return ledger.expense_record(actor=actor or world.org_leader, project=project, line=line(project, category),
                                 amount=Decimal(amount), **values)
