"""Public pages (no login) of the review area: the resident vote page of a round and the objection form of
the publicity period (公示)."""

from django import forms
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from ..models import FundingRound, ResidentVote, RoundStatus
from ..services import review as review_services
from ..services import voting

METHODS = {ResidentVote.Method.PHONE_CODE, ResidentVote.Method.BALLOT_TOKEN, ResidentVote.Method.ACCOUNT}


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("登记的手机号"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))


class CastForm(forms.Form):
    method = forms.ChoiceField(choices=ResidentVote.Method.choices, widget=forms.HiddenInput)
    phone = forms.CharField(required=False, max_length=20)
    code = forms.CharField(label=_("短信验证码"), required=False, max_length=10)
    token = forms.CharField(label=_("选票凭证码"), required=False, max_length=30)
    projects = forms.MultipleChoiceField(label=_("支持的项目"), required=False, choices=())

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projects"].choices = [(str(p.public_id), p.title) for p in projects]


class ObjectionForm(forms.Form):
    filer_name = forms.CharField(label=_("您的姓名"), max_length=50)
    filer_contact = forms.CharField(label=_("联系方式（手机或地址，便于答复）"), max_length=50, required=False)
    project = forms.ChoiceField(label=_("异议针对"), required=False, choices=())
    content = forms.CharField(label=_("异议内容"), max_length=review_services.OBJECTION_MAX_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 5}))
    website = forms.CharField(required=False, widget=forms.HiddenInput)  # left empty by people, filled by bots

    def __init__(self, *args, projects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [("", _("整个轮次"))] + [(str(p.public_id), p.title) for p in projects]


def _public_round(public_id) -> FundingRound:
    """A round everybody may see: any round that is neither a draft nor voided."""
    return get_object_or_404(FundingRound.objects.select_related("region").exclude(status=RoundStatus.DRAFT)
                             .filter(voided_at__isnull=True), public_id=public_id)


def _vote_context(request, funding_round, **extra) -> dict:
    projects = list(voting.votable_projects(funding_round).select_related("applicant", "region").order_by("title"))
    context = {
        "funding_round": funding_round,
        "projects": projects,
        "voting_open": voting.voting_is_open(funding_round),
        "account_resident": voting.resident_for_account(request.user),
        "phone_form": PhoneForm(),
        "step": "start",
        "selected": [],
    }
    context.update(extra)
    return context


def round_vote(request, public_id):
    funding_round = _public_round(public_id)
    return render(request, "projects/review/public/vote.html", _vote_context(request, funding_round))


@require_POST
def round_vote_code(request, public_id):
    """Send a code to the phone (only if registered); the answer is the same either way."""
    funding_round = _public_round(public_id)
    form = PhoneForm(request.POST)
    if form.is_valid():
        try:
            notice = voting.vote_code_request(funding_round=funding_round, phone=form.cleaned_data["phone"])
        except ValidationError as error:
            form.add_error("phone", error)
        else:
            return render(request, "projects/review/public/vote.html", _vote_context(
                request, funding_round, step="code", notice=notice, phone=form.cleaned_data["phone"]))
    return render(request, "projects/review/public/vote.html", _vote_context(request, funding_round, phone_form=form),
                  status=422)


@require_POST
def round_vote_cast(request, public_id):
    funding_round = _public_round(public_id)
    projects = list(voting.votable_projects(funding_round))
    form = CastForm(request.POST, projects=projects)
    if not form.is_valid() or form.cleaned_data["method"] not in METHODS:
        return render(request, "projects/review/public/vote.html",
                      _vote_context(request, funding_round, errors=[str(voting.MSG_PROJECT_NOT_VOTABLE)]), status=422)
    data = form.cleaned_data
    method = data["method"]
    try:
        if method == ResidentVote.Method.PHONE_CODE:
            votes = voting.votes_cast_with_code(funding_round=funding_round, phone=data["phone"], code=data["code"],
                                                projects=data["projects"])
        elif method == ResidentVote.Method.BALLOT_TOKEN:
            votes = voting.votes_cast_with_token(funding_round=funding_round, token=data["token"],
                                                 projects=data["projects"])
        else:
            votes = voting.votes_cast_by_account(actor=request.user, funding_round=funding_round,
                                                 projects=data["projects"])
    except ValidationError as error:
        step = {ResidentVote.Method.PHONE_CODE: "code", ResidentVote.Method.BALLOT_TOKEN: "token"}.get(method, "start")
        return render(request, "projects/review/public/vote.html", _vote_context(
            request, funding_round, step=step, errors=error.messages, phone=data["phone"], token=data["token"],
            selected=data["projects"]), status=422)
    return render(request, "projects/review/public/vote_done.html", {
        "funding_round": funding_round, "votes": votes})


def round_objection(request, public_id):
    funding_round = _public_round(public_id)
    projects = list(review_services.objection_projects(funding_round).order_by("rank", "title"))
    form = ObjectionForm(request.POST or None, projects=projects)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["website"]:
            return render(request, "projects/review/public/objection_done.html", {"funding_round": funding_round})
        project = next((p for p in projects if str(p.public_id) == data["project"]), None)
        try:
            review_services.objection_file(actor=request.user, funding_round=funding_round,
                                           filer_name=data["filer_name"], filer_contact=data["filer_contact"],
                                           content=data["content"], project=project)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            return render(request, "projects/review/public/objection_done.html", {"funding_round": funding_round})
    status = 422 if request.method == "POST" else 200
    return render(request, "projects/review/public/objection.html", {
        "funding_round": funding_round, "form": form, "open": review_services.publicity_is_open(funding_round),
        "projects": projects,
    }, status=status)
