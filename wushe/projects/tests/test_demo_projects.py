"""The demo district's rounds and projects (`wushe.projects.demo`, seeded by `seed_demo`)."""

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from wushe.core import demo as core_demo
from wushe.projects import demo
from wushe.projects.models import (
    BudgetLine,
    ExpertReview,
    FundingRound,
    MonitoringVisit,
    PeriodicReport,
    Project,
    ProjectStatus,
    ResidentVote,
    RoundStatus,
    RoundType,
    Tranche,
)
from wushe.regions.models import Region

pytestmark = pytest.mark.django_db

SMALL = "120"


def test_seed_demo_builds_rounds_and_projects_once(capsys):
    call_command("seed_demo", "--residents", SMALL)
    today = timezone.localdate()
    street = Region.objects.get(code=core_demo.FRINGE[0])

    micro = FundingRound.objects.get(title=demo.MICRO_TITLE)
    assert micro.region == street and micro.round_type == RoundType.MICRO_PROJECT
    assert micro.status == RoundStatus.CONTRACTING
    assert micro.closes_on < today and micro.publicity_ends_on < today
    statuses = sorted(micro.projects.values_list("status", flat=True))
    assert statuses == sorted([ProjectStatus.IN_PROGRESS, ProjectStatus.CONTRACTED, ProjectStatus.APPROVED,
                               ProjectStatus.REJECTED])

    running = micro.projects.get(status=ProjectStatus.IN_PROGRESS)
    assert running.applicant.leader_name and running.agreement.signed_on <= today
    assert running.tranches.filter(sequence=1, status=Tranche.Status.RELEASED).exists()
    assert running.expenses.count() == 3
    assert not running.expenses.filter(payee__in=[running.contact_name, running.applicant.leader_name]).exists()
    assert BudgetLine.objects.filter(project__funding_round=micro).exists()
    assert not BudgetLine.objects.filter(spent__gt=F("amount")).exists()
    visit = MonitoringVisit.objects.get(project=running)
    assert visit.response and visit.visitor.username == "demo_station"
    report = PeriodicReport.objects.get(project=running)
    assert report.kind == PeriodicReport.Kind.QUARTERLY and report.submitted_at
    contracted = micro.projects.get(status=ProjectStatus.CONTRACTED)
    assert contracted.agreement and contracted.tranches.count() == 2
    assert micro.projects.get(status=ProjectStatus.REJECTED).decision_note
    assert ExpertReview.objects.filter(assignment__project__funding_round=micro).count() == 4
    assert ResidentVote.objects.filter(project__funding_round=micro).count() >= 3
    assert running.history.filter(history_user__username="demo_org_leader").exists()

    pairing = FundingRound.objects.get(title=demo.PAIRING_TITLE)
    assert pairing.status == RoundStatus.OPEN and pairing.opens_on <= today <= pairing.closes_on
    draft = Project.objects.get(funding_round=pairing)
    assert draft.status == ProjectStatus.DRAFT and draft.created_by.username == "demo_org_leader"

    # A second run changes nothing; seeding the projects again neither.
    counts = (FundingRound.objects.count(), Project.objects.count(), ResidentVote.objects.count())
    call_command("seed_demo", "--residents", SMALL)
    assert demo.seed_projects() is None
    assert (FundingRound.objects.count(), Project.objects.count(), ResidentVote.objects.count()) == counts

    # --reset removes the projects data with the demo and builds it again.
    call_command("seed_demo", "--residents", SMALL, "--reset")
    assert FundingRound.objects.filter(title=demo.MICRO_TITLE).count() == 1
    assert (FundingRound.objects.count(), Project.objects.count()) == counts[:2]
