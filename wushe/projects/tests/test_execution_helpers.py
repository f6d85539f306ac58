"""Helpers and fixtures shared by the execution area's tests (imported by test_execution_*.py)."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from wushe.projects.models import BudgetLine, ProjectStatus, RoundStatus
from wushe.projects.services import evaluations, execution, ledger, monitoring
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


# The project belongs to 将台社区 (world.community); org_leader's organization applies, social_worker leads.
MAY_VIEW = {"admin", "district_officer", "street_officer", "station_staff", "community_staff", "social_worker",
            "supervisor", "org_leader"}
MAY_CHANGE = {"admin", "community_staff", "social_worker", "org_leader"}
MAY_MANAGE = {"admin", "district_officer", "street_officer"}
MAY_MONITOR = {"admin", "street_officer", "station_staff"}
MAY_EVALUATE = MAY_MANAGE | MAY_MONITOR
MAY_HISTORY = MAY_VIEW - {"supervisor"}
# Hold a role that may answer for some project (the outsider is community staff elsewhere).
MAY_ANSWER_SOMEWHERE = MAY_CHANGE | {"outsider"}


def expected(persona, allowed, ok=200):
    if persona in allowed:
        return ok
    return 403 if persona in MAY_VIEW else 404


@pytest.fixture(name="scenario")
def scenario_fixture(world):
    """A running project with one of everything (its mid-term passed, so tranche 2 may be released), a
    second running project to evaluate and terminate, and two approved projects waiting for agreements."""
    project = running_project(world)
    project.agreement.file.save("协议.pdf", SimpleUploadedFile("协议.pdf", PDF))
    expense = spend(world, project, "120.50", receipt=SimpleUploadedFile("发票.pdf", PDF))
    visit = monitoring.monitoring_visit_create(actor=world.station_staff, project=project,
                                               visited_on=today(), findings="签到表缺失",
                                               recommendations="补齐签到表")
    reports = [monitoring.report_create(actor=world.org_leader, project=project, kind="monthly",
                                        period_start=signed_on(), period_end=today(), progress=f"开展探访{n}次",
                                        activities_held=n, direct_beneficiaries=20, person_times=160)
               for n in (8, 9)]
    adjustment = ledger.budget_adjustment_request(actor=world.org_leader, project=project,
                                                  line=line(project, "宣传印刷"), delta="-100", reason="节余")
    evaluations.evaluation_record(actor=world.station_staff, project=project, stage="midterm", expert_score="80",
                                conclusion="良好")
    to_sign = approved_project(world, title="社区花园 · 楼门美化")
    to_edit = approved_project(world, title="四点半课堂")
    return {"project": project, "expense": expense, "visit": visit, "report": reports[0], "report2": reports[1],
            "adjustment": adjustment, "to_sign": to_sign, "to_edit": to_edit, "line": line(to_edit),
            "tranche": project.tranches.get(sequence=2), "other": running_project(world, title="邻里互助角")}


def final_review(world, project):
    report = monitoring.report_create(actor=world.org_leader, project=project, kind="final", period_start=signed_on(),
                                      period_end=today(), progress="完成")
    monitoring.report_submit(actor=world.org_leader, report=report)
    evaluations.evaluation_record(actor=world.station_staff, project=project, stage="final", expert_score="90",
                                resident_score="85", conclusion="优秀")
