"""Referrals (incl. the receiving worker's inbox), follow-ups and mandatory reports."""

from uuid import UUID

from django.core.exceptions import ValidationError
from ninja import Router, Status

from wushe.accounts.policy import Action

from .. import selectors
from ..services import followups, referrals, reports
from ..services.reads import READ_REFERRAL, READ_REPORTS, case_read_log
from .cases import ERRORS
from .schemas import (
    FollowUpIn,
    FollowUpOut,
    FollowUpRecordIn,
    HarmIn,
    IncomingReferralDetailOut,
    IncomingReferralOut,
    ReferralAnswerIn,
    ReferralIn,
    ReferralOut,
    ReferralWithdrawIn,
    ReportCloseIn,
    ReportFileIn,
    ReportOut,
    ReportStatusOut,
)

router = Router()  # tagged `services` by the package router


# Referrals ----------------------------------------------------------------------------------------------

@router.get("/referrals/incoming", response={200: list[IncomingReferralOut], **ERRORS},
            summary="Referrals waiting for the caller's answer")
def incoming(request):
    return list(selectors.incoming_referrals(request.user))


@router.get("/referrals/incoming/{uuid:referral_id}", response={200: IncomingReferralDetailOut, **ERRORS},
            summary="What the receiving worker needs to decide (logged)")
def incoming_detail(request, referral_id: UUID):
    referral = selectors.incoming_referral_for(request.user, referral_id)
    case_read_log(actor=request.user, case=referral.case, what=READ_REFERRAL, channel="api",
                  target=str(referral.public_id))
    return referral


@router.post("/referrals/{uuid:referral_id}/answer", response={200: ReferralOut, **ERRORS},
             summary="Accept or decline a referral (the worker referred to, or a case worker for an agency)")
def answer(request, referral_id: UUID, payload: ReferralAnswerIn):
    referral = selectors.answerable_referral_for(request.user, referral_id)
    return referrals.referral_answer(actor=request.user, referral=referral, **payload.dict())


@router.get("/{uuid:public_id}/referrals", response={200: list[ReferralOut], **ERRORS},
            summary="The case's referrals (logged)")
def list_referrals(request, public_id: UUID):
    case = selectors.read_case(request.user, public_id, channel="api", what="referrals")
    return list(selectors.case_referrals(case))


@router.post("/{uuid:public_id}/referrals", response={201: ReferralOut, **ERRORS},
             summary="Refer the case to a worker or an agency")
def refer(request, public_id: UUID, payload: ReferralIn):
    user = request.user
    case = selectors.get_case_for(user, public_id, Action.CHANGE)
    worker = None
    if payload.to_worker_id is not None:
        worker = selectors.referral_worker_for(user, case, payload.to_worker_id)
        if worker is None:
            raise ValidationError({"to_worker": [referrals.MSG_REFERRAL_WORKER_INVALID]})
    referral = referrals.case_refer(actor=user, case=case, to_worker=worker, to_agency=payload.to_agency,
                                    reason=payload.reason)
    return Status(201, referral)


@router.post("/{uuid:public_id}/referrals/{uuid:referral_id}/withdraw", response={200: ReferralOut, **ERRORS},
             summary="Withdraw a pending referral (a case worker); the case may then be referred again")
def withdraw(request, public_id: UUID, referral_id: UUID, payload: ReferralWithdrawIn):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    referral = selectors.case_referral_for(case, referral_id)
    return referrals.referral_withdraw(actor=request.user, referral=referral, reason=payload.reason)


# Follow-ups ---------------------------------------------------------------------------------------------

@router.get("/{uuid:public_id}/follow-ups", response={200: list[FollowUpOut], **ERRORS},
            summary="Follow-ups after closing (logged)")
def list_follow_ups(request, public_id: UUID):
    case = selectors.read_case(request.user, public_id, channel="api", what="follow_ups")
    return list(selectors.case_follow_ups(case))


@router.post("/{uuid:public_id}/follow-ups", response={201: FollowUpOut, **ERRORS},
             summary="Schedule a follow-up (closed cases)")
def schedule_follow_up(request, public_id: UUID, payload: FollowUpIn):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    return Status(201, followups.case_follow_up_schedule(actor=request.user, case=case, due_on=payload.due_on))


@router.post("/{uuid:public_id}/follow-ups/{uuid:follow_up_id}/record", response={200: FollowUpOut, **ERRORS},
             summary="Record a follow-up")
def record_follow_up(request, public_id: UUID, follow_up_id: UUID, payload: FollowUpRecordIn):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    follow_up = selectors.case_follow_up_for(case, follow_up_id)
    return followups.case_follow_up_record(actor=request.user, follow_up=follow_up, **payload.dict())


# Mandatory reports --------------------------------------------------------------------------------------

@router.get("/{uuid:public_id}/mandatory-reports", response={200: list[ReportOut], **ERRORS},
            summary="Mandatory reports (logged)")
def list_reports(request, public_id: UUID):
    case = selectors.read_case(request.user, public_id, channel="api", what=READ_REPORTS)
    return list(selectors.case_reports(case))


@router.post("/{uuid:public_id}/mandatory-reports", response={201: ReportStatusOut, **ERRORS},
             summary="Flag suspected harm to a minor (opens a report)")
def flag_harm(request, public_id: UUID, payload: HarmIn):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    return Status(201, reports.case_flag_minor_harm(actor=request.user, case=case, concern=payload.concern))


@router.post("/{uuid:public_id}/mandatory-reports/{uuid:report_id}/file", response={200: ReportStatusOut, **ERRORS},
             summary="Record that the report was made")
def file_report(request, public_id: UUID, report_id: UUID, payload: ReportFileIn):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    report = selectors.case_report_for(case, report_id)
    return reports.mandatory_report_file(actor=request.user, report=report, **payload.dict())


@router.post("/{uuid:public_id}/mandatory-reports/{uuid:report_id}/close",
             response={200: ReportStatusOut, **ERRORS}, summary="Record the outcome and close the report")
def close_report(request, public_id: UUID, report_id: UUID, payload: ReportCloseIn):
    case = selectors.get_case_for(request.user, public_id, Action.CHANGE)
    report = selectors.case_report_for(case, report_id)
    return reports.mandatory_report_close(actor=request.user, report=report, outcome=payload.outcome)
