"""转介: the referral form, the agency's answer, and the receiving worker's inbox and decision."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action

from .. import selectors
from ..forms import ReferralAnswerForm, ReferralForm, ReferralWithdrawForm, add_service_errors
from ..services import referrals
from ..services.reads import READ_REFERRAL, case_read_log
from ._detail import render_detail


@login_required
@require_POST
def case_refer(request, public_id):
    user = request.user
    case = selectors.get_case_for(user, public_id, Action.CHANGE)
    form = ReferralForm(request.POST, user=user, case=case)
    if form.is_valid():
        data = form.cleaned_data
        try:
            referrals.case_refer(actor=user, case=case, to_worker=data["to_worker"], to_agency=data["to_agency"],
                                 reason=data["reason"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("转介已发出，等待回复。"))
            return redirect("cases:case_detail", public_id=case.public_id)
    return render_detail(request, case, referral_form=form)


@login_required
@require_POST
def referral_agency_answer(request, public_id, referral_id):
    """A case worker records an outside agency's answer."""
    user = request.user
    case = selectors.get_case_for(user, public_id, Action.CHANGE)
    referral = selectors.case_referral_for(case, referral_id)
    form = ReferralAnswerForm(request.POST)
    if form.is_valid():
        try:
            referrals.referral_answer(actor=user, referral=referral, accept=form.cleaned_data["decision"] == "accept",
                                      note=form.cleaned_data["note"])
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("已记录机构的回复。"))
    return redirect("cases:case_detail", public_id=case.public_id)


@login_required
@require_POST
def referral_withdraw(request, public_id, referral_id):
    """A case worker withdraws a pending referral, so the case can be referred again."""
    user = request.user
    case = selectors.get_case_for(user, public_id, Action.CHANGE)
    referral = selectors.case_referral_for(case, referral_id)
    form = ReferralWithdrawForm(request.POST)
    try:
        referrals.referral_withdraw(actor=user, referral=referral,
                                    reason=form.cleaned_data["reason"] if form.is_valid() else "")
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("转介已撤回，可以重新转介。"))
    return redirect("cases:case_detail", public_id=case.public_id)


@login_required
def referral_inbox(request):
    """Referrals waiting for the viewer: case number, community and date only."""
    return render(request, "cases/referral_inbox.html", {"referrals": selectors.incoming_referrals(request.user)})


@login_required
def referral_decide(request, public_id):
    """The receiving worker sees what is needed to decide — not the narrative — and accepts or declines."""
    user = request.user
    referral = selectors.incoming_referral_for(user, public_id)
    form = ReferralAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["decision"] == "accept"
        try:
            referrals.referral_answer(actor=user, referral=referral, accept=accept, note=form.cleaned_data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if accept:
                messages.success(request, _("已接收转介，您现在是本个案的主责社工。"))
                return redirect("cases:case_detail", public_id=referral.case.public_id)
            messages.success(request, _("已拒绝该转介。"))
            return redirect("cases:referral_inbox")
    case_read_log(actor=user, case=referral.case, what=READ_REFERRAL, channel="page",
                  target=str(referral.public_id))
    return render(request, "cases/referral_decide.html", {
        "referral": referral, "form": form, "client_display": selectors.masked_name(referral.case.client.name)})
