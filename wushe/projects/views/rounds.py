"""Funding-round pages: list, detail (rules in plain words, applications by status), create and edit
(MANAGE in the round's region), advance the status, void."""

import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, can, get_object_for, require, restrict
from wushe.core.history import history_for
from wushe.core.pagination import paginate
from wushe.orgs.models import Organization

from ..models import (
    ApplicantType,
    ContentCategory,
    FundingRound,
    ProjectType,
    RoundStatus,
    RoundType,
    ScopeCategory,
)
from ..models.execution import TrancheCondition
from ..selectors import projects as project_selectors
from ..selectors import rounds as selectors
from ..services import rounds as services

MSG_ROWS_FORMAT = gettext_lazy("第%(line)s行格式不对：%(text)s")

ROUND_TYPE_HELP = {
    RoundType.PAIRING_COMPETITION: gettext_lazy("社区社会组织实施、社工担任专业主责，申报书回答三项指标；专家与居民共同评审。"),
    RoundType.MICRO_PROJECT: gettext_lazy("东风地区规则：每项不超过1万元、6个月，六类申报主体，三类范围和三类内容。"),
    RoundType.VENTURE: gettext_lazy("面向社会组织的公益创投，规则可按本地要求设置。"),
    RoundType.GOVERNMENT_PURCHASE: gettext_lazy("政府向社会力量购买服务，设购买方、承接方与第三方评估。"),
}


# Forms (input parsing only; the rules are checked in services/rounds.py) ----------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _label(name):
    return FundingRound._meta.get_field(name).verbose_name


def _split_line(line: str) -> tuple[str, str] | None:
    """"回应社区需求：20" → ("回应社区需求", "20"); also accepts ":", "=", "|" or a last space."""
    match = re.match(r"^\s*(.+?)\s*[:：=|]\s*(.+?)\s*$", line) or re.match(r"^\s*(.+?)\s+(\S+)\s*$", line)
    return (match.group(1), match.group(2)) if match else None


def _rows(text: str):
    for number, line in enumerate((text or "").splitlines(), start=1):
        if line.strip():
            parts = _split_line(line)
            if parts is None:
                raise forms.ValidationError(MSG_ROWS_FORMAT % {"line": number, "text": line.strip()})
            yield number, line.strip(), parts


def _number(value: str, number: int, line: str) -> Decimal:
    try:
        return Decimal(value.replace("%", "").replace("％", "").replace("分", "").strip())
    except Exception:
        raise forms.ValidationError(MSG_ROWS_FORMAT % {"line": number, "text": line}) from None


def criteria_text(rows) -> str:
    return "\n".join(f"{row['label']}：{row['max']}" for row in rows or [])


def grade_bands_text(rows) -> str:
    return "\n".join(f"{row['grade']}：{row['min']}" for row in rows or [])


def tranches_text(rows) -> str:
    labels = dict(TrancheCondition.choices)
    return "\n".join(f"{row['percent']}%：{labels.get(row['condition'], row['condition'])}" for row in rows or [])


