"""Signed public links (and their QR codes) for filling a survey without a staff account.

A token names the survey and carries a fingerprint of its `link_secret` (django.core.signing, salted);
rotating the secret revokes every printed link. Links do not expire: the survey's status and dates decide
whether it still collects. The token carries no timestamp, so a survey's link (and its QR code) stays the
same until the secret is rotated.
"""

import hashlib

from django.core import signing
from django.urls import reverse

from wushe.surveys.models import Survey

SALT = "wushe.surveys.link"


def _fingerprint(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def make_link_token(survey: Survey) -> str:
    return signing.Signer(salt=SALT).sign_object({"s": str(survey.public_id),
                                                  "k": _fingerprint(survey.link_secret)})


def survey_link_path(survey: Survey) -> str:
    return reverse("surveys_public:start", args=[make_link_token(survey)])


def survey_from_token(token: str) -> Survey | None:
    """The survey a link opens, or None when the token is bad, its secret was rotated, the survey is voided
    or it no longer accepts link responses (the pages answer 404)."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token or "")
        public_id, fingerprint = payload["s"], payload["k"]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    survey = Survey.objects.active().select_related("region").filter(public_id=public_id).first()
    if survey is None or not survey.allow_link or fingerprint != _fingerprint(survey.link_secret):
        return None
    return survey
