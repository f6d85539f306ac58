"""The archive tab (档案) of a project, its uploads, permission-checked downloads, generated documents and
the whole-archive export."""

import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, can
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record
from wushe.core.history import history_for

from ..models import DocumentKind
from ..selectors import archive as selectors
from ..services import archive as services
from ..tabs import project_page_context

# Forms (parse input only; the services validate) ----------------------------------------------------------


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类别"), choices=DocumentKind.choices)
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    file = forms.FileField(label=gettext_lazy("文件"), max_length=200,
                           help_text=gettext_lazy("PDF、Word、Excel、PowerPoint、JPG、PNG，不超过 20 MB。"),
                           widget=forms.ClearableFileInput(attrs={"accept": services.DOCUMENT_ACCEPT}))
    note = forms.CharField(label=gettext_lazy("版本说明"), max_length=200, required=False)


class VersionForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("新版本文件"), max_length=200,
                           help_text=gettext_lazy("PDF、Word、Excel、PowerPoint、JPG、PNG，不超过 20 MB。"),
                           widget=forms.ClearableFileInput(attrs={"accept": services.DOCUMENT_ACCEPT}))
    note = forms.CharField(label=gettext_lazy("版本说明"), max_length=200, required=False)


class PhotoForm(forms.Form):
    image = forms.FileField(label=gettext_lazy("照片"), max_length=200,
                            help_text=gettext_lazy("JPG 或 PNG，不超过 10 MB。"),
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))
    caption = forms.CharField(label=gettext_lazy("说明"), max_length=200, required=False)
    taken_on = forms.DateField(label=gettext_lazy("拍摄日期"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}))


class VoidForm(forms.Form):
    reason = forms.CharField(required=False)


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# Access -------------------------------------------------------------------------------------------------


def _project(request, public_id):
    return selectors.project_for(request.user, public_id)


def _project_for_change(request, public_id):
    """404 when the project is not visible, 403 when the viewer may not write to its archive."""
    project = selectors.project_for(request.user, public_id)
    if not selectors.may_change_archive(request.user, project):
        audit_record(actor=request.user, kind=AuditEvent.Kind.DENIED,
                     target=f"{Resource.PROJECT}:archive:{project.public_id}", action="archive_change", status=403)
        raise PermissionDenied
    return project


def _archive_url(project, anchor: str = "") -> str:
    url = reverse("projects:project_archive", args=[project.public_id])
    return f"{url}#{anchor}" if anchor else url


def _generated_links(project, reports) -> list[dict]:
    args = [project.public_id]
    links = [
        {"key": "application", "label": _("申报书"), "url": reverse("projects:document_application", args=args),
         "icon": "bi-file-earmark-word"},
        {"key": "plan", "label": _("实施方案"), "url": reverse("projects:document_plan", args=args),
         "icon": "bi-file-earmark-word"},
        {"key": "final_report", "label": _("结项报告"), "url": reverse("projects:document_final_report", args=args),
         "icon": "bi-file-earmark-word"},
        {"key": "ledger", "label": _("项目专账"), "url": reverse("projects:document_ledger", args=args),
         "icon": "bi-file-earmark-excel"},
    ]
    for report in reports:
        links.append({"key": "report", "report": report.public_id,
                      "label": f"{report.get_kind_display()} {report.period_start:%Y-%m-%d}–{report.period_end:%Y-%m-%d}",
                      "url": reverse("projects:document_report", args=[project.public_id, report.public_id]),
                      "icon": "bi-file-earmark-word"})
    return links


# The archive tab ----------------------------------------------------------------------------------------


@login_required
def project_archive(request, public_id):
    project = _project(request, public_id)
    user = request.user
    documents = selectors.archive_documents(project)
    reports = list(selectors.project_reports(project))
    context = project_page_context(
        project, active="archive",
        groups=selectors.documents_by_kind(documents),
        voided_documents=[d for d in documents if d.is_voided],
        photos=list(selectors.archive_photos(project)),
        generated=_generated_links(project, reports),
        may_change=services.archive_open(project) and selectors.may_change_archive(user, project),
        may_export=can(user, Action.EXPORT, Resource.PROJECT, project),
    )
    return render(request, "projects/archive/archive.html", context)


@login_required
def archive_document_create(request, public_id):
    project = _project_for_change(request, public_id)
    form = DocumentForm(request.POST or None, request.FILES or None,
                        initial={"kind": request.GET.get("kind", DocumentKind.OTHER)})
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("文件已存入档案。"))
            return redirect("projects:archive_document_detail", project.public_id, document.public_id)
    return render(request, "projects/archive/document_form.html",
                  project_page_context(project, active="archive", form=form))


@login_required
def archive_document_detail(request, public_id, document_id):
    project = _project(request, public_id)
    document = selectors.archive_document_for(project, document_id)
    user = request.user
    may_change = (services.archive_open(project) and not document.is_voided
                  and selectors.may_change_archive(user, project))
    context = project_page_context(project, active="archive", document=document, may_change=may_change,
                                   form=VersionForm() if may_change else None)
    if can(user, Action.HISTORY, Resource.PROJECT, project):
        context["history"] = history_for(document)
    return render(request, "projects/archive/document_detail.html", context)


