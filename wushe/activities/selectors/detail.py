"""Everything the activity detail page shows, read with a fixed number of queries."""

from wushe.accounts.policy import Action, Resource, can
from wushe.core.history import history_for
from wushe.core.masking import mask_phone

from ..models import ActivityStatus, MatchStatus, ParticipantRole
from ..services.activities import insurance_problems
from ..services.signup import signup_problems
from . import activities as selectors
from .people import match_candidates


def _phone(value: str, show: bool) -> str:
    return value if show else mask_phone(value)


def detail_context(user, activity, *, session_id=None) -> dict:
    may_change = not activity.is_voided and can(user, Action.CHANGE, Resource.ACTIVITY, activity)
    show_identity = can(user, Action.VIEW_IDENTITY, Resource.ACTIVITY, activity)
    sessions = list(selectors.sessions_of(activity))
    session = next((s for s in sessions if str(s.public_id) == str(session_id)), sessions[0] if sessions else None)
    registrations = list(selectors.registrations_of(activity))
    participants = [r for r in registrations if r.role == ParticipantRole.PARTICIPANT]
    volunteers = [r for r in registrations if r.role == ParticipantRole.VOLUNTEER]
    resident = getattr(user, "resident", None)
    own_registration = next((r for r in participants if resident is not None and r.resident_id == resident.pk),
                            None)
    context = {
        "activity": activity, "sessions": sessions, "session": session,
        "participants": participants, "volunteers": volunteers,
        "stats": selectors.activity_stats(activity),
        "photos": list(activity.photos.active()),
        "may_change": may_change, "show_identity": show_identity,
        "insurance_problems": insurance_problems(activity),
        "own_registration": own_registration,
        "may_sign_up": resident is not None and own_registration is None and not signup_problems(activity),
        "signup_problems": signup_problems(activity) if activity.status == ActivityStatus.OPEN else [],
        "statuses": ActivityStatus,
    }
    if may_change and session is not None:
        rows = list(selectors.attendance_of(session))
        for row in rows:
            row.phone_display = _phone(row.claimed_phone or (row.resident.phone if row.resident_id else ""),
                                       show_identity)
        attended_residents = {r.resident_id for r in rows if r.resident_id}
        attended_volunteers = {r.volunteer_id for r in rows if r.volunteer_id}
        context.update({
            "attendance": rows,
            "unmarked_participants": [r for r in participants if r.resident_id not in attended_residents],
            "unmarked_volunteers": [r for r in volunteers if r.volunteer_id not in attended_volunteers],
        })
        pending = {}
        for row in selectors.pending_of(activity):
            group = pending.setdefault(row.claimed_phone, {"row": row, "sessions": [], "name": row.claimed_name})
            group["sessions"].append(row.session.sequence)
        for group in pending.values():
            group["phone_display"] = _phone(group["row"].claimed_phone, show_identity)
            group["candidates"] = match_candidates(user, activity, name=group["name"],
                                                   phone=group["row"].claimed_phone)
            for candidate in group["candidates"]:
                candidate.phone_display = _phone(candidate.phone, show_identity)
        context["pending"] = list(pending.values())
        context["feedback"] = list(selectors.feedback_of(activity)[:50])
    if resident is not None:
        from ..services.media import has_attended

        context["may_give_feedback"] = has_attended(activity, resident)
    context["match_status"] = MatchStatus
    if can(user, Action.HISTORY, Resource.ACTIVITY, activity):
        context["history"] = history_for(activity)
    return context
