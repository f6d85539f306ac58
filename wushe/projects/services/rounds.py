"""Writes for funding rounds: create with per-type defaults, edit the rules, move the status, void.

Every rule of the call is a field of `FundingRound`; the JSON rules (applicant types, scopes, contents,
project types, review criteria, grade bands, tranche plan) are validated here, whatever the input came
from (page or API). Status changes go through `states.round_transition`.
"""

from __future__ import annotations

import copy
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from wushe.accounts.policy import Action, Resource, can, can_in_region
from wushe.core.services import record_void, save_with_history
from wushe.regions.models import Level

from .. import states
from ..models import (
    ApplicantType,
    ContentCategory,
    FundingRound,
    Project,
    ProjectStatus,
    ProjectType,
    RoundStatus,
    RoundType,
    ScopeCategory,
)
from ..models.execution import TrancheCondition
from ..models.rounds import DEFAULT_CRITERIA, DEFAULT_GRADE_BANDS, DEFAULT_TRANCHES, MICRO_PROJECT_APPLICANTS

MSG_TITLE_REQUIRED = _("请填写轮次名称。")
MSG_REGION_OUT_OF_SCOPE = _("您无权在该区划发起或管理资助轮次。")
MSG_REGION_LEVEL = _("资助轮次须由区县、街道（乡镇）或更高层级发起。")
MSG_CLOSES_BEFORE_OPENS = _("申报截止日期不能早于申报开始日期。")
MSG_DATES_REQUIRED_TO_OPEN = _("开始征集前请先填写申报开始和截止日期。")
MSG_AMOUNT_CAP_POSITIVE = _("单个项目金额上限必须大于0。")
MSG_DURATION_CAP_POSITIVE = _("实施周期上限至少为1个月。")
MSG_PERCENT_RANGE = _("比例须在0到100之间。")
MSG_UNKNOWN_CHOICE = _("包含无效的选项：%(values)s。")
MSG_WEIGHTS_SUM = _("专家评审权重与居民评审权重之和必须等于100。")
MSG_CRITERIA_REQUIRED = _("请至少设置一项评审指标。")
MSG_CRITERIA_ROW = _("每项评审指标须有名称和大于0的满分。")
MSG_CRITERIA_DUPLICATE = _("评审指标名称不能重复：%(label)s。")
MSG_CRITERIA_SUM = _("各项评审指标满分之和必须等于100（当前为%(total)s）。")
MSG_GRADE_BANDS_REQUIRED = _("请至少设置一个等级。")
MSG_GRADE_BANDS_ROW = _("每个等级须有名称（不超过4个字符）和0到100之间的最低分。")
MSG_GRADE_BANDS_ORDER = _("等级须按最低分从高到低排列，且最低分不能重复。")
MSG_GRADE_BANDS_LAST_ZERO = _("最后一个等级的最低分必须为0，使每个得分都有对应等级。")
MSG_TRANCHES_REQUIRED = _("请至少设置一笔拨付。")
MSG_TRANCHES_ROW = _("每笔拨付须有大于0的比例和有效的拨付条件。")
MSG_TRANCHES_SUM = _("拨付计划各笔比例之和必须等于100%%（当前为%(total)s%%）。")
MSG_PUBLICITY_DAYS = _("公示天数至少为1天。")
MSG_ROUND_VOIDED = _("该轮次已作废，不能再修改。")
MSG_RULES_LOCKED = _("轮次已进入评审，申报规则不能再修改。")
MSG_TYPE_LOCKED = _("轮次开始征集后，不能再修改类型和发起区划。")
MSG_ROUND_FINISHED = _("该轮次已结束，没有下一步。")
MSG_ROUND_HAS_APPLICATIONS = _("已有组织提交申报的轮次不能作废。")

# Fields a round is created and edited with.
ROUND_FIELDS = (
    "region", "title", "round_type", "description", "opens_on", "closes_on", "total_budget", "operator",
    "amount_cap", "duration_cap_months", "allowed_applicant_types", "scopes", "contents", "project_types",
    "self_raised_min_percent", "one_grant_per_org", "no_double_funding", "require_community_org_implementer",
    "require_social_worker_lead", "operator_may_apply", "breach_ban_years", "expert_weight", "resident_weight",
    "review_criteria", "grade_bands", "tranche_plan", "publicity_days", "publicity_starts_on", "publicity_ends_on",
)
# Fields that stay editable once review has started (everything else is a rule applicants relied on).
ALWAYS_EDITABLE = {"title", "description", "total_budget", "publicity_days", "publicity_starts_on",
                   "publicity_ends_on"}
