"""A micro-project round from opening to closing, driven through the services the pages and API use.

Along the way: applications refused for each kind of broken rule, expert and resident review, decisions,
publicity with an objection, agreement, tranches, the ledger, a failed mid-term evaluation that blocks the
next tranche, a passing re-evaluation, the final report and evaluation, closing and archiving.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from wushe.accounts.roles import Role
from wushe.projects.models import (
    ApplicantType,
    FundingRound,
    OrganizationBan,
    PeriodicReport,
    Project,
    ProjectStatus,
    ProjectType,
    RoundStatus,
    RoundType,
    Tranche,
)
from wushe.projects.services import (
    applications,
    evaluations,
    execution,
    ledger,
    monitoring,
    review,
    rounds,
    voting,
)
from wushe.testing.personas import assign, make_user

from .factories import make_org

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
# A six-month project starting on the first of next month (part months count whole).
_NEXT = (TODAY.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
STARTS = _NEXT
ENDS = (_NEXT.replace(year=_NEXT.year + (_NEXT.month + 5) // 13, month=(_NEXT.month + 5) % 12 or 12)
        + datetime.timedelta(days=27))


def broken_codes(exc_info) -> set[str]:
    return {error.code for error in exc_info.value.error_list}


def draft(world, funding_round, *, title, applicant=None, **fields):
    applicant = applicant or world.objects["organization"]
    project = applications.application_create(
        actor=world.org_leader if applicant == world.objects["organization"] else world.community_staff,
        funding_round=funding_round, applicant=applicant, region=world.community, title=title,
        applicant_type=ApplicantType.RESIDENT_LED_ORG)
    values = {
        "implementer": applicant, "lead_worker": world.objects["worker"], "contact_name": "薛阿姨",
        "project_type": ProjectType.COMMUNITY_CARE, "scope": "community_public_interest",
        "content": "vulnerable_groups", "summary": "骨干志愿者结对探访高龄独居老人。",
        "need_statement": "社区80岁以上独居老人43位，六成希望每周有人上门探访。",
        "org_growth": "居民骨干承担项目管理，建立探访记录与财务制度。",
        "worker_capacity": "主责社工练习优势视角，逐步退到支持者位置。",
        "objectives": "半年内每周探访30位老人。", "activities_plan": "每周探访；每月一次分享会。",
        "beneficiaries": "高龄独居老人", "expected_beneficiaries": 30,
        "requested_amount": Decimal("8000"), "self_raised_amount": Decimal("1000"), "duration_months": 6,
        "starts_on": STARTS, "ends_on": ENDS,
        "other_funding": "无",
    }
    values.update(fields)
    return applications.application_update(actor=world.community_staff, project=project, **values)


def test_micro_project_round_from_opening_to_closing(world):
    officer, leader, staff = world.street_officer, world.org_leader, world.community_staff
    expert = world.expert_reviewer

    # 1. The street opens a micro-project round with the 东风 defaults.
    funding_round = rounds.round_create(
        actor=officer, region=world.street, round_type=RoundType.MICRO_PROJECT, title="东风社区公益金微小项目",
        opens_on=TODAY - datetime.timedelta(days=10), closes_on=TODAY + datetime.timedelta(days=10),
        self_raised_min_percent=Decimal("10"))
    assert funding_round.amount_cap == Decimal("10000") and funding_round.duration_cap_months == 6
    rounds.round_advance(actor=officer, funding_round=funding_round)
    assert funding_round.status == RoundStatus.OPEN

    # 2. Applications that break one rule each are refused with that rule named.
    banned = make_org(world, "曾违规的协会")
    OrganizationBan.objects.create(organization=banned, reason="挪用项目资金", starts_on=TODAY - datetime.timedelta(days=1),
                                   ends_on=TODAY + datetime.timedelta(days=365))
    cases = [
        ({"requested_amount": Decimal("12000")}, "amount_cap"),
        ({"duration_months": 9, "ends_on": ENDS + datetime.timedelta(days=92)}, "duration_cap"),
        ({"self_raised_amount": Decimal("100")}, "self_raised"),
        ({"applicant_type": ApplicantType.SOCIAL_WORK_AGENCY}, "applicant_type"),
        ({"scope": "", "content": ""}, None),  # missing fields: refused as incomplete
    ]
    for fields, code in cases:
        project = draft(world, funding_round, title=f"违规申报 {code}", **fields)
        with pytest.raises(ValidationError) as exc_info:
            applications.application_submit(actor=staff, project=project)
        if code:
            assert code in broken_codes(exc_info), (code, broken_codes(exc_info))
        project.refresh_from_db()
        assert project.status == ProjectStatus.DRAFT
    banned_project = draft(world, funding_round, title="禁入组织的申报", applicant=banned)
    with pytest.raises(ValidationError) as exc_info:
        applications.application_submit(actor=staff, project=banned_project)
    assert "not_banned" in broken_codes(exc_info)

    # 3. Two good applications are submitted.
    good = draft(world, funding_round, title="银龄互助 · 高龄老人探访")
    applications.application_submit(actor=leader, project=good)
    other_org = make_org(world, "将台儿童四点半课堂")
    second = draft(world, funding_round, title="四点半课堂", applicant=other_org,
                   project_type=ProjectType.MUTUAL_AID, requested_amount=Decimal("6000"),
                   self_raised_amount=Decimal("800"))
    applications.application_submit(actor=staff, project=second)
    # One grant per organization: a second application of the same organization is refused.
    duplicate = draft(world, funding_round, title="银龄互助 · 第二个项目", project_type=ProjectType.PARTICIPATION)
    applications.application_submit(actor=leader, project=duplicate)  # allowed while nothing is funded yet

    # 4. Review: experts score, residents vote.
    rounds.round_advance(actor=officer, funding_round=funding_round)
    good, second, duplicate = (Project.objects.get(pk=p.pk) for p in (good, second, duplicate))
    assert funding_round.status == RoundStatus.REVIEW and good.status == ProjectStatus.UNDER_REVIEW
    criteria = review.criteria_of(funding_round)
    for project, share in ((good, Decimal("0.9")), (second, Decimal("0.7")), (duplicate, Decimal("0.5"))):
        assignment = review.reviewer_assign(actor=officer, project=project, reviewer=expert)
        review.assignment_declare(actor=expert, assignment=assignment, conflict=False)
        scores = {c["key"]: (Decimal(c["max"]) * share).quantize(Decimal("1")) for c in criteria}
        review.expert_review_submit(actor=expert, assignment=assignment, scores=scores, comment="需求清晰，预算合理。")
    voting.votes_cast_by_account(actor=world.resident, funding_round=funding_round, projects=[good, second])
    with pytest.raises(ValidationError):
        voting.votes_cast_by_account(actor=world.resident, funding_round=funding_round, projects=[good])

    # 5. Decisions, publicity with an objection, contracting.
    review.project_decide(actor=officer, project=good, approve=True, approved_amount=Decimal("8000"))
    review.project_decide(actor=officer, project=second, approve=True, approved_amount=Decimal("6000"))
    review.project_decide(actor=officer, project=duplicate, approve=False, reason="同一组织本轮限获一项资助")
    review.round_publish_decisions(actor=officer, funding_round=funding_round)
    good.refresh_from_db()
    assert funding_round.status == RoundStatus.PUBLICITY and good.rank == 1
    objection = review.objection_file(funding_round=funding_round, project=second, filer_name="居民甲",
                                      content="课堂场地是否落实？")
    FundingRound.objects.filter(pk=funding_round.pk).update(publicity_ends_on=TODAY - datetime.timedelta(days=1))
    funding_round.refresh_from_db()
    assert review.agreements_may_be_signed(funding_round)  # the objection waits for an answer
    with pytest.raises(ValidationError):
        rounds.round_advance(actor=officer, funding_round=funding_round)
    FundingRound.objects.filter(pk=funding_round.pk).update(publicity_ends_on=TODAY)
    funding_round.refresh_from_db()
    review.objection_answer(actor=officer, objection=objection, answer="场地由社区活动室提供。", upheld=False)
    FundingRound.objects.filter(pk=funding_round.pk).update(publicity_ends_on=TODAY - datetime.timedelta(days=1))
    funding_round.refresh_from_db()
    assert review.agreements_may_be_signed(funding_round) == []
    rounds.round_advance(actor=officer, funding_round=funding_round)
    assert funding_round.status == RoundStatus.CONTRACTING

    # 6. Budget, agreement, first tranche.
    good.refresh_from_db()
    materials = ledger.budget_line_create(actor=leader, project=good, category="活动物料", amount="5000")
    ledger.budget_line_create(actor=leader, project=good, category="志愿者保险与交通", amount="3000")
    execution.agreement_sign(actor=officer, project=good, signed_on=TODAY, funder_name="东风街道办事处",
                             implementer_signatory="薛阿姨", worker_signatory="李社工", community_signatory="王书记")
    good.refresh_from_db()
    assert good.status == ProjectStatus.CONTRACTED
    first, midterm_tranche = list(good.tranches.order_by("sequence"))
    assert first.amount + midterm_tranche.amount == Decimal("8000")
    execution.tranche_release(actor=officer, tranche=first)
    good.refresh_from_db()
    assert good.status == ProjectStatus.IN_PROGRESS

    # 7. The ledger never overspends a line.
    ledger.expense_record(actor=leader, project=good, line=materials, amount="4500", payee="社区便民超市",
                          spent_on=TODAY, description="探访慰问品")
    with pytest.raises(ValidationError):
        ledger.expense_record(actor=leader, project=good, line=materials, amount="600", payee="社区便民超市",
                              spent_on=TODAY, description="超出预算")
    materials.refresh_from_db()
    assert materials.spent == Decimal("4500")

    # 8. A failed mid-term evaluation blocks the next tranche; a passing re-evaluation releases it.
    evaluations.evaluation_record(actor=world.station_staff, project=good, stage="midterm", expert_score="50",
                                resident_score="55", conclusion="探访记录不全，需整改。")
    good.refresh_from_db()
    midterm_tranche.refresh_from_db()
    assert good.status == ProjectStatus.MIDTERM_FAILED and midterm_tranche.status == Tranche.Status.BLOCKED
    with pytest.raises(ValidationError):
        execution.tranche_release(actor=officer, tranche=midterm_tranche)
    evaluations.evaluation_record(actor=world.station_staff, project=good, stage="midterm", expert_score="80",
                                resident_score="85", conclusion="整改到位。")
    good.refresh_from_db()
    assert good.status == ProjectStatus.IN_PROGRESS
    execution.tranche_release(actor=officer, tranche=midterm_tranche)

    # 9. Final report, final evaluation with a grade, closing and archiving.
    report = monitoring.report_create(
        actor=leader, project=good, kind=PeriodicReport.Kind.FINAL, period_start=TODAY, period_end=TODAY,
        progress="完成全部探访。", activities_held=24, direct_beneficiaries=30, person_times=620,
        indirect_beneficiaries=90, volunteers_involved=15)
    monitoring.report_submit(actor=leader, report=report)
    good.refresh_from_db()
    assert good.status == ProjectStatus.FINAL_REVIEW
    evaluations.evaluation_record(actor=world.station_staff, project=good, stage="final", expert_score="88",
                                resident_score="92", conclusion="成效明显，组织能力提升。")
    evaluations.project_close(actor=officer, project=good)
    evaluations.project_archive_mark(actor=officer, project=good)
    good.refresh_from_db()
    assert good.status == ProjectStatus.ARCHIVED and good.final_grade == "A"

    # Every state change is in the history with its actor.
    changes = list(good.history.order_by("history_date").values_list("status", "history_user__username"))
    statuses = [status for status, _user in changes]
    for expected in (ProjectStatus.SUBMITTED, ProjectStatus.UNDER_REVIEW, ProjectStatus.APPROVED,
                     ProjectStatus.CONTRACTED, ProjectStatus.IN_PROGRESS, ProjectStatus.MIDTERM_FAILED,
                     ProjectStatus.FINAL_REVIEW, ProjectStatus.CLOSED, ProjectStatus.ARCHIVED):
        assert expected in statuses
    assert all(user for _status, user in changes)
    assert Project.objects.get(pk=duplicate.pk).status == ProjectStatus.REJECTED


def test_an_unassigned_expert_cannot_review(world):
    other_expert = make_user("expert2", phone="13800000099")
    assign(other_expert, Role.EXPERT_REVIEWER)
    funding_round = rounds.round_create(
        actor=world.street_officer, region=world.street, round_type=RoundType.MICRO_PROJECT, title="轮次",
        opens_on=TODAY - datetime.timedelta(days=1), closes_on=TODAY + datetime.timedelta(days=1))
    rounds.round_advance(actor=world.street_officer, funding_round=funding_round)
    project = draft(world, funding_round, title="探访")
    applications.application_submit(actor=world.org_leader, project=project)
    rounds.round_advance(actor=world.street_officer, funding_round=funding_round)
    project = Project.objects.get(pk=project.pk)
    assignment = review.reviewer_assign(actor=world.street_officer, project=project, reviewer=world.expert_reviewer)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        review.assignment_declare(actor=other_expert, assignment=assignment, conflict=False)
