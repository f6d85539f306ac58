"""Resident review (居民评审): one resident, one vote per application, verified.

Who may vote: residents of the registry (`people.Resident`, not voided) registered within the round's
region, while the round is in review. Votes are counted per voter community. Three ways to prove it:

- a one-time code sent to the resident's registered phone (`vote_code_request`, then
  `votes_cast_with_code`): 6 digits, valid 10 minutes, at most 5 attempts, stored only as an HMAC. Codes
  are sent only to registered phones, yet the answer is the same whether or not the phone is registered,
  and every failed check gives the same message, so neither step reveals who is registered. When several
  registered residents share one phone, the phone speaks for the first of them (the others vote with a
  ballot token or their own account);
- a ballot token handed out at a roadshow (`ballot_tokens_generate`, then `votes_cast_with_token`): the
  clear code is shown once on the print sheet, only its HMAC is stored; each token votes once per
  application;
- a signed-in resident account linked to a registry record (`votes_cast_by_account`).

A second vote is refused with a friendly message, and the database refuses it too (constraints
`one_vote_per_resident` and `one_vote_per_ballot`). A submission for several applications is all or
nothing.
"""

from __future__ import annotations

import datetime
import logging
import re
import secrets
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wushe.accounts.policy import Action, Resource, can
from wushe.core.identity import validate_mobile
from wushe.people.models import Resident
from wushe.regions.models import Level, Region

from .. import sms
from ..models import (
    BallotToken,
    FundingRound,
    Project,
    ProjectStatus,
    ResidentVote,
    ReviewStage,
    RoundStatus,
    VoteChallenge,
)

logger = logging.getLogger(__name__)

CODE_VALIDITY = datetime.timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_INTERVAL = datetime.timedelta(seconds=60)
CODE_MAX_PER_DAY = 5
TOKEN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper
TOKEN_LENGTH = 12
TOKENS_MAX_PER_BATCH = 500
SUPPORT = 100

MSG_VOTING_CLOSED = _("本轮次当前不在居民评审投票阶段。")
MSG_CODE_SENT = _("如果该手机号是本轮次范围内登记的居民手机号，验证码已发送，10分钟内有效。"
                  "没有收到请稍后重试，或到所在社区领取现场选票。")
MSG_CODE_INVALID = _("验证码不正确、已使用或已过期（每个验证码10分钟内有效，最多尝试5次）。请核对手机号，或重新获取验证码。")
MSG_SMS_TEXT = _("【五社联动】您正在参与“%(round)s”居民评审投票，验证码 %(code)s，10分钟内有效。如非本人操作请忽略。")
MSG_NO_PROJECTS_SELECTED = _("请至少选择一个支持的项目。")
MSG_PROJECT_NOT_VOTABLE = _("所选项目不在本轮次的评审名单中。")
MSG_ALREADY_VOTED = _("您已为“%(title)s”投过票，每位居民对每个项目只能投一票。")
MSG_TOKEN_INVALID = _("选票凭证无效，请核对后重新输入。")
MSG_TOKEN_USED = _("这张选票凭证已为“%(title)s”投过票。")
MSG_NO_RESIDENT_RECORD = _("您的账号没有关联居民登记信息，请使用手机验证码或现场选票投票。")
MSG_NOT_ELIGIBLE = _("只有登记在本轮次范围内的居民才能投票，您不在本轮次的范围内。")
MSG_TOKEN_COUNT = _("每次可生成 1 到 %(max)s 张选票。")
MSG_TOKEN_COMMUNITY = _("请选择本轮次范围内的社区。")
MSG_METHOD_UNKNOWN = _("投票方式应为手机验证码（phone_code）或现场选票（ballot_token）。")
MSG_TOKENS_CLOSED = _("只能在征集或评审阶段生成选票。")


# --- eligibility ----------------------------------------------------------------------------------------

def eligible_residents(funding_round: FundingRound):
    """Registry residents (not voided) registered within the round's region."""
    low, high = funding_round.region.code_range
    return Resident.objects.filter(voided_at__isnull=True, region__code__gte=low, region__code__lte=high)


def votable_projects(funding_round: FundingRound):
    """The applications residents vote on: those of the round under review."""
    return funding_round.projects.filter(status=ProjectStatus.UNDER_REVIEW, voided_at__isnull=True)


def voting_is_open(funding_round: FundingRound) -> bool:
    return funding_round.status == RoundStatus.REVIEW and funding_round.voided_at is None


def _check_open(funding_round: FundingRound) -> None:
    if not voting_is_open(funding_round):
        raise ValidationError(MSG_VOTING_CLOSED, code="voting_closed")


