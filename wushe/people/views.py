from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, can, get_object_for, may_ever, require
from wushe.core.identity import Sex
from wushe.core.masking import mask_id_number, mask_phone
from wushe.core.pagination import paginate

from . import selectors, services
from .forms import HouseholdForm, MemberAddForm, ResidentForm
from .models import Household, Resident

RESIDENT_FORM_FIELDS = ("name", "document_type", "id_number", "birth_date", "sex", "ethnicity", "phone", "address",
                        "consent_basis", "notes")


def _add_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form (unknown field names go to the top)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _messages_from(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- residents ------------------------------------------------------------------------------------------

@login_required
def resident_list(request):
    require(request.user, Resource.RESIDENT, Action.VIEW)
    params = request.GET
    residents = selectors.resident_list(
        request.user, query=params.get("q", ""), region=params.get("region", ""), group=params.get("group", ""),
        sex=params.get("sex", ""), age_band=params.get("age_band", ""),
        status=params.get("status", selectors.STATUS_ACTIVE))
    page = paginate(request, residents)
    if request.htmx:
        return render(request, "people/resident_list.html#rows", {"page": page})
    return render(request, "people/resident_list.html", {
        "page": page,
        "communities": selectors.community_choices(request.user),
        "groups": selectors.population_groups(),
        "sexes": Sex.choices,
        "age_bands": selectors.AgeBand.choices,
        "statuses": selectors.STATUS_CHOICES,
        "can_create": may_ever(request.user, Resource.RESIDENT, Action.CHANGE),
    })


@login_required
def resident_detail(request, public_id):
    resident = get_object_for(request.user, Resource.RESIDENT, selectors.resident_queryset(), public_id=public_id)
    selectors.mark_identity(request.user, resident)
    services.resident_record_read(actor=request.user, resident=resident)
    can_change = not resident.is_voided and can(request.user, Action.CHANGE, Resource.RESIDENT, resident)
    return render(request, "people/resident_detail.html", {
        "resident": resident,
        "id_number": selectors.shown_id_number(resident),
        "phone": selectors.shown_phone(resident),
        "can_change": can_change,
        "can_view_household": may_ever(request.user, Resource.HOUSEHOLD),
        "history": selectors.resident_history(request.user, resident),
    })


@login_required
def resident_create(request):
    require(request.user, Resource.RESIDENT, Action.CHANGE)
    form = ResidentForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            resident = services.resident_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已登记居民 %(name)s。") % {"name": resident.name})
            return redirect("people:resident_detail", public_id=resident.public_id)
    return render(request, "people/resident_form.html", {"form": form, "title": _("登记居民")})


@login_required
def resident_edit(request, public_id):
    resident = get_object_for(request.user, Resource.RESIDENT, selectors.resident_queryset(),
                              action=Action.CHANGE, public_id=public_id)
    if resident.is_voided:
        messages.error(request, services.MSG_RECORD_VOIDED)
        return redirect("people:resident_detail", public_id=resident.public_id)
    identity_visible = can(request.user, Action.VIEW_IDENTITY, Resource.RESIDENT, resident)
    initial = {field: getattr(resident, field) for field in RESIDENT_FORM_FIELDS}
    initial.update(region=resident.region.code, groups=[g.code for g in resident.groups.all()])
    if not identity_visible:
        initial.update(id_number="", phone="")
    form = ResidentForm(request.POST or None, initial=initial, user=request.user,
                        identity_hidden=not identity_visible)
    if not identity_visible:
        form.fields["id_number"].widget.attrs["placeholder"] = mask_id_number(resident.id_number)
        form.fields["phone"].widget.attrs["placeholder"] = mask_phone(resident.phone)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_update(actor=request.user, resident=resident,
                                     **form.service_fields(keep_blank_identity=not identity_visible))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("people:resident_detail", public_id=resident.public_id)
    return render(request, "people/resident_form.html", {
        "form": form, "resident": resident, "title": _("修改居民信息"),
    })


@login_required
@require_POST
def resident_void(request, public_id):
    resident = get_object_for(request.user, Resource.RESIDENT, Resident.objects.all(), action=Action.CHANGE,
                              public_id=public_id)
    try:
        services.resident_void(actor=request.user, resident=resident, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("已作废该居民记录。"))
    return redirect("people:resident_detail", public_id=resident.public_id)


# --- households -----------------------------------------------------------------------------------------

@login_required
def household_list(request):
    require(request.user, Resource.HOUSEHOLD, Action.VIEW)
    params = request.GET
    households = selectors.household_list(request.user, query=params.get("q", ""),
                                          region=params.get("region", ""),
                                          status=params.get("status", selectors.STATUS_ACTIVE))
    page = paginate(request, households)
    if request.htmx:
        return render(request, "people/household_list.html#rows", {"page": page})
    return render(request, "people/household_list.html", {
        "page": page,
        "communities": selectors.community_choices(request.user, Resource.HOUSEHOLD),
        "statuses": selectors.STATUS_CHOICES,
        "can_create": may_ever(request.user, Resource.HOUSEHOLD, Action.CHANGE),
    })


@login_required
def household_detail(request, public_id):
    household = get_object_for(request.user, Resource.HOUSEHOLD, selectors.household_queryset(),
                               public_id=public_id)
    can_change = not household.is_voided and can(request.user, Action.CHANGE, Resource.HOUSEHOLD, household)
    candidate_query = request.GET.get("candidate_q", "").strip()
    candidates = selectors.household_candidates(request.user, household, candidate_query) if can_change else []
    context = {
        "household": household,
        "candidates": candidates,
        "candidate_query": candidate_query,
        "can_change": can_change,
    }
    if request.htmx and request.htmx.target == "candidates":
        return render(request, "people/household_detail.html#candidates", context)
    context.update(
        members=selectors.household_members(request.user, household),
        can_view_residents=may_ever(request.user, Resource.RESIDENT),
        history=selectors.household_history(request.user, household),
    )
    return render(request, "people/household_detail.html", context)


@login_required
def household_create(request):
    require(request.user, Resource.HOUSEHOLD, Action.CHANGE)
    form = HouseholdForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            household = services.household_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已登记家庭户 %(name)s。") % {"name": household.name})
            return redirect("people:household_detail", public_id=household.public_id)
    return render(request, "people/household_form.html", {"form": form, "title": _("登记家庭户")})


@login_required
def household_edit(request, public_id):
    household = get_object_for(request.user, Resource.HOUSEHOLD, selectors.household_queryset(),
                               action=Action.CHANGE, public_id=public_id)
    if household.is_voided:
        messages.error(request, services.MSG_RECORD_VOIDED)
        return redirect("people:household_detail", public_id=household.public_id)
    members = household.members.active().order_by("name", "id")
    initial = {"region": household.region.code, "name": household.name, "address": household.address,
               "notes": household.notes, "head": household.head.public_id if household.head_id else None}
    form = HouseholdForm(request.POST or None, initial=initial, user=request.user, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(actor=request.user, household=household, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("people:household_detail", public_id=household.public_id)
    return render(request, "people/household_form.html", {
        "form": form, "household": household, "title": _("修改家庭户"),
    })


@login_required
@require_POST
def household_void(request, public_id):
    household = get_object_for(request.user, Resource.HOUSEHOLD, Household.objects.all(), action=Action.CHANGE,
                               public_id=public_id)
    try:
        services.household_void(actor=request.user, household=household, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("已作废该家庭户。"))
    return redirect("people:household_detail", public_id=household.public_id)


@login_required
@require_POST
def household_member_add(request, public_id):
    household = get_object_for(request.user, Resource.HOUSEHOLD, Household.objects.all(), action=Action.CHANGE,
                               public_id=public_id)
    form = MemberAddForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择要加入的居民。"))
        return redirect("people:household_detail", public_id=household.public_id)
    resident = get_object_for(request.user, Resource.RESIDENT, Resident.objects.all(), action=Action.CHANGE,
                              public_id=form.cleaned_data["resident"])
    try:
        services.household_add_member(actor=request.user, household=household, resident=resident,
                                      relation_to_head=form.cleaned_data["relation_to_head"],
                                      is_head=form.cleaned_data["is_head"])
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("%(name)s 已加入本户。") % {"name": resident.name})
    return redirect("people:household_detail", public_id=household.public_id)


@login_required
@require_POST
def household_member_remove(request, public_id, resident_id):
    household = get_object_for(request.user, Resource.HOUSEHOLD, Household.objects.all(), action=Action.CHANGE,
                               public_id=public_id)
    resident = get_object_for(request.user, Resource.RESIDENT, Resident.objects.all(), action=Action.CHANGE,
                              public_id=resident_id)
    try:
        services.household_remove_member(actor=request.user, household=household, resident=resident)
    except ValidationError as error:
        _messages_from(request, error)
    else:
        messages.success(request, _("%(name)s 已移出本户。") % {"name": resident.name})
    return redirect("people:household_detail", public_id=household.public_id)
