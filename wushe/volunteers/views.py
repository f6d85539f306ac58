from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, can, get_object_for, may_ever, require
from wushe.core.history import history_for
from wushe.core.masking import mask_id_number, mask_phone
from wushe.core.pagination import paginate

from . import selectors, services
from .forms import MembershipForm, TeamForm, VolunteerForm, add_service_errors
from .models import Team, Volunteer
from .records import selectors as records_selectors

MSG_VOLUNTEER_NOT_FOUND = services.MSG_VOLUNTEER_NOT_FOUND


def _volunteer(request, public_id, action=Action.VIEW) -> Volunteer:
    return get_object_for(request.user, Resource.VOLUNTEER, selectors.volunteer_detail_queryset(),
                          action=action, public_id=public_id)


def _team(request, public_id, action=Action.VIEW) -> Team:
    return get_object_for(request.user, Resource.TEAM, selectors.team_detail_queryset(), action=action,
                          public_id=public_id)


# Volunteers ---------------------------------------------------------------------------------------------

@login_required
def volunteer_list(request):
    require(request.user, Resource.VOLUNTEER, Action.VIEW)
    user, params = request.user, request.GET
    within = selectors.volunteer_filter_regions(user).filter(code=params["region"]).first() \
        if params.get("region") else None
    team = None
    if params.get("team"):
        try:
            team = selectors.team_filter_choices(user).filter(public_id=params["team"]).first()
        except ValidationError:
            team = None
    volunteers = selectors.volunteer_list(user, query=params.get("q", "").strip(), within=within, team=team,
                                          minors=params.get("minors") == "1")
    page = paginate(request, volunteers)
    for volunteer in page:
        volunteer.phone_display = mask_phone(volunteer.phone)
    context = {"page": page}
    if request.htmx:
        return render(request, "volunteers/volunteer_list.html#rows", context)
    context.update({
        "regions": selectors.volunteer_filter_regions(user),
        "teams": selectors.team_filter_choices(user),
        "may_create": may_ever(user, Resource.VOLUNTEER, Action.CHANGE),
        "own": selectors.own_volunteer(user),
    })
    return render(request, "volunteers/volunteer_list.html", context)


@login_required
def volunteer_me(request):
    """A volunteer's own profile (their volunteer number, teams and record)."""
    own = selectors.own_volunteer(request.user)
    if own is None:
        raise Http404
    return redirect("volunteers:volunteer_detail", public_id=own.public_id)


@login_required
def volunteer_detail(request, public_id):
    user = request.user
    volunteer = _volunteer(request, public_id)
    services.volunteer_log_read(actor=user, volunteer=volunteer)
    show_identity = can(user, Action.VIEW_IDENTITY, Resource.VOLUNTEER, volunteer)
    context = {
        "volunteer": volunteer,
        "is_self": volunteer.user_id is not None and volunteer.user_id == user.pk,
        "memberships": selectors.memberships_of_volunteer(user, volunteer),
        "id_number_display": volunteer.id_number if show_identity else mask_id_number(volunteer.id_number),
        "phone_display": volunteer.phone if show_identity else mask_phone(volunteer.phone),
        "may_change": not volunteer.is_voided and can(user, Action.CHANGE, Resource.VOLUNTEER, volunteer),
        "total_hours": records_selectors.hours(records_selectors.total_minutes(volunteer)),
        "guardian_phone_display": volunteer.guardian_phone if show_identity else mask_phone(volunteer.guardian_phone),
    }
    if can(user, Action.HISTORY, Resource.VOLUNTEER, volunteer):
        context["history"] = history_for(volunteer)
    return render(request, "volunteers/volunteer_detail.html", context)


VOLUNTEER_ARGUMENTS = ("name", "region", "sex", "birth_date", "document_type", "id_number", "phone", "skills",
                       "registered_on", "guardian_name", "guardian_phone", "guardian_consent_on")


@login_required
def volunteer_create(request):
    require(request.user, Resource.VOLUNTEER, Action.CHANGE)
    form = VolunteerForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_create(
                actor=request.user, **{k: form.cleaned_data[k] for k in VOLUNTEER_ARGUMENTS})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("志愿者已登记，编号 %(number)s。") % {"number": volunteer.volunteer_number})
            return redirect("volunteers:volunteer_detail", public_id=volunteer.public_id)
    return render(request, "volunteers/volunteer_form.html", {"form": form})


