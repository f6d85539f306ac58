from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import ApiTokenForm, LoginForm
from .models import ApiToken
from .policy import roles_of
from .selectors import api_tokens_of


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
def profile(request):
    form = ApiTokenForm()
    new_key = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                _token, new_key = services.api_token_create(actor=request.user, user=request.user,
                                                            name=form.cleaned_data["name"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                form = ApiTokenForm()
    assignments = request.user.role_assignments.active().select_related("region", "object_type")
    return render(request, "accounts/profile.html", {
        "form": form,
        "new_key": new_key,
        "tokens": api_tokens_of(request.user),
        "assignments": assignments,
        "roles": roles_of(request.user),
    })


@login_required
@require_POST
def token_revoke(request, public_id):
    token = get_object_or_404(ApiToken, public_id=public_id, user=request.user, revoked_at__isnull=True)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("令牌已撤销。"))
    return redirect("accounts:profile")
