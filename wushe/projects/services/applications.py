"""Writes for applications (申报书): create a draft, save it section by section, check eligibility, submit,
withdraw, void.

`check_eligibility(project)` is the one place the round's rules are applied to an application; the review
and decision steps of other areas call it too. Each result has a stable `code`.

Interpretations worth knowing:
- "A social worker must lead": a lead social worker is named and holds a certificate (助理社会工作师 or above).
- "Social-worker group (3+ certified workers)": counted over the certified, active social workers employed by
  the applicant organization or by the lead worker's employer (the group usually sits in an agency or a
  residents' committee that employs its members).
- "No double funding": refused when the applicant already has a funded project in another round of the same
  project type and community whose dates overlap, or when the application itself declares other funding for
  the same content (`other_funding`, "无" and the like count as none).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can, may_ever
from wushe.core.identity import validate_mobile
from wushe.core.services import record_void, save_with_history
from wushe.core.text import build_search_text
from wushe.orgs.models import OrganizationKind
from wushe.regions.models import Level
from wushe.workforce.models import CertificateLevel, SocialWorker

from .. import states
from ..models import (
    ApplicantType,
    ContentCategory,
    FundingRound,
    OrganizationBan,
    Project,
    ProjectStatus,
    ProjectType,
    RoundStatus,
    RoundType,
    ScopeCategory,
)
from ..selectors import projects as project_selectors

# Messages of the service (saving a draft) ---------------------------------------------------------------
MSG_ROUND_NOT_ACCEPTING = _("该轮次当前不接受申报。")
MSG_APPLICANT_NOT_YOURS = _("您不能代表该组织申报。")
MSG_COMMUNITY_REQUIRED = _("请选择协调监督的社区。")
MSG_COMMUNITY_OUTSIDE_ROUND = _("所选社区不在本轮次的发起区划内。")
MSG_TITLE_REQUIRED = _("请填写项目名称。")
MSG_IMPLEMENTER_NOT_AVAILABLE = _("不能选择该组织作为实施组织。")
MSG_LEAD_WORKER_NOT_AVAILABLE = _("该社工不在本社区服务，不能担任主责社工。")
MSG_VOLUNTEER_NOT_AVAILABLE = _("只能从您可查看的志愿者中选择。")
MSG_AMOUNT_NEGATIVE = _("金额不能为负数。")
MSG_DURATION_POSITIVE = _("实施周期至少为1个月。")
MSG_DATES_ORDER = _("计划结束日期不能早于开始日期。")
MSG_NOT_EDITABLE = _("申报书已提交，不能再修改；如需修改请先撤回。")
MSG_APPLICATION_VOIDED = _("该申报书已作废。")
MSG_NOT_SUBMITTED = _("只有已提交、尚未进入评审的申报书可以撤回。")
MSG_ONLY_DRAFT_VOID = _("只有草稿状态的申报书可以作废。")

# Eligibility: what each rule is, and what is said when it is broken --------------------------------------
RULE_LABELS = {
    "round_open": _("轮次正在征集，且在申报期内"),
    "required_fields": _("申报书必填内容已填写"),
    "applicant_type": _("申报主体类型符合要求"),
    "scope": _("申报范围符合要求"),
    "content": _("申报内容符合要求"),
    "project_type": _("项目类型符合要求"),
    "amount_cap": _("申请金额不超过上限"),
    "duration_cap": _("实施周期不超过上限"),
    "dates_consistent": _("起止日期与实施周期一致"),
    "self_raised": _("自筹比例达到要求"),
    "one_grant": _("每个组织在本轮限获一项资助"),
    "no_double_funding": _("不重复获得资助"),
    "community_org_implementer": _("由社区社会组织实施"),
    "social_worker_lead": _("由持证社工担任专业主责"),
    "operator_excluded": _("本轮运营方不申报、不实施"),
    "not_banned": _("申报和实施组织不在禁入期"),
    "social_worker_group": _("社工小组有3名以上持证社工"),
    "three_indicators": _("已回答三项指标"),
}
MSG_ELIG_ROUND_NOT_OPEN = _("该轮次当前状态为“%(status)s”，不接受申报。")
MSG_ELIG_ROUND_DATES = _("今天不在申报期内（%(opens)s 至 %(closes)s）。")
MSG_ELIG_REQUIRED_FIELDS = _("申报书尚未填写：%(fields)s。")
MSG_ELIG_APPLICANT_TYPE = _("本轮不接受“%(value)s”申报，可申报的主体为：%(allowed)s。")
MSG_ELIG_CHOICE_MISSING = _("请选择%(field)s，本轮可选：%(allowed)s。")
MSG_ELIG_CHOICE_NOT_ALLOWED = _("本轮不接受%(field)s为“%(value)s”的项目，可选：%(allowed)s。")
MSG_ELIG_AMOUNT_MISSING = _("请填写申请金额。")
MSG_ELIG_AMOUNT_OVER_CAP = _("申请金额%(amount)s元，超过本轮上限%(cap)s元。")
MSG_ELIG_DURATION_MISSING = _("请填写实施周期（月）。")
MSG_ELIG_DURATION_OVER_CAP = _("实施周期%(months)s个月，超过本轮上限%(cap)s个月。")
MSG_ELIG_DATES_MISSING = _("请填写计划开始和结束日期。")
MSG_ELIG_DATES_ORDER = _("计划结束日期早于开始日期。")
MSG_ELIG_DATES_MISMATCH = _("计划起止日期跨%(span)s个月，与填写的实施周期%(months)s个月不一致。")
MSG_ELIG_SELF_RAISED = _("自筹资金占项目总预算的%(share)s%%，低于本轮要求的%(minimum)s%%。")
MSG_ELIG_ONE_GRANT = _("%(org)s在本轮已获资助项目“%(title)s”，每个组织限获一项资助。")
MSG_ELIG_DOUBLE_FUNDED = _("%(org)s的项目“%(title)s”（%(round)s）已获资助，项目类型和社区相同且实施时间重叠，"
                           "不能重复资助。")
MSG_ELIG_OTHER_FUNDING = _("申报书声明本项目内容已获其他资助（%(text)s），不能重复资助。")
MSG_ELIG_IMPLEMENTER_MISSING = _("本轮须由社区社会组织实施，请填写实施组织。")
MSG_ELIG_IMPLEMENTER_KIND = _("本轮须由社区社会组织实施，%(org)s是“%(kind)s”。")
MSG_ELIG_LEAD_MISSING = _("本轮须由社工担任专业主责，请选择主责社工。")
MSG_ELIG_LEAD_UNCERTIFIED = _("主责社工%(name)s尚未取得社会工作者职业资格。")
MSG_ELIG_OPERATOR = _("%(org)s是本轮的运营方，不能申报或实施本轮项目。")
MSG_ELIG_BANNED = _("%(org)s因违规处于禁入期（至%(until)s），不能申报或实施项目。")
MSG_ELIG_WORKER_GROUP = _("以社区专业社工小组申报须有3名以上持证社工，目前只有%(count)s名。")
MSG_ELIG_INDICATORS = _("本轮申报书须回答三项指标，尚未填写：%(fields)s。")

MSG_SUBMIT_REFUSED = _("申报书未通过资格审查，不能提交。")

# What the applicant writes (the API's and the service's field list).
APPLICATION_FIELDS = (
    "title", "applicant", "applicant_type", "implementer", "lead_worker", "region", "contact_name",
    "contact_phone", "project_type", "scope", "content", "summary", "need_statement", "org_growth",
    "worker_capacity", "objectives", "activities_plan", "beneficiaries", "expected_beneficiaries",
    "volunteers_plan", "resources_plan", "sustainability", "volunteers", "requested_amount",
    "self_raised_amount", "duration_months", "starts_on", "ends_on", "other_funding",
)
TEXT_FIELDS = {"summary", "need_statement", "org_growth", "worker_capacity", "objectives", "activities_plan",
               "beneficiaries", "volunteers_plan", "resources_plan", "sustainability", "other_funding"}
REQUIRED_FIELDS = ("title", "contact_name", "summary", "objectives", "activities_plan")
INDICATOR_FIELDS = ("need_statement", "org_growth", "worker_capacity")
MIN_WORKER_GROUP = 3
# Declarations of "other funding" that mean none.
NO_OTHER_FUNDING = {"", "无", "没有", "暂无", "否", "无其他资助", "无其他资金来源", "未获其他资助", "-", "—", "/",
                    "none", "no", "n/a"}


# Sections of the form (what "complete" means for the progress indicator) -------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    fields: tuple[str, ...]


SECTIONS = (
    Section("basic", _("基本信息与三方对接"), (
        "title", "applicant", "applicant_type", "implementer", "lead_worker", "region", "contact_name",
        "contact_phone", "project_type", "scope", "content", "summary")),
    Section("indicators", _("三项指标"), INDICATOR_FIELDS),
    Section("plan", _("目标、活动与服务对象"), (
        "objectives", "activities_plan", "beneficiaries", "expected_beneficiaries", "sustainability")),
    Section("volunteers", _("志愿者与资源"), ("volunteers", "volunteers_plan", "resources_plan")),
    Section("budget", _("预算概要"), (
        "requested_amount", "self_raised_amount", "duration_months", "starts_on", "ends_on", "other_funding")),
)
SECTION_KEYS = [section.key for section in SECTIONS]


def section_for(key: str) -> Section | None:
    return next((section for section in SECTIONS if section.key == key), None)


def _filled(value) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def _missing_in_section(project: Project, key: str, *, volunteer_count: int | None = None) -> list[str]:
    funding_round = project.funding_round
    required: list[str] = []
    if key == "basic":
        required = ["title", "applicant_id", "implementer_id", "region_id", "contact_name", "contact_phone", "summary"]
        if funding_round.require_social_worker_lead:
            required.append("lead_worker_id")
        required += [name for name, allowed in (("project_type", funding_round.project_types),
                                                 ("scope", funding_round.scopes),
                                                 ("content", funding_round.contents)) if allowed]
    elif key == "indicators":
        required = list(INDICATOR_FIELDS)
    elif key == "plan":
        required = ["objectives", "activities_plan", "beneficiaries"]
    elif key == "volunteers":
        if volunteer_count is None:
            volunteer_count = project.volunteers.count() if project.pk else 0
        required = [] if (volunteer_count or _filled(project.volunteers_plan)) else ["volunteers_plan"]
        required.append("resources_plan")
    elif key == "budget":
        required = ["requested_amount", "duration_months", "starts_on", "ends_on"]
    return [name.removesuffix("_id") for name in required if not _filled(getattr(project, name))]


def section_progress(project: Project, *, volunteer_count: int | None = None) -> list[dict]:
    """Each section with whether its key fields are filled (the progress bar of the form)."""
    return [{"key": section.key, "title": section.title,
             "missing": (missing := _missing_in_section(project, section.key, volunteer_count=volunteer_count)),
             "complete": not missing} for section in SECTIONS]


# Eligibility ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleResult:
    code: str
    passed: bool
    message: str  # translated: what is wrong when broken, what the rule is when passed
    label: str  # translated: the rule in plain words
    section: str = ""  # the form section where it is fixed

    def as_dict(self) -> dict:
        return asdict(self)


def _label(name: str) -> str:
    return str(Project._meta.get_field(name).verbose_name)


def _choice_labels(choices, values) -> str:
    labels = dict(choices.choices)
    return "、".join(str(labels.get(v, v)) for v in values)


def _money(value: Decimal) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def months_spanned(starts_on: datetime.date, ends_on: datetime.date) -> int:
    """Calendar months from start to end inclusive, a part month counting whole (3-01…8-31 is 6)."""
    months = (ends_on.year - starts_on.year) * 12 + (ends_on.month - starts_on.month)
    return months + (1 if ends_on.day >= starts_on.day else 0)


def declares_other_funding(text: str) -> bool:
    return (text or "").strip().strip("。.").lower() not in NO_OTHER_FUNDING


def _active_ban(organization, today: datetime.date) -> OrganizationBan | None:
    return (OrganizationBan.objects.active()
            .filter(organization=organization, starts_on__lte=today, ends_on__gte=today)
            .order_by("-ends_on").first())


def check_eligibility(project: Project, *, today: datetime.date | None = None,
                      include_round_window: bool = True) -> list[RuleResult]:
    """Apply the round's rules to an application: one result per rule that applies to this round.

    `include_round_window=False` leaves out "the round is open" (for re-checks after the call closed, e.g.
    before a decision)."""
    today = today or timezone.localdate()
    funding_round: FundingRound = project.funding_round
    results: list[RuleResult] = []

    def rule(code: str, failure: str | None, section: str = "") -> None:
        label = str(RULE_LABELS[code])
        results.append(RuleResult(code=code, passed=failure is None, message=str(failure) if failure else label,
                                  label=label, section=section))

    applicant = project.applicant
    implementer = project.implementer

    # The call is open.
    if include_round_window:
        failure = None
        if funding_round.status != RoundStatus.OPEN or funding_round.is_voided:
            failure = MSG_ELIG_ROUND_NOT_OPEN % {"status": funding_round.get_status_display()}
        elif ((funding_round.opens_on and today < funding_round.opens_on)
              or (funding_round.closes_on and today > funding_round.closes_on)):
            failure = MSG_ELIG_ROUND_DATES % {"opens": funding_round.opens_on or "—",
                                              "closes": funding_round.closes_on or "—"}
        rule("round_open", failure)

    # The form is filled in.
    missing = [_label(name) for name in REQUIRED_FIELDS if not _filled(getattr(project, name))]
    rule("required_fields", MSG_ELIG_REQUIRED_FIELDS % {"fields": "、".join(missing)} if missing else None, "basic")

    # Who applies, and what for.
    allowed_types = funding_round.allowed_applicant_types or []
    if allowed_types:
        failure = None
        if project.applicant_type not in allowed_types:
            failure = MSG_ELIG_APPLICANT_TYPE % {"value": project.get_applicant_type_display(),
                                                 "allowed": _choice_labels(ApplicantType, allowed_types)}
        rule("applicant_type", failure, "basic")
    for code, field, choices, allowed in (("scope", "scope", ScopeCategory, funding_round.scopes),
                                           ("content", "content", ContentCategory, funding_round.contents),
                                           ("project_type", "project_type", ProjectType, funding_round.project_types)):
        if not allowed:
            continue
        value = getattr(project, field)
        failure = None
        if not value:
            failure = MSG_ELIG_CHOICE_MISSING % {"field": _label(field), "allowed": _choice_labels(choices, allowed)}
        elif value not in allowed:
            failure = MSG_ELIG_CHOICE_NOT_ALLOWED % {"field": _label(field), "value": choices(value).label,
                                                     "allowed": _choice_labels(choices, allowed)}
        rule(code, failure, "basic")

    # Money and time.
    amount = project.requested_amount
    if amount is None:
        rule("amount_cap", MSG_ELIG_AMOUNT_MISSING, "budget")
    else:
        over = amount > funding_round.amount_cap
        rule("amount_cap", MSG_ELIG_AMOUNT_OVER_CAP % {"amount": _money(amount), "cap": _money(funding_round.amount_cap)}
             if over else None, "budget")
    months = project.duration_months
    if not months:
        rule("duration_cap", MSG_ELIG_DURATION_MISSING, "budget")
    else:
        over = months > funding_round.duration_cap_months
        rule("duration_cap", MSG_ELIG_DURATION_OVER_CAP % {"months": months, "cap": funding_round.duration_cap_months}
             if over else None, "budget")
    failure = None
    if not (project.starts_on and project.ends_on):
        failure = MSG_ELIG_DATES_MISSING
    elif project.ends_on < project.starts_on:
        failure = MSG_ELIG_DATES_ORDER
    elif months and months_spanned(project.starts_on, project.ends_on) != months:
        failure = MSG_ELIG_DATES_MISMATCH % {"span": months_spanned(project.starts_on, project.ends_on),
                                             "months": months}
    rule("dates_consistent", failure, "budget")
    minimum = funding_round.self_raised_min_percent or Decimal("0")
    if minimum > 0:
        raised = project.self_raised_amount or Decimal("0")
        total = (amount or Decimal("0")) + raised
        share = (raised * 100 / total) if total else Decimal("0")
        rule("self_raised", MSG_ELIG_SELF_RAISED % {"share": _money(share.quantize(Decimal("0.1"))),
                                                     "minimum": _money(minimum)} if share < minimum else None,
             "budget")

    # One grant per organization, no double funding.
    funded = Project.objects.active().filter(applicant=applicant, status__in=states.FUNDED).exclude(pk=project.pk)
    if funding_round.one_grant_per_org:
        other = funded.filter(funding_round=funding_round).order_by("pk").first()
        rule("one_grant", MSG_ELIG_ONE_GRANT % {"org": applicant, "title": other.title} if other else None, "basic")
    if funding_round.no_double_funding:
        failure = None
        if declares_other_funding(project.other_funding):
            failure = MSG_ELIG_OTHER_FUNDING % {"text": project.other_funding.strip()[:60]}
        elif project.starts_on and project.ends_on and project.project_type:
            other = (funded.exclude(funding_round=funding_round)
                     .filter(project_type=project.project_type, region_id=project.region_id,
                             starts_on__lte=project.ends_on, ends_on__gte=project.starts_on)
                     .select_related("funding_round").order_by("pk").first())
            if other is not None:
                failure = MSG_ELIG_DOUBLE_FUNDED % {"org": applicant, "title": other.title,
                                                    "round": other.funding_round}
        rule("no_double_funding", failure, "budget")

    # The three-party pairing.
    if funding_round.require_community_org_implementer:
        failure = None
        if implementer is None:
            failure = MSG_ELIG_IMPLEMENTER_MISSING
        elif implementer.kind != OrganizationKind.COMMUNITY_SOCIAL_ORG:
            failure = MSG_ELIG_IMPLEMENTER_KIND % {"org": implementer, "kind": implementer.get_kind_display()}
        rule("community_org_implementer", failure, "basic")
    lead = project.lead_worker
    if funding_round.require_social_worker_lead:
        failure = None
        if lead is None or lead.is_voided:
            failure = MSG_ELIG_LEAD_MISSING
        elif not lead.is_certified:
            failure = MSG_ELIG_LEAD_UNCERTIFIED % {"name": lead.name}
        rule("social_worker_lead", failure, "basic")
    if funding_round.operator_id and not funding_round.operator_may_apply:
        involved = [org for org in (applicant, implementer) if org is not None and org.pk == funding_round.operator_id]
        rule("operator_excluded", MSG_ELIG_OPERATOR % {"org": involved[0]} if involved else None, "basic")
    failure = None
    for organization in dict.fromkeys(org for org in (applicant, implementer) if org is not None):
        ban = _active_ban(organization, today)
        if ban is not None:
            failure = MSG_ELIG_BANNED % {"org": organization, "until": ban.ends_on}
            break
    rule("not_banned", failure, "basic")
    if project.applicant_type == ApplicantType.SOCIAL_WORKER_GROUP:
        employers = [applicant.pk] + ([lead.employer_id] if lead is not None and lead.employer_id else [])
        count = (SocialWorker.objects.active().filter(employer__in=employers)
                 .exclude(certificate_level=CertificateLevel.NONE).count())
        rule("social_worker_group", MSG_ELIG_WORKER_GROUP % {"count": count} if count < MIN_WORKER_GROUP else None,
             "basic")

    # The three indicators.
    if funding_round.round_type == RoundType.PAIRING_COMPETITION or funding_round.require_social_worker_lead:
        missing = [_label(name) for name in INDICATOR_FIELDS if not _filled(getattr(project, name))]
        rule("three_indicators", MSG_ELIG_INDICATORS % {"fields": "、".join(missing)} if missing else None,
             "indicators")
    return results


def is_eligible(project: Project, **kwargs) -> bool:
    return all(result.passed for result in check_eligibility(project, **kwargs))


# Saving -----------------------------------------------------------------------------------------------


def _today() -> datetime.date:
    return timezone.localdate()


def accepts_applications(funding_round: FundingRound, today: datetime.date | None = None) -> bool:
    today = today or _today()
    return (funding_round.status == RoundStatus.OPEN and not funding_round.is_voided
            and not (funding_round.closes_on and today > funding_round.closes_on))


def default_applicant_type(funding_round: FundingRound, organization) -> str:
    """A first guess of the applicant type from the organization's kind, preferring what the round allows."""
    by_kind = {
        OrganizationKind.COMMUNITY_SOCIAL_ORG: [ApplicantType.RESIDENT_LED_ORG, ApplicantType.COMMUNITY_SOCIAL_ORG],
        OrganizationKind.COMMITTEE_WORKING_GROUP: [ApplicantType.COMMITTEE_WORKING_GROUP],
        OrganizationKind.OWNERS_COMMITTEE: [ApplicantType.OWNERS_COMMITTEE],
        OrganizationKind.PROPERTY_MANAGEMENT: [ApplicantType.PROPERTY_MANAGEMENT],
        OrganizationKind.CONVENIENCE_BUSINESS: [ApplicantType.CONVENIENCE_BUSINESS],
        OrganizationKind.SOCIAL_WORK_AGENCY: [ApplicantType.SOCIAL_WORK_AGENCY, ApplicantType.SOCIAL_WORKER_GROUP],
    }
    candidates = [str(c) for c in by_kind.get(organization.kind, [])] + [ApplicantType.OTHER_SOCIAL_ORG.value]
    allowed = funding_round.allowed_applicant_types or []
    return next((c for c in candidates if c in allowed), candidates[0]) if allowed else candidates[0]


