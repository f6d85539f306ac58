"""Pages for record extracts (issue, register, print, Word copy, void), the national export, and the
public verification page (no login)."""

import io
import tempfile

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wushe.accounts.policy import Action, Resource, can, may_ever, require
from wushe.core.masking import mask_id_number
from wushe.core.pagination import paginate

from ..forms import add_service_errors
from . import exports, selectors, services
from .forms import ExportForm, ExtractFilterForm, ExtractIssueForm


def verify_url(request) -> str:
    return request.build_absolute_uri(reverse("volunteer_records:verify"))


@login_required
def records_extract_list(request):
    """The register of issued extracts (出具登记)."""
    require(request.user, Resource.SERVICE_RECORD, Action.VIEW)
    form = ExtractFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = paginate(request, selectors.extract_register(request.user, query=filters.get("q", ""),
                                                        status=filters.get("status", ""),
                                                        issued_from=filters.get("issued_from"),
                                                        issued_to=filters.get("issued_to")))
    context = {"page": page}
    if request.htmx:
        return render(request, "volunteers/records/extract_list.html#rows", context)
    context.update({"form": form, "may_issue": may_ever(request.user, Resource.SERVICE_RECORD, Action.CHANGE),
                    "may_export": may_ever(request.user, Resource.SERVICE_RECORD, Action.EXPORT)})
    return render(request, "volunteers/records/extract_list.html", context)


EXTRACT_ARGUMENTS = ("volunteer", "issuer_organization", "issuer_region", "period_start", "period_end",
                     "person_in_charge", "handler_name", "contact", "service_summary")


@login_required
def records_extract_issue(request):
    require(request.user, Resource.SERVICE_RECORD, Action.CHANGE)
    initial = {"volunteer": request.GET["volunteer"]} if request.GET.get("volunteer") else None
    form = ExtractIssueForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            extract = services.extract_issue(actor=request.user,
                                             **{k: form.cleaned_data[k] for k in EXTRACT_ARGUMENTS})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("记录证明已出具，编号 %(number)s。") % {"number": extract.number})
            return redirect("volunteers:records_extract_detail", public_id=extract.public_id)
    return render(request, "volunteers/records/extract_form.html", {"form": form})


def _extract_context(request, extract) -> dict:
    volunteer = extract.volunteer
    return {
        "extract": extract,
        "lines": selectors.extract_lines(extract),
        "id_number_display": mask_id_number(volunteer.id_number),
        "verify_url": verify_url(request),
        "not_official": exports.NOT_OFFICIAL,
    }


@login_required
def records_extract_detail(request, public_id):
    """The printable extract (A4 HTML): document type and a masked number only."""
    extract = selectors.extract_for(request.user, public_id)
    context = _extract_context(request, extract)
    context["may_void"] = not extract.is_voided and can(request.user, Action.CHANGE, Resource.SERVICE_RECORD,
                                                          extract)
    return render(request, "volunteers/records/extract_detail.html", context)


@login_required
def records_extract_docx(request, public_id):
    extract = selectors.extract_for(request.user, public_id)
    content = exports.extract_docx(extract, selectors.extract_lines(extract), verify_url=verify_url(request))
    filename = _("志愿服务记录证明-%(number)s.docx") % {"number": extract.number}
    return FileResponse(io.BytesIO(content), as_attachment=True, filename=filename,
                        content_type=exports.DOCX_CONTENT_TYPE)


@login_required
@require_POST
def records_extract_void(request, public_id):
    extract = selectors.extract_for(request.user, public_id, Action.CHANGE)
    try:
        services.extract_void(actor=request.user, extract=extract, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("记录证明已作废。"))
    return redirect("volunteers:records_extract_detail", public_id=extract.public_id)


# The national export ------------------------------------------------------------------------------------

def export_response(user, data: dict) -> FileResponse:
    """Written to a temporary file and streamed from it, so a large export never sits in memory."""
    file_format = data.get("file_format") or "xlsx"
    rows = selectors.export_rows(user, period_start=data.get("period_start"), period_end=data.get("period_end"),
                                 within=data.get("region"), organization=data.get("organization"))
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it, which deletes it)
    filters = {k: data.get(k) for k in ("period_start", "period_end", "region", "organization")}
    exports.records_export(actor=user, rows=rows, fileobj=fileobj, file_format=file_format, filters=filters)
    fileobj.seek(0)
    filename = _("志愿服务记录-全国系统导入-%(date)s.%(ext)s") % {"date": timezone.localdate().strftime("%Y%m%d"),
                                                              "ext": file_format}
    content_type = exports.CSV_CONTENT_TYPE if file_format == "csv" else exports.XLSX_CONTENT_TYPE
    return FileResponse(fileobj, as_attachment=True, filename=filename, content_type=content_type)


@login_required
def records_export(request):
    """The filter form and column list; `?download=1` sends the file."""
    require(request.user, Resource.SERVICE_RECORD, Action.EXPORT)
    form = ExportForm(request.GET or None, user=request.user)
    if request.GET.get("download") and form.is_valid():
        return export_response(request.user, form.cleaned_data)
    return render(request, "volunteers/records/export.html", {"form": form, "columns": exports.COLUMNS})


# Public verification (no login) -------------------------------------------------------------------------

def verify(request):
    number = request.GET.get("number", "").strip()
    if number:
        return redirect("volunteer_records:verify_number", number=number.upper())
    return render(request, "volunteers/records/public_verify.html", {})


def verify_number(request, number):
    """Valid or void, the volunteer's name and number, hours, period, issuer and date — no ID, no phone."""
    extract = selectors.public_extract(number)
    context = {"number": number, "extract": extract, "not_official": exports.NOT_OFFICIAL}
    if extract is not None:
        context["total_hours"] = extract.total_hours
    return render(request, "volunteers/records/public_result.html", context, status=200 if extract else 404)