CHOICE_LISTS = {
    "allowed_applicant_types": ApplicantType,
    "scopes": ScopeCategory,
    "contents": ContentCategory,
    "project_types": ProjectType,
}
NEXT_STATUS = {
    RoundStatus.DRAFT: RoundStatus.OPEN,
    RoundStatus.OPEN: RoundStatus.REVIEW,
    RoundStatus.REVIEW: RoundStatus.PUBLICITY,
    RoundStatus.PUBLICITY: RoundStatus.CONTRACTING,
    RoundStatus.CONTRACTING: RoundStatus.FINISHED,
}


# Defaults per round type ------------------------------------------------------------------------------


def round_defaults(round_type: str) -> dict:
    """The rules a new round of this type starts with (PRODUCT.md "Rules taken from the seeds")."""
    defaults = {
        "round_type": round_type,
        "amount_cap": Decimal("10000"),
        "duration_cap_months": 6,
        "allowed_applicant_types": [],
        "scopes": [],
        "contents": [],
        "project_types": [],
        "self_raised_min_percent": Decimal("0"),
        "one_grant_per_org": True,
        "no_double_funding": True,
        "require_community_org_implementer": False,
        "require_social_worker_lead": False,
        "operator_may_apply": False,
        "breach_ban_years": 3,
        "expert_weight": 70,
        "resident_weight": 30,
        "review_criteria": copy.deepcopy(DEFAULT_CRITERIA),
        "grade_bands": copy.deepcopy(DEFAULT_GRADE_BANDS),
        "tranche_plan": copy.deepcopy(DEFAULT_TRANCHES),
        "publicity_days": 7,
    }
    if round_type == RoundType.MICRO_PROJECT:
        # 东风地区: at most 10,000 yuan and 6 months; six applicant types, three scopes, three contents.
        defaults.update({
            "allowed_applicant_types": [t.value for t in MICRO_PROJECT_APPLICANTS],
            "scopes": [s.value for s in ScopeCategory],
            "contents": [c.value for c in ContentCategory],
        })
    elif round_type == RoundType.PAIRING_COMPETITION:
        # A community social organization implements, a social worker leads; five project types.
        defaults.update({
            "require_community_org_implementer": True,
            "require_social_worker_lead": True,
            "project_types": [t.value for t in ProjectType],
        })
    return defaults


# Validation -------------------------------------------------------------------------------------------


def _number(value) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        return None


def criterion_key(label: str, taken: set[str]) -> str:
    """A stable ASCII key for a new criterion (scores are stored under it): pinyin of the label."""
    base = re.sub(r"[^a-z0-9]+", "_", "_".join(lazy_pinyin(label)).lower()).strip("_")[:40] or "criterion"
    key, n = base, 2
    while key in taken:
        key, n = f"{base}_{n}", n + 1
    return key


def normalize_criteria(rows) -> list[dict]:
    """[{key, label, max}] with integer maxima and unique keys; keys are generated for new labels."""
    if not isinstance(rows, list) or not rows:
        raise ValidationError(MSG_CRITERIA_REQUIRED, code="criteria_required")
    result, labels, keys = [], set(), set()
    for row in rows:
        if not isinstance(row, dict):
            raise ValidationError(MSG_CRITERIA_ROW, code="criteria_row")
        label = str(row.get("label") or "").strip()
        maximum = _number(row.get("max"))
        if not label or maximum is None or maximum <= 0 or maximum != int(maximum):
            raise ValidationError(MSG_CRITERIA_ROW, code="criteria_row")
        if label in labels:
            raise ValidationError(MSG_CRITERIA_DUPLICATE % {"label": label}, code="criteria_duplicate")
        labels.add(label)
        key = str(row.get("key") or "").strip()
        if not key or key in keys or not re.fullmatch(r"[a-z0-9_]{1,40}", key):
            key = criterion_key(label, keys)
        keys.add(key)
        result.append({"key": key, "label": label, "max": int(maximum)})
    total = sum(row["max"] for row in result)
    if total != 100:
        raise ValidationError(MSG_CRITERIA_SUM % {"total": total}, code="criteria_sum")
    return result