def _chosen_projects(funding_round: FundingRound, projects) -> list[Project]:
    """The chosen applications (objects or public ids), all votable, or a ValidationError."""
    try:
        chosen = list(dict.fromkeys(uuid.UUID(str(getattr(p, "public_id", p))) for p in projects or []))
    except ValueError:
        raise ValidationError({"projects": MSG_PROJECT_NOT_VOTABLE}, code="project_not_votable")
    if not chosen:
        raise ValidationError({"projects": MSG_NO_PROJECTS_SELECTED}, code="no_projects")
    found = list(votable_projects(funding_round).filter(public_id__in=chosen).order_by("pk"))
    if len(found) != len(chosen):
        raise ValidationError({"projects": MSG_PROJECT_NOT_VOTABLE}, code="project_not_votable")
    return found


def _cast(projects: list[Project], *, method: str, community: Region, resident: Resident | None = None,
          ballot: BallotToken | None = None) -> list[ResidentVote]:
    """Record one support vote per application; the caller's transaction makes it all or nothing."""
    votes = []
    for project in projects:
        earlier = ResidentVote.objects.filter(project=project, stage=ReviewStage.APPLICATION)
        if ballot is not None and earlier.filter(ballot=ballot).exists():
            raise ValidationError(MSG_TOKEN_USED % {"title": project.title}, code="token_used")
        if resident is not None and earlier.filter(resident=resident).exists():
            raise ValidationError(MSG_ALREADY_VOTED % {"title": project.title}, code="already_voted")
        vote = ResidentVote(project=project, stage=ReviewStage.APPLICATION, resident=resident, ballot=ballot,
                            community=community, method=method, score=SUPPORT)
        try:
            with transaction.atomic():  # a concurrent second vote is stopped by the unique constraints
                vote.save()
        except IntegrityError:
            message = MSG_TOKEN_USED if resident is None else MSG_ALREADY_VOTED
            raise ValidationError(message % {"title": project.title}, code="already_voted")
        votes.append(vote)
    return votes


# --- one-time code to the registered phone --------------------------------------------------------------

def _code_hash(resident_id: int, round_id: int, code: str) -> str:
    return salted_hmac("wushe.projects.vote-code", f"{resident_id}:{round_id}:{code}",
                       algorithm="sha256").hexdigest()


def _resident_by_phone(funding_round: FundingRound, phone: str) -> Resident | None:
    return eligible_residents(funding_round).filter(phone=phone).select_related("region").order_by("pk").first()


@transaction.atomic
def vote_code_request(*, funding_round: FundingRound, phone: str) -> str:
    """Send a 6-digit code to the phone if it belongs to an eligible resident. Always returns the same
    neutral message (MSG_CODE_SENT), so the answer does not reveal who is registered."""
    _check_open(funding_round)
    phone = validate_mobile(phone)
    neutral = str(MSG_CODE_SENT)
    resident = _resident_by_phone(funding_round, phone)
    if resident is None:
        return neutral
    now = timezone.now()
    recent = VoteChallenge.objects.filter(resident=resident, funding_round=funding_round,
                                          created_at__gte=now - datetime.timedelta(days=1))
    if recent.filter(created_at__gte=now - CODE_RESEND_INTERVAL).exists() or recent.count() >= CODE_MAX_PER_DAY:
        return neutral
    code = f"{secrets.randbelow(10**6):06d}"
    VoteChallenge.objects.create(resident=resident, funding_round=funding_round,
                                 code_hash=_code_hash(resident.pk, funding_round.pk, code),
                                 expires_at=now + CODE_VALIDITY)
    try:
        sms.send_sms(phone, str(MSG_SMS_TEXT % {"round": funding_round.title, "code": code}))
    except sms.SmsError:
        logger.exception("vote code not sent for round %s", funding_round.pk)
    return neutral


def _verify_code(funding_round: FundingRound, phone: str, code: str) -> tuple[Resident, VoteChallenge] | None:
    """Count one attempt on the resident's latest code, then compare. Runs in its own transaction so that
    the attempt stays counted when the check fails."""
    with transaction.atomic():
        resident = _resident_by_phone(funding_round, phone)
        if resident is None:
            return None
        challenge = (VoteChallenge.objects.filter(resident=resident, funding_round=funding_round)
                     .order_by("-created_at", "-pk").first())
        if challenge is None or challenge.used_at is not None or challenge.expires_at <= timezone.now():
            return None
        counted = VoteChallenge.objects.filter(pk=challenge.pk, attempts__lt=CODE_MAX_ATTEMPTS).update(
            attempts=F("attempts") + 1)
        if not counted:
            return None
    if not constant_time_compare(challenge.code_hash, _code_hash(resident.pk, funding_round.pk, code)):
        return None
    return resident, challenge


def votes_cast_with_code(*, funding_round: FundingRound, phone: str, code: str, projects) -> list[ResidentVote]:
    """Vote for `projects` with the code sent to the registered phone (one-time: used by a successful vote).

    Not one atomic block on purpose: the attempt counter must survive a failed check. The votes and the
    code's use are one transaction."""
    _check_open(funding_round)
    chosen = _chosen_projects(funding_round, projects)
    try:
        phone = validate_mobile(phone)
    except ValidationError:
        raise ValidationError(MSG_CODE_INVALID, code="code_invalid")
    code = re.sub(r"\s", "", code or "")
    verified = _verify_code(funding_round, phone, code) if re.fullmatch(r"\d{6}", code) else None
    if verified is None:
        raise ValidationError(MSG_CODE_INVALID, code="code_invalid")
    resident, challenge = verified
    with transaction.atomic():
        if not VoteChallenge.objects.filter(pk=challenge.pk, used_at__isnull=True).update(used_at=timezone.now()):
            raise ValidationError(MSG_CODE_INVALID, code="code_invalid")
        return _cast(chosen, method=ResidentVote.Method.PHONE_CODE, community=resident.region, resident=resident)


