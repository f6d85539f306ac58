"""Demo data for the projects capability, built on the demo district of `wushe.core.demo`.

In the urban-fringe street (东苑地区) the street officer runs a micro-project round that is now signing
agreements: one project is in progress (agreement, first tranche released, budget lines, expenses, a
monitoring visit with the organization's answer and a quarterly report), one is contracted, one approved
and waiting for its agreement, one rejected, with expert reviews and resident votes. A pairing competition
is open, with a draft by the demo organization leader's organization to continue.

Everything goes through the real services with the demo users as actors. The services date their steps
"today", so the round is driven with a window around today and afterwards its dates are moved into the past
with a direct `.update()` (as the lifecycle test does); project dates are chosen so every date rule passes.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from wushe.accounts.models import User
from wushe.accounts.roles import Role
from wushe.orgs.models import Organization, OrganizationKind
from wushe.projects.models import (
    Agreement,
    ApplicantType,
    ArchiveDocument,
    BallotToken,
    BudgetAdjustment,
    BudgetLine,
    DocumentVersion,
    Evaluation,
    Expense,
    ExpertReview,
    FundingRound,
    MonitoringVisit,
    Objection,
    OrganizationBan,
    PeriodicReport,
    Project,
    ProjectPhoto,
    ProjectType,
    ResidentVote,
    ReviewerAssignment,
    RoundType,
    Tranche,
    VoteChallenge,
)
from wushe.projects.selectors.projects import lead_worker_choices
from wushe.projects.services import applications, execution, ledger, monitoring, review, rounds, voting
from wushe.regions.models import Region
from wushe.workforce.models import SocialWorker

MICRO_TITLE = "东苑地区2026年社区公益微项目"
PAIRING_TITLE = "东苑地区社区服务项目对接展示大赛"
FUNDER = "东苑地区办事处"
FRINGE_CODE = "110105041000"  # wushe.core.demo.FRINGE: the street whose officer is demo_street


def _add_months(day: datetime.date, months: int) -> datetime.date:
    total = day.year * 12 + day.month - 1 + months
    return day.replace(year=total // 12, month=total % 12 + 1, day=1)


def _users() -> dict[str, User]:
    names = ["demo_street", "demo_org_leader", "demo_community", "demo_expert", "demo_station", "demo_resident"]
    return {u.username: u for u in User.objects.filter(username__in=names)}


# The applications: (title, organization suffix, project type, requested, self-raised, outcome, text).
APPLICATIONS = [
    ("银龄互助 · 高龄独居老人结对探访", "银龄互助社", ProjectType.COMMUNITY_CARE, "8000", "1000", "in_progress",
     "低龄老人与高龄独居老人结对，每周上门探访、代购代办，紧急情况及时联络家属和社区。",
     "社区80岁以上独居老人43位，入户调查中六成希望每周有人上门探访。"),
    ("乒乓球公益课 · 流动儿童暑期课堂", "乒乓球协会", ProjectType.MUTUAL_AID, "6000", "800", "contracted",
     "协会队员在暑假为社区流动儿童开设乒乓球公益课，并组织社区亲子比赛。",
     "社区流动儿童约60人，假期缺少看护和活动场所，家长希望有安全的集体活动。"),
    ("楚河汉界 · 社区象棋擂台进楼院", "楚河汉界棋社", ProjectType.PARTICIPATION, "5000", "600", "approved",
     "棋社骨干在各楼院设棋桌，每月一次擂台赛，带动老年男性居民走出家门。",
     "社区老年男性居民参与社区活动少，棋社现有会员40人，愿意带动邻居。"),
    ("夕阳红 · 广场舞服装更新", "夕阳红舞蹈队", ProjectType.PARTICIPATION, "9000", "1200", "rejected",
     "为舞蹈队统一购置演出服装和音响设备，参加地区文艺汇演。",
     "舞蹈队现有服装陈旧，希望统一更新。"),
]


def _org(community: Region, suffix: str) -> Organization | None:
    return (Organization.objects.active().filter(region=community, kind=OrganizationKind.COMMUNITY_SOCIAL_ORG,
                                                 name__endswith=suffix).order_by("pk").first())


def _lead_worker(community: Region) -> SocialWorker | None:
    choices = lead_worker_choices(community)
    return choices.filter(user__username="demo_worker").first() or choices.first()


@transaction.atomic
def seed_projects(*, today: datetime.date | None = None) -> FundingRound | None:
    """Build the demo rounds and projects; None (and no change) when they exist or the demo is missing."""
    if FundingRound.objects.filter(title=MICRO_TITLE).exists():
        return None
    street = Region.objects.filter(code=FRINGE_CODE).first()
    users = _users()
    if street is None or len(users) < 6:
        return None
    today = today or timezone.localdate()
    officer, leader, staff = users["demo_street"], users["demo_org_leader"], users["demo_community"]
    expert, station, resident = users["demo_expert"], users["demo_station"], users["demo_resident"]
    community = staff.role_assignments.get(role=Role.COMMUNITY_STAFF).region
    lead = _lead_worker(community)

    # The projects run six whole months from the first of the month two months ago.
    starts = _add_months(today.replace(day=1), -2)
    ends = _add_months(starts, 6) - datetime.timedelta(days=1)
    signed_on = starts - datetime.timedelta(days=5)

    # 1. The round is opened, applications come in.
    funding_round = rounds.round_create(
        actor=officer, region=street, round_type=RoundType.MICRO_PROJECT, title=MICRO_TITLE,
        description="面向地区内居民自组织的社区公益微项目，每个项目资助不超过1万元、周期不超过6个月。",
        opens_on=today - datetime.timedelta(days=1), closes_on=today + datetime.timedelta(days=1),
        total_budget=Decimal("100000"), self_raised_min_percent=Decimal("10"))
    rounds.round_advance(actor=officer, funding_round=funding_round)

    projects = {}
    for title, suffix, project_type, requested, raised, outcome, summary, need in APPLICATIONS:
        org = _org(community, suffix)
        if org is None:
            continue
        actor = leader if outcome == "in_progress" else staff
        project = applications.application_create(
            actor=actor, funding_round=funding_round, applicant=org, region=community, title=title,
            applicant_type=ApplicantType.RESIDENT_LED_ORG)
        fields = {
            "implementer": org, "contact_name": org.leader_name, "project_type": project_type,
            "scope": "community_public_interest", "content": "vulnerable_groups", "summary": summary,
            "need_statement": need, "org_growth": "居民骨干承担项目管理，建立活动记录和财务制度。",
            "worker_capacity": "主责社工陪伴组织复盘，逐步退到支持者位置。",
            "objectives": "半年内每周开展一次活动，覆盖30位以上居民。",
            "activities_plan": "每周固定活动；每月一次骨干分享会；结项时向居民公开收支。",
            "beneficiaries": "社区居民", "expected_beneficiaries": 30,
            "requested_amount": Decimal(requested), "self_raised_amount": Decimal(raised), "duration_months": 6,
            "starts_on": starts, "ends_on": ends, "other_funding": "无",
        }
        if lead is not None:
            fields["lead_worker"] = lead
        project = applications.application_update(actor=staff, project=project, **fields)
        applications.application_submit(actor=actor, project=project)
        projects[outcome] = project

    # 2. Review: the expert scores every application, residents vote.
    rounds.round_advance(actor=officer, funding_round=funding_round)
    projects = {key: Project.objects.get(pk=p.pk) for key, p in projects.items()}
    criteria = review.criteria_of(funding_round)
    shares = {"in_progress": "0.9", "contracted": "0.85", "approved": "0.75", "rejected": "0.5"}
    comments = {"in_progress": "需求调查扎实，居民骨干参与度高，预算合理。",
                "contracted": "回应流动儿童假期看护需求，建议落实场地安全。",
                "approved": "带动老年男性居民参与，活动设计可行。",
                "rejected": "以购置服装设备为主，公益性不足。"}
    for key, project in projects.items():
        assignment = review.reviewer_assign(actor=officer, project=project, reviewer=expert)
        review.assignment_declare(actor=expert, assignment=assignment, conflict=False)
        scores = {c["key"]: (Decimal(c["max"]) * Decimal(shares[key])).quantize(Decimal("1")) for c in criteria}
        review.expert_review_submit(actor=expert, assignment=assignment, scores=scores, comment=comments[key])
    votable = [p for key, p in projects.items() if key != "rejected"]
    if votable:
        voting.votes_cast_by_account(actor=resident, funding_round=funding_round, projects=votable[:2])
        issued = voting.ballot_tokens_generate(actor=officer, funding_round=funding_round, community=community,
                                               count=3)
        for index, (_token, code) in enumerate(issued):
            voting.votes_cast_with_token(funding_round=funding_round, token=code,
                                         projects=votable[: 1 + index % len(votable)])

    # 3. Decisions, publicity (moved into the past), contracting.
    for key, project in projects.items():
        if key == "rejected":
            review.project_decide(actor=officer, project=project, approve=False,
                                  reason="以购置服装设备为主，不符合本轮公益微项目的资助方向。")
        else:
            review.project_decide(actor=officer, project=project, approve=True,
                                  approved_amount=project.requested_amount)
    review.round_publish_decisions(actor=officer, funding_round=funding_round)
    FundingRound.objects.filter(pk=funding_round.pk).update(publicity_ends_on=today - datetime.timedelta(days=1))
    funding_round.refresh_from_db()
    rounds.round_advance(actor=officer, funding_round=funding_round)

    # 4. Agreements, the first tranche, the ledger, monitoring and a report.
    running = projects.get("in_progress")
    lines = {}
    for key in ("in_progress", "contracted"):
        project = projects.get(key)
        if project is None:
            continue
        project.refresh_from_db()
        amount = project.approved_amount
        share = (amount * Decimal("0.6")).quantize(Decimal("1"))
        author = leader if key == "in_progress" else staff
        lines[key] = ledger.budget_line_create(actor=author, project=project, category="活动物料", amount=share)
        ledger.budget_line_create(actor=author, project=project, category="志愿者保险与交通", amount=amount - share)
        execution.agreement_sign(
            actor=officer, project=project, signed_on=signed_on if key == "in_progress" else today,
            funder_name=FUNDER, implementer_signatory=project.applicant.leader_name,
            worker_signatory=lead.name if lead else "主责社工", community_signatory=f"{community.name}书记")
    if running is not None:
        running.refresh_from_db()
        first = running.tranches.order_by("sequence").first()
        execution.tranche_release(actor=officer, tranche=first, released_on=starts, note="首期资金拨付")
        running.refresh_from_db()
        for days, amount, payee, description in (
                (6, "860.00", "东苑便民超市", "探访慰问品（牛奶、挂面）"),
                (20, "1240.50", "石榴园文具店", "探访记录本、宣传折页印制"),
                (34, "620.00", "东苑便民超市", "重阳节探访慰问品")):
            ledger.expense_record(actor=leader, project=running, line=lines["in_progress"], amount=amount,
                                  payee=payee, spent_on=min(starts + datetime.timedelta(days=days), today),
                                  description=description)
        visited = min(starts + datetime.timedelta(days=30), today)
        visit = monitoring.monitoring_visit_create(
            actor=station, project=running, visited_on=visited, method="实地查看探访记录并随访两户老人",
            findings="探访按计划开展，记录完整；部分志愿者未签到。",
            recommendations="完善志愿者签到和服务时长记录。", response_due_on=visited + datetime.timedelta(days=14))
        monitoring.monitoring_visit_answer(actor=leader, visit=visit,
                                           response="已启用纸质签到表，每次活动后由队长核对。")
        report = monitoring.report_create(
            actor=leader, project=running, kind=PeriodicReport.Kind.QUARTERLY, period_start=starts,
            period_end=min(_add_months(starts, 1) + datetime.timedelta(days=27), today),
            progress="结对探访30户高龄独居老人，每周一次；召开骨干分享会一次。", activities_held=9,
            direct_beneficiaries=30, person_times=240, indirect_beneficiaries=60, volunteers_involved=12)
        monitoring.report_submit(actor=leader, report=report)

    # The call and its publicity lie in the past.
    FundingRound.objects.filter(pk=funding_round.pk).update(
        opens_on=starts - datetime.timedelta(days=60), closes_on=starts - datetime.timedelta(days=30),
        publicity_starts_on=starts - datetime.timedelta(days=20),
        publicity_ends_on=starts - datetime.timedelta(days=13))

    # 5. The pairing competition is open; the demo organization has started a draft.
    pairing = rounds.round_create(
        actor=officer, region=street, round_type=RoundType.PAIRING_COMPETITION, title=PAIRING_TITLE,
        description="社区社会组织与主责社工结对申报，以项目促进组织成长和社工专业能力提升。",
        opens_on=today - datetime.timedelta(days=7), closes_on=today + datetime.timedelta(days=45),
        total_budget=Decimal("200000"))
    rounds.round_advance(actor=officer, funding_round=pairing)
    home = leader.role_assignments.filter(role=Role.ORG_LEADER).first()
    if home is not None and home.target is not None:
        draft = applications.application_create(
            actor=leader, funding_round=pairing, applicant=home.target, region=home.target.region,
            title="银龄互助 · 邻里守望", applicant_type=ApplicantType.COMMUNITY_SOCIAL_ORG)
        applications.application_update(
            actor=leader, project=draft, project_type=ProjectType.MUTUAL_AID, contact_name=home.target.leader_name,
            summary="在微项目探访基础上，培养楼门守望员，形成邻里互助网络。",
            need_statement="探访中发现独居老人夜间突发情况无人知晓。")
    return funding_round


# --- reset ----------------------------------------------------------------------------------------------

def _purge(queryset) -> None:
    model = queryset.model
    ids = list(queryset.values_list("pk", flat=True))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        model.objects.filter(pk__in=chunk).delete()
        history = getattr(model, "history", None)
        if history is not None:
            history.model.objects.filter(id__in=chunk).delete()


def purge_projects(low: str, high: str) -> None:
    """Remove every round and project of the regions coded low..high, with their records and history
    (for `wushe.core.demo.reset_demo`; nothing here is a hard delete of real data)."""
    within = Q(region__code__gte=low, region__code__lte=high)
    funding_rounds = FundingRound.objects.filter(within)
    projects = Project.objects.filter(Q(funding_round__in=funding_rounds) | within)
    project_ids = list(projects.values_list("pk", flat=True))
    round_ids = list(funding_rounds.values_list("pk", flat=True))
    of_project = Q(project__in=project_ids)
    _purge(ResidentVote.objects.filter(of_project | Q(ballot__funding_round__in=round_ids)))
    _purge(BallotToken.objects.filter(funding_round__in=round_ids))
    VoteChallenge.objects.filter(funding_round__in=round_ids).delete()
    _purge(Objection.objects.filter(of_project | Q(funding_round__in=round_ids)))
    _purge(ExpertReview.objects.filter(assignment__project__in=project_ids))
    _purge(ReviewerAssignment.objects.filter(of_project))
    _purge(BudgetAdjustment.objects.filter(of_project))
    _purge(Expense.objects.filter(of_project))
    for model in (Evaluation, PeriodicReport, MonitoringVisit, Tranche, Agreement, ProjectPhoto):
        _purge(model.objects.filter(of_project))
    _purge(DocumentVersion.objects.filter(document__project__in=project_ids))
    _purge(ArchiveDocument.objects.filter(of_project))
    _purge(BudgetLine.objects.filter(of_project))
    _purge(OrganizationBan.objects.filter(source_project__in=project_ids))
    apps.get_model("projects", "HistoricalProject_volunteers").objects.filter(project_id__in=project_ids).delete()
    _purge(Project.objects.filter(pk__in=project_ids))
    _purge(FundingRound.objects.filter(pk__in=round_ids))