class RoundForm(forms.Form):
    title = forms.CharField(label=_label("title"), max_length=200)
    round_type = forms.ChoiceField(label=_label("round_type"), choices=RoundType.choices)
    region = forms.ModelChoiceField(label=_label("region"), queryset=None, to_field_name="code")
    description = forms.CharField(label=_label("description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    opens_on = forms.DateField(label=_label("opens_on"), required=False, widget=DateInput())
    closes_on = forms.DateField(label=_label("closes_on"), required=False, widget=DateInput())
    total_budget = forms.DecimalField(label=_label("total_budget"), required=False, min_value=0, decimal_places=2)
    operator = forms.ModelChoiceField(label=_label("operator"), queryset=None, required=False,
                                      to_field_name="public_id",
                                      help_text=gettext_lazy("受托运营本轮的第三方机构（如支持性社会组织），可不填。"))
    amount_cap = forms.DecimalField(label=_label("amount_cap"), min_value=0, decimal_places=2)
    duration_cap_months = forms.IntegerField(label=_label("duration_cap_months"), min_value=1)
    allowed_applicant_types = forms.MultipleChoiceField(
        label=_label("allowed_applicant_types"), choices=ApplicantType.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=gettext_lazy("都不勾选表示不限。"))
    scopes = forms.MultipleChoiceField(label=_label("scopes"), choices=ScopeCategory.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple, help_text=gettext_lazy("都不勾选表示不限。"))
    contents = forms.MultipleChoiceField(label=_label("contents"), choices=ContentCategory.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text=gettext_lazy("都不勾选表示不限。"))
    project_types = forms.MultipleChoiceField(label=_label("project_types"), choices=ProjectType.choices,
                                              required=False, widget=forms.CheckboxSelectMultiple,
                                              help_text=gettext_lazy("都不勾选表示不限。"))
    self_raised_min_percent = forms.DecimalField(label=_label("self_raised_min_percent"), min_value=0, max_value=100,
                                                 decimal_places=2,
                                                 help_text=gettext_lazy("自筹金额占项目总预算（申请＋自筹）的最低比例，0表示不要求。"))
    one_grant_per_org = forms.BooleanField(label=_label("one_grant_per_org"), required=False)
    no_double_funding = forms.BooleanField(label=_label("no_double_funding"), required=False)
    require_community_org_implementer = forms.BooleanField(label=_label("require_community_org_implementer"),
                                                           required=False)
    require_social_worker_lead = forms.BooleanField(
        label=_label("require_social_worker_lead"), required=False,
        help_text=gettext_lazy("勾选后，申报书须指定持证主责社工并回答三项指标。"))
    operator_may_apply = forms.BooleanField(label=_label("operator_may_apply"), required=False)
    breach_ban_years = forms.IntegerField(label=_label("breach_ban_years"), min_value=0)
    expert_weight = forms.IntegerField(label=_label("expert_weight"), min_value=0, max_value=100)
    resident_weight = forms.IntegerField(label=_label("resident_weight"), min_value=0, max_value=100,
                                         help_text=gettext_lazy("专家与居民权重之和须为100。"))
    review_criteria = forms.CharField(
        label=_label("review_criteria"), widget=forms.Textarea(attrs={"rows": 7}),
        help_text=gettext_lazy("每行一项：指标名称：满分。各项满分之和须为100。例：回应社区需求：20"))
    grade_bands = forms.CharField(
        label=_label("grade_bands"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行一个等级：等级：最低分，从高到低，最后一级为0。例：A：85"))
    tranche_plan = forms.CharField(
        label=_label("tranche_plan"), widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("每行一笔：比例：拨付条件（签约后 / 中期评估通过后 / 终期评估后），比例之和须为100%。例：50%：签约后"))
    publicity_days = forms.IntegerField(label=_label("publicity_days"), min_value=1)

    FIELDSETS = (
        (gettext_lazy("基本信息"), ("title", "round_type", "region", "description", "opens_on", "closes_on",
                                 "total_budget", "operator")),
        (gettext_lazy("申报条件"), ("amount_cap", "duration_cap_months", "allowed_applicant_types", "scopes",
                                 "contents", "project_types", "self_raised_min_percent")),
        (gettext_lazy("资助规则"), ("one_grant_per_org", "no_double_funding", "require_community_org_implementer",
                                 "require_social_worker_lead", "operator_may_apply", "breach_ban_years")),
        (gettext_lazy("评审、拨付与公示"), ("expert_weight", "resident_weight", "review_criteria", "grade_bands",
                                      "tranche_plan", "publicity_days")),
    )

    def __init__(self, *args, user, regions, existing_criteria=None, locked: set[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions
        self.fields["operator"].queryset = restrict(user, Resource.ORGANIZATION, Organization.objects.active(),
                                                    Action.VIEW).order_by("name")
        self.existing_criteria = existing_criteria or []
        for name in locked or ():
            self.fields[name].disabled = True

    def fieldsets(self):
        return [(title, [self[name] for name in names]) for title, names in self.FIELDSETS]

    def clean_review_criteria(self):
        value = self.cleaned_data["review_criteria"]
        if isinstance(value, list):  # a disabled field keeps its initial rows
            return value
        keys = {row["label"]: row.get("key") for row in self.existing_criteria}
        return [{"key": keys.get(label, ""), "label": label, "max": _number(maximum, number, line)}
                for number, line, (label, maximum) in _rows(value)]

    def clean_grade_bands(self):
        value = self.cleaned_data["grade_bands"]
        if isinstance(value, list):
            return value
        return [{"grade": grade, "min": _number(minimum, number, line)} for number, line, (grade, minimum) in _rows(value)]

    def clean_tranche_plan(self):
        value = self.cleaned_data["tranche_plan"]
        if isinstance(value, list):
            return value
        conditions = {str(label): code for code, label in TrancheCondition.choices} | {
            code: code for code in TrancheCondition.values}
        rows = []
        for number, line, (percent, condition) in _rows(value):
            if condition not in conditions:
                raise forms.ValidationError(MSG_ROWS_FORMAT % {"line": number, "text": line})
            rows.append({"percent": _number(percent, number, line), "condition": conditions[condition]})
        return rows


def round_initial(values: dict) -> dict:
    """Form initial values from a round's fields (or from `round_defaults`)."""
    initial = dict(values)
    initial["review_criteria"] = criteria_text(values.get("review_criteria"))
    initial["grade_bands"] = grade_bands_text(values.get("grade_bands"))
    initial["tranche_plan"] = tranches_text(values.get("tranche_plan"))
    return initial


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _round_for(request, public_id, action=Action.VIEW) -> FundingRound:
    return get_object_for(request.user, Resource.FUNDING_ROUND, selectors.round_detail_queryset(request.user),
                          action=action, public_id=public_id)


def _values_of(funding_round: FundingRound) -> dict:
    values = {name: getattr(funding_round, name) for name in services.ROUND_FIELDS}
    return values


# Views ------------------------------------------------------------------------------------------------


@login_required
def round_list(request):
    require(request.user, Resource.FUNDING_ROUND, Action.VIEW)
    params = request.GET
    rounds = selectors.round_list(request.user, query=params.get("q", "").strip(), status=params.get("status", ""),
                                  round_type=params.get("type", ""))
    page = paginate(request, rounds)
    if request.htmx:
        return render(request, "projects/rounds/round_list.html#rows", {"page": page})
    return render(request, "projects/rounds/round_list.html", {
        "page": page, "statuses": RoundStatus.choices, "types": RoundType.choices,
        "can_create": selectors.may_create_round(request.user),
    })


@login_required
def round_create(request):
    user = request.user
    require(user, Resource.FUNDING_ROUND, Action.MANAGE)
    regions = selectors.round_owner_regions(user)
    if not regions.exists():
        raise PermissionDenied
    round_type = request.POST.get("round_type") or request.GET.get("round_type", "")
    if round_type not in RoundType.values:
        types = [{"value": value, "label": label, "help": ROUND_TYPE_HELP[value]} for value, label in RoundType.choices]
        return render(request, "projects/rounds/round_type_pick.html", {"types": types})
    defaults = services.round_defaults(round_type)
    initial = round_initial(defaults)
    if regions.count() == 1:
        initial["region"] = regions.first()
    form = RoundForm(request.POST or None, user=user, regions=regions, initial=initial,
                     existing_criteria=defaults["review_criteria"])
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            funding_round = services.round_create(actor=user, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("资助轮次已创建（草稿）。确认规则后点击“开始征集”。"))
            return redirect("projects:round_detail", public_id=funding_round.public_id)
    return render(request, "projects/rounds/round_form.html", {
        "form": form, "funding_round": None, "round_type_label": RoundType(round_type).label})


@login_required
def round_detail(request, public_id):
    user = request.user
    funding_round = _round_for(request, public_id)
    can_manage = not funding_round.is_voided and can(user, Action.MANAGE, Resource.FUNDING_ROUND, funding_round)
    target = services.next_status(funding_round)
    context = {
        "funding_round": funding_round,
        "rules": selectors.round_rules(funding_round),
        "criteria": funding_round.review_criteria or [],
        "counts": selectors.application_counts(user, funding_round),
        "can_manage": can_manage,
        "next_status": RoundStatus(target).label if target else None,
        "may_apply": project_selectors.may_apply(user, funding_round),
        "may_void": can_manage and selectors.round_project_count(funding_round) == 0,
    }
    if can(user, Action.HISTORY, Resource.FUNDING_ROUND, funding_round):
        context["history"] = history_for(funding_round)
    return render(request, "projects/rounds/round_detail.html", context)


@login_required
def round_update(request, public_id):
    user = request.user
    funding_round = _round_for(request, public_id, Action.MANAGE)
    if funding_round.is_voided or funding_round.status == RoundStatus.FINISHED:
        raise PermissionDenied
    locked: set[str] = set()
    if funding_round.status != RoundStatus.DRAFT:
        locked |= {"round_type", "region"}
    if funding_round.status not in (RoundStatus.DRAFT, RoundStatus.OPEN):
        locked |= set(services.ROUND_FIELDS) - services.ALWAYS_EDITABLE
    regions = selectors.round_owner_regions(user)
    if not regions.filter(pk=funding_round.region_id).exists():
        regions = regions.model.objects.filter(pk=funding_round.region_id)
        locked.add("region")
    values = _values_of(funding_round)
    form = RoundForm(request.POST or None, user=user, regions=regions, initial=round_initial(values),
                     existing_criteria=funding_round.review_criteria, locked=locked)
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.cleaned_data.items() if name not in locked}
        try:
            services.round_update(actor=user, funding_round=funding_round, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("轮次已保存。"))
            return redirect("projects:round_detail", public_id=funding_round.public_id)
    return render(request, "projects/rounds/round_form.html", {
        "form": form, "funding_round": funding_round, "round_type_label": funding_round.get_round_type_display()})


@login_required
@require_POST
def round_advance(request, public_id):
    funding_round = _round_for(request, public_id, Action.MANAGE)
    try:
        services.round_advance(actor=request.user, funding_round=funding_round,
                               reason=request.POST.get("reason", "").strip())
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("轮次状态已变更为“%(status)s”。") % {"status": funding_round.get_status_display()})
    return redirect("projects:round_detail", public_id=funding_round.public_id)


@login_required
@require_POST
def round_void(request, public_id):
    funding_round = _round_for(request, public_id, Action.MANAGE)
    try:
        services.round_void(actor=request.user, funding_round=funding_round, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("轮次已作废。"))
    return redirect("projects:round_detail", public_id=funding_round.public_id)
