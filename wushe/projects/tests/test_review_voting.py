"""Resident review: one resident one vote per application, verified by a phone code, a ballot token or a
resident account; outsiders cannot vote."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from wushe.projects import sms
from wushe.projects.models import (
    BallotToken,
    ProjectStatus,
    ResidentVote,
    ReviewStage,
    RoundStatus,
    VoteChallenge,
)
from wushe.projects.services import voting

from .factories import make_project, make_round
from .test_review_services import CRITERIA, add_application, make_resident

pytestmark = pytest.mark.django_db

PHONE = "13912340001"


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.WUSHE_SMS_BACKEND = "wushe.projects.sms.LocMemBackend"
    sms.LocMemBackend.outbox.clear()
    return sms.LocMemBackend.outbox


@pytest.fixture
def review_round(world):
    return make_round(world, status=RoundStatus.REVIEW, review_criteria=CRITERIA)


@pytest.fixture
def application(world, review_round):
    return make_project(world, review_round, status=ProjectStatus.UNDER_REVIEW)


@pytest.fixture
def voter(world):
    """A resident of the home community with a registered phone."""
    return make_resident(world.community, PHONE, name="钱居民")


def last_code(outbox) -> str:
    return re.search(r"验证码 (\d{6})", outbox[-1].message).group(1)


def request_code(review_round, phone=PHONE) -> str:
    return voting.vote_code_request(funding_round=review_round, phone=phone)


def refused(call) -> list[str]:
    with pytest.raises(ValidationError) as excinfo:
        call()
    return excinfo.value.messages


# --- the phone code -------------------------------------------------------------------------------------

def test_code_is_sent_to_the_registered_phone_and_stored_hashed(review_round, voter, sms_outbox):
    assert request_code(review_round) == str(voting.MSG_CODE_SENT)
    assert [m.phone for m in sms_outbox] == [PHONE]
    code = last_code(sms_outbox)
    challenge = VoteChallenge.objects.get()
    assert challenge.resident == voter and code not in challenge.code_hash and len(challenge.code_hash) == 64
    assert challenge.expires_at - timezone.now() <= datetime.timedelta(minutes=10)


def test_resident_votes_with_the_code_counted_in_their_community(world, review_round, application, voter,
                                                                 sms_outbox):
    request_code(review_round)
    votes = voting.votes_cast_with_code(funding_round=review_round, phone=PHONE, code=last_code(sms_outbox),
                                        projects=[application.public_id])
    vote = votes[0]
    assert (vote.resident, vote.community, vote.method, vote.score) == (
        voter, world.community, ResidentVote.Method.PHONE_CODE, 100)
    assert VoteChallenge.objects.get().used_at is not None


def test_unregistered_phone_gets_the_same_answer_and_no_message(review_round, voter, sms_outbox):
    assert request_code(review_round, "13700000000") == request_code(review_round) == str(voting.MSG_CODE_SENT)
    assert [m.phone for m in sms_outbox] == [PHONE]


def test_resident_of_another_street_gets_no_code_and_cannot_vote(world, review_round, application, sms_outbox):
    make_resident(world.other_community, "13912349999", name="外街居民")
    assert request_code(review_round, "13912349999") == str(voting.MSG_CODE_SENT)
    assert sms_outbox == [] and not VoteChallenge.objects.exists()
    assert refused(lambda: voting.votes_cast_with_code(
        funding_round=review_round, phone="13912349999", code="123456", projects=[application.public_id])) == [
        str(voting.MSG_CODE_INVALID)]


def test_voided_resident_cannot_vote(world, review_round, voter, sms_outbox):
    voter.voided_at = timezone.now()
    voter.save()
    request_code(review_round)
    assert sms_outbox == []


def test_second_vote_of_a_resident_is_refused(world, review_round, application, voter, sms_outbox):
    request_code(review_round)
    voting.votes_cast_with_code(funding_round=review_round, phone=PHONE, code=last_code(sms_outbox),
                                projects=[application.public_id])
    VoteChallenge.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=2))
    request_code(review_round)
    messages = refused(lambda: voting.votes_cast_with_code(
        funding_round=review_round, phone=PHONE, code=last_code(sms_outbox), projects=[application.public_id]))
    assert messages == [str(voting.MSG_ALREADY_VOTED % {"title": application.title})]
    assert ResidentVote.objects.count() == 1
    # The refused submission did not use up the new code: the resident may still vote for another project.
    other = add_application(world, review_round, "邻里守望")
    voting.votes_cast_with_code(funding_round=review_round, phone=PHONE, code=last_code(sms_outbox),
                                projects=[other.public_id])
    assert ResidentVote.objects.filter(resident=voter).count() == 2


def test_database_refuses_a_second_vote_of_the_same_resident(world, application, voter):
    values = {"project": application, "stage": ReviewStage.APPLICATION, "resident": voter,
              "community": world.community, "method": ResidentVote.Method.ACCOUNT, "score": 100}
    ResidentVote.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentVote.objects.create(**{**values, "method": ResidentVote.Method.PHONE_CODE})


def test_wrong_used_and_expired_codes_are_refused(review_round, application, voter, sms_outbox):
    request_code(review_round)
    code = last_code(sms_outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    def cast(value):
        return lambda: voting.votes_cast_with_code(funding_round=review_round, phone=PHONE, code=value,
                                                   projects=[application.public_id])

    assert refused(cast(wrong)) == [str(voting.MSG_CODE_INVALID)]
    assert refused(cast("abc")) == [str(voting.MSG_CODE_INVALID)]
    assert VoteChallenge.objects.get().attempts == 1  # a malformed code is not even checked
    VoteChallenge.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert refused(cast(code)) == [str(voting.MSG_CODE_INVALID)]
    VoteChallenge.objects.update(expires_at=timezone.now() + datetime.timedelta(minutes=5))
    voting.votes_cast_with_code(funding_round=review_round, phone=PHONE, code=code, projects=[application.public_id])
    assert refused(cast(code)) == [str(voting.MSG_CODE_INVALID)]  # used
    assert ResidentVote.objects.count() == 1


def test_code_dies_after_five_attempts(review_round, application, voter, sms_outbox):
    request_code(review_round)
    code = last_code(sms_outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(voting.CODE_MAX_ATTEMPTS):
        refused(lambda: voting.votes_cast_with_code(funding_round=review_round, phone=PHONE, code=wrong,
                                                    projects=[application.public_id]))
    assert VoteChallenge.objects.get().attempts == voting.CODE_MAX_ATTEMPTS
    assert refused(lambda: voting.votes_cast_with_code(
        funding_round=review_round, phone=PHONE, code=code, projects=[application.public_id])) == [
        str(voting.MSG_CODE_INVALID)]
    assert not ResidentVote.objects.exists()


def test_codes_are_not_resent_within_a_minute_nor_more_than_five_a_day(review_round, voter, sms_outbox):
    request_code(review_round)
    request_code(review_round)
    assert len(sms_outbox) == 1
    for _ in range(6):
        VoteChallenge.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=5))
        request_code(review_round)
    assert len(sms_outbox) == voting.CODE_MAX_PER_DAY


def test_invalid_phone_format_is_refused(review_round):
    from wushe.core.identity import MSG_PHONE_INVALID

    assert refused(lambda: request_code(review_round, "12345")) == [str(MSG_PHONE_INVALID)]


def test_no_voting_outside_review(world, voter, sms_outbox):
    funding_round = make_round(world, status=RoundStatus.PUBLICITY)
    project = make_project(world, funding_round, status=ProjectStatus.UNDER_REVIEW)
    assert refused(lambda: request_code(funding_round)) == [str(voting.MSG_VOTING_CLOSED)]
    assert refused(lambda: voting.votes_cast_by_account(actor=world.resident, funding_round=funding_round,
                                                        projects=[project.public_id])) == [
        str(voting.MSG_VOTING_CLOSED)]


def test_only_applications_under_review_of_the_round_can_be_chosen(world, review_round, application, voter):
    draft = make_project(world, review_round, status=ProjectStatus.DRAFT, title="草稿")
    elsewhere = make_project(world, make_round(world, status=RoundStatus.REVIEW), status=ProjectStatus.UNDER_REVIEW)
    for chosen in ([draft.public_id], [elsewhere.public_id], ["not-a-uuid"]):
        assert refused(lambda chosen=chosen: voting.votes_cast_by_account(
            actor=world.resident, funding_round=review_round, projects=chosen)) == [
            str(voting.MSG_PROJECT_NOT_VOTABLE)]
    assert refused(lambda: voting.votes_cast_by_account(actor=world.resident, funding_round=review_round,
                                                        projects=[])) == [str(voting.MSG_NO_PROJECTS_SELECTED)]


# --- ballot tokens --------------------------------------------------------------------------------------

def test_tokens_store_only_hashes_and_vote_once_per_application(world, review_round, application):
    issued = voting.ballot_tokens_generate(actor=world.street_officer, funding_round=review_round,
                                           community=world.community2, count=3)
    assert [t.serial for t, _code in issued] == ["001002-0001", "001002-0002", "001002-0003"]
    token, code = issued[0]
    assert code not in token.token_hash and re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    vote = voting.votes_cast_with_token(funding_round=review_round, token=code.lower().replace("-", " "),
                                        projects=[application.public_id])[0]
    assert (vote.ballot, vote.community, vote.method, vote.resident) == (
        token, world.community2, ResidentVote.Method.BALLOT_TOKEN, None)
    assert refused(lambda: voting.votes_cast_with_token(funding_round=review_round, token=code,
                                                        projects=[application.public_id])) == [
        str(voting.MSG_TOKEN_USED % {"title": application.title})]
    other = add_application(world, review_round, "邻里守望")
    voting.votes_cast_with_token(funding_round=review_round, token=code, projects=[other.public_id])
    assert ResidentVote.objects.filter(ballot=token).count() == 2


def test_database_refuses_a_second_vote_of_the_same_token(world, review_round, application):
    token, _code = voting.ballot_tokens_generate(actor=world.street_officer, funding_round=review_round,
                                                 community=world.community, count=1)[0]
    values = {"project": application, "stage": ReviewStage.APPLICATION, "ballot": token,
              "community": world.community, "method": ResidentVote.Method.BALLOT_TOKEN, "score": 100}
    ResidentVote.objects.create(**values)
    with pytest.raises(IntegrityError), transaction.atomic():
        ResidentVote.objects.create(**values)


def test_forged_revoked_and_foreign_tokens_are_refused(world, review_round, application):
    token, code = voting.ballot_tokens_generate(actor=world.street_officer, funding_round=review_round,
                                                community=world.community, count=1)[0]
    other_round = make_round(world, status=RoundStatus.REVIEW)
    _other, foreign = voting.ballot_tokens_generate(actor=world.street_officer, funding_round=other_round,
                                                    community=world.community, count=1)[0]
    voting.ballot_token_revoke(actor=world.street_officer, token=token)
    for attempt in ("ABCD-EFGH-JKLM", "", foreign, code):
        assert refused(lambda attempt=attempt: voting.votes_cast_with_token(
            funding_round=review_round, token=attempt, projects=[application.public_id])) == [
            str(voting.MSG_TOKEN_INVALID)]
    assert not ResidentVote.objects.exists()


def test_tokens_only_for_communities_of_the_round_and_by_managers(world, review_round):
    from django.core.exceptions import PermissionDenied

    assert refused(lambda: voting.ballot_tokens_generate(actor=world.street_officer, funding_round=review_round,
                                                         community=world.other_community, count=1)) == [
        str(voting.MSG_TOKEN_COMMUNITY)]
    assert refused(lambda: voting.ballot_tokens_generate(actor=world.street_officer, funding_round=review_round,
                                                         community=world.community, count=501)) == [
        str(voting.MSG_TOKEN_COUNT % {"max": 500})]
    for persona in ("community_staff", "station_staff", "outsider"):
        with pytest.raises(PermissionDenied):
            voting.ballot_tokens_generate(actor=world.users[persona], funding_round=review_round,
                                          community=world.community, count=1)
    assert not BallotToken.objects.exists()


# --- a resident account ---------------------------------------------------------------------------------

def test_resident_account_votes_once(world, review_round, application):
    vote = voting.votes_cast_by_account(actor=world.resident, funding_round=review_round,
                                        projects=[application.public_id])[0]
    assert (vote.resident, vote.method, vote.community) == (
        world.objects["resident"], ResidentVote.Method.ACCOUNT, world.community)
    assert refused(lambda: voting.votes_cast_by_account(actor=world.resident, funding_round=review_round,
                                                        projects=[application.public_id])) == [
        str(voting.MSG_ALREADY_VOTED % {"title": application.title})]


def test_account_and_phone_are_the_same_resident(world, review_round, application, sms_outbox):
    resident = world.objects["resident"]
    resident.phone = "13912340077"
    resident.save()
    voting.votes_cast_by_account(actor=world.resident, funding_round=review_round, projects=[application.public_id])
    request_code(review_round, "13912340077")
    assert refused(lambda: voting.votes_cast_with_code(
        funding_round=review_round, phone="13912340077", code=last_code(sms_outbox),
        projects=[application.public_id])) == [str(voting.MSG_ALREADY_VOTED % {"title": application.title})]


def test_account_without_resident_record_or_outside_the_round_cannot_vote(world, review_round, application):
    assert refused(lambda: voting.votes_cast_by_account(actor=world.community_staff, funding_round=review_round,
                                                        projects=[application.public_id])) == [
        str(voting.MSG_NO_RESIDENT_RECORD)]
    resident = world.objects["resident"]
    resident.region = world.other_community
    resident.save()
    assert refused(lambda: voting.votes_cast_by_account(actor=world.resident, funding_round=review_round,
                                                        projects=[application.public_id])) == [
        str(voting.MSG_NOT_ELIGIBLE)]


def test_multi_project_vote_is_all_or_nothing(world, review_round, application):
    other = add_application(world, review_round, "邻里守望")
    voting.votes_cast_by_account(actor=world.resident, funding_round=review_round, projects=[application.public_id])
    refused(lambda: voting.votes_cast_by_account(actor=world.resident, funding_round=review_round,
                                                 projects=[other.public_id, application.public_id]))
    assert not ResidentVote.objects.filter(project=other).exists()


def test_log_backend_masks_the_phone(settings, caplog):
    settings.WUSHE_SMS_BACKEND = sms.DEFAULT_BACKEND
    with caplog.at_level("INFO", logger="wushe.sms"):
        sms.send_sms("13912345678", "验证码 123456")
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text
