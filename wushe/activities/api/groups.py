"""/api/v1/services/groups/: group work over the same selectors, services and policy as the pages. A group
is addressed by its activity's public id; permissions are the activity's (404 hidden, 403 read-only)."""

from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Router, Status
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, require, restrict
from wushe.core.api import ErrorOut, unknown_reference
from wushe.orgs.models import Organization
from wushe.projects.models import Project
from wushe.regions.models import Region
from wushe.workforce.models import SocialWorker

from ..models import GroupKind, GroupStage
from ..selectors import groups as selectors
from ..services import groups as services
from .group_schemas import (
    AttendanceIn,
    AttendanceOut,
    GroupDetailOut,
    GroupIn,
    GroupOut,
    GroupPatch,
    LeaveIn,
    MatrixOut,
    MemberIn,
    MemberOut,
    RecordIn,
    SessionIn,
    SessionOut,
    StageIn,
)

router = Router(tags=["services"])

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


# Helpers ------------------------------------------------------------------------------------------------


LOOKUPS = {"organization": (Resource.ORGANIZATION, Organization), "project": (Resource.PROJECT, Project),
           "lead_worker": (Resource.SOCIAL_WORKER, SocialWorker)}


def _resolve(user, data: dict) -> dict:
    """Turn region codes and public ids into the records the viewer may see (422 otherwise)."""
    if "region" in data:
        data["region"] = Region.objects.filter(code=data["region"]).first()
        if data["region"] is None:
            raise unknown_reference("region")
    for name, (resource, model) in LOOKUPS.items():
        if data.get(name):
            data[name] = restrict(user, resource, model.objects.active()).filter(public_id=data[name]).first()
            if data[name] is None:
                raise unknown_reference(name)
    return data


def _group_out(user, public_id):
    """One group with the list's counts (read after a write, so the response shows the stored state)."""
    group = selectors.group_list(user).filter(activity__public_id=public_id).first()
    return group if group is not None else selectors.get_group_for(user, public_id)


def _detail(user, group):
    group = _group_out(user, group.activity.public_id)
    group._detail = {"stage_changes": selectors.stage_timeline(group)["changes"],
                     "members": selectors.group_members(user, group), "sessions": selectors.group_sessions(group)}
    return group


def _session_out(group, session_id):
    return next(s for s in selectors.group_sessions(group) if s.public_id == session_id)


# Groups -------------------------------------------------------------------------------------------------

@router.get("/", response={200: list[GroupOut], **ERRORS}, summary="List groups the viewer may see")
@paginate
def list_groups(request, stage: GroupStage | None = None, kind: GroupKind | None = None, q: str = ""):
    require(request.user, Resource.ACTIVITY, Action.VIEW)
    return selectors.group_list(request.user, stage=stage or "", group_kind=kind or "", query=q)


@router.post("/", response={201: GroupDetailOut, **ERRORS}, summary="Create a group (its activity and first session)")
def create_group(request, payload: GroupIn):
    require(request.user, Resource.ACTIVITY, Action.CHANGE)
    group = services.group_create(actor=request.user, **_resolve(request.user, payload.dict()))
    return Status(201, _detail(request.user, group))


@router.get("/{public_id}", response={200: GroupDetailOut, **ERRORS}, summary="A group with members and sessions")
def get_group(request, public_id: UUID):
    return _detail(request.user, selectors.get_group_for(request.user, public_id))


@router.patch("/{public_id}", response={200: GroupDetailOut, **ERRORS}, summary="Change a group")
def update_group(request, public_id: UUID, payload: GroupPatch):
    group = selectors.get_group_for(request.user, public_id, action=Action.CHANGE)
    changes = _resolve(request.user, payload.dict(exclude_unset=True))
    services.group_update(actor=request.user, group=group, **changes)
    return _detail(request.user, group)


@router.post("/{public_id}/stage", response={200: GroupDetailOut, **ERRORS},
             summary="Advance one stage, or correct back to the previous one with a note")
def advance_stage(request, public_id: UUID, payload: StageIn):
    group = selectors.get_group_for(request.user, public_id, action=Action.CHANGE)
    services.group_stage_advance(actor=request.user, group=group, **payload.dict())
    return _detail(request.user, group)


# Members ------------------------------------------------------------------------------------------------