@login_required
def archive_version_create(request, public_id, document_id):
    project = _project_for_change(request, public_id)
    document = selectors.archive_document_for(project, document_id)
    form = VersionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.document_version_add(actor=request.user, document=document, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("已上传新版本 v%(n)s。") % {"n": version.number})
            return redirect("projects:archive_document_detail", project.public_id, document.public_id)
    context = project_page_context(project, active="archive", document=document, may_change=True, form=form)
    if can(request.user, Action.HISTORY, Resource.PROJECT, project):
        context["history"] = history_for(document)
    return render(request, "projects/archive/document_detail.html", context)


@login_required
@require_POST
def archive_document_void(request, public_id, document_id):
    project = _project_for_change(request, public_id)
    document = selectors.archive_document_for(project, document_id)
    form = VoidForm(request.POST)
    form.is_valid()
    try:
        services.document_void(actor=request.user, document=document, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("projects:archive_document_detail", project.public_id, document.public_id)
    messages.success(request, _("文件已作废。"))
    return redirect(_archive_url(project, "documents"))


@login_required
def archive_version_download(request, public_id, version_id):
    """Every version, current or older, through the project's access check (never a public media URL)."""
    project = _project(request, public_id)
    version = selectors.archive_version_for(project, version_id)
    response = FileResponse(version.file.open("rb"), as_attachment=True, filename=version.original_name)
    response["Cache-Control"] = "private, no-store"
    return response


# Photos -------------------------------------------------------------------------------------------------


@login_required
def archive_photo_create(request, public_id):
    project = _project_for_change(request, public_id)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.photo_create(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("照片已上传。"))
            return redirect(_archive_url(project, "photos"))
    return render(request, "projects/archive/photo_form.html",
                  project_page_context(project, active="archive", form=form))


@login_required
def archive_photo_download(request, public_id, photo_id):
    """The photo (or, with ?thumb=1, a small JPEG of it) through the project's access check."""
    project = _project(request, public_id)
    photo = selectors.archive_photo_for(project, photo_id)
    if photo.is_voided and not selectors.may_change_archive(request.user, project):
        raise Http404  # a voided photo (e.g. no consent) is kept, but only for those who manage the archive
    if request.GET.get("thumb"):
        response = HttpResponse(services.photo_thumbnail(photo), content_type="image/jpeg")
    else:
        response = FileResponse(photo.image.open("rb"), as_attachment=request.GET.get("download") == "1",
                                filename=f"{services.safe_filename(photo.caption or 'photo', 40)}"
                                         f"{services.file_extension(photo.image.name)}")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_POST
def archive_photo_void(request, public_id, photo_id):
    project = _project_for_change(request, public_id)
    photo = selectors.archive_photo_for(project, photo_id)
    form = VoidForm(request.POST)
    form.is_valid()
    try:
        services.photo_void(actor=request.user, photo=photo, reason=form.cleaned_data.get("reason", ""))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("照片已作废。"))
    return redirect(_archive_url(project, "photos"))


# Export and generated documents -------------------------------------------------------------------------


@login_required
def project_archive_export(request, public_id):
    project = selectors.project_for(request.user, public_id, Action.EXPORT)
    filename, spool = services.archive_export(actor=request.user, project=project)
    response = FileResponse(spool, as_attachment=True, filename=filename, content_type="application/zip")
    response["Cache-Control"] = "private, no-store"
    return response


def _generated_response(request, project, which, report=None):
    filename, content_type, content = services.generated_document_download(
        actor=request.user, project=project, which=which, report=report)
    response = FileResponse(io.BytesIO(content), as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def document_application(request, public_id):
    return _generated_response(request, _project(request, public_id), "application")


@login_required
def document_plan(request, public_id):
    return _generated_response(request, _project(request, public_id), "plan")


@login_required
def document_final_report(request, public_id):
    return _generated_response(request, _project(request, public_id), "final_report")


@login_required
def document_ledger(request, public_id):
    return _generated_response(request, _project(request, public_id), "ledger")


@login_required
def document_report(request, public_id, report_id):
    project = _project(request, public_id)
    report = selectors.project_report_for(project, report_id)
    return _generated_response(request, project, "report", report)


@login_required
@require_POST
def document_save(request, public_id, which):
    """Store a generated document in the archive as a new version (系统生成)."""
    project = _project_for_change(request, public_id)
    if which not in services.GENERATED:
        raise Http404
    report = None
    if which == "report":
        report = selectors.project_report_for(project, request.POST.get("report", ""))
    try:
        version = services.generated_document_save(actor=request.user, project=project, which=which, report=report)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_archive_url(project, "generated"))
    messages.success(request, _("已存入档案：%(title)s v%(n)s") % {"title": version.document.title, "n": version.number})
    return redirect(_archive_url(project, "documents"))
