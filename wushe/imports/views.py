import os
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts import policy
from wushe.accounts.policy import Action
from wushe.audit.models import AuditEvent
from wushe.audit.services import audit_record

from .forms import ImportUploadForm
from .kinds import SPECS, spec_for
from .models import ImportKind
from .selectors import job_for, jobs_of
from .services import import_job_commit, import_job_create, registry_export
from .workbooks import XLSX_CONTENT_TYPE, error_report_workbook, kind_label, template_workbook

RECENT_JOBS = 10
ERRORS_ON_PAGE = 100


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _cards(user, forms: dict | None = None) -> list[dict]:
    cards = []
    for kind in ImportKind.values:
        spec = SPECS[kind]
        can_import = policy.may_ever(user, spec.resource, Action.IMPORT)
        can_export = policy.may_ever(user, spec.resource, Action.EXPORT)
        if can_import or can_export:
            form = (forms or {}).get(kind) or ImportUploadForm(prefix=kind)
            cards.append({"kind": kind, "label": kind_label(spec), "can_import": can_import,
                          "can_export": can_export, "form": form, "help": spec.matching_help})
    return cards


def _hub(request, forms: dict | None = None):
    cards = _cards(request.user, forms)
    if not cards:
        audit_record(actor=request.user, kind=AuditEvent.Kind.DENIED, target="imports:hub", action="import",
                     status=403)
        raise PermissionDenied
    jobs = jobs_of(request.user).defer("errors")[:RECENT_JOBS]
    return render(request, "imports/hub.html", {"cards": cards, "jobs": jobs})


@login_required
def hub(request):
    return _hub(request)


@login_required
def template_download(request, kind):
    spec = spec_for(kind)
    policy.require(request.user, spec.resource, Action.IMPORT)
    return xlsx_response(template_workbook(spec), _("%(kind)s导入模板.xlsx") % {"kind": kind_label(spec)})


@login_required
@require_POST
def upload(request, kind):
    spec = spec_for(kind)
    policy.require(request.user, spec.resource, Action.IMPORT)
    form = ImportUploadForm(request.POST, request.FILES, prefix=spec.kind)
    if form.is_valid():
        try:
            job = import_job_create(actor=request.user, kind=spec.kind, upload=form.cleaned_data["file"],
                                    dry_run=form.cleaned_data["dry_run"], language=translation.get_language())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("imports:job_detail", public_id=job.public_id)
    return _hub(request, forms={spec.kind: form})


@login_required
def job_detail(request, public_id):
    job = job_for(request.user, public_id)
    context = {"job": job, "errors": job.errors[:ERRORS_ON_PAGE],
               "more_errors": max(0, len(job.errors) - ERRORS_ON_PAGE)}
    template = "imports/job_detail.html#status" if request.htmx else "imports/job_detail.html"
    return render(request, template, context)


@login_required
@require_POST
def job_commit(request, public_id):
    job = job_for(request.user, public_id)
    try:
        new_job = import_job_commit(actor=request.user, job=job, language=translation.get_language())
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("imports:job_detail", public_id=job.public_id)
    return redirect("imports:job_detail", public_id=new_job.public_id)


@login_required
def job_errors(request, public_id):
    job = job_for(request.user, public_id)
    return xlsx_response(error_report_workbook(job), _("导入错误报告-%(file)s.xlsx") % {"file": os.path.splitext(job.original_name)[0]})


def export_response(user, kind: str) -> FileResponse:
    """Written to a temporary file and streamed from it, so a large export never sits in memory."""
    spec = spec_for(kind)
    policy.require(user, spec.resource, Action.EXPORT)
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it, which deletes it)
    registry_export(actor=user, kind=spec.kind, fileobj=fileobj)
    fileobj.seek(0)
    filename = _("%(kind)s导出-%(date)s.xlsx") % {"kind": kind_label(spec),
                                                 "date": timezone.localdate().strftime("%Y%m%d")}
    return FileResponse(fileobj, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


@login_required
def export(request, kind):
    return export_response(request.user, kind)
