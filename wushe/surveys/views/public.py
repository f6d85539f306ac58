"""Filling a survey through its public link or QR code (/s/<token>/, no staff account needed).

The start page asks for the community (and population group) and opens a draft; the fill page lives at
/s/<token>/r/<resume code>/, so the code (shown on the page) resumes the draft from any device. The browser
also keeps the code in a cookie and the start page offers to continue. Surveys that do not allow anonymous
answers send visitors to the login page first and record the signed-in user as the respondent; an
identified draft opens only for its own user.
"""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ..forms.responses import ResumeForm, StartForm, add_service_errors, ui_language
from ..models import CollectionMode, QuotaDimension, ResponseStatus
from ..selectors.responses import link_response
from ..selectors.surveys import communities_of
from ..services.links import survey_from_token
from ..services.responses import check_collecting, response_start
from .fill import handle_fill_post, render_fill

COOKIE_MAX_AGE = 60 * 60 * 24 * 90
MSG_UNKNOWN_CODE = _("续填码无效，或该答卷已提交。")


def _cookie(survey) -> str:
    return f"wushe_survey_{survey.public_id.hex}"


def _survey_or_404(token):
    survey = survey_from_token(token)
    if survey is None:
        raise Http404
    return survey


def _user(request):
    return request.user if request.user.is_authenticated else None


def _draft(survey, code, user):
    """The open draft a resume code names, if this visitor may continue it."""
    response = link_response(survey, code)
    if response is None or (response.respondent_user_id and response.respondent_user_id != getattr(user, "pk", None)):
        return None
    return response


@require_http_methods(["GET", "POST"])
def start(request, token):
    survey = _survey_or_404(token)
    if not survey.allow_anonymous and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        check_collecting(survey)
        closed = ""
    except ValidationError as error:
        closed = error.messages[0]
    user = _user(request)
    remembered = _draft(survey, request.COOKIES.get(_cookie(survey)), user)
    if remembered is not None and remembered.status != ResponseStatus.DRAFT:
        remembered = None
    resuming = request.method == "POST" and "resume-code" in request.POST
    form = StartForm(request.POST if request.method == "POST" and not resuming else None,
                     communities=communities_of(survey),
                     capture_group=survey.capture_group or survey.quota_by == QuotaDimension.GROUP)
    resume_form = ResumeForm(request.POST if resuming else None, prefix="resume")
    if resuming and resume_form.is_valid():
        found = _draft(survey, resume_form.cleaned_data["code"].strip(), user)
        if found is not None and found.status == ResponseStatus.DRAFT:
            return redirect("surveys_public:fill", token=token, code=found.resume_code)
        resume_form.add_error("code", MSG_UNKNOWN_CODE)
    elif request.method == "POST" and not closed and form.is_valid():
        try:
            response = response_start(actor=user, survey=survey, region=form.cleaned_data["region"],
                                      population_group=form.cleaned_data.get("population_group"),
                                      mode=CollectionMode.SELF, language=ui_language())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            page = redirect("surveys_public:fill", token=token, code=response.resume_code)
            page.set_cookie(_cookie(survey), response.resume_code, max_age=COOKIE_MAX_AGE, httponly=True,
                            samesite="Lax", secure=request.is_secure())
            return page
    failed = request.method == "POST" and (form.errors or resume_form.errors)
    return render(request, "surveys/fill/start.html", {
        "survey": survey, "token": token, "form": form, "resume_form": resume_form, "closed": closed,
        "remembered": remembered,
    }, status=422 if failed else 200)


@require_http_methods(["GET", "POST"])
def fill(request, token, code):
    survey = _survey_or_404(token)
    if not survey.allow_anonymous and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    response = link_response(survey, code)
    if response is None:
        raise Http404
    if response.respondent_user_id and response.respondent_user_id != request.user.pk:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise Http404
    response.survey = survey
    if response.status == ResponseStatus.SUBMITTED:
        page = render(request, "surveys/fill/thanks.html", {"survey": survey, "response": response})
        page.delete_cookie(_cookie(survey))
        return page
    extra = {"mode": "public", "editing": True, "token": token,
             "resume_url": request.build_absolute_uri(request.path)}
    if request.method == "POST":
        page, submitted = handle_fill_post(request, response, actor=_user(request), extra=extra)
        if submitted:
            return redirect("surveys_public:fill", token=token, code=code)
    else:
        try:
            check_collecting(survey)
        except ValidationError as error:
            extra.update(notice=error.messages[0], notice_level="danger")
        page = render_fill(request, response, **extra)
    page.set_cookie(_cookie(survey), response.resume_code, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                    secure=request.is_secure())
    return page
