"""/api/v1/services/activities/: activities, sessions, sign-up, feedback, stats and the QR link, over the same
selectors, services and policy as the pages."""

from uuid import UUID

from ninja import Router, Status
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, require, restrict
from wushe.core.api import ErrorOut, unknown_reference
from wushe.orgs.models import Organization
from wushe.people.models import Resident
from wushe.projects.models import Project
from wushe.regions.models import Region
from wushe.volunteers.models import Volunteer
from wushe.workforce.models import SocialWorker

from ..selectors import activities as selectors
from ..services import activities as services
from ..services import media, signup
from ..services.tokens import make_signin_token, token_expiry
from .schemas import (
    ActivityDetailOut,
    ActivityIn,
    ActivityOut,
    ActivityPatch,
    FeedbackIn,
    FeedbackOut,
    QrOut,
    ReasonIn,
    RegistrationIn,
    RegistrationOut,
    SessionIn,
    SessionOut,
    StatsOut,
    TransitionIn,
)

router = Router(tags=["services"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}



def _resolve(user, data: dict) -> dict:
    if "region" in data:
        data["region"] = Region.objects.filter(code=data["region"]).first()
        if data["region"] is None:
            raise unknown_reference("region")
    lookups = {"organization": (Resource.ORGANIZATION, Organization), "project": (Resource.PROJECT, Project),
               "lead_worker": (Resource.SOCIAL_WORKER, SocialWorker)}
    for field, (resource, model) in lookups.items():
        if data.get(field):
            found = restrict(user, resource, model.objects.active()).filter(public_id=data[field]).first()
            if found is None:
                raise unknown_reference(field)
            data[field] = found
    return data


def _stats_out(stats) -> dict:
    return {**stats.__dict__, "participants": stats.participants.__dict__, "volunteers": stats.volunteers.__dict__,
            "indirect_basis": stats.indirect_basis}


@router.get("/", response={200: list[ActivityOut], **ERRORS}, summary="List activities the viewer may see")
@paginate
def list_activities(request, q: str = "", kind: str = "", status: str = "", region: str = ""):
    require(request.user, Resource.ACTIVITY, Action.VIEW)
    within = Region.objects.filter(code=region).first() if region else None
    return selectors.activities_visible_to(request.user, kind=kind or None, status=status or None, region=within,
                                           query=q)


@router.post("/", response={201: ActivityDetailOut, **ERRORS}, summary="Plan an activity (CHANGE in its region)")
def create_activity(request, payload: ActivityIn):
    require(request.user, Resource.ACTIVITY, Action.CHANGE)
    data = _resolve(request.user, payload.dict())
    activity = services.activity_create(actor=request.user, **data)
    return Status(201, activity)


@router.get("/{uuid:public_id}", response={200: ActivityDetailOut, **ERRORS}, summary="One activity")
def get_activity(request, public_id: UUID):
    return selectors.get_activity_for(request.user, public_id)


@router.patch("/{uuid:public_id}", response={200: ActivityDetailOut, **ERRORS}, summary="Change an activity (fields sent)")
def update_activity(request, public_id: UUID, payload: ActivityPatch):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    services.activity_update(actor=request.user, activity=activity, **payload.dict(exclude_unset=True))
    return activity


@router.post("/{uuid:public_id}/transition", response={200: ActivityDetailOut, **ERRORS},
             summary="open (sign-up) · close (sign-up) · complete · cancel (with reason)")
def transition_activity(request, public_id: UUID, payload: TransitionIn):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    services.activity_transition(actor=request.user, activity=activity, transition=payload.transition,
                                 reason=payload.reason)
    return activity


@router.post("/{uuid:public_id}/void", response={200: ActivityDetailOut, **ERRORS}, summary="Void an activity (with a reason)")
def void_activity(request, public_id: UUID, payload: ReasonIn):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    services.activity_void(actor=request.user, activity=activity, reason=payload.reason)
    return activity


@router.get("/{uuid:public_id}/sessions", response={200: list[SessionOut], **ERRORS}, summary="Sessions (场次)")
def list_sessions(request, public_id: UUID):
    activity = selectors.get_activity_for(request.user, public_id)
    return list(activity.sessions.active().order_by("sequence"))


@router.post("/{uuid:public_id}/sessions", response={201: SessionOut, **ERRORS}, summary="Add the next session")
def add_session(request, public_id: UUID, payload: SessionIn):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    return Status(201, services.session_add(actor=request.user, activity=activity, **payload.dict()))


@router.get("/{uuid:public_id}/registrations", response={200: list[RegistrationOut], **ERRORS},
            summary="Residents signed up and volunteers recruited (organizers only)")
def list_registrations(request, public_id: UUID):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    return list(selectors.registrations_of(activity))


@router.post("/{uuid:public_id}/registrations", response={201: RegistrationOut, **ERRORS},
             summary="Sign up: yourself (empty body, as a resident), a resident (staff) or a volunteer with a duty")
def add_registration(request, public_id: UUID, payload: RegistrationIn):
    activity = selectors.get_activity_for(request.user, public_id)
    if payload.volunteer_number:
        selectors.get_activity_for(request.user, public_id, Action.CHANGE)
        volunteer = Volunteer.objects.active().filter(volunteer_number=payload.volunteer_number.upper()).first()
        registration = signup.registration_add_volunteer(actor=request.user, activity=activity, volunteer=volunteer,
                                                         duty=payload.duty)
    elif payload.resident:
        selectors.get_activity_for(request.user, public_id, Action.CHANGE)
        resident = Resident.objects.active().filter(public_id=payload.resident).first()
        registration = signup.registration_add_resident(actor=request.user, activity=activity, resident=resident)
    else:
        registration = signup.registration_self(user=request.user, activity=activity)
    return Status(201, registration)


@router.post("/{uuid:public_id}/feedback", response={201: FeedbackOut, **ERRORS},
             summary="Feedback: a resident who attended, or staff entering a paper form (paper=true)")
def add_feedback(request, public_id: UUID, payload: FeedbackIn):
    activity = selectors.get_activity_for(request.user, public_id)
    if payload.paper:
        feedback = media.feedback_record(actor=request.user, activity=activity, satisfaction=payload.satisfaction,
                                         comment=payload.comment)
    else:
        feedback = media.feedback_submit(user=request.user, activity=activity, satisfaction=payload.satisfaction,
                                         comment=payload.comment)
    return Status(201, feedback)


@router.get("/{uuid:public_id}/stats", response={200: StatsOut, **ERRORS},
            summary="Unique persons vs person-times (人次), pending identities, indirect estimate, satisfaction")
def activity_stats(request, public_id: UUID):
    activity = selectors.get_activity_for(request.user, public_id)
    return _stats_out(selectors.activity_stats(activity))


@router.get("/{uuid:public_id}/sessions/{uuid:session_id}/qr", response={200: QrOut, **ERRORS},
            summary="The sign-in link behind the session's QR code (organizers only)")
def session_qr(request, public_id: UUID, session_id: UUID):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    session = selectors.get_session_for(request.user, activity, session_id)
    from django.urls import reverse

    url = request.build_absolute_uri(reverse("signin:page", args=[make_signin_token(session)]))
    return {"session_id": session.public_id, "url": url, "expires_at": token_expiry(session)}


@router.post("/{uuid:public_id}/qr/rotate", response={200: ActivityDetailOut, **ERRORS},
             summary="Revoke every issued QR code (重新生成二维码)")
def rotate_qr(request, public_id: UUID):
    activity = selectors.get_activity_for(request.user, public_id, Action.CHANGE)
    return services.activity_rotate_signin_secret(actor=request.user, activity=activity)