def normalize_grade_bands(rows) -> list[dict]:
    """[{grade, min}] from the highest band down; the last band starts at 0."""
    if not isinstance(rows, list) or not rows:
        raise ValidationError(MSG_GRADE_BANDS_REQUIRED, code="grade_bands_required")
    result = []
    for row in rows:
        if not isinstance(row, dict):
            raise ValidationError(MSG_GRADE_BANDS_ROW, code="grade_bands_row")
        grade = str(row.get("grade") or "").strip()
        minimum = _number(row.get("min"))
        if not grade or len(grade) > 4 or minimum is None or not 0 <= minimum <= 100 or minimum != int(minimum):
            raise ValidationError(MSG_GRADE_BANDS_ROW, code="grade_bands_row")
        result.append({"grade": grade, "min": int(minimum)})
    minimums = [row["min"] for row in result]
    grades = [row["grade"] for row in result]
    if any(a <= b for a, b in zip(minimums, minimums[1:], strict=False)) or len(set(grades)) != len(grades):
        raise ValidationError(MSG_GRADE_BANDS_ORDER, code="grade_bands_order")
    if minimums[-1] != 0:
        raise ValidationError(MSG_GRADE_BANDS_LAST_ZERO, code="grade_bands_last_zero")
    return result


def normalize_tranches(rows) -> list[dict]:
    """[{percent, condition}] whose percentages add up to 100."""
    if not isinstance(rows, list) or not rows:
        raise ValidationError(MSG_TRANCHES_REQUIRED, code="tranches_required")
    result = []
    for row in rows:
        if not isinstance(row, dict):
            raise ValidationError(MSG_TRANCHES_ROW, code="tranches_row")
        percent = _number(row.get("percent"))
        condition = str(row.get("condition") or "").strip()
        if percent is None or percent <= 0 or condition not in TrancheCondition.values:
            raise ValidationError(MSG_TRANCHES_ROW, code="tranches_row")
        result.append({"percent": int(percent) if percent == int(percent) else float(percent),
                       "condition": condition})
    total = sum(Decimal(str(row["percent"])) for row in result)
    if total != 100:
        raise ValidationError(MSG_TRANCHES_SUM % {"total": format(total.normalize(), "f")}, code="tranches_sum")
    return result


def _validate_round(funding_round: FundingRound) -> None:
    errors: dict[str, list] = {}

    def add(field, message, code, **params):
        errors.setdefault(field, []).append(ValidationError(message % params if params else message, code=code))

    funding_round.title = (funding_round.title or "").strip()
    if not funding_round.title:
        add("title", MSG_TITLE_REQUIRED, "required")
    if funding_round.region_id and funding_round.region.level > Level.TOWNSHIP:
        add("region", MSG_REGION_LEVEL, "region_level")
    if funding_round.opens_on and funding_round.closes_on and funding_round.closes_on < funding_round.opens_on:
        add("closes_on", MSG_CLOSES_BEFORE_OPENS, "closes_before_opens")
    if funding_round.amount_cap is None or funding_round.amount_cap <= 0:
        add("amount_cap", MSG_AMOUNT_CAP_POSITIVE, "amount_cap")
    if not funding_round.duration_cap_months:
        add("duration_cap_months", MSG_DURATION_CAP_POSITIVE, "duration_cap")
    percent = funding_round.self_raised_min_percent
    if percent is None or not 0 <= percent <= 100:
        add("self_raised_min_percent", MSG_PERCENT_RANGE, "percent_range")
    for field, choices in CHOICE_LISTS.items():
        values = getattr(funding_round, field) or []
        if not isinstance(values, list):
            values = [values]
        unknown = [str(v) for v in values if v not in choices.values]
        if unknown:
            add(field, MSG_UNKNOWN_CHOICE, "unknown_choice", values="、".join(unknown))
        else:
            # Keep the canonical order of the choices, without repeats.
            setattr(funding_round, field, [v for v in choices.values if v in values])
    if (funding_round.expert_weight or 0) + (funding_round.resident_weight or 0) != 100:
        add("resident_weight", MSG_WEIGHTS_SUM, "weights_sum")
    for field, normalize in (("review_criteria", normalize_criteria), ("grade_bands", normalize_grade_bands),
                             ("tranche_plan", normalize_tranches)):
        try:
            setattr(funding_round, field, normalize(getattr(funding_round, field)))
        except ValidationError as exc:
            errors.setdefault(field, []).append(exc)
    if not funding_round.publicity_days:
        add("publicity_days", MSG_PUBLICITY_DAYS, "publicity_days")
    if errors:
        raise ValidationError(errors)


