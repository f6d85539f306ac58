"""Application pages: the list of applications and projects, the application tab of a project (read view
with the three-party pairing, eligibility and history), and the phone-first form filled section by section
with a worked example beside every field."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from wushe.accounts.policy import Action, Resource, can, get_object_for, may_ever, regions_for, require
from wushe.core.history import history_for
from wushe.core.pagination import paginate
from wushe.regions.models import Level, Region

from ..models import (
    ApplicantType,
    ContentCategory,
    Project,
    ProjectStatus,
    ProjectType,
    ScopeCategory,
)
from ..selectors import projects as selectors
from ..selectors import rounds as round_selectors
from ..services import applications as services
from ..states import EDITABLE_APPLICATION
from ..tabs import project_page_context

# How many communities the list filter offers at most.
COMMUNITY_FILTER_LIMIT = 300

# A worked example for every field of the application (what a good answer looks like).
EXAMPLES = {
    "title": gettext_lazy("银龄互助 · 高龄独居老人每周探访"),
    "applicant": gettext_lazy("将台银龄互助队——由本社区退休居民自发组成的为老服务队。"),
    "applicant_type": gettext_lazy("居民骨干发起、为社区老人服务的队伍，选“居民为主体的公益服务类社区社会组织”；"
                                   "居委会的养老委员会申报则选“居委会下属工作委员会”。"),
    "implementer": gettext_lazy("通常就是申报组织本身；若由居委会工作委员会申报、由社区社会组织具体实施，就选后者。"),
    "lead_worker": gettext_lazy("李社工（助理社会工作师，社工站派驻本社区）：指导项目设计、培训志愿者、每月督导一次。"),
    "region": gettext_lazy("将台社区居委会作为协调监督方：协调活动场地、动员居民参与、监督项目进度和经费使用。"),
    "contact_name": gettext_lazy("薛阿姨（互助队队长）"),
    "contact_phone": gettext_lazy("13800001234（能接听电话的手机号）"),
    "project_type": gettext_lazy("以探访、陪伴高龄老人为主，选“社区照顾”；邻里之间互相帮忙选“社区互助”。"),
    "scope": gettext_lazy("免费为居民提供的服务，选“社区公益类服务”。"),
    "content": gettext_lazy("服务对象是高龄独居老人，选“为社区弱势群体提供服务”。"),
    "summary": gettext_lazy("组织20名低龄老人志愿者，与社区43位80岁以上独居老人一对一结对，每周上门探访一次，"
                            "发现困难及时告知居委会和社工；每月为当月过生日的老人办一次生日会。"),
    "need_statement": gettext_lazy("社区现有80岁以上独居老人43位，问卷显示六成希望每周有人上门探访、聊聊天；"
                                   "去年冬天有两位老人在家摔倒，第二天才被邻居发现。居委会只有5名工作人员，做不到经常上门。"),
    "org_growth": gettext_lazy("互助队现有成员26人，但没有章程和分工。通过本项目选出理事会，制定探访制度和经费管理办法，"
                               "项目经费单独记账、每季度向居民公示，培养3名能独立组织活动的骨干。"),
    "worker_capacity": gettext_lazy("主责社工用优势视角带领志愿者做需求评估，练习链接资源（对接社区卫生服务站上门体检）；"
                                    "前两个月带着做，之后只做督导，逐步退到支持者的位置，并记录督导时数。"),
    "objectives": gettext_lazy("1. 半年内与43位独居老人全部结对，每周探访不少于1次；2. 培训志愿者20人，每人服务不少于24小时；"
                               "3. 老人满意度达到90%以上。"),
    "activities_plan": gettext_lazy("第1个月：招募培训志愿者、入户建档；第2–5个月：每周结对探访，每月一次生日会和一次志愿者分享会；"
                                    "第6个月：满意度回访、总结表彰。"),
    "beneficiaries": gettext_lazy("社区80岁以上独居老人43位（直接受益）；他们在外地工作的子女；参与服务的志愿者20人。"),
    "expected_beneficiaries": gettext_lazy("43"),
    "sustainability": gettext_lazy("项目结束后结对关系由互助队继续维持；探访制度写入互助队章程；生日会经费向社区慈善基金申请。"),
    "volunteers": gettext_lazy("从志愿者名册中勾选将参加本项目的志愿者；名册里没有的，可以先在“志愿者”中登记。"),
    "volunteers_plan": gettext_lazy("招募20名60–70岁的低龄老人志愿者，两人一组结对4–5位老人；每月一次分享会由社工带领复盘；"
                                    "服务时长记入志愿服务记录。"),
    "resources_plan": gettext_lazy("社区卫生服务站每季度上门体检一次；辖区超市捐赠生日蛋糕；居委会提供活动室。"),
    "requested_amount": gettext_lazy("8000（不超过本轮上限）"),
    "self_raised_amount": gettext_lazy("800（队员自筹和爱心商户捐款；实物不计入）"),
    "duration_months": gettext_lazy("6"),
    "starts_on": gettext_lazy("2026-03-01"),
    "ends_on": gettext_lazy("2026-08-31（与开始日期相隔6个月）"),
    "other_funding": gettext_lazy("无。若同一内容已获街道、基金会等资助，请写明来源和金额。"),
}

SECTION_INTRO = {
    "basic": gettext_lazy("谁来申报、谁来实施、哪位社工担任主责、哪个社区协调监督——三方对接是项目的基础。"),
    "indicators": gettext_lazy("用自己的话回答三个问题，写清楚事实和数字即可，不需要套话。"),
    "plan": gettext_lazy("要做成什么、怎么做、为谁做。"),
    "volunteers": gettext_lazy("哪些志愿者参与，还能调动哪些资源。"),
    "budget": gettext_lazy("申请多少钱、自筹多少、做多久。详细预算在立项后填写。"),
}


# Forms (input parsing only; the rules are in services/applications.py) -----------------------------------


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _label(name):
    return Project._meta.get_field(name).verbose_name


def _text(name, rows=4):
    return forms.CharField(label=_label(name), required=False, widget=forms.Textarea(attrs={"rows": rows}))


class WorkerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_certificate_level_display()}）"


def _limited(choices, allowed, current) -> list:
    """The round's allowed values first (all values when the round does not limit them)."""
    if not allowed:
        return [("", "---------"), *choices.choices]
    keep = set(allowed) | ({current} if current else set())
    return [("", "---------"), *[(v, label) for v, label in choices.choices if v in keep]]


