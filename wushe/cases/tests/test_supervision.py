"""督导: review and sign-off at any step; explicit read grants (read, never change; expired or revoked
grants give nothing)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from wushe.accounts.policy import Action, Resource, can
from wushe.cases.models import CaseAccessGrant, CaseStatus
from wushe.cases.services import steps, supervision

from .factories import intake, make_worker, walk_to

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today


def test_supervisor_reviews_and_signs_off_records_at_several_steps(world):
    case = intake(world)
    intake_record = case.records.get()
    supervision.case_record_review(actor=world.supervisor, record=intake_record, comment="接案评估充分。")
    intake_record.refresh_from_db()
    assert intake_record.supervisor_comment == "接案评估充分。" and not intake_record.signed_off
    assert intake_record.reviewed_by == world.supervisor and intake_record.reviewed_at is not None
    supervision.case_record_review(actor=world.supervisor, record=intake_record, sign_off=True)
    intake_record.refresh_from_db()
    assert intake_record.signed_off and intake_record.supervisor_comment == "接案评估充分。"
    with pytest.raises(ValidationError, match=str(supervision.MSG_RECORD_SIGNED_OFF)):
        supervision.case_record_review(actor=world.supervisor, record=intake_record, comment="改")

    case = walk_to(world, case, CaseStatus.INTERVENTION)
    plan = case.records.get(kind="plan")
    supervision.case_record_review(actor=world.supervisor, record=plan, comment="目标可衡量。", sign_off=True)
    case = walk_to(world, intake(world), CaseStatus.CLOSED)
    closing = case.records.get(kind="closing")
    supervision.case_record_review(actor=world.supervisor, record=closing, sign_off=True)
    closing.refresh_from_db()
    assert closing.signed_off


def test_review_needs_a_comment_or_a_sign_off_and_the_supervisor(world):
    record = intake(world).records.get()
    with pytest.raises(ValidationError, match=str(supervision.MSG_REVIEW_EMPTY)):
        supervision.case_record_review(actor=world.supervisor, record=record)
    for user in (world.social_worker, world.community_staff, make_worker(world).user):
        with pytest.raises(PermissionDenied):
            supervision.case_record_review(actor=user, record=record, sign_off=True)


def test_grant_holder_reads_but_cannot_change(world):
    case = intake(world)
    auditor = world.street_officer
    assert not can(auditor, Action.VIEW, Resource.CASE, case)
    supervision.case_grant_access(actor=world.supervisor, case=case, user=auditor, reason="年度个案质量抽查",
                                  expires_on=TODAY() + datetime.timedelta(days=7))
    assert can(auditor, Action.VIEW, Resource.CASE, case)
    assert not can(auditor, Action.CHANGE, Resource.CASE, case)
    with pytest.raises(PermissionDenied):
        steps.case_record_add(actor=auditor, case=case, content="x")


def test_expired_and_revoked_grants_give_nothing(world):
    case = intake(world)
    grant = supervision.case_grant_access(actor=world.supervisor, case=case, user=world.street_officer,
                                          reason="抽查", expires_on=TODAY())
    assert can(world.street_officer, Action.VIEW, Resource.CASE, case)
    CaseAccessGrant.objects.filter(pk=grant.pk).update(expires_on=TODAY() - datetime.timedelta(days=1))
    assert not can(world.street_officer, Action.VIEW, Resource.CASE, case)
    second = supervision.case_grant_access(actor=world.supervisor, case=case, user=world.street_officer,
                                           reason="再次抽查", expires_on=TODAY() + datetime.timedelta(days=3))
    supervision.case_grant_revoke(actor=world.supervisor, grant=second)
    assert second.revoked_at is not None and second.revoked_at <= timezone.now()
    assert not can(world.street_officer, Action.VIEW, Resource.CASE, case)
    with pytest.raises(ValidationError, match=str(supervision.MSG_GRANT_REVOKED)):
        supervision.case_grant_revoke(actor=world.supervisor, grant=second)


def test_grant_rules(world):
    case = intake(world)
    with pytest.raises(PermissionDenied):
        supervision.case_grant_access(actor=world.social_worker, case=case, user=world.street_officer,
                                      reason="x", expires_on=TODAY())
    with pytest.raises(ValidationError) as error:
        supervision.case_grant_access(actor=world.supervisor, case=case, user=world.supervisor, reason="",
                                      expires_on=TODAY() - datetime.timedelta(days=1))
    fields = error.value.message_dict
    assert str(supervision.MSG_GRANT_SELF) in fields["user"]
    assert str(supervision.MSG_GRANT_REASON_REQUIRED) in fields["reason"]
    assert str(supervision.MSG_GRANT_EXPIRY_INVALID) in fields["expires_on"]
    supervision.case_grant_access(actor=world.supervisor, case=case, user=world.street_officer, reason="x",
                                  expires_on=TODAY())
    with pytest.raises(ValidationError, match=str(supervision.MSG_GRANT_EXISTS)):
        supervision.case_grant_access(actor=world.supervisor, case=case, user=world.street_officer, reason="y",
                                      expires_on=TODAY())
