"""撤回转介: a case worker withdraws a pending referral nobody answered, and the case can be referred again.
Stored as declined, answered by the withdrawing worker, with "撤回：" before the reason."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from wushe.cases.models import CaseReferral, CaseStatus, CaseWorker, RecordKind, ReferralStatus
from wushe.cases.services import referrals

from .factories import intake, make_worker, walk_to

pytestmark = pytest.mark.django_db
BASE = "/api/v1/services/cases"


@pytest.fixture
def receiver(world):
    return make_worker(world)


@pytest.fixture
def pending(world, receiver):
    case = walk_to(world, intake(world), CaseStatus.PLAN)
    return referrals.case_refer(actor=world.social_worker, case=case, to_worker=receiver, reason="本人调岗")


def withdraw_url(referral):
    return reverse("cases:referral_withdraw", kwargs={"public_id": referral.case.public_id,
                                                      "referral_id": referral.public_id})


def api_path(referral):
    return f"{BASE}/{referral.case.public_id}/referrals/{referral.public_id}/withdraw"


def test_case_worker_withdraws_and_can_refer_again(world, receiver, pending):
    referrals.referral_withdraw(actor=world.social_worker, referral=pending, reason="  对方长期未回复  ")
    pending.refresh_from_db()
    case = pending.case
    case.refresh_from_db()
    assert pending.status == ReferralStatus.DECLINED and referrals.referral_is_withdrawn(pending)
    assert pending.answered_by == world.social_worker and pending.answered_at is not None
    assert pending.answer_note == "撤回：对方长期未回复"
    assert pending.history.first().history_user == world.social_worker
    assert pending.history.first().history_change_reason == "撤回转介"
    assert case.status == CaseStatus.PLAN
    assert [a.worker for a in CaseWorker.objects.filter(case=case, ended_at__isnull=True)] == [
        world.objects["worker"]]
    assert sorted(case.records.filter(kind=RecordKind.REFERRAL).values_list("content", flat=True)) == [
        "撤回对 周社工 的转介：对方长期未回复", "转介至 周社工：本人调岗"]
    # The receiving worker can no longer answer it, and a new referral may be made.
    with pytest.raises(ValidationError):
        referrals.referral_answer(actor=receiver.user, referral=pending, accept=True)
    again = referrals.case_refer(actor=world.social_worker, case=case, to_agency="区精神卫生中心", reason="需要专科")
    assert again.status == ReferralStatus.PENDING


def test_reason_required(world, pending):
    with pytest.raises(ValidationError) as error:
        referrals.referral_withdraw(actor=world.social_worker, referral=pending, reason="  ")
    assert error.value.message_dict == {"reason": [str(referrals.MSG_WITHDRAW_REASON_REQUIRED)]}
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING


@pytest.mark.parametrize("persona", ["supervisor", "outsider", "community_staff"])
def test_only_a_case_worker_may_withdraw(world, receiver, pending, persona):
    for actor in (world.users[persona], receiver.user):
        with pytest.raises(PermissionDenied):
            referrals.referral_withdraw(actor=actor, referral=pending, reason="x")
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING


@pytest.mark.parametrize("accept", [True, False])
def test_an_answered_referral_cannot_be_withdrawn(world, receiver, pending, accept):
    referrals.referral_answer(actor=receiver.user, referral=pending, accept=accept)
    actor = receiver.user if accept else world.social_worker  # after accepting, the receiver is the case worker
    with pytest.raises(ValidationError, match=str(referrals.MSG_WITHDRAW_NOT_PENDING)):
        referrals.referral_withdraw(actor=actor, referral=pending, reason="x")


def test_an_agency_referral_can_be_withdrawn(world):
    case = intake(world)
    referral = referrals.case_refer(actor=world.social_worker, case=case, to_agency="区法律援助中心", reason="法律")
    referrals.referral_withdraw(actor=world.social_worker, referral=referral, reason="案主改变主意")
    case.refresh_from_db()
    assert case.status == CaseStatus.INTAKE and referrals.referral_is_withdrawn(referral)


# Page ---------------------------------------------------------------------------------------------------

def test_page_withdraw_then_refer_again(world, client_for, pending):
    client = client_for("social_worker")
    page = client.get(reverse("cases:case_detail", kwargs={"public_id": pending.case.public_id})).content.decode()
    assert withdraw_url(pending) in page and 'data-testid="referral-withdraw"' in page
    assert client.get(withdraw_url(pending)).status_code == 405
    response = client.post(withdraw_url(pending), {"reason": ""}, follow=True)
    assert str(referrals.MSG_WITHDRAW_REASON_REQUIRED) in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING
    response = client.post(withdraw_url(pending), {"reason": "对方未回复"})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.answer_note == "撤回：对方未回复"
    page = client.get(response["Location"]).content.decode()
    assert "已撤回" in page and withdraw_url(pending) not in page
    assert reverse("cases:case_refer", kwargs={"public_id": pending.case.public_id}) in page
    response = client.post(reverse("cases:case_refer", kwargs={"public_id": pending.case.public_id}),
                           {"to_agency": "某基金会", "reason": "资助"})
    assert response.status_code == 302
    assert CaseReferral.objects.filter(case=pending.case, status=ReferralStatus.PENDING).count() == 1


@pytest.mark.parametrize("persona, status", [("supervisor", 403), ("outsider", 404), ("community_staff", 404),
                                             ("resident", 404), ("volunteer", 404)])
def test_page_others_cannot_withdraw(world, client_for, pending, persona, status):
    assert client_for(persona).post(withdraw_url(pending), {"reason": "x"}).status_code == status
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING


def test_page_receiving_worker_cannot_withdraw(client, receiver, pending):
    client.force_login(receiver.user)
    assert client.post(withdraw_url(pending), {"reason": "x"}).status_code == 404
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING


def test_page_answered_referral_shows_an_error(world, client_for, receiver, pending):
    referrals.referral_answer(actor=receiver.user, referral=pending, accept=False, note="个案量已满")
    response = client_for("social_worker").post(withdraw_url(pending), {"reason": "x"}, follow=True)
    assert str(referrals.MSG_WITHDRAW_NOT_PENDING) in response.content.decode()
    pending.refresh_from_db()
    assert pending.answer_note == "个案量已满" and pending.answered_by == receiver.user


# API ----------------------------------------------------------------------------------------------------

def test_api_withdraw_then_refer_again(api_for, pending):
    worker = api_for("social_worker")
    response = worker.post(api_path(pending), {"reason": ""}, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"reason": [str(referrals.MSG_WITHDRAW_REASON_REQUIRED)]}
    response = worker.post(api_path(pending), {"reason": "对方未回复"}, content_type="application/json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "declined" and data["withdrawn"] is True and data["answer_note"] == "撤回：对方未回复"
    again = worker.post(api_path(pending), {"reason": "再次"}, content_type="application/json")
    assert again.status_code == 422 and again.json()["error"]["message"] == str(referrals.MSG_WITHDRAW_NOT_PENDING)
    refer = worker.post(f"{BASE}/{pending.case.public_id}/referrals", {"to_agency": "区残联", "reason": "残疾人服务"},
                        content_type="application/json")
    assert refer.status_code == 201 and refer.json()["withdrawn"] is False


@pytest.mark.parametrize("persona, status", [("supervisor", 403), ("outsider", 404), ("community_staff", 404),
                                             ("resident", 404)])
def test_api_others_cannot_withdraw(api_for, pending, persona, status):
    response = api_for(persona).post(api_path(pending), {"reason": "x"}, content_type="application/json")
    assert response.status_code == status
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING


def test_api_receiving_worker_cannot_withdraw(client, receiver, pending):
    client.force_login(receiver.user)
    response = client.post(api_path(pending), {"reason": "x"}, content_type="application/json")
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == ReferralStatus.PENDING
