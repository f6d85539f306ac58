"""Eligibility: every rule of a round, each broken alone, with the message the applicant reads."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from wushe.orgs.models import OrganizationKind
from wushe.projects.models import (
    ApplicantType,
    OrganizationBan,
    ProjectStatus,
    ProjectType,
    RoundStatus,
    RoundType,
    ScopeCategory,
)
from wushe.projects.services import applications as services
from wushe.projects.services.applications import check_eligibility, months_spanned
from wushe.workforce.models import CertificateLevel, SocialWorker

from .factories import make_org, make_project, make_round
from .test_rounds_services import TODAY, open_round_dates

pytestmark = pytest.mark.django_db


@pytest.fixture
def funding_round(world):
    return make_round(world, **open_round_dates())


def eligible_project(world, funding_round, **overrides):
    return make_project(world, funding_round, **overrides)


def broken(project, **kwargs) -> dict[str, str]:
    return {r.code: r.message for r in check_eligibility(project, **kwargs) if not r.passed}


def test_a_complete_application_passes_every_rule(world, funding_round):
    results = check_eligibility(eligible_project(world, funding_round))
    assert all(r.passed for r in results)
    assert [r.code for r in results] == [
        "round_open", "required_fields", "applicant_type", "scope", "content", "project_type", "amount_cap",
        "duration_cap", "dates_consistent", "one_grant", "no_double_funding", "not_banned"]
    assert results[0].message == results[0].label == "轮次正在征集，且在申报期内"


# The call is open ------------------------------------------------------------------------------------------


def test_round_not_open(world, funding_round):
    FundingRound = type(funding_round)
    FundingRound.objects.filter(pk=funding_round.pk).update(status=RoundStatus.REVIEW)
    project = eligible_project(world, FundingRound.objects.get(pk=funding_round.pk))
    assert broken(project) == {"round_open": "该轮次当前状态为“评审中”，不接受申报。"}


def test_round_past_its_closing_date(world):
    funding_round = make_round(world, opens_on=TODAY - datetime.timedelta(days=60),
                               closes_on=TODAY - datetime.timedelta(days=1))
    message = broken(eligible_project(world, funding_round))["round_open"]
    assert message == services.MSG_ELIG_ROUND_DATES % {"opens": funding_round.opens_on,
                                                       "closes": funding_round.closes_on}


def test_the_window_rule_can_be_left_out_after_the_call(world):
    funding_round = make_round(world, status=RoundStatus.REVIEW)
    project = eligible_project(world, funding_round, status=ProjectStatus.UNDER_REVIEW)
    assert broken(project, include_round_window=False) == {}


# The form is filled in -------------------------------------------------------------------------------------


def test_required_fields(world, funding_round):
    project = eligible_project(world, funding_round, summary="", activities_plan=" ")
    assert broken(project) == {"required_fields": "申报书尚未填写：项目概述、活动安排。"}


# Who applies, and what for ---------------------------------------------------------------------------------


def test_applicant_type_not_allowed(world, funding_round):
    project = eligible_project(world, funding_round, applicant_type=ApplicantType.SOCIAL_WORK_AGENCY)
    assert broken(project) == {"applicant_type": (
        "本轮不接受“社会工作服务机构”申报，可申报的主体为：居民为主体的公益服务类社区社会组织、居委会下属工作委员会、"
        "社区专业社工小组（3名以上持证社工）、小区业主委员会、小区物业服务企业、社区便民服务类企业。")}


def test_scope_missing(world, funding_round):
    project = eligible_project(world, funding_round, scope="")
    assert broken(project) == {"scope": "请选择申报范围，本轮可选：社区公益类服务、政府公共服务的补充、社区便民服务（有偿）的延伸。"}


def test_scope_not_allowed(world):
    funding_round = make_round(world, scopes=[ScopeCategory.COMMUNITY_PUBLIC_INTEREST], **open_round_dates())
    project = eligible_project(world, funding_round, scope=ScopeCategory.CONVENIENCE_EXTENSION)
    assert broken(project) == {"scope": "本轮不接受申报范围为“社区便民服务（有偿）的延伸”的项目，可选：社区公益类服务。"}


def test_content_not_allowed(world):
    funding_round = make_round(world, contents=["resident_integration"], **open_round_dates())
    project = eligible_project(world, funding_round)
    assert broken(project) == {"content": "本轮不接受申报内容为“为社区弱势群体提供服务”的项目，可选：促进居民融合、融入的活动。"}


def test_project_type_not_allowed(world):
    funding_round = make_round(world, project_types=[ProjectType.MUTUAL_AID], **open_round_dates())
    project = eligible_project(world, funding_round)
    assert broken(project) == {"project_type": "本轮不接受项目类型为“社区照顾”的项目，可选：社区互助。"}


def test_unlimited_lists_are_not_rules(world):
    funding_round = make_round(world, scopes=[], contents=[], project_types=[], allowed_applicant_types=[],
                               **open_round_dates())
    codes = {r.code for r in check_eligibility(eligible_project(world, funding_round, scope="", content=""))}
    assert not codes & {"scope", "content", "project_type", "applicant_type"}


# Money and time ----------------------------------------------------------------------------------------------


def test_amount_over_the_cap(world, funding_round):
    project = eligible_project(world, funding_round, requested_amount=Decimal("12000"))
    assert broken(project) == {"amount_cap": "申请金额12,000元，超过本轮上限10,000元。"}


def test_amount_missing(world, funding_round):
    assert broken(eligible_project(world, funding_round, requested_amount=None)) == {
        "amount_cap": str(services.MSG_ELIG_AMOUNT_MISSING)}


def test_duration_over_the_cap(world, funding_round):
    project = eligible_project(world, funding_round, duration_months=7, ends_on=datetime.date(2026, 9, 30))
    assert broken(project) == {"duration_cap": "实施周期7个月，超过本轮上限6个月。"}


def test_dates_not_matching_the_duration(world, funding_round):
    project = eligible_project(world, funding_round, ends_on=datetime.date(2026, 7, 31))
    assert broken(project) == {"dates_consistent": "计划起止日期跨5个月，与填写的实施周期6个月不一致。"}


def test_dates_in_the_wrong_order(world, funding_round):
    project = eligible_project(world, funding_round, ends_on=datetime.date(2026, 2, 1))
    assert broken(project) == {"dates_consistent": str(services.MSG_ELIG_DATES_ORDER)}


def test_dates_missing(world, funding_round):
    assert broken(eligible_project(world, funding_round, starts_on=None)) == {
        "dates_consistent": str(services.MSG_ELIG_DATES_MISSING)}


@pytest.mark.parametrize(("starts", "ends", "months"), [
    ((2026, 3, 1), (2026, 8, 31), 6), ((2026, 3, 15), (2026, 9, 14), 6), ((2026, 3, 15), (2026, 9, 15), 7),
    ((2026, 11, 1), (2027, 1, 31), 3), ((2026, 3, 1), (2026, 3, 1), 1)])
def test_months_spanned_counts_a_part_month_whole(starts, ends, months):
    assert months_spanned(datetime.date(*starts), datetime.date(*ends)) == months


def test_self_raised_share_below_the_minimum(world):
    funding_round = make_round(world, self_raised_min_percent=Decimal("10"), **open_round_dates())
    project = eligible_project(world, funding_round)  # 800 of 8,800 is 9.1%
    assert broken(project) == {"self_raised": "自筹资金占项目总预算的9.1%，低于本轮要求的10%。"}
    project.self_raised_amount = Decimal("900")
    assert broken(project) == {}


# One grant per organization, no double funding ---------------------------------------------------------------


def test_one_grant_per_organization(world, funding_round):
    eligible_project(world, funding_round, title="已立项的探访项目", status=ProjectStatus.APPROVED)
    project = eligible_project(world, funding_round, title="第二个申报")
    assert broken(project) == {"one_grant": "将台银龄互助队在本轮已获资助项目“已立项的探访项目”，每个组织限获一项资助。"}


def test_one_grant_ignores_applications_not_funded(world, funding_round):
    eligible_project(world, funding_round, title="落选的项目", status=ProjectStatus.REJECTED)
    assert broken(eligible_project(world, funding_round)) == {}


def test_double_funding_by_an_overlapping_funded_project_of_another_round(world, funding_round):
    earlier = make_round(world, title="2025年公益创投", round_type=RoundType.VENTURE, status=RoundStatus.CONTRACTING)
    eligible_project(world, earlier, title="高龄老人探访（创投）", status=ProjectStatus.IN_PROGRESS,
                     starts_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 6, 30))
    project = eligible_project(world, funding_round)
    assert broken(project) == {"no_double_funding": (
        "将台银龄互助队的项目“高龄老人探访（创投）”（2025年公益创投）已获资助，项目类型和社区相同且实施时间重叠，不能重复资助。")}


@pytest.mark.parametrize("overrides", [
    {"starts_on": datetime.date(2025, 1, 1), "ends_on": datetime.date(2025, 6, 30)},  # no overlap
    {"project_type": ProjectType.MUTUAL_AID},  # another kind of project
    {"status": ProjectStatus.REJECTED},  # never funded
])
def test_double_funding_is_conservative(world, funding_round, overrides):
    earlier = make_round(world, title="2025年公益创投", status=RoundStatus.CONTRACTING)
    eligible_project(world, earlier, title="另一项目", **{"status": ProjectStatus.IN_PROGRESS, **overrides})
    assert broken(eligible_project(world, funding_round)) == {}


def test_double_funding_declared_in_the_application(world, funding_round):
    project = eligible_project(world, funding_round, other_funding="街道社区服务资金已资助5000元")
    assert broken(project) == {"no_double_funding": "申报书声明本项目内容已获其他资助（街道社区服务资金已资助5000元），不能重复资助。"}
    for none in ("无", "无。", " 没有 ", "暂无"):
        project.other_funding = none
        assert broken(project) == {}, none


# The three-party pairing ----------------------------------------------------------------------------------------


def test_community_social_organization_must_implement(world):
    funding_round = make_round(world, require_community_org_implementer=True, **open_round_dates())
    agency = make_org(world, "阳光社工事务所", kind=OrganizationKind.SOCIAL_WORK_AGENCY)
    project = eligible_project(world, funding_round, implementer=agency)
    assert broken(project) == {"community_org_implementer": "本轮须由社区社会组织实施，阳光社工事务所是“社会工作服务机构”。"}
    project.implementer = None
    assert broken(project) == {"community_org_implementer": str(services.MSG_ELIG_IMPLEMENTER_MISSING)}


def test_a_certified_social_worker_must_lead(world):
    funding_round = make_round(world, require_social_worker_lead=True, **open_round_dates())
    trainee = SocialWorker.objects.create(region=world.street, name="王在培", certificate_level=CertificateLevel.NONE)
    project = eligible_project(world, funding_round, lead_worker=trainee)
    assert broken(project) == {"social_worker_lead": "主责社工王在培尚未取得社会工作者职业资格。"}
    project.lead_worker = None
    assert broken(project) == {"social_worker_lead": str(services.MSG_ELIG_LEAD_MISSING)}


def test_the_operator_of_the_round_may_not_apply(world):
    organization = world.objects["organization"]
    funding_round = make_round(world, operator=organization, **open_round_dates())
    project = eligible_project(world, funding_round)
    assert broken(project) == {"operator_excluded": "将台银龄互助队是本轮的运营方，不能申报或实施本轮项目。"}
    funding_round.operator_may_apply = True
    assert broken(project) == {}


def test_a_banned_organization_may_not_apply(world, funding_round):
    organization = world.objects["organization"]
    OrganizationBan.objects.create(organization=organization, reason="挪用项目经费", starts_on=TODAY.replace(year=TODAY.year - 1),
                                   ends_on=TODAY + datetime.timedelta(days=400))
    OrganizationBan.objects.create(organization=organization, reason="早已期满", starts_on=datetime.date(2015, 1, 1),
                                   ends_on=datetime.date(2018, 1, 1))
    ban_end = TODAY + datetime.timedelta(days=400)
    assert broken(eligible_project(world, funding_round)) == {
        "not_banned": f"将台银龄互助队因违规处于禁入期（至{ban_end}），不能申报或实施项目。"}


def test_an_expired_or_voided_ban_does_not_count(world, funding_round):
    organization = world.objects["organization"]
    OrganizationBan.objects.create(organization=organization, reason="期满", starts_on=datetime.date(2015, 1, 1),
                                   ends_on=TODAY - datetime.timedelta(days=1))
    OrganizationBan.objects.create(organization=organization, reason="误录", starts_on=TODAY, ends_on=TODAY,
                                   voided_at=timezone.now(), void_reason="录入错误")
    assert broken(eligible_project(world, funding_round)) == {}


def test_a_social_worker_group_needs_three_certified_workers(world, funding_round):
    agency = make_org(world, "阳光社工事务所", kind=OrganizationKind.SOCIAL_WORK_AGENCY)
    lead = world.objects["worker"]
    lead.employer = agency
    lead.save()
    SocialWorker.objects.create(region=world.street, name="赵社工", employer=agency,
                                certificate_level=CertificateLevel.INTERMEDIATE)
    SocialWorker.objects.create(region=world.street, name="钱在培", employer=agency,
                                certificate_level=CertificateLevel.NONE)
    project = eligible_project(world, funding_round, applicant_type=ApplicantType.SOCIAL_WORKER_GROUP)
    assert broken(project) == {"social_worker_group": "以社区专业社工小组申报须有3名以上持证社工，目前只有2名。"}
    SocialWorker.objects.create(region=world.street, name="孙社工", employer=agency,
                                certificate_level=CertificateLevel.ASSISTANT)
    assert broken(project) == {}


def test_pairing_competitions_need_the_three_indicators(world):
    funding_round = make_round(world, round_type=RoundType.PAIRING_COMPETITION, **open_round_dates())
    project = eligible_project(world, funding_round, org_growth="", worker_capacity="")
    assert broken(project) == {"three_indicators": "本轮申报书须回答三项指标，尚未填写：如何促进组织成长、如何提升社工专业能力。"}


def test_micro_projects_do_not_ask_for_the_indicators(world, funding_round):
    assert broken(eligible_project(world, funding_round, need_statement="", org_growth="", worker_capacity="")) == {}


def test_every_broken_rule_is_reported_at_once(world):
    funding_round = make_round(world, require_social_worker_lead=True, **open_round_dates())
    project = eligible_project(world, funding_round, requested_amount=Decimal("20000"), lead_worker=None,
                               need_statement="")
    assert set(broken(project)) == {"amount_cap", "social_worker_lead", "three_indicators"}