def _assign(project: Project, fields: dict) -> list | None:
    """Set plain fields on `project`; returns the volunteers to set afterwards (None: leave them)."""
    unknown = set(fields) - set(APPLICATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields for an application: {sorted(unknown)}")
    volunteers = fields.get("volunteers")
    for name, value in fields.items():
        if name == "volunteers":
            continue
        if value is None and name in TEXT_FIELDS | {"title", "contact_name", "contact_phone", "project_type",
                                                    "scope", "content"}:
            value = ""
        if name == "self_raised_amount" and value is None:
            value = Decimal("0")
        if isinstance(value, str):
            value = value.strip() if name not in TEXT_FIELDS else value.strip("\n ")
        setattr(project, name, value)
    return list(volunteers) if volunteers is not None else None


def _validate_application(project: Project, *, actor, changed: set[str]) -> None:
    errors: dict[str, list] = {}

    def add(field, message, code):
        errors.setdefault(field, []).append(ValidationError(message, code=code))

    funding_round = project.funding_round
    if not project.title:
        add("title", MSG_TITLE_REQUIRED, "required")
    if project.region_id is None:
        add("region", MSG_COMMUNITY_REQUIRED, "required")
    elif "region" in changed and (project.region.level != Level.COMMUNITY or project.region.is_revoked
                                  or not funding_round.region.contains(project.region)):
        add("region", MSG_COMMUNITY_OUTSIDE_ROUND, "community_outside_round")
    if "applicant" in changed and not project_selectors.applicant_choices(actor).filter(
            pk=project.applicant_id).exists():
        raise PermissionDenied(MSG_APPLICANT_NOT_YOURS)
    community = project.region if project.region_id else None
    if "implementer" in changed and project.implementer_id and not project_selectors.implementer_choices(
            actor, community).filter(pk=project.implementer_id).exists():
        add("implementer", MSG_IMPLEMENTER_NOT_AVAILABLE, "implementer_not_available")
    if "lead_worker" in changed and project.lead_worker_id and not project_selectors.lead_worker_choices(
            community).filter(pk=project.lead_worker_id).exists():
        add("lead_worker", MSG_LEAD_WORKER_NOT_AVAILABLE, "lead_worker_not_available")
    if project.contact_phone:
        try:
            project.contact_phone = validate_mobile(project.contact_phone)
        except ValidationError as exc:
            errors.setdefault("contact_phone", []).append(exc)
    for field in ("requested_amount", "self_raised_amount"):
        value = getattr(project, field)
        if value is not None and value < 0:
            add(field, MSG_AMOUNT_NEGATIVE, "amount_negative")
    if project.duration_months is not None and project.duration_months < 1:
        add("duration_months", MSG_DURATION_POSITIVE, "duration_positive")
    if project.starts_on and project.ends_on and project.ends_on < project.starts_on:
        add("ends_on", MSG_DATES_ORDER, "dates_order")
    if errors:
        raise ValidationError(errors)


def _set_volunteers(project: Project, volunteers: list, *, actor) -> None:
    visible = project_selectors.volunteer_choices(actor)
    chosen = {v.pk for v in volunteers}
    if len(chosen) != visible.filter(pk__in=chosen).count():
        raise ValidationError({"volunteers": ValidationError(MSG_VOLUNTEER_NOT_AVAILABLE,
                                                             code="volunteer_not_available")})
    # Volunteers someone else attached and this actor cannot see stay attached.
    hidden = set(project.volunteers.exclude(pk__in=visible.values("pk")).values_list("pk", flat=True))
    current = set(project.volunteers.values_list("pk", flat=True))
    wanted = chosen | hidden
    if wanted != current:
        project._history_user = actor
        project.volunteers.set(wanted)


def _save(project: Project, *, actor, reason: str = "") -> None:
    project.search_text = build_search_text(*project.searchable_values())
    save_with_history(project, actor=actor, reason=reason)


def _require_editable(actor, project: Project) -> None:
    if not can(actor, Action.CHANGE, Resource.PROJECT, project):
        raise PermissionDenied
    if project.is_voided:
        raise ValidationError(MSG_APPLICATION_VOIDED, code="application_voided")
    if project.status not in states.EDITABLE_APPLICATION:
        raise ValidationError(MSG_NOT_EDITABLE, code="not_editable")


@transaction.atomic
def application_create(*, actor, funding_round: FundingRound, applicant, region, title: str,
                       applicant_type: str = "", **fields) -> Project:
    """Start a draft for an open round, for an organization the actor may act for, coordinated by a
    community of the round. The implementer defaults to the applicant."""
    if not may_ever(actor, Resource.PROJECT, Action.CHANGE):
        raise PermissionDenied
    if not accepts_applications(funding_round):
        raise ValidationError(MSG_ROUND_NOT_ACCEPTING, code="round_not_accepting")
    if applicant is None or not project_selectors.applicant_choices(actor).filter(pk=applicant.pk).exists():
        raise PermissionDenied(MSG_APPLICANT_NOT_YOURS)
    fields.setdefault("implementer", applicant)
    project = Project(funding_round=funding_round, status=ProjectStatus.DRAFT, created_by=actor,
                      applicant=applicant, applicant_type=applicant_type or default_applicant_type(
                          funding_round, applicant))
    volunteers = _assign(project, {"title": title, "region": region, **fields})
    if region is None:
        raise ValidationError({"region": ValidationError(MSG_COMMUNITY_REQUIRED, code="required")})
    _validate_application(project, actor=actor, changed=set(fields) | {"region", "title"})
    _save(project, actor=actor, reason=str(_("创建申报书草稿")))
    # The actor must be able to keep working on what they created (e.g. staff only in their community).
    if not can(actor, Action.CHANGE, Resource.PROJECT, project):
        raise PermissionDenied(MSG_COMMUNITY_OUTSIDE_ROUND)
    if volunteers is not None:
        _set_volunteers(project, volunteers, actor=actor)
    return project


@transaction.atomic
def application_update(*, actor, project: Project, **fields) -> Project:
    """Save any part of a draft (a section, a single field): partial input is welcome."""
    _require_editable(actor, project)
    before = {name: getattr(project, f"{name}_id" if name in ("applicant", "implementer", "lead_worker", "region")
                            else name) for name in fields if name != "volunteers"}
    volunteers = _assign(project, fields)
    changed = {name for name, old in before.items()
               if getattr(project, f"{name}_id" if name in ("applicant", "implementer", "lead_worker", "region")
                          else name) != old}
    try:
        _validate_application(project, actor=actor, changed=changed)
    except (ValidationError, PermissionDenied):
        project.refresh_from_db()
        raise
    _save(project, actor=actor)
    if not can(actor, Action.CHANGE, Resource.PROJECT, project):
        raise PermissionDenied(MSG_COMMUNITY_OUTSIDE_ROUND)
    if volunteers is not None:
        _set_volunteers(project, volunteers, actor=actor)
    return project


@transaction.atomic
def application_submit(*, actor, project: Project, today: datetime.date | None = None) -> Project:
    """Submit a draft. Refused with every broken rule (one ValidationError per rule, coded by the rule)."""
    _require_editable(actor, project)
    # Lock the row so two submissions (double tap, two devices) cannot both pass.
    Project.objects.select_for_update().filter(pk=project.pk).exists()
    project.refresh_from_db()
    if project.status not in states.EDITABLE_APPLICATION:
        raise ValidationError(MSG_NOT_EDITABLE, code="not_editable")
    broken = [result for result in check_eligibility(project, today=today) if not result.passed]
    if broken:
        raise ValidationError([ValidationError(result.message, code=result.code) for result in broken])
    project.submitted_at = timezone.now()
    return states.project_transition(actor=actor, project=project, to=ProjectStatus.SUBMITTED,
                                     reason=str(_("提交申报书")))


@transaction.atomic
def application_withdraw(*, actor, project: Project, reason: str = "") -> Project:
    """Take a submitted application back to draft, before review has started."""
    if not can(actor, Action.CHANGE, Resource.PROJECT, project):
        raise PermissionDenied
    if project.is_voided:
        raise ValidationError(MSG_APPLICATION_VOIDED, code="application_voided")
    if project.status != ProjectStatus.SUBMITTED:
        raise ValidationError(MSG_NOT_SUBMITTED, code="not_submitted")
    project.submitted_at = None
    return states.project_transition(actor=actor, project=project, to=ProjectStatus.DRAFT,
                                     reason=(reason or "").strip() or str(_("撤回申报书")))


@transaction.atomic
def application_void(*, actor, project: Project, reason: str) -> Project:
    """Void a draft nobody will submit (nothing is deleted)."""
    if not can(actor, Action.CHANGE, Resource.PROJECT, project):
        raise PermissionDenied
    if project.status != ProjectStatus.DRAFT:
        raise ValidationError(MSG_ONLY_DRAFT_VOID, code="only_draft_void")
    return record_void(actor=actor, obj=project, reason=reason)


def eligibility_summary(results: list[RuleResult]) -> dict:
    broken = [r for r in results if not r.passed]
    return {"eligible": not broken, "passed": len(results) - len(broken), "broken": len(broken)}

