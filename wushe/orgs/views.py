import os

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, can, get_object_for, regions_for, require
from wushe.core.history import history_for
from wushe.core.pagination import paginate
from wushe.regions.models import Level, Region

from . import selectors, services
from .forms import (
    BoardMemberForm,
    GrowthRecordForm,
    MemberForm,
    OrganizationEditForm,
    OrganizationForm,
    VoidForm,
    organization_initial,
)
from .models import (
    GrowthMilestone,
    Organization,
    OrganizationKind,
    RegistrationStatus,
    ServiceOrientation,
)

# How many regions the list filter offers at most (admins at province scale would otherwise get thousands).
REGION_FILTER_LIMIT = 300


def _apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, or above the form."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _organization_for(request, public_id, action=Action.VIEW) -> Organization:
    return get_object_for(request.user, Resource.ORGANIZATION,
                          Organization.objects.select_related("region", "created_by", "voided_by"),
                          action=action, public_id=public_id)


def _detail_url(organization, anchor: str = "") -> str:
    url = reverse("orgs:organization_detail", args=[organization.public_id])
    return f"{url}#{anchor}" if anchor else url


# Organizations -----------------------------------------------------------------------------------------


@login_required
def organization_list(request):
    require(request.user, Resource.ORGANIZATION, Action.VIEW)
    params = request.GET
    region_code = params.get("region", "").strip()
    region = Region.objects.filter(code=region_code).first() if region_code else None
    organizations = selectors.organization_list(
        request.user, query=params.get("q", "").strip(), kind=params.get("kind", ""),
        status=params.get("status", ""), orientation=params.get("orientation", ""), region=region)
    page = paginate(request, organizations)
    for organization in page:
        organization.phone_display = selectors.display_phone(request.user, organization)
    if request.htmx:
        return render(request, "orgs/organization_list.html#rows", {"page": page})
    region_choices = list(
        regions_for(request.user, Resource.ORGANIZATION, Action.VIEW)
        .filter(level__gte=Level.COUNTY).order_by("code").only("code", "name", "level")[:REGION_FILTER_LIMIT])
    can_create = regions_for(request.user, Resource.ORGANIZATION, Action.CHANGE).exists()
    return render(request, "orgs/organization_list.html", {
        "page": page, "kinds": OrganizationKind.choices, "statuses": RegistrationStatus.choices,
        "orientations": ServiceOrientation.choices, "region_choices": region_choices, "can_create": can_create,
    })


@login_required
def organization_detail(request, public_id):
    organization = _organization_for(request, public_id)
    user = request.user
    board = selectors.board_for(organization)
    members = selectors.members_for(organization)
    timeline = selectors.growth_timeline(organization)
    checklist = selectors.milestone_checklist(organization, timeline=timeline, board=board, members=members)
    context = {
        "organization": organization,
        "phone_display": selectors.display_phone(user, organization),
        "board": board,
        "appointed_board": selectors.has_appointed_board(board),
        "members": members,
        "member_counts": selectors.member_counts(members),
        "timeline": timeline,
        "checklist": checklist,
        "growth_summary": selectors.growth_summary(checklist),
        "orientation_steps": selectors.orientation_steps(organization),
        "can_change": not organization.is_voided and can(user, Action.CHANGE, Resource.ORGANIZATION, organization),
    }
    if can(user, Action.HISTORY, Resource.ORGANIZATION, organization):
        context["history"] = selectors.organization_history(
            organization, identity_visible=organization.can_view_identity)
    return render(request, "orgs/organization_detail.html", context)


def _organization_fields(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("growth_evidence", None)
    data.pop("growth_evidence_file", None)
    return data


@login_required
def organization_create(request):
    require(request.user, Resource.ORGANIZATION, Action.CHANGE)
    regions = regions_for(request.user, Resource.ORGANIZATION, Action.CHANGE)
    if not regions.exists():
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(actor=request.user, **_organization_fields(form))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("组织已登记。"))
            return redirect(_detail_url(organization))
    return render(request, "orgs/organization_form.html", {"form": form, "organization": None})


@login_required
def organization_update(request, public_id):
    organization = _organization_for(request, public_id, Action.CHANGE)
    if organization.is_voided:
        raise PermissionDenied
    regions = regions_for(request.user, Resource.ORGANIZATION, Action.CHANGE)
    if not regions.filter(pk=organization.region_id).exists():
        regions = None
    form = OrganizationEditForm(request.POST or None, request.FILES or None, regions=regions,
                                initial=organization_initial(organization))
    if request.method == "POST" and form.is_valid():
        before = {"before_orientation": organization.orientation,
                  "before_status": organization.registration_status}
        try:
            created = services.organization_update(
                actor=request.user, organization=organization,
                growth_evidence=form.cleaned_data["growth_evidence"],
                growth_evidence_file=form.cleaned_data["growth_evidence_file"],
                **_organization_fields(form))
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("组织信息已保存。"))
            if created:
                messages.success(request, _("已同时生成成长记录。"))
                return redirect(_detail_url(organization, "growth"))
            changes = services.growth_changes(organization, **before)
            if changes:
                # A change of orientation or registration status is growth: invite the user to evidence it.
                milestone, detail = changes[0]
                messages.info(request, _("服务取向或登记状态已变更，请补充成长记录的佐证。"))
                query = urlencode({"milestone": milestone, "evidence": detail})
                return redirect(f"{reverse('orgs:growth_record_create', args=[organization.public_id])}?{query}")
            return redirect(_detail_url(organization))
    return render(request, "orgs/organization_form.html", {"form": form, "organization": organization})


