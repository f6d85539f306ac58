"""Reads for funding rounds. Every list starts from `rounds_visible_to(viewer)`.

Non-draft rounds are public information for every signed-in role (policy PUBLIC_RECORDS); a draft round
is seen only by those who may manage a round in its region.
"""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from wushe.accounts.policy import Action, Resource, may_ever, regions_for, restrict, scope_q
from wushe.regions.models import Level

from ..models import FundingRound, Project, ProjectStatus, RoundStatus


def rounds_visible_to(user, *, include_voided: bool = False) -> QuerySet:
    rounds = restrict(user, Resource.FUNDING_ROUND, FundingRound.objects.all(), Action.VIEW)
    manage = scope_q(user, Resource.FUNDING_ROUND, Action.MANAGE)
    if manage is not None:
        # Drafts (and voided rounds) only for those who could manage them.
        rounds = rounds.filter(Q(~Q(status=RoundStatus.DRAFT) & Q(voided_at__isnull=True)) | manage)
    return rounds if include_voided else rounds.filter(voided_at__isnull=True)


def round_list(user, *, query: str = "", status: str = "", round_type: str = "", region=None,
               include_voided: bool = False) -> QuerySet:
    rounds = rounds_visible_to(user, include_voided=include_voided).select_related("region", "operator")
    if query:
        rounds = rounds.filter(title__icontains=query.strip())
    if status:
        rounds = rounds.filter(status=status)
    if round_type:
        rounds = rounds.filter(round_type=round_type)
    if region is not None:
        low, high = region.code_range
        rounds = rounds.filter(region__code__gte=low, region__code__lte=high)
    return rounds.order_by("-created_at", "-id")


def round_detail_queryset(user) -> QuerySet:
    """What one round is read from (voided ones too, for those who may manage them)."""
    return rounds_visible_to(user, include_voided=True).select_related("region", "operator", "created_by",
                                                                       "voided_by")


def round_open_for_applications(user) -> QuerySet:
    """Rounds accepting applications now (the "apply" entry points)."""
    return rounds_visible_to(user).filter(status=RoundStatus.OPEN).select_related("region").order_by("closes_on")


def application_counts(user, funding_round: FundingRound) -> list[dict]:
    """Applications of the round by status, counted over what the viewer may see."""
    from .projects import projects_visible_to

    rows = (projects_visible_to(user).filter(funding_round=funding_round)
            .values("status").annotate(total=Count("id")).order_by())
    totals = {row["status"]: row["total"] for row in rows}
    return [{"status": value, "label": label, "count": totals.get(value, 0)}
            for value, label in ProjectStatus.choices if totals.get(value)]


def round_owner_regions(user) -> QuerySet:
    """Regions in which the viewer may open a round: a district, a street or above, within MANAGE scope."""
    return (regions_for(user, Resource.FUNDING_ROUND, Action.MANAGE)
            .filter(level__lte=Level.TOWNSHIP).order_by("code"))


def may_create_round(user) -> bool:
    return may_ever(user, Resource.FUNDING_ROUND, Action.MANAGE) and round_owner_regions(user).exists()


def round_project_count(funding_round: FundingRound) -> int:
    """Applications beyond draft (used to refuse voiding a round others have applied to)."""
    return Project.objects.active().filter(funding_round=funding_round).exclude(status=ProjectStatus.DRAFT).count()


# The rules in plain Chinese ---------------------------------------------------------------------------


def _labels(choices, values) -> str:
    labels = dict(choices.choices)
    return "；".join(str(labels.get(v, v)) for v in values)


