"""Access grants and the read log (the supervisor)."""

from uuid import UUID

from ninja import Router, Status
from ninja.pagination import paginate

from wushe.accounts.policy import Action, Resource, require

from .. import selectors
from ..services import supervision
from .cases import ERRORS
from .schemas import GrantIn, GrantOut, ReadLogOut

router = Router()  # tagged `services` by the package router


@router.get("/read-log", response={200: list[ReadLogOut], **ERRORS},
            summary="Reads of all cases of the supervisor's supervisees")
@paginate
def read_log_all(request):
    require(request.user, Resource.CASE, Action.HISTORY)
    return selectors.read_log_for_supervisor(request.user)


@router.get("/{uuid:public_id}/read-log", response={200: list[ReadLogOut], **ERRORS},
            summary="Who read this case, when and what")
@paginate
def read_log(request, public_id: UUID):
    case = selectors.get_case_for(request.user, public_id, Action.HISTORY)
    return selectors.case_read_log_rows(case).select_related("case")


@router.get("/{uuid:public_id}/grants", response={200: list[GrantOut], **ERRORS}, summary="Access grants")
def list_grants(request, public_id: UUID):
    case = selectors.get_case_for(request.user, public_id, Action.REVIEW)
    return list(selectors.case_grants(case))


@router.post("/{uuid:public_id}/grants", response={201: GrantOut, **ERRORS},
             summary="Grant someone read access until a date")
def add_grant(request, public_id: UUID, payload: GrantIn):
    user = request.user
    case = selectors.get_case_for(user, public_id, Action.REVIEW)
    grant = supervision.case_grant_access(actor=user, case=case, user=selectors.user_by_account(payload.account),
                                          reason=payload.reason, expires_on=payload.expires_on)
    return Status(201, grant)


@router.post("/{uuid:public_id}/grants/{uuid:grant_id}/revoke", response={200: GrantOut, **ERRORS},
             summary="Revoke a grant")
def revoke_grant(request, public_id: UUID, grant_id: UUID):
    case = selectors.get_case_for(request.user, public_id, Action.REVIEW)
    return supervision.case_grant_revoke(actor=request.user, grant=selectors.case_grant_for(case, grant_id))
