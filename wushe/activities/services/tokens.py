"""Signed sign-in tokens behind the QR codes (django.core.signing, salted).

A token names the session, carries a fingerprint of the activity's `signin_secret` (rotating the secret
revokes every printed code) and its expiry: the session end plus `WUSHE_SIGNIN_GRACE_HOURS`. A token is
also refused earlier than `SIGNIN_OPENS_BEFORE` ahead of the session start. Every function takes an explicit
`now` so tests need no time mocking.
"""

import datetime
import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import ActivitySession, ActivityStatus

SALT = "wushe.activities.signin"
SIGNIN_OPENS_BEFORE = datetime.timedelta(hours=1)

MSG_TOKEN_INVALID = _("签到二维码无效：可能已被重新生成或不是本平台的二维码，请向工作人员索取最新二维码。")
MSG_TOKEN_EXPIRED = _("签到二维码已过期：该场次的签到时间已结束。")
MSG_TOKEN_NOT_YET = _("签到尚未开始：请在活动开始前1小时内扫码签到。")
MSG_ACTIVITY_NOT_SIGNABLE = _("该活动已取消或已作废，不能签到。")


def _fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def token_expiry(session: ActivitySession) -> datetime.datetime:
    return session.ends_at + datetime.timedelta(hours=settings.WUSHE_SIGNIN_GRACE_HOURS)


def make_signin_token(session: ActivitySession) -> str:
    payload = {
        "s": str(session.public_id),
        "k": _fingerprint(session.activity.signin_secret),
        "e": int(token_expiry(session).timestamp()),
    }
    return signing.dumps(payload, salt=SALT, compress=False)


def signin_path(session: ActivitySession) -> str:
    return reverse("signin:page", args=[make_signin_token(session)])


@dataclass
class TokenCheck:
    session: ActivitySession
    expires_at: datetime.datetime


def read_signin_token(token: str, *, now: datetime.datetime | None = None) -> TokenCheck:
    """The session a token signs in to, or ValidationError with MSG_TOKEN_INVALID / _EXPIRED / _NOT_YET."""
    now = now or timezone.now()
    try:
        payload = signing.loads(token or "", salt=SALT)
        public_id, fingerprint, expiry = payload["s"], payload["k"], int(payload["e"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ValidationError(MSG_TOKEN_INVALID, code="token_invalid") from None
    session = (ActivitySession.objects.active().select_related("activity", "activity__region")
               .filter(public_id=public_id).first())
    if session is None or session.activity.is_voided or fingerprint != _fingerprint(session.activity.signin_secret):
        raise ValidationError(MSG_TOKEN_INVALID, code="token_invalid")
    if session.activity.status == ActivityStatus.CANCELLED:
        raise ValidationError(MSG_ACTIVITY_NOT_SIGNABLE, code="activity_cancelled")
    expires_at = datetime.datetime.fromtimestamp(expiry, tz=datetime.UTC)
    if now > expires_at:
        raise ValidationError(MSG_TOKEN_EXPIRED, code="token_expired")
    if now < session.starts_at - SIGNIN_OPENS_BEFORE:
        raise ValidationError(MSG_TOKEN_NOT_YET, code="token_not_yet")
    return TokenCheck(session=session, expires_at=expires_at)