def _amount(value) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def round_rules(funding_round: FundingRound) -> list[dict]:
    """The round's rules as sentences an applicant understands: [{"title", "text"}]."""
    from ..models import ApplicantType, ContentCategory, ProjectType, ScopeCategory
    from ..models.execution import TrancheCondition

    r = funding_round
    rules = [
        {"title": _("金额上限"), "text": _("单个项目申请资助不超过 %(cap)s 元。") % {"cap": _amount(r.amount_cap)}},
        {"title": _("实施周期"), "text": _("项目实施周期不超过 %(months)s 个月。") % {"months": r.duration_cap_months}},
        {"title": _("申报主体"), "text": (_("可申报的主体：%(list)s。") % {
            "list": _labels(ApplicantType, r.allowed_applicant_types)}) if r.allowed_applicant_types
            else _("不限申报主体类型。")},
        {"title": _("申报范围"), "text": (_("项目须属于：%(list)s。") % {"list": _labels(ScopeCategory, r.scopes)})
            if r.scopes else _("不限申报范围。")},
        {"title": _("申报内容"), "text": (_("项目内容须为：%(list)s。") % {"list": _labels(ContentCategory, r.contents)})
            if r.contents else _("不限申报内容。")},
        {"title": _("项目类型"), "text": (_("项目类型可选：%(list)s。") % {
            "list": _labels(ProjectType, r.project_types)}) if r.project_types else _("不限项目类型。")},
    ]
    if r.self_raised_min_percent:
        rules.append({"title": _("自筹资金"), "text": _("自筹资金不少于项目总预算（申请资助＋自筹）的 %(p)s%%。") % {
            "p": _amount(r.self_raised_min_percent)}})
    if r.one_grant_per_org:
        rules.append({"title": _("限获一项"), "text": _("每个组织在本轮最多获得一个项目的资助。")})
    if r.no_double_funding:
        rules.append({"title": _("不重复资助"), "text": _(
            "已获其他资助的同一项目内容不得再次申报；同一组织在同一社区、同类项目、时间重叠的已资助项目视为重复资助。")})
    if r.require_community_org_implementer:
        rules.append({"title": _("实施方"), "text": _("项目须由社区社会组织具体实施。")})
    if r.require_social_worker_lead:
        rules.append({"title": _("专业主责"), "text": _("项目须由一名持证社工担任专业主责，并回答三项指标：回应社区需求、促进组织成长、提升社工专业能力。")})
    elif r.round_type == "pairing_competition":
        rules.append({"title": _("三项指标"), "text": _("申报书须回答三项指标：回应社区需求、促进组织成长、提升社工专业能力。")})
    if r.operator_id:
        rules.append({"title": _("运营方"), "text": (_("本轮运营方（%(org)s）可以申报。") if r.operator_may_apply
                                                  else _("本轮运营方（%(org)s）不得申报或实施项目。")) % {"org": r.operator}})
    rules.append({"title": _("违规禁入"), "text": _("违规的组织 %(years)s 年内不得申报。") % {"years": r.breach_ban_years}})
    rules.append({"title": _("评审方式"), "text": _("专家评审占 %(expert)s%%，居民评审占 %(resident)s%%，加权得出综合得分。") % {
        "expert": r.expert_weight, "resident": r.resident_weight}})
    bands = r.grade_bands or []
    if bands:
        parts = []
        for index, band in enumerate(bands):
            if index == 0:
                parts.append(_("%(grade)s：%(min)s 分及以上") % band)
            else:
                parts.append(_("%(grade)s：%(min)s–%(max)s 分") % {**band, "max": bands[index - 1]["min"] - 1})
        rules.append({"title": _("等级划分"), "text": "；".join(str(p) for p in parts) + "。"})
    tranches = r.tranche_plan or []
    if tranches:
        conditions = dict(TrancheCondition.choices)
        parts = [_("%(condition)s拨付 %(percent)s%%") % {"condition": conditions.get(t["condition"], t["condition"]),
                                                         "percent": t["percent"]} for t in tranches]
        rules.append({"title": _("资金拨付"), "text": "；".join(str(p) for p in parts) + "。"})
    rules.append({"title": _("公示"), "text": _("评审结果公示 %(days)s 天，公示期内任何人可以提出异议。") % {
        "days": r.publicity_days}})
    return rules