class ApplicationStartForm(forms.Form):
    title = forms.CharField(label=_label("title"), max_length=200)
    applicant = forms.ModelChoiceField(label=_label("applicant"), queryset=None, to_field_name="public_id")
    applicant_type = forms.ChoiceField(label=_label("applicant_type"), required=False)
    region = forms.ModelChoiceField(label=gettext_lazy("协调监督社区"), queryset=None, to_field_name="code")

    def __init__(self, *args, user, funding_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["applicant"].queryset = selectors.applicant_choices(user)
        self.fields["region"].queryset = selectors.community_choices(user, funding_round)
        self.fields["applicant_type"].choices = _limited(ApplicantType, funding_round.allowed_applicant_types, "")
        self.fields["applicant_type"].help_text = gettext_lazy("不确定可以先不选，系统会按组织类型预填。")


class BasicSectionForm(forms.Form):
    title = forms.CharField(label=_label("title"), max_length=200)
    applicant = forms.ModelChoiceField(label=_label("applicant"), queryset=None, to_field_name="public_id")
    applicant_type = forms.ChoiceField(label=_label("applicant_type"))
    implementer = forms.ModelChoiceField(label=_label("implementer"), queryset=None, required=False,
                                         to_field_name="public_id")
    lead_worker = WorkerChoiceField(label=_label("lead_worker"), queryset=None, required=False,
                                    to_field_name="public_id")
    region = forms.ModelChoiceField(label=gettext_lazy("协调监督社区"), queryset=None, to_field_name="code")
    contact_name = forms.CharField(label=_label("contact_name"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_label("contact_phone"), max_length=20, required=False)
    project_type = forms.ChoiceField(label=_label("project_type"), required=False)
    scope = forms.ChoiceField(label=_label("scope"), required=False)
    content = forms.ChoiceField(label=_label("content"), required=False)
    summary = _text("summary", 3)

    def __init__(self, *args, user, project, **kwargs):
        super().__init__(*args, **kwargs)
        funding_round = project.funding_round
        applicants = selectors.applicant_choices(user)
        communities = selectors.community_choices(user, funding_round)
        self.fields["applicant"].queryset = (applicants | type(project.applicant).objects.filter(
            pk=project.applicant_id)).order_by("name")
        self.fields["region"].queryset = (communities | Region.objects.filter(pk=project.region_id)).order_by("code")
        self.fields["implementer"].queryset = selectors.implementer_choices(user, project.region)
        workers = selectors.lead_worker_choices(project.region)
        if project.lead_worker_id:
            workers = (workers | type(project.lead_worker).objects.filter(pk=project.lead_worker_id))
        self.fields["lead_worker"].queryset = workers.order_by("name")
        self.fields["applicant_type"].choices = _limited(ApplicantType, funding_round.allowed_applicant_types,
                                                         project.applicant_type)[1:]
        for name, choices, allowed in (("project_type", ProjectType, funding_round.project_types),
                                       ("scope", ScopeCategory, funding_round.scopes),
                                       ("content", ContentCategory, funding_round.contents)):
            self.fields[name].choices = _limited(choices, allowed, getattr(project, name))
        if funding_round.require_social_worker_lead:
            self.fields["lead_worker"].help_text = gettext_lazy("本轮须由持证社工担任专业主责。")
        if funding_round.require_community_org_implementer:
            self.fields["implementer"].help_text = gettext_lazy("本轮须由社区社会组织实施。")


class IndicatorsSectionForm(forms.Form):
    need_statement = _text("need_statement", 5)
    org_growth = _text("org_growth", 5)
    worker_capacity = _text("worker_capacity", 5)


class PlanSectionForm(forms.Form):
    objectives = _text("objectives")
    activities_plan = _text("activities_plan", 5)
    beneficiaries = _text("beneficiaries", 3)
    expected_beneficiaries = forms.IntegerField(label=_label("expected_beneficiaries"), min_value=0, required=False)
    sustainability = _text("sustainability", 3)


class VolunteerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.volunteer_number}）"


class VolunteersSectionForm(forms.Form):
    volunteers = VolunteerChoiceField(label=_label("volunteers"), queryset=None, required=False,
                                      to_field_name="public_id", widget=forms.CheckboxSelectMultiple)
    volunteers_plan = _text("volunteers_plan")
    resources_plan = _text("resources_plan")

    def __init__(self, *args, user, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteers"].queryset = selectors.volunteer_choices(user)


class BudgetSectionForm(forms.Form):
    requested_amount = forms.DecimalField(label=_label("requested_amount"), min_value=0, decimal_places=2,
                                          required=False)
    self_raised_amount = forms.DecimalField(label=_label("self_raised_amount"), min_value=0, decimal_places=2,
                                            required=False)
    duration_months = forms.IntegerField(label=_label("duration_months"), min_value=1, required=False)
    starts_on = forms.DateField(label=_label("starts_on"), required=False, widget=DateInput())
    ends_on = forms.DateField(label=_label("ends_on"), required=False, widget=DateInput())
    other_funding = forms.CharField(label=_label("other_funding"), required=False,
                                    widget=forms.Textarea(attrs={"rows": 2}))


SECTION_FORMS = {
    "basic": BasicSectionForm,
    "indicators": IndicatorsSectionForm,
    "plan": PlanSectionForm,
    "volunteers": VolunteersSectionForm,
    "budget": BudgetSectionForm,
}
NEEDS_CONTEXT = {"basic", "volunteers"}


def _section_initial(project: Project, key: str) -> dict:
    form_class = SECTION_FORMS[key]
    initial = {}
    for name in form_class.base_fields:
        if name == "volunteers":
            initial[name] = list(project.volunteers.all())
        else:
            initial[name] = getattr(project, name)
    return initial


def _make_form(key, project, user, data=None):
    kwargs = {"initial": _section_initial(project, key)}
    if key in NEEDS_CONTEXT:
        kwargs.update(user=user, project=project)
    return SECTION_FORMS[key](data, **kwargs)


# Helpers ------------------------------------------------------------------------------------------------


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _project_for(request, public_id, action=Action.VIEW) -> Project:
    return get_object_for(request.user, Resource.PROJECT, selectors.project_detail_queryset(), action=action,
                          public_id=public_id)


def _editable_project(request, public_id) -> Project:
    project = _project_for(request, public_id, Action.CHANGE)
    if project.is_voided:
        raise PermissionDenied
    return project


def _fields_with_examples(form) -> list[dict]:
    return [{"field": form[name], "example": EXAMPLES.get(name, "")} for name in form.fields]


def _progress_context(project: Project) -> dict:
    progress = services.section_progress(project)
    done = sum(1 for s in progress if s["complete"])
    return {"progress": progress, "progress_done": done, "progress_total": len(progress),
            "progress_percent": round(done * 100 / len(progress))}


def _after_save_url(project, section: str, *, go_next: bool) -> str:
    """After a save: the same section, or the next one ("save and continue"), or the hub after the last."""
    index = services.SECTION_KEYS.index(section)
    if go_next and index + 1 < len(services.SECTION_KEYS):
        section = services.SECTION_KEYS[index + 1]
    elif go_next:
        return _edit_url(project)
    return reverse("projects:application_section", args=[project.public_id, section])


def _detail_url(project) -> str:
    return reverse("projects:project_detail", args=[project.public_id])


def _edit_url(project) -> str:
    return reverse("projects:application_edit", args=[project.public_id])


# List and read view -------------------------------------------------------------------------------------


@login_required
def project_list(request):
    user = request.user
    require(user, Resource.PROJECT, Action.VIEW)
    params = request.GET
    funding_round = None
    if params.get("round"):
        try:
            funding_round = round_selectors.rounds_visible_to(user).filter(public_id=params["round"]).first()
        except ValidationError:
            funding_round = None
    community = Region.objects.filter(code=params["community"]).first() if params.get("community") else None
    projects = selectors.project_list(user, query=params.get("q", "").strip(), funding_round=funding_round,
                                      status=params.get("status", ""), community=community,
                                      project_type=params.get("type", ""))
    page = paginate(request, projects)
    if request.htmx:
        return render(request, "projects/applications/project_list.html#rows", {"page": page})
    communities = list(regions_for(user, Resource.PROJECT, Action.VIEW).filter(level=Level.COMMUNITY)
                       .order_by("code").only("code", "name")[:COMMUNITY_FILTER_LIMIT])
    open_rounds = list(round_selectors.round_open_for_applications(user)[:5])
    return render(request, "projects/applications/project_list.html", {
        "page": page, "statuses": ProjectStatus.choices, "types": ProjectType.choices, "communities": communities,
        "rounds": list(round_selectors.rounds_visible_to(user).order_by("-created_at").only("public_id", "title")[:100]),
        "open_rounds": open_rounds,
        "can_apply": bool(open_rounds) and may_ever(user, Resource.PROJECT, Action.CHANGE)
        and selectors.applicant_choices(user).exists(),
    })


def _project_needs(user, project) -> dict:
    """The needs register entries the project answers, and those of its area the viewer may link to it
    (None hides the card from who never sees needs)."""
    from wushe.surveys.selectors.needs import linkable_needs, needs_for_project

    if not may_ever(user, Resource.NEED, Action.VIEW):
        return {"project_needs": None}
    return {"project_needs": list(needs_for_project(user, project)),
            "linkable_needs": list(linkable_needs(user, project)[:200])}


@login_required
def project_detail(request, public_id):
    """The application tab of a project: the 申报书 as submitted, pairing first."""
    user = request.user
    project = _project_for(request, public_id)
    may_change = not project.is_voided and can(user, Action.CHANGE, Resource.PROJECT, project)
    context = project_page_context(
        project, "application",
        phone_display=selectors.display_contact_phone(user, project),
        volunteers=list(selectors.project_volunteers(project)),
        may_edit=may_change and project.status in EDITABLE_APPLICATION,
        may_withdraw=may_change and project.status == ProjectStatus.SUBMITTED,
        may_void=may_change and project.status == ProjectStatus.DRAFT,
        total_budget=(project.requested_amount or 0) + (project.self_raised_amount or 0),
        **_project_needs(user, project),
    )
    if project.status in (ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ProjectStatus.UNDER_REVIEW):
        results = services.check_eligibility(project, include_round_window=project.status == ProjectStatus.DRAFT)
        context.update(eligibility=results, eligibility_summary=services.eligibility_summary(results))
    if project.status in EDITABLE_APPLICATION:
        context.update(_progress_context(project))
    if can(user, Action.HISTORY, Resource.PROJECT, project):
        context["history"] = history_for(project)
    return render(request, "projects/applications/project_detail.html", context)


# Filling in -------------------------------------------------------------------------------------------


@login_required
def application_create(request, round_id):
    user = request.user
    require(user, Resource.PROJECT, Action.CHANGE)
    funding_round = get_object_for(user, Resource.FUNDING_ROUND, round_selectors.round_detail_queryset(user),
                                   public_id=round_id)
    if not services.accepts_applications(funding_round):
        messages.error(request, services.MSG_ROUND_NOT_ACCEPTING)
        return redirect("projects:round_detail", public_id=funding_round.public_id)
    form = ApplicationStartForm(request.POST or None, user=user, funding_round=funding_round)
    if not form.fields["applicant"].queryset.exists() or not form.fields["region"].queryset.exists():
        raise PermissionDenied
    if request.method == "GET":
        applicants = list(form.fields["applicant"].queryset[:2])
        if len(applicants) == 1:
            form.initial["applicant"] = applicants[0]
            if form.fields["region"].queryset.filter(pk=applicants[0].region_id).exists():
                form.initial["region"] = applicants[0].region
        communities = list(form.fields["region"].queryset[:2])
        if len(communities) == 1:
            form.initial["region"] = communities[0]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            project = services.application_create(
                actor=user, funding_round=funding_round, title=data["title"], applicant=data["applicant"],
                applicant_type=data["applicant_type"], region=data["region"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("草稿已创建。可以分几次填写，每一部分都可以随时保存。"))
            return redirect("projects:application_section", public_id=project.public_id, section="basic")
    return render(request, "projects/applications/application_start.html", {
        "form": form, "fields": _fields_with_examples(form), "funding_round": funding_round,
        "rules": round_selectors.round_rules(funding_round)})


@login_required
def application_edit(request, public_id):
    """The form's hub: progress per section, the eligibility pre-check and the submit button."""
    project = _editable_project(request, public_id)
    if project.status not in EDITABLE_APPLICATION:
        messages.info(request, services.MSG_NOT_EDITABLE)
        return redirect(_detail_url(project))
    results = services.check_eligibility(project)
    context = project_page_context(project, "application", eligibility=results,
                                   eligibility_summary=services.eligibility_summary(results),
                                   **_progress_context(project))
    return render(request, "projects/applications/application_edit.html", context)


@login_required
def application_section(request, public_id, section):
    """One section of the form. POST saves it (HTMX: in place, with the progress bar updated)."""
    user = request.user
    current = services.section_for(section)
    if current is None:
        raise Http404
    project = _editable_project(request, public_id)
    if project.status not in EDITABLE_APPLICATION:
        messages.info(request, services.MSG_NOT_EDITABLE)
        return redirect(_detail_url(project))
    form = _make_form(section, project, user, request.POST if request.method == "POST" else None)
    saved = False
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.application_update(actor=user, project=project, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            saved = True
            if "next" in request.POST or not request.htmx:
                messages.success(request, _("已保存。"))
                url = _after_save_url(project, section, go_next="next" in request.POST)
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            form = _make_form(section, project, user)
    index = services.SECTION_KEYS.index(section)
    context = project_page_context(
        project, "application", form=form, section=current, intro=SECTION_INTRO[section],
        fields=_fields_with_examples(form), saved=saved,
        next_section=services.SECTION_KEYS[index + 1] if index + 1 < len(services.SECTION_KEYS) else None,
        previous_section=services.SECTION_KEYS[index - 1] if index > 0 else None,
        **_progress_context(project))
    if section == "budget":
        context["funding_round"] = project.funding_round
    if request.htmx:
        html = render_to_string("projects/applications/application_section.html#section_form", context, request)
        html += render_to_string("projects/applications/application_section.html#progress_oob", context, request)
        return HttpResponse(html)
    return render(request, "projects/applications/application_section.html", context)


@login_required
@require_POST
def application_submit(request, public_id):
    project = _editable_project(request, public_id)
    try:
        services.application_submit(actor=request.user, project=project)
    except ValidationError as exc:
        messages.error(request, services.MSG_SUBMIT_REFUSED)
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_edit_url(project) if project.status in EDITABLE_APPLICATION else _detail_url(project))
    messages.success(request, _("申报书已提交。评审开始前如需修改，可以撤回。"))
    return redirect(_detail_url(project))


@login_required
@require_POST
def application_withdraw(request, public_id):
    project = _editable_project(request, public_id)
    try:
        services.application_withdraw(actor=request.user, project=project,
                                      reason=request.POST.get("reason", "").strip())
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_detail_url(project))
    messages.success(request, _("申报书已撤回为草稿，修改后可以重新提交。"))
    return redirect(_edit_url(project))


@login_required
@require_POST
def application_void(request, public_id):
    project = _editable_project(request, public_id)
    try:
        services.application_void(actor=request.user, project=project, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("申报书草稿已作废。"))
    return redirect(_detail_url(project))
