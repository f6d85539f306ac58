"""转介: to a worker (accept hands the case over, decline leaves everything), to an agency (accept ends the
case as referred), one pending at a time."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from wushe.accounts.policy import Action, Resource, can
from wushe.cases.models import CaseStatus, CaseWorker, RecordKind, ReferralStatus
from wushe.cases.services import referrals, steps

from .factories import intake, make_worker, walk_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(world):
    return make_worker(world)


def test_referral_to_a_worker_accepted_hands_the_case_over(world, receiver):
    case = walk_to(world, intake(world), CaseStatus.PLAN)
    referral = referrals.case_refer(actor=world.social_worker, case=case, to_worker=receiver, reason="本人调岗")
    assert referral.status == ReferralStatus.PENDING and referral.status_before == CaseStatus.PLAN
    assert not can(receiver.user, Action.VIEW, Resource.CASE, case)
    with pytest.raises(PermissionDenied):
        referrals.referral_answer(actor=world.social_worker, referral=referral, accept=True)
    referrals.referral_answer(actor=receiver.user, referral=referral, accept=True, note="同意接手")
    case.refresh_from_db()
    assert case.status == CaseStatus.PLAN
    active = CaseWorker.objects.filter(case=case, ended_at__isnull=True)
    assert [a.worker for a in active] == [receiver] and active.get().role == "lead"
    assert CaseWorker.objects.get(case=case, worker=world.objects["worker"]).ended_at is not None
    assert can(receiver.user, Action.CHANGE, Resource.CASE, case)
    assert not can(world.social_worker, Action.VIEW, Resource.CASE, case)
    assert not can(world.supervisor, Action.VIEW, Resource.CASE, case)  # supervises the old worker only
    assert list(case.records.filter(kind=RecordKind.REFERRAL).values_list("author__username", flat=True)) == [
        "social_worker", "worker2"]
    steps.case_goal_add(actor=receiver.user, case=case, description="接手后重新制定的目标")
    steps.case_advance(actor=receiver.user, case=case, to_status=CaseStatus.INTERVENTION, content="接手后介入")
    with pytest.raises(ValidationError, match=str(referrals.MSG_REFERRAL_ANSWERED)):
        referrals.referral_answer(actor=receiver.user, referral=referral, accept=False)


def test_referral_to_a_worker_declined_changes_nothing(world, receiver):
    case = intake(world)
    referral = referrals.case_refer(actor=world.social_worker, case=case, to_worker=receiver, reason="需要专长")
    referrals.referral_answer(actor=receiver.user, referral=referral, accept=False, note="个案量已满")
    referral.refresh_from_db()
    case.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED and referral.answer_note == "个案量已满"
    assert case.status == CaseStatus.INTAKE
    assert [a.worker for a in CaseWorker.objects.filter(case=case, ended_at__isnull=True)] == [
        world.objects["worker"]]
    assert not can(receiver.user, Action.VIEW, Resource.CASE, case)
    # Another referral may follow once the first is answered.
    referrals.case_refer(actor=world.social_worker, case=case, to_agency="区精神卫生中心", reason="需要专科")


def test_referral_to_an_agency_accepted_ends_the_case(world):
    case = walk_to(world, intake(world), CaseStatus.INTERVENTION)
    referral = referrals.case_refer(actor=world.social_worker, case=case, to_agency="区法律援助中心",
                                    reason="涉及赡养纠纷，需要法律援助")
    with pytest.raises(PermissionDenied):
        referrals.referral_answer(actor=world.supervisor, referral=referral, accept=True)
    referrals.referral_answer(actor=world.social_worker, referral=referral, accept=True, note="已受理")
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED and not case.is_open
    assert steps.next_steps(case) == []
    with pytest.raises(ValidationError):
        steps.case_record_add(actor=world.social_worker, case=case, content="x")
    with pytest.raises(ValidationError):
        referrals.case_refer(actor=world.social_worker, case=case, to_agency="x", reason="x")


def test_referral_to_an_agency_declined_keeps_the_case(world):
    case = intake(world)
    referral = referrals.case_refer(actor=world.social_worker, case=case, to_agency="某基金会", reason="资助")
    referrals.referral_answer(actor=world.social_worker, referral=referral, accept=False, note="不符合条件")
    case.refresh_from_db()
    assert case.status == CaseStatus.INTAKE


def test_a_not_accepted_case_may_be_referred(world):
    case = intake(world)
    steps.case_advance(actor=world.social_worker, case=case, to_status=CaseStatus.NOT_ACCEPTED, reason="非本机构服务范围")
    referral = referrals.case_refer(actor=world.social_worker, case=case, to_agency="区残联", reason="残疾人服务")
    referrals.referral_answer(actor=world.social_worker, referral=referral, accept=True)
    case.refresh_from_db()
    assert case.status == CaseStatus.REFERRED


def test_one_pending_referral_and_a_target_required(world, receiver):
    case = intake(world)
    with pytest.raises(ValidationError) as error:
        referrals.case_refer(actor=world.social_worker, case=case, reason="")
    assert str(referrals.MSG_REFERRAL_TARGET_REQUIRED) in error.value.messages
    assert str(referrals.MSG_REFERRAL_REASON_REQUIRED) in error.value.messages
    with pytest.raises(ValidationError):
        referrals.case_refer(actor=world.social_worker, case=case, to_worker=receiver, to_agency="两者", reason="x")
    with pytest.raises(ValidationError, match=str(referrals.MSG_REFERRAL_WORKER_INVALID)):
        referrals.case_refer(actor=world.social_worker, case=case, to_worker=world.objects["worker"], reason="x")
    referrals.case_refer(actor=world.social_worker, case=case, to_worker=receiver, reason="x")
    with pytest.raises(ValidationError, match=str(referrals.MSG_REFERRAL_PENDING)):
        referrals.case_refer(actor=world.social_worker, case=case, to_agency="另一机构", reason="y")


def test_closed_case_cannot_be_referred(world):
    case = walk_to(world, intake(world), CaseStatus.CLOSED)
    with pytest.raises(ValidationError, match=str(referrals.MSG_REFERRAL_NOT_ALLOWED)):
        referrals.case_refer(actor=world.social_worker, case=case, to_agency="x", reason="x")