# --- ballot tokens from a roadshow ----------------------------------------------------------------------

def normalise_token(code: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", (code or "").upper())


def token_hash(code: str) -> str:
    return salted_hmac("wushe.projects.ballot-token", normalise_token(code), algorithm="sha256").hexdigest()


def _new_token_code() -> str:
    raw = "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))
    return "-".join(raw[i:i + 4] for i in range(0, TOKEN_LENGTH, 4))


def token_communities(funding_round: FundingRound):
    """Communities within the round's region, for which tokens may be printed."""
    return Region.objects.current().subtree_of(funding_round.region).filter(level=Level.COMMUNITY).order_by("code")


@transaction.atomic
def ballot_tokens_generate(*, actor, funding_round: FundingRound, community: Region,
                           count: int) -> list[tuple[BallotToken, str]]:
    """Create `count` tokens for one community; returns (token, clear code) pairs. The clear codes exist
    only in this return value (for the print sheet); the database keeps their HMAC."""
    if not can(actor, Action.MANAGE, Resource.FUNDING_ROUND, funding_round):
        raise PermissionDenied
    if funding_round.status not in (RoundStatus.OPEN, RoundStatus.REVIEW):
        raise ValidationError(MSG_TOKENS_CLOSED, code="tokens_closed")
    if community is None or not token_communities(funding_round).filter(pk=community.pk).exists():
        raise ValidationError({"community": MSG_TOKEN_COMMUNITY}, code="community_out_of_round")
    if not isinstance(count, int) or not 1 <= count <= TOKENS_MAX_PER_BATCH:
        raise ValidationError({"count": MSG_TOKEN_COUNT % {"max": TOKENS_MAX_PER_BATCH}}, code="token_count")
    # Serialise numbering per round (a no-op on SQLite, whose write transactions are already exclusive).
    FundingRound.objects.select_for_update().filter(pk=funding_round.pk).first()
    start = BallotToken.objects.filter(funding_round=funding_round, community=community).count()
    issued = []
    for number in range(start + 1, start + count + 1):
        code = _new_token_code()
        token = BallotToken.objects.create(funding_round=funding_round, community=community,
                                           token_hash=token_hash(code), serial=f"{community.code[6:]}-{number:04d}",
                                           issued_by=actor)
        issued.append((token, code))
    return issued


@transaction.atomic
def ballot_token_revoke(*, actor, token: BallotToken) -> BallotToken:
    """Withdraw a lost or misused token; votes it already cast stay counted."""
    if not can(actor, Action.MANAGE, Resource.FUNDING_ROUND, token.funding_round):
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


@transaction.atomic
def votes_cast_with_token(*, funding_round: FundingRound, token: str, projects) -> list[ResidentVote]:
    """Vote for `projects` with a ballot token; each token votes once per application."""
    _check_open(funding_round)
    chosen = _chosen_projects(funding_round, projects)
    ballot = BallotToken.objects.select_related("community", "issued_to").filter(
        token_hash=token_hash(token), funding_round=funding_round, revoked_at__isnull=True).first()
    if ballot is None or not normalise_token(token):
        raise ValidationError({"token": MSG_TOKEN_INVALID}, code="token_invalid")
    return _cast(chosen, method=ResidentVote.Method.BALLOT_TOKEN, community=ballot.community,
                 resident=ballot.issued_to, ballot=ballot)


# --- a signed-in resident -------------------------------------------------------------------------------

def resident_for_account(user) -> Resident | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Resident.objects.filter(user=user, voided_at__isnull=True).select_related("region").first()


@transaction.atomic
def votes_cast_by_account(*, actor, funding_round: FundingRound, projects) -> list[ResidentVote]:
    """Vote as the resident linked to the signed-in account."""
    _check_open(funding_round)
    chosen = _chosen_projects(funding_round, projects)
    resident = resident_for_account(actor)
    if resident is None:
        raise ValidationError(MSG_NO_RESIDENT_RECORD, code="no_resident")
    if not eligible_residents(funding_round).filter(pk=resident.pk).exists():
        raise ValidationError(MSG_NOT_ELIGIBLE, code="not_eligible")
    return _cast(chosen, method=ResidentVote.Method.ACCOUNT, community=resident.region, resident=resident)


def vote_summary_message(votes: list[ResidentVote]) -> str:
    titles = "、".join(f"“{v.project.title}”" for v in votes)
    return gettext("投票成功，感谢参与！您支持了：%(titles)s") % {"titles": titles}
