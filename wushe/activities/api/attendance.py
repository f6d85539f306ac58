"""/api/v1/services/activities/: attendance (mark, batch, void), identity review, and the public QR sign-in
(`POST /signin`, no authentication: the signed token in the body is the credential)."""

from uuid import UUID

from django.http import Http404
from ninja import Router, Status

from wushe.accounts.policy import Action, Resource, can, restrict
from wushe.core.api import unknown_reference
from wushe.core.masking import mask_phone
from wushe.people.models import Resident
from wushe.volunteers.models import Volunteer

from ..models import Attendance
from ..selectors import activities as selectors
from ..services import attendance as services
from ..services import pending as pending_services
from ..services.signin import qr_sign_in, qr_sign_out
from .activities import ERRORS
from .schemas import AttendanceOut, BatchIn, MarkIn, ReasonIn, ResolveIn, SigninIn, SigninOut, SignoutIn

router = Router(tags=["services"])


def _out(user, activity, rows) -> list[dict]:
    show = can(user, Action.VIEW_IDENTITY, Resource.ACTIVITY, activity)
    result = []
    for row in rows:
        phone = row.claimed_phone or (row.resident.phone if row.resident_id else "")
        row.phone = phone if show else mask_phone(phone)
        result.append(row)
    return result


def _row(activity, attendance_id) -> Attendance:
    row = (Attendance.objects.active().select_related("session", "resident", "volunteer")
           .filter(session__activity=activity, public_id=attendance_id).first())
    if row is None:
        raise Http404
    row.session.activity = activity
    return row


@router.get("/{uuid:public_id}/sessions/{uuid:session_id}/attendance", response={200: list[AttendanceOut], **ERRORS},
            summary="Attendance of one session (organizers only)")
def list_attendance(request, public_id: UUID, session_id: UUID):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    session = selectors.get_session_for(request.user, activity, session_id)
    return _out(request.user, activity, selectors.attendance_of(session))


@router.post("/{uuid:public_id}/sessions/{uuid:session_id}/attendance", response={201: AttendanceOut, **ERRORS},
             summary="Mark a resident or a volunteer present (a second mark updates the same row)")
def mark_attendance(request, public_id: UUID, session_id: UUID, payload: MarkIn):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    session = selectors.get_session_for(request.user, activity, session_id)
    resident = volunteer = None
    if payload.resident:
        resident = Resident.objects.active().filter(public_id=payload.resident).first()
        if resident is None:
            raise unknown_reference("resident")
    elif payload.volunteer_number:
        volunteer = Volunteer.objects.active().filter(volunteer_number=payload.volunteer_number.upper()).first()
        if volunteer is None:
            raise unknown_reference("volunteer_number")
    row = services.attendance_mark(actor=request.user, session=session, resident=resident, volunteer=volunteer,
                                   source=payload.source, signed_in_at=payload.signed_in_at,
                                   signed_out_at=payload.signed_out_at)
    return Status(201, _out(request.user, activity, [row])[0])


@router.post("/{uuid:public_id}/sessions/{uuid:session_id}/attendance/batch", response={201: list[AttendanceOut], **ERRORS},
             summary="Enter attendance afterwards: '姓名,手机号' lines and/or resident ids (all or nothing)")
def batch_attendance(request, public_id: UUID, session_id: UUID, payload: BatchIn):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    session = selectors.get_session_for(request.user, activity, session_id)
    residents = list(restrict(request.user, Resource.RESIDENT, Resident.objects.active())
                     .filter(public_id__in=payload.residents))
    if len(residents) != len(set(payload.residents)):
        raise unknown_reference("residents")
    rows = services.attendance_batch(actor=request.user, session=session, text=payload.lines, residents=residents)
    return Status(201, _out(request.user, activity, rows))


@router.post("/{uuid:public_id}/attendance/{uuid:attendance_id}/void", response={200: AttendanceOut, **ERRORS},
             summary="Void an attendance row (with a reason)")
def void_attendance(request, public_id: UUID, attendance_id: UUID, payload: ReasonIn):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    row = services.attendance_unmark(actor=request.user, attendance=_row(activity, attendance_id),
                                     reason=payload.reason)
    return _out(request.user, activity, [row])[0]


@router.get("/{uuid:public_id}/pending", response={200: list[AttendanceOut], **ERRORS},
            summary="Walk-ins awaiting identity review")
def list_pending(request, public_id: UUID):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    return _out(request.user, activity, selectors.pending_of(activity))


@router.post("/{uuid:public_id}/pending/{uuid:attendance_id}", response={200: list[AttendanceOut], **ERRORS},
             summary="Resolve a walk-in: match (resident id), create a resident, or reject (reason)")
def resolve_pending(request, public_id: UUID, attendance_id: UUID, payload: ResolveIn):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    row = _row(activity, attendance_id)
    if payload.decision == "match":
        resident = restrict(request.user, Resource.RESIDENT, Resident.objects.active()).filter(
            public_id=payload.resident).first() if payload.resident else None
        rows = pending_services.pending_match(actor=request.user, attendance=row, resident=resident)
    elif payload.decision == "create":
        rows = pending_services.pending_create_resident(actor=request.user, attendance=row)
    elif payload.decision == "reject":
        rows = pending_services.pending_reject(actor=request.user, attendance=row, reason=payload.reason)
    else:
        raise unknown_reference("decision")
    return _out(request.user, activity, rows)


def _signin_out(row, created: bool) -> dict:
    return {"attendance_id": row.public_id, "created": created, "pending": row.match_status == "pending",
            "person_name": row.person_name, "signed_in_at": row.signed_in_at, "signed_out_at": row.signed_out_at}


@router.post("/signin", auth=None, response={200: SigninOut, 201: SigninOut, 400: dict, 422: dict},
             summary="Public QR sign-in (no authentication; the signed token is the credential)")
def public_signin(request, payload: SigninIn):
    result = qr_sign_in(token=payload.token, user=request.user, name=payload.name, phone=payload.phone,
                        volunteer_number=payload.volunteer_number)
    return Status(201 if result.created else 200, _signin_out(result.attendance, result.created))


@router.post("/signout", auth=None, response={200: SigninOut, 422: dict},
             summary="Public QR sign-out (the token and the attendance id returned at sign-in)")
def public_signout(request, payload: SignoutIn):
    row = qr_sign_out(token=payload.token, attendance_id=payload.attendance_id)
    return _signin_out(row, False)
