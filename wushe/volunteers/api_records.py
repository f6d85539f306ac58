"""/api/v1/services/volunteer-records/: volunteer hours, corrections, record extracts, public verification
and the national export, over the same selectors, services and policy as the pages."""

import tempfile
from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils import timezone
from ninja import Router
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, require
from wushe.core.api import ErrorOut

from .models import CorrectionStatus
from .records import exports, selectors, services
from .records.schemas import (
    AnswerIn,
    ConfirmIn,
    ConfirmRowOut,
    CorrectionIn,
    CorrectionOut,
    ExtractDetailOut,
    ExtractIn,
    ExtractOut,
    MyHoursOut,
    VerifyOut,
    VoidIn,
)
from .records.units import Unit

router = Router(tags=["services"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# My hours and corrections (a volunteer) -----------------------------------------------------------------

def _own(request):
    own = selectors.own_volunteer(request.user)
    if own is None:
        raise Http404
    return own


@router.get("/me", response={200: MyHoursOut, **ERRORS}, summary="The caller's own service records and total hours")
def my_hours(request):
    own = _own(request)
    minutes = selectors.total_minutes(own)
    return {"volunteer_number": own.volunteer_number, "name": own.name, "total_minutes": minutes,
            "total_hours": selectors.hours(minutes), "records": list(selectors.records_of(own))}


@router.get("/me/corrections", response={200: list[CorrectionOut], **ERRORS}, summary="The caller's correction requests")
def my_corrections(request):
    return list(selectors.corrections_of(_own(request)).select_related("volunteer"))


@router.post("/records/{uuid:attendance_id}/corrections", response={201: CorrectionOut, **ERRORS},
             summary="Ask the organizer to correct one confirmed record (the volunteer only)")
def request_correction(request, attendance_id: UUID, payload: CorrectionIn):
    attendance = selectors.own_attendance(request.user, attendance_id)
    if attendance is None:
        raise Http404
    correction = services.hours_correction_request(actor=request.user, attendance=attendance, **payload.dict())
    return 201, correction


@router.get("/me/extracts", response={200: list[ExtractOut], **ERRORS}, summary="The caller's record extracts")
def my_extracts(request):
    return list(selectors.extract_register(request.user, volunteer=_own(request)))


# The organizer ------------------------------------------------------------------------------------------

@router.get("/activities/{uuid:activity_id}/hours", response={200: list[ConfirmRowOut], **ERRORS},
            summary="Volunteer rows of an activity with their minutes and status (the organizer)")
def activity_hours(request, activity_id: UUID):
    activity = selectors.activity_for_hours(request.user, activity_id, Action.CHANGE)
    return list(selectors.activity_volunteer_rows(activity))


@router.post("/activities/{uuid:activity_id}/confirm", response={200: list[ConfirmRowOut], **ERRORS},
             summary="Confirm volunteer hours (optionally adjusting minutes within the actual time on site)")
def confirm_hours(request, activity_id: UUID, payload: ConfirmIn):
    activity = selectors.activity_for_hours(request.user, activity_id, Action.CHANGE)
    attendances = None
    if payload.attendance_ids is not None:
        wanted = {str(i) for i in payload.attendance_ids}
        attendances = [r for r in selectors.activity_volunteer_rows(activity) if str(r.public_id) in wanted]
        if len(attendances) != len(wanted):
            raise ValidationError({"attendance_ids": [services.MSG_OTHER_ACTIVITY]})
    services.hours_confirm(actor=request.user, activity=activity, attendances=attendances,
                           minutes_overrides=payload.minutes, service_contents=payload.service_contents,
                           evaluations=payload.evaluations)
    return list(selectors.activity_volunteer_rows(activity))


@router.get("/corrections", response={200: list[CorrectionOut], **ERRORS},
            summary="Correction requests on activities the caller organizes, pending first")
@paginate
def list_corrections(request, status: str = ""):
    require(request.user, Resource.ACTIVITY, Action.CHANGE)
    return selectors.corrections_inbox(request.user, status=status if status in CorrectionStatus.values else "")


@router.post("/corrections/{uuid:correction_id}/answer", response={200: CorrectionOut, **ERRORS},
             summary="Accept (changes the minutes) or refuse (needs an answer) a correction — the organizer only")
def answer_correction(request, correction_id: UUID, payload: AnswerIn):
    correction = selectors.correction_for(request.user, correction_id)
    if correction is None:
        raise Http404
    services.hours_correction_answer(actor=request.user, correction=correction, **payload.dict())
    return selectors.correction_for(request.user, correction_id)


# Extracts -----------------------------------------------------------------------------------------------

@router.get("/extracts", response={200: list[ExtractOut], **ERRORS}, summary="The register of issued extracts")
@paginate
def list_extracts(request, q: str = "", status: str = "", issued_from: date | None = None,
                  issued_to: date | None = None):
    require(request.user, Resource.SERVICE_RECORD, Action.VIEW)
    return selectors.extract_register(request.user, query=q, status=status, issued_from=issued_from,
                                      issued_to=issued_to)


def _issuer_unit(request, payload: ExtractIn) -> Unit | None:
    units = selectors.issuer_units(request.user)
    for unit in units:
        if payload.issuer_organization_id is not None:
            if unit.organization is not None and unit.organization.public_id == payload.issuer_organization_id:
                return unit
        elif unit.organization is None and unit.region.code == payload.issuer_region_code:
            return unit
    return None


@router.post("/extracts", response={201: ExtractDetailOut, **ERRORS},
             summary="Issue a record extract of the unit's own confirmed hours for one volunteer")
def issue_extract(request, payload: ExtractIn):
    require(request.user, Resource.SERVICE_RECORD, Action.CHANGE)
    if payload.issuer_organization_id is None and not payload.issuer_region_code:
        raise ValidationError({"issuer": [services.MSG_ISSUER_REQUIRED]})
    unit = _issuer_unit(request, payload)
    volunteer = selectors.issuable_volunteers(request.user).filter(public_id=payload.volunteer_id).first()
    if unit is None or volunteer is None:
        raise ValidationError(services.MSG_NO_CONFIRMED_HOURS)
    data = payload.dict(exclude={"volunteer_id", "issuer_organization_id", "issuer_region_code"})
    extract = services.extract_issue(actor=request.user, volunteer=volunteer, issuer_organization=unit.organization,
                                     issuer_region=unit.region, **data)
    return 201, selectors.extract_for(request.user, extract.public_id)


@router.get("/extracts/{uuid:extract_id}", response={200: ExtractDetailOut, **ERRORS}, summary="One extract")
def get_extract(request, extract_id: UUID):
    return selectors.extract_for(request.user, extract_id)


@router.post("/extracts/{uuid:extract_id}/void", response={200: ExtractDetailOut, **ERRORS}, summary="Void an extract")
def void_extract(request, extract_id: UUID, payload: VoidIn):
    extract = selectors.extract_for(request.user, extract_id, Action.CHANGE)
    services.extract_void(actor=request.user, extract=extract, reason=payload.reason)
    return selectors.extract_for(request.user, extract_id)


@router.get("/verify/{number}", auth=None, response={200: VerifyOut, 404: ErrorOut},
            summary="Public verification of an extract by its number (no login; no ID number, no phone)")
def verify(request, number: str):
    extract = selectors.public_extract(number)
    if extract is None:
        raise Http404
    return {"number": extract.number, "valid": not extract.is_voided,
            "voided_on": timezone.localtime(extract.voided_at).date() if extract.voided_at else None,
            "volunteer_name": extract.volunteer.name, "volunteer_number": extract.volunteer.volunteer_number,
            "total_hours": extract.total_hours, "period_start": extract.period_start,
            "period_end": extract.period_end, "issuer_name": extract.issuer_name, "issued_on": extract.issued_on,
            "notice": str(exports.NOT_OFFICIAL)}


# The national export ------------------------------------------------------------------------------------

@router.get("/export", response={200: None, **ERRORS}, summary="Confirmed hours for the national system upload "
            "(xlsx or csv; full ID numbers; audited; columns in docs/volunteer-export.md)")
def export(request, format: str = "xlsx", period_start: date | None = None, period_end: date | None = None,
           region: str = "", organization: UUID | None = None):
    user = request.user
    require(user, Resource.SERVICE_RECORD, Action.EXPORT)
    if format not in exports.FORMATS:
        raise ValidationError({"format": [services.MSG_FIELD_REQUIRED]})
    within = selectors.export_region(user, region) if region else None
    if region and within is None:
        raise Http404
    organization_obj = None
    if organization is not None:
        organization_obj = selectors.export_organizations(user).filter(public_id=organization).first()
        if organization_obj is None:
            raise Http404
    rows = selectors.export_rows(user, period_start=period_start, period_end=period_end, within=within,
                                 organization=organization_obj)
    fileobj = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    exports.records_export(actor=user, rows=rows, fileobj=fileobj, file_format=format,
                           filters={"period_start": period_start, "period_end": period_end, "region": region,
                                    "organization": organization})
    fileobj.seek(0)
    content_type = exports.CSV_CONTENT_TYPE if format == "csv" else exports.XLSX_CONTENT_TYPE
    return FileResponse(fileobj, as_attachment=True, content_type=content_type,
                        filename=f"volunteer-records-{timezone.localdate():%Y%m%d}.{format}")

