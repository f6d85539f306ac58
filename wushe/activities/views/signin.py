"""The phone sign-in page behind a QR code (/signin/<token>/, no login needed, CSRF-protected forms).

The browser session remembers the rows it signed in, so a second scan offers sign-out (签退)."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ..forms.activities import SigninForm, add_service_errors
from ..services.signin import attendance_for_visitor, profile_of, qr_sign_in, qr_sign_out
from ..services.tokens import read_signin_token

SESSION_KEY = "wushe_signins"


def _known(request) -> list[str]:
    return list(request.session.get(SESSION_KEY, []))


def _remember(request, attendance) -> None:
    known = _known(request)
    if str(attendance.public_id) not in known:
        request.session[SESSION_KEY] = (known + [str(attendance.public_id)])[-50:]


@require_http_methods(["GET", "POST"])
def signin_page(request, token):
    try:
        session = read_signin_token(token).session
    except ValidationError as error:
        return render(request, "activities/signin_page.html", {"token_error": error.messages[0]}, status=400)
    profile = profile_of(request.user)
    form = SigninForm(request.POST or None)
    result = None
    if request.method == "POST":
        one_click = request.POST.get("one_click") == "1" and profile is not None
        if one_click or form.is_valid():
            data = {} if one_click else form.cleaned_data
            try:
                result = qr_sign_in(token=token, user=request.user, name=data.get("name", ""),
                                    phone=data.get("phone", ""),
                                    volunteer_number=data.get("volunteer_number", "") if data.get("is_volunteer")
                                    else "")
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                _remember(request, result.attendance)
    attendance = result.attendance if result else attendance_for_visitor(session, user=request.user,
                                                                         known_ids=_known(request))
    return render(request, "activities/signin_page.html", {
        "token": token, "session": session, "activity": session.activity, "form": form, "profile": profile,
        "result": result, "attendance": attendance,
    }, status=200 if not form.errors else 422)


@require_POST
def signout(request, token):
    try:
        session = read_signin_token(token).session
    except ValidationError as error:
        return render(request, "activities/signin_page.html", {"token_error": error.messages[0]}, status=400)
    attendance = attendance_for_visitor(session, user=request.user, known_ids=_known(request))
    try:
        if attendance is None:
            raise ValidationError("")
        qr_sign_out(token=token, attendance_id=attendance.public_id)
    except ValidationError:
        from ..services.signin import MSG_NOT_SIGNED_IN

        return render(request, "activities/signin_page.html", {
            "token": token, "session": session, "activity": session.activity, "form": SigninForm(),
            "profile": profile_of(request.user), "attendance": None, "signout_error": MSG_NOT_SIGNED_IN,
        }, status=422)
    return redirect("signin:page", token=token)