@login_required
def volunteer_edit(request, public_id):
    volunteer = _volunteer(request, public_id, Action.CHANGE)
    if volunteer.is_voided:
        messages.error(request, services.MSG_RECORD_VOIDED)
        return redirect("volunteers:volunteer_detail", public_id=volunteer.public_id)
    form = VolunteerForm(request.POST or None, user=request.user, instance=volunteer)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(actor=request.user, volunteer=volunteer,
                                      **{k: form.cleaned_data[k] for k in VOLUNTEER_ARGUMENTS})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("志愿者档案已保存。"))
            return redirect("volunteers:volunteer_detail", public_id=volunteer.public_id)
    return render(request, "volunteers/volunteer_form.html", {"form": form, "volunteer": volunteer})


@login_required
@require_POST
def volunteer_void(request, public_id):
    volunteer = _volunteer(request, public_id, Action.CHANGE)
    try:
        services.volunteer_void(actor=request.user, volunteer=volunteer, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("志愿者档案已作废。"))
    return redirect("volunteers:volunteer_detail", public_id=volunteer.public_id)


# Teams --------------------------------------------------------------------------------------------------

@login_required
def team_list(request):
    require(request.user, Resource.TEAM, Action.VIEW)
    user, params = request.user, request.GET
    organization = None
    if params.get("organization"):
        try:
            organization = selectors.organization_choices(user).filter(public_id=params["organization"]).first()
        except ValidationError:
            organization = None
    page = paginate(request, selectors.team_list(user, query=params.get("q", "").strip(),
                                                 organization=organization))
    context = {"page": page}
    if request.htmx:
        return render(request, "volunteers/team_list.html#rows", context)
    context.update({
        "organizations": selectors.organization_choices(user),
        "may_create": may_ever(user, Resource.TEAM, Action.CHANGE),
    })
    return render(request, "volunteers/team_list.html", context)


@login_required
def team_detail(request, public_id):
    user = request.user
    team = _team(request, public_id)
    may_change = not team.is_voided and can(user, Action.CHANGE, Resource.TEAM, team)
    context = {
        "team": team,
        "members": selectors.team_members(user, team),
        "may_change": may_change,
        "member_form": MembershipForm() if may_change else None,
    }
    if can(user, Action.HISTORY, Resource.TEAM, team):
        context["history"] = history_for(team)
    return render(request, "volunteers/team_detail.html", context)


TEAM_ARGUMENTS = ("name", "organization", "region", "founded_on", "description")


@login_required
def team_create(request):
    require(request.user, Resource.TEAM, Action.CHANGE)
    form = TeamForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(actor=request.user, **{k: form.cleaned_data[k] for k in TEAM_ARGUMENTS})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("服务队已创建。"))
            return redirect("volunteers:team_detail", public_id=team.public_id)
    return render(request, "volunteers/team_form.html", {"form": form})


@login_required
def team_edit(request, public_id):
    team = _team(request, public_id, Action.CHANGE)
    if team.is_voided:
        messages.error(request, services.MSG_TEAM_VOIDED)
        return redirect("volunteers:team_detail", public_id=team.public_id)
    form = TeamForm(request.POST or None, user=request.user, instance=team)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(actor=request.user, team=team, **{k: form.cleaned_data[k] for k in TEAM_ARGUMENTS})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("服务队已保存。"))
            return redirect("volunteers:team_detail", public_id=team.public_id)
    return render(request, "volunteers/team_form.html", {"form": form, "team": team})


@login_required
@require_POST
def team_void(request, public_id):
    team = _team(request, public_id, Action.CHANGE)
    try:
        services.team_void(actor=request.user, team=team, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("服务队已作废。"))
    return redirect("volunteers:team_detail", public_id=team.public_id)


@login_required
def membership_add(request, public_id):
    team = _team(request, public_id, Action.CHANGE)
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        volunteer = selectors.volunteer_for_membership(request.user, number=data["volunteer_number"],
                                                       name=data["name"])
        if volunteer is None:
            form.add_error("volunteer_number", MSG_VOLUNTEER_NOT_FOUND)
        else:
            try:
                services.team_membership_add(actor=request.user, team=team, volunteer=volunteer, role=data["role"],
                                             joined_on=data["joined_on"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已将 %(name)s 加入服务队。") % {"name": volunteer.name})
                return redirect("volunteers:team_detail", public_id=team.public_id)
    return render(request, "volunteers/membership_form.html", {"form": form, "team": team})


@login_required
@require_POST
def membership_void(request, public_id, membership_id):
    team = _team(request, public_id, Action.CHANGE)
    membership = selectors.team_membership_for(team, membership_id)
    if membership is None:
        raise Http404
    try:
        services.team_membership_void(actor=request.user, membership=membership,
                                      reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已将 %(name)s 移出服务队。") % {"name": membership.volunteer.name})
    return redirect("volunteers:team_detail", public_id=team.public_id)