@router.get("/{public_id}/members", response={200: list[MemberOut], **ERRORS}, summary="Members of a group")
def list_members(request, public_id: UUID):
    group = selectors.get_group_for(request.user, public_id)
    return selectors.group_members(request.user, group)


@router.post("/{public_id}/members", response={201: MemberOut, **ERRORS}, summary="Add a resident to a group")
def add_member(request, public_id: UUID, payload: MemberIn):
    group = selectors.get_group_for(request.user, public_id, action=Action.CHANGE)
    resident = selectors.resident_for_member_add(request.user, payload.resident_id)
    if resident is None:
        raise ValidationError({"resident_id": [services.MSG_RESIDENT_NOT_VISIBLE]})
    member = services.group_member_add(actor=request.user, group=group, resident=resident,
                                       joined_on=payload.joined_on)
    return Status(201, next(m for m in selectors.group_members(request.user, group) if m.pk == member.pk))


@router.post("/{public_id}/members/{member_id}/leave", response={200: MemberOut, **ERRORS},
             summary="A member leaves the group")
def leave_member(request, public_id: UUID, member_id: UUID, payload: LeaveIn):
    group = selectors.get_group_for(request.user, public_id, action=Action.CHANGE)
    member = selectors.group_member_for(group, member_id)
    services.group_member_leave(actor=request.user, member=member, left_on=payload.left_on, reason=payload.reason)
    return next(m for m in selectors.group_members(request.user, group) if m.pk == member.pk)


# Sessions and attendance --------------------------------------------------------------------------------

@router.get("/{public_id}/sessions", response={200: list[SessionOut], **ERRORS}, summary="Sessions of a group")
def list_sessions(request, public_id: UUID):
    return selectors.group_sessions(selectors.get_group_for(request.user, public_id))


@router.post("/{public_id}/sessions", response={201: SessionOut, **ERRORS}, summary="Plan the next session")
def plan_session(request, public_id: UUID, payload: SessionIn):
    group = selectors.get_group_for(request.user, public_id, action=Action.CHANGE)
    planned = services.group_session_plan(actor=request.user, group=group, **payload.dict())
    return Status(201, _session_out(group, planned.public_id))


@router.put("/{public_id}/sessions/{session_id}/record", response={200: SessionOut, **ERRORS},
            summary="Save the session record (after the session started)")
def record_session(request, public_id: UUID, session_id: UUID, payload: RecordIn):
    group = selectors.get_group_for(request.user, public_id, action=Action.CHANGE)
    session = selectors.group_session_for(group, session_id)
    services.group_session_record(actor=request.user, session=session, **payload.dict())
    return _session_out(group, session_id)


@router.put("/{public_id}/sessions/{session_id}/attendance", response={200: AttendanceOut, **ERRORS},
            summary="Set who of the members attended a session (the roster becomes exactly this set)")
def save_attendance(request, public_id: UUID, session_id: UUID, payload: AttendanceIn):
    group = selectors.get_group_for(request.user, public_id, action=Action.CHANGE)
    session = selectors.group_session_for(group, session_id)
    services.group_attendance_save(actor=request.user, session=session,
                                   present_member_ids=payload.present_member_ids)
    roster = selectors.session_roster(group, session)
    present = [row["member"].public_id for row in roster if row["present"]]
    return {"session_id": session_id, "present_member_ids": present, "members_present": len(present),
            "person_times": _session_out(group, session_id).person_times}


@router.get("/{public_id}/attendance", response={200: MatrixOut, **ERRORS},
            summary="Member × session attendance matrix with each member's attendance rate")
def attendance_matrix(request, public_id: UUID):
    group = selectors.get_group_for(request.user, public_id)
    matrix = selectors.attendance_matrix(group)
    present = matrix.members_present
    return {
        "sessions": [{"public_id": s.public_id, "sequence": s.sequence, "starts_at": s.starts_at,
                      "members_present": present[i], "person_times": s.person_times}
                     for i, s in enumerate(matrix.sessions)],
        "rows": [{"member_id": r.member.public_id, "name": r.member.resident.name, "left_on": r.member.left_on,
                  "cells": r.cells, "attended": r.attended, "eligible": r.eligible, "rate": r.rate}
                 for r in matrix.rows],
        "person_times": matrix.person_times,
    }
