"""Shared project factories. Areas add their own helpers in their own test modules, not here."""

import datetime
from decimal import Decimal

from wushe.core.text import build_search_text
from wushe.orgs.models import Organization, OrganizationKind
from wushe.projects.models import (
    ApplicantType,
    BudgetLine,
    ContentCategory,
    FundingRound,
    Project,
    ProjectStatus,
    ProjectType,
    RoundStatus,
    RoundType,
    ScopeCategory,
)
from wushe.projects.models.rounds import (
    DEFAULT_CRITERIA,
    DEFAULT_GRADE_BANDS,
    DEFAULT_TRANCHES,
    MICRO_PROJECT_APPLICANTS,
)


def make_round(world, *, status=RoundStatus.OPEN, region=None, **overrides) -> FundingRound:
    """A 东风-rules micro-project round owned by the world's street."""
    values = {
        "region": region or world.street,
        "title": "2026年东风社区公益金微小项目",
        "round_type": RoundType.MICRO_PROJECT,
        "status": status,
        "opens_on": datetime.date(2026, 1, 1),
        "closes_on": datetime.date(2026, 12, 31),
        "amount_cap": Decimal("10000"),
        "duration_cap_months": 6,
        "allowed_applicant_types": [t.value for t in MICRO_PROJECT_APPLICANTS],
        "scopes": [s.value for s in ScopeCategory],
        "contents": [c.value for c in ContentCategory],
        "project_types": [t.value for t in ProjectType],
        "review_criteria": DEFAULT_CRITERIA,
        "grade_bands": DEFAULT_GRADE_BANDS,
        "tranche_plan": DEFAULT_TRANCHES,
    }
    values.update(overrides)
    return FundingRound.objects.create(**values)


def make_org(world, name="将台助老服务队", *, region=None, kind=OrganizationKind.COMMUNITY_SOCIAL_ORG):
    return Organization.objects.create(region=region or world.community, name=name, kind=kind,
                                       search_text=build_search_text(name))


def make_project(world, funding_round=None, *, status=ProjectStatus.DRAFT, applicant=None, **overrides) -> Project:
    """An application by the org leader's organization in the world's community, led by the world's worker."""
    funding_round = funding_round or make_round(world)
    applicant = applicant or world.objects["organization"]
    values = {
        "funding_round": funding_round,
        "region": world.community,
        "title": "银龄互助 · 高龄老人探访",
        "status": status,
        "applicant": applicant,
        "applicant_type": ApplicantType.RESIDENT_LED_ORG,
        "implementer": applicant,
        "lead_worker": world.objects["worker"],
        "contact_name": "薛阿姨",
        "project_type": ProjectType.COMMUNITY_CARE,
        "scope": ScopeCategory.COMMUNITY_PUBLIC_INTEREST,
        "content": ContentCategory.VULNERABLE_GROUPS,
        "summary": "骨干志愿者结对探访社区高龄独居老人。",
        "need_statement": "社区高龄独居老人缺少日常陪伴与照看。",
        "org_growth": "由居民骨干承担项目管理，建立探访记录与财务制度。",
        "worker_capacity": "主责社工练习优势视角与资源整合，逐步从台前退到支持者位置。",
        "objectives": "半年内每周探访30位高龄老人。",
        "activities_plan": "每周探访；每月一次骨干志愿者分享会。",
        "requested_amount": Decimal("8000"),
        "self_raised_amount": Decimal("800"),
        "duration_months": 6,
        "starts_on": datetime.date(2026, 3, 1),
        "ends_on": datetime.date(2026, 8, 31),
    }
    values.update(overrides)
    project = Project.objects.create(**values)
    project.search_text = build_search_text(*project.searchable_values())
    project.save(update_fields=["search_text"])
    return project


def make_budget(project, lines=(("活动物料", "3000"), ("志愿者保险与交通", "2000"), ("宣传印刷", "3000"))):
    return [BudgetLine.objects.create(project=project, category=category, amount=Decimal(amount), sort_order=i)
            for i, (category, amount) in enumerate(lines)]