@login_required
@require_POST
def organization_void(request, public_id):
    organization = _organization_for(request, public_id, Action.CHANGE)
    form = VoidForm(request.POST)
    form.is_valid()
    try:
        services.organization_void(actor=request.user, organization=organization,
                                   reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("组织已作废。"))
    return redirect(_detail_url(organization))


# Records that hang from an organization (board members, members, growth records) --------------------


class RecordKind:
    """How the three sub-records of an organization are edited (one set of views serves them all)."""

    def __init__(self, *, name, related, form_class, create, update, void, title_new, title_edit, anchor):
        self.name, self.related, self.form_class = name, related, form_class
        self.create, self.update, self.void = create, update, void
        self.title_new, self.title_edit, self.anchor = title_new, title_edit, anchor


KINDS = {
    "board": RecordKind(
        name="board_member", related="board_members", form_class=BoardMemberForm,
        create=services.board_member_create, update=services.board_member_update,
        void=services.board_member_void, title_new=gettext_lazy("添加理事会成员"), title_edit=gettext_lazy("编辑理事会成员"),
        anchor="board"),
    "member": RecordKind(
        name="member", related="members", form_class=MemberForm,
        create=services.organization_member_create, update=services.organization_member_update,
        void=services.organization_member_void, title_new=gettext_lazy("添加会员"), title_edit=gettext_lazy("编辑会员"),
        anchor="members"),
    "growth": RecordKind(
        name="growth_record", related="growth_records", form_class=GrowthRecordForm,
        create=services.growth_record_create, update=services.growth_record_update,
        void=services.growth_record_void, title_new=gettext_lazy("添加成长记录"), title_edit=gettext_lazy("编辑成长记录"),
        anchor="growth"),
}


def _record_for(organization, kind: RecordKind, record_id):
    return get_object_or_404(getattr(organization, kind.related).active(), public_id=record_id)


def _record_target(kind_key: str, record) -> dict:
    return {"board": {"member": record}, "member": {"member": record}, "growth": {"record": record}}[kind_key]


def _changeable_organization(request, public_id) -> Organization:
    organization = _organization_for(request, public_id, Action.CHANGE)
    if organization.is_voided:
        raise PermissionDenied
    return organization


def _record_create(request, public_id, kind_key):
    kind = KINDS[kind_key]
    organization = _changeable_organization(request, public_id)
    initial = {}
    if kind_key == "growth":
        milestone = request.GET.get("milestone", "")
        initial = {"milestone": milestone if milestone in GrowthMilestone.values else "",
                   "evidence": request.GET.get("evidence", "")[:500]}
    form = kind.form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not (k == "evidence_file" and not v)}
        try:
            kind.create(actor=request.user, organization=organization, **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_detail_url(organization, kind.anchor))
    return render(request, "orgs/record_form.html", {
        "form": form, "organization": organization, "title": kind.title_new, "anchor": kind.anchor,
        "multipart": kind_key == "growth"})


def _record_update(request, public_id, record_id, kind_key):
    kind = KINDS[kind_key]
    organization = _changeable_organization(request, public_id)
    record = _record_for(organization, kind, record_id)
    initial = {name: getattr(record, name) for name in kind.form_class.base_fields if name != "evidence_file"}
    form = kind.form_class(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if not (k == "evidence_file" and not v)}
        try:
            kind.update(actor=request.user, **_record_target(kind_key, record), **data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect(_detail_url(organization, kind.anchor))
    context = {"form": form, "organization": organization, "record": record, "title": kind.title_edit,
               "anchor": kind.anchor, "multipart": kind_key == "growth",
               "void_url": reverse(f"orgs:{kind.name}_void", args=[organization.public_id, record.public_id])}
    if can(request.user, Action.HISTORY, Resource.ORGANIZATION, organization):
        context["history"] = history_for(record)
    return render(request, "orgs/record_form.html", context)


def _record_void(request, public_id, record_id, kind_key):
    kind = KINDS[kind_key]
    organization = _changeable_organization(request, public_id)
    record = _record_for(organization, kind, record_id)
    form = VoidForm(request.POST)
    form.is_valid()
    try:
        kind.void(actor=request.user, reason=form.cleaned_data.get("reason", ""), **_record_target(kind_key, record))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(reverse(f"orgs:{kind.name}_update", args=[organization.public_id, record.public_id]))
    messages.success(request, _("记录已作废。"))
    return redirect(_detail_url(organization, kind.anchor))


@login_required
def board_member_create(request, public_id):
    return _record_create(request, public_id, "board")


@login_required
def board_member_update(request, public_id, record_id):
    return _record_update(request, public_id, record_id, "board")


@login_required
@require_POST
def board_member_void(request, public_id, record_id):
    return _record_void(request, public_id, record_id, "board")


@login_required
def member_create(request, public_id):
    return _record_create(request, public_id, "member")


@login_required
def member_update(request, public_id, record_id):
    return _record_update(request, public_id, record_id, "member")


@login_required
@require_POST
def member_void(request, public_id, record_id):
    return _record_void(request, public_id, record_id, "member")


@login_required
def growth_record_create(request, public_id):
    return _record_create(request, public_id, "growth")


@login_required
def growth_record_update(request, public_id, record_id):
    return _record_update(request, public_id, record_id, "growth")


@login_required
@require_POST
def growth_record_void(request, public_id, record_id):
    return _record_void(request, public_id, record_id, "growth")


@login_required
def growth_evidence_download(request, public_id, record_id):
    """Evidence files are served only through the organization's access check, never as public media."""
    organization = _organization_for(request, public_id)
    record = get_object_or_404(organization.growth_records.active(), public_id=record_id)
    if not record.evidence_file:
        raise Http404
    return FileResponse(record.evidence_file.open("rb"), as_attachment=True,
                        filename=os.path.basename(record.evidence_file.name))
