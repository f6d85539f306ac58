"""Review pages: the project's review tab, the expert's scoring page and "my reviews", the round's review
board (experts, ranking, decisions, publicity, objections) and ballot-token sheets."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, get_object_for, require
from wushe.core.pagination import paginate

from ..models import BallotToken, ReviewerAssignment, RoundStatus
from ..selectors import review as selectors
from ..services import review as services
from ..services import voting
from ..tabs import project_page_context

# --- forms (they only parse; the services validate) ------------------------------------------------------

class ReviewerForm(forms.Form):
    reviewer = forms.ModelChoiceField(label=gettext_lazy("评审专家"), queryset=None, to_field_name="public_id")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = selectors.expert_choices()


class PanelForm(forms.Form):
    reviewers = forms.ModelMultipleChoiceField(label=gettext_lazy("评审专家"), queryset=None,
                                               to_field_name="public_id", widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = selectors.expert_choices()


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=gettext_lazy("决定"), widget=forms.RadioSelect,
                                 choices=[("approve", gettext_lazy("同意立项")), ("reject", gettext_lazy("不予立项"))])
    approved_amount = forms.CharField(label=gettext_lazy("批准金额（元）"), required=False)
    reason = forms.CharField(label=gettext_lazy("说明 / 不予立项理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DeclarationForm(forms.Form):
    conflict = forms.ChoiceField(label=gettext_lazy("利益冲突声明"), widget=forms.RadioSelect, choices=[
        ("no", gettext_lazy("本人与该项目的申报主体、实施组织及人员不存在利益冲突")),
        ("yes", gettext_lazy("存在利益冲突，申请回避")),
    ])
    note = forms.CharField(label=gettext_lazy("冲突情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("答复"), widget=forms.Textarea(attrs={"rows": 3}))
    upheld = forms.BooleanField(label=gettext_lazy("异议成立"), required=False)


class TokenForm(forms.Form):
    community = forms.ModelChoiceField(label=gettext_lazy("社区"), queryset=None, to_field_name="code")
    count = forms.IntegerField(label=gettext_lazy("张数"), min_value=1, max_value=voting.TOKENS_MAX_PER_BATCH,
                               initial=50)

    def __init__(self, *args, funding_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = voting.token_communities(funding_round)


def score_form_class(criteria: list[dict]) -> type[forms.Form]:
    """A form with one score field per criterion of the round plus the comment."""
    fields = {}
    for criterion in criteria:
        fields[f"score_{criterion['key']}"] = forms.CharField(
            label=f"{criterion.get('label', criterion['key'])}（0–{criterion.get('max')}）", required=False,
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    fields["comment"] = forms.CharField(label=gettext_lazy("评审意见"), required=False,
                                        widget=forms.Textarea(attrs={"rows": 4}))
    return type("ScoreForm", (forms.Form,), fields)


# --- helpers --------------------------------------------------------------------------------------------

def _error_messages(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _add_errors(form, error: ValidationError, prefix: str = "") -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = f"{prefix}{field}" if f"{prefix}{field}" in form.fields else field
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _back(request, default: str):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(default)


def _project(request, public_id, action=Action.VIEW):
    return get_object_for(request.user, Resource.PROJECT, selectors.project_queryset(), action=action,
                          public_id=public_id)


def _round(request, public_id, action=Action.MANAGE):
    return get_object_for(request.user, Resource.FUNDING_ROUND, selectors.round_queryset(), action=action,
                          public_id=public_id)


# --- one project: the review tab ------------------------------------------------------------------------

@login_required
def project_review(request, public_id):
    project = _project(request, public_id)
    context = project_page_context(project, active="review", **selectors.project_review_context(request.user, project))
    if context["can_manage"]:
        context["reviewer_form"] = ReviewerForm()
        context["decision_form"] = DecisionForm(initial={"approved_amount": project.approved_amount or
                                                         project.requested_amount})
    context["own_assignment"] = next((a for a in context["assignments"] if a.reviewer_id == request.user.pk
                                      and not a.is_voided), None)
    return render(request, "projects/review/project_review.html", context)


@login_required
@require_POST
def review_assign(request, public_id):
    project = _project(request, public_id, Action.MANAGE)
    form = ReviewerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择评审专家。"))
    else:
        try:
            services.reviewer_assign(actor=request.user, project=project, reviewer=form.cleaned_data["reviewer"])
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("已指派评审专家。"))
    return _back(request, reverse("projects:project_review", args=[project.public_id]))


@login_required
@require_POST
def review_unassign(request, public_id, assignment_id):
    project = _project(request, public_id, Action.MANAGE)
    assignment = ReviewerAssignment.objects.active().filter(project=project, public_id=assignment_id).first()
    if assignment is None:
        messages.error(request, services.MSG_ASSIGNMENT_VOIDED)
    else:
        try:
            services.reviewer_unassign(actor=request.user, assignment=assignment,
                                       reason=request.POST.get("reason", ""))
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("已撤销该评审指派。"))
    return _back(request, reverse("projects:project_review", args=[project.public_id]))


@login_required
@require_POST
def review_decide(request, public_id):
    project = _project(request, public_id, Action.MANAGE)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择同意立项或不予立项。"))
    else:
        data = form.cleaned_data
        try:
            services.project_decide(actor=request.user, project=project, approve=data["decision"] == "approve",
                                    approved_amount=data["approved_amount"], reason=data["reason"])
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("已记录“%(title)s”的立项决定。") % {"title": project.title})
    return _back(request, reverse("projects:project_review", args=[project.public_id]))


# --- the expert -----------------------------------------------------------------------------------------

@login_required
def my_reviews(request):
    require(request.user, Resource.PROJECT, Action.REVIEW)
    assignments = list(selectors.my_assignments(request.user))
    for assignment in assignments:
        assignment.submitted_review = selectors.review_of(assignment)
    return render(request, "projects/review/my_reviews.html", {
        "assignments": assignments, "conflicts": selectors.my_conflicts(request.user)})


@login_required
def review_score(request, public_id):
    """The expert declares (no) conflict of interest, then scores each criterion with a comment."""
    project = _project(request, public_id, Action.REVIEW)
    assignment = selectors.own_assignment(request.user, project)
    funding_round = project.funding_round
    criteria = services.criteria_of(funding_round)
    review = selectors.review_of(assignment)
    ScoreForm = score_form_class(criteria)
    declaration = DeclarationForm()
    initial = {f"score_{k}": v for k, v in (review.scores if review else {}).items()}
    initial["comment"] = review.comment if review else ""
    score_form = ScoreForm(initial=initial)
    if request.method == "POST" and request.POST.get("step") == "declare":
        declaration = DeclarationForm(request.POST)
        if declaration.is_valid():
            conflict = declaration.cleaned_data["conflict"] == "yes"
            try:
                services.assignment_declare(actor=request.user, assignment=assignment, conflict=conflict,
                                            note=declaration.cleaned_data["note"])
            except ValidationError as error:
                _add_errors(declaration, error)
            else:
                if conflict:
                    messages.info(request, _("已记录您的利益冲突声明，您已回避该项目的评审，指派人会看到您的声明。"))
                    return redirect("projects:my_reviews")
                messages.success(request, _("已声明无利益冲突，请开始评分。"))
                return redirect("projects:review_score", public_id=project.public_id)
    elif request.method == "POST" and request.POST.get("step") == "score":
        score_form = ScoreForm(request.POST)
        if score_form.is_valid():
            scores = {c["key"]: score_form.cleaned_data.get(f"score_{c['key']}", "") for c in criteria}
            try:
                services.expert_review_submit(actor=request.user, assignment=assignment, scores=scores,
                                              comment=score_form.cleaned_data["comment"])
            except ValidationError as error:
                _add_errors(score_form, error, prefix="score_")
            else:
                messages.success(request, _("评分已保存。评审结束前您可以继续修改。"))
                return redirect("projects:review_score", public_id=project.public_id)
    context = project_page_context(project, active="review", assignment=assignment, review=review,
                                   declaration_form=declaration, score_form=score_form,
                                   criteria_max=services.criteria_maximum(funding_round),
                                   may_score=funding_round.status == RoundStatus.REVIEW,
                                   rows=selectors.score_rows(criteria, review))
    return render(request, "projects/review/score.html", context)


# --- the round's review board ---------------------------------------------------------------------------

@login_required
def review_board(request, public_id):
    funding_round = _round(request, public_id)
    projects = selectors.ranking_list(request.user, funding_round)
    page_context = {
        "funding_round": funding_round,
        "projects": projects,
        "panel_form": PanelForm(),
        "decision_form": DecisionForm(),
        "conflicts": selectors.conflict_declarations(funding_round),
        "objections": selectors.round_objections(request.user, funding_round),
        "agreement_reasons": services.agreements_may_be_signed(funding_round),
        "criteria_max": services.criteria_maximum(funding_round),
        "in_review": funding_round.status == RoundStatus.REVIEW,
        "in_publicity": funding_round.status == RoundStatus.PUBLICITY,
        "token_counts": selectors.ballot_token_counts(funding_round),
        "undecided": sum(1 for p in projects if p.status == "under_review"),
    }
    if request.htmx:
        return render(request, "projects/review/board.html#ranking", page_context)
    return render(request, "projects/review/board.html", page_context)


@login_required
@require_POST
def review_panel_assign(request, public_id):
    funding_round = _round(request, public_id)
    form = PanelForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.MSG_NO_REVIEWERS_SELECTED)
    else:
        try:
            created = services.reviewers_assign_to_round(actor=request.user, funding_round=funding_round,
                                                         reviewers=list(form.cleaned_data["reviewers"]))
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("已新增 %(count)s 项评审指派。") % {"count": created})
    return redirect("projects:review_board", public_id=funding_round.public_id)


@login_required
@require_POST
def review_ranking_save(request, public_id):
    funding_round = _round(request, public_id)
    try:
        services.ranking_compute(actor=request.user, funding_round=funding_round)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("已保存当前排名。"))
    return redirect("projects:review_board", public_id=funding_round.public_id)


@login_required
@require_POST
def review_publish(request, public_id):
    funding_round = _round(request, public_id)
    try:
        services.round_publish_decisions(actor=request.user, funding_round=funding_round)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("立项决定已公示，公示期至 %(date)s。") % {"date": funding_round.publicity_ends_on})
    return redirect("projects:review_board", public_id=funding_round.public_id)


@login_required
@require_POST
def review_contracting(request, public_id):
    funding_round = _round(request, public_id)
    try:
        services.round_contracting_start(actor=request.user, funding_round=funding_round)
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("本轮次已进入签约实施阶段。"))
    return redirect("projects:review_board", public_id=funding_round.public_id)


@login_required
@require_POST
def objection_answer(request, public_id):
    objection = selectors.objection_for(request.user, public_id)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, services.MSG_ANSWER_REQUIRED)
    else:
        try:
            services.objection_answer(actor=request.user, objection=objection, answer=form.cleaned_data["answer"],
                                      upheld=form.cleaned_data["upheld"])
        except ValidationError as error:
            _error_messages(request, error)
        else:
            messages.success(request, _("已答复该异议。"))
    return redirect(reverse("projects:review_board", args=[objection.funding_round.public_id]) + "#objections")


@login_required
@require_POST
def objection_reject_project(request, public_id):
    objection = selectors.objection_for(request.user, public_id)
    try:
        services.project_reject_after_objection(actor=request.user, objection=objection,
                                                reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _error_messages(request, error)
    else:
        messages.success(request, _("已根据异议对该项目作出不予立项决定。"))
    return redirect(reverse("projects:review_board", args=[objection.funding_round.public_id]) + "#objections")


# --- ballot tokens --------------------------------------------------------------------------------------

@login_required
def ballot_tokens(request, public_id):
    """Token list (serials only); POST prints a new sheet whose clear codes are shown this once."""
    funding_round = _round(request, public_id)
    form = TokenForm(request.POST or None, funding_round=funding_round)
    if request.method == "POST" and form.is_valid():
        try:
            issued = voting.ballot_tokens_generate(actor=request.user, funding_round=funding_round,
                                                   community=form.cleaned_data["community"],
                                                   count=form.cleaned_data["count"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            response = render(request, "projects/review/ballots_print.html", {
                "funding_round": funding_round, "community": form.cleaned_data["community"], "issued": issued,
                "vote_url": request.build_absolute_uri(reverse("public:round_vote", args=[funding_round.public_id])),
            })
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "projects/review/ballots.html", {
        "funding_round": funding_round, "form": form, "page": paginate(request, selectors.ballot_tokens(funding_round)),
        "counts": selectors.ballot_token_counts(funding_round),
    })


@login_required
@require_POST
def ballot_token_revoke(request, public_id, token_id):
    funding_round = _round(request, public_id)
    token = BallotToken.objects.filter(funding_round=funding_round, public_id=token_id).first()
    if token is not None:
        voting.ballot_token_revoke(actor=request.user, token=token)
        messages.success(request, _("选票 %(serial)s 已作废。") % {"serial": token.serial})
    return redirect("projects:ballot_tokens", public_id=funding_round.public_id)