def _assign(funding_round: FundingRound, fields: dict) -> None:
    unknown = set(fields) - set(ROUND_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields for FundingRound: {sorted(unknown)}")
    for name, value in fields.items():
        if isinstance(value, str) and name not in ("description",):
            value = value.strip()
        setattr(funding_round, name, value)


def _require_manage(actor, funding_round: FundingRound) -> None:
    if not can(actor, Action.MANAGE, Resource.FUNDING_ROUND, funding_round):
        raise PermissionDenied(MSG_REGION_OUT_OF_SCOPE)
    if funding_round.is_voided:
        raise ValidationError(MSG_ROUND_VOIDED, code="round_voided")


# Services ---------------------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, actor, region, round_type: str, **fields) -> FundingRound:
    """Open a draft round in a region the actor may manage; unset rules take the type's defaults."""
    if region is None or not can_in_region(actor, Action.MANAGE, Resource.FUNDING_ROUND, region):
        raise PermissionDenied(MSG_REGION_OUT_OF_SCOPE)
    if round_type not in RoundType.values:
        raise ValidationError({"round_type": ValidationError(MSG_UNKNOWN_CHOICE % {"values": round_type},
                                                             code="unknown_choice")})
    values = round_defaults(round_type)
    values.update(fields)
    funding_round = FundingRound(created_by=actor, region=region, status=RoundStatus.DRAFT)
    _assign(funding_round, values)
    _validate_round(funding_round)
    save_with_history(funding_round, actor=actor)
    return funding_round


@transaction.atomic
def round_update(*, actor, funding_round: FundingRound, **fields) -> FundingRound:
    """Change a round. Type and owner are fixed once the call is open; the rules once review starts."""
    _require_manage(actor, funding_round)
    current = {name: getattr(funding_round, name if name not in ("region", "operator") else f"{name}_id")
               for name in fields}
    changed = {name for name, value in fields.items()
               if (getattr(value, "pk", value) if name in ("region", "operator") else value) != current[name]}
    if funding_round.status != RoundStatus.DRAFT and changed & {"round_type", "region"}:
        raise ValidationError(MSG_TYPE_LOCKED, code="type_locked")
    if funding_round.status not in (RoundStatus.DRAFT, RoundStatus.OPEN) and changed - ALWAYS_EDITABLE:
        raise ValidationError(MSG_RULES_LOCKED, code="rules_locked")
    if "region" in changed and not can_in_region(actor, Action.MANAGE, Resource.FUNDING_ROUND, fields["region"]):
        raise PermissionDenied(MSG_REGION_OUT_OF_SCOPE)
    _assign(funding_round, fields)
    try:
        _validate_round(funding_round)
    except ValidationError:
        funding_round.refresh_from_db()
        raise
    save_with_history(funding_round, actor=actor)
    return funding_round


def next_status(funding_round: FundingRound) -> str | None:
    return NEXT_STATUS.get(funding_round.status)


@transaction.atomic
def round_advance(*, actor, funding_round: FundingRound, to: str | None = None, reason: str = "") -> FundingRound:
    """Move the round one step on: draft → open → review → publicity → contracting → finished.

    `to`, when given, must be that next step (anything else is refused by `round_transition`). Opening
    needs the application dates. Moving to review closes applications and puts every submitted application
    under review; moving to publicity dates the publicity period if nobody has yet."""
    _require_manage(actor, funding_round)
    target = next_status(funding_round)
    if to and to != target:
        if to not in RoundStatus.values:
            raise ValidationError(MSG_UNKNOWN_CHOICE % {"values": to}, code="unknown_choice")
        states.round_transition(actor=actor, funding_round=funding_round, to=to, reason=reason)  # refuses
    if target is None:
        raise ValidationError(MSG_ROUND_FINISHED, code="round_finished")
    if target == RoundStatus.OPEN and not (funding_round.opens_on and funding_round.closes_on):
        raise ValidationError(MSG_DATES_REQUIRED_TO_OPEN, code="dates_required")
    if target == RoundStatus.PUBLICITY:
        # Publishing decisions is the review area's step: every application decided, ranking frozen.
        from .review import round_publish_decisions

        return round_publish_decisions(actor=actor, funding_round=funding_round)
    if target == RoundStatus.CONTRACTING:
        from .review import round_contracting_start

        return round_contracting_start(actor=actor, funding_round=funding_round)
    states.round_transition(actor=actor, funding_round=funding_round, to=target, reason=reason)
    if target == RoundStatus.REVIEW:
        submitted = (Project.objects.active().select_for_update()
                     .filter(funding_round=funding_round, status=ProjectStatus.SUBMITTED).order_by("pk"))
        for project in submitted:
            states.project_transition(actor=actor, project=project, to=ProjectStatus.UNDER_REVIEW,
                                      reason=str(_("申报截止，进入评审")))
    return funding_round


@transaction.atomic
def round_void(*, actor, funding_round: FundingRound, reason: str) -> FundingRound:
    """Void a round nobody has submitted to yet (rounds are never deleted)."""
    _require_manage(actor, funding_round)
    if Project.objects.active().filter(funding_round=funding_round).exclude(status=ProjectStatus.DRAFT).exists():
        raise ValidationError(MSG_ROUND_HAS_APPLICATIONS, code="round_has_applications")
    return record_void(actor=actor, obj=funding_round, reason=reason)
