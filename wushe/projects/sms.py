"""Text messages (SMS) to residents' registered phones, through a pluggable backend.

The backend is named by the setting `WUSHE_SMS_BACKEND` (a dotted path to a class with
`send(phone, message)`), default `"wushe.projects.sms.LogBackend"`:

- `LogBackend` writes the message to the log (development and pilots without a gateway: the operator reads
  the code from the log). It masks the phone number but not the message.
- `LocMemBackend` keeps messages in `LocMemBackend.outbox` (tests).

**Production plugs a gateway here**: write a class with the same `send(phone, message)` method that calls
the provider's API (e.g. the government SMS platform or a domestic cloud provider; data stays in China),
and point `WUSHE_SMS_BACKEND` at it. `send` should raise `SmsError` when the gateway refuses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from wushe.core.masking import mask_phone

DEFAULT_BACKEND = "wushe.projects.sms.LogBackend"
logger = logging.getLogger("wushe.sms")


class SmsError(Exception):
    """The gateway did not accept the message."""


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    message: str


class BaseBackend:
    def send(self, phone: str, message: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogBackend(BaseBackend):
    """Writes messages to the `wushe.sms` logger instead of sending them."""

    def send(self, phone: str, message: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), message)


class LocMemBackend(BaseBackend):
    """Collects messages in `LocMemBackend.outbox` (a class attribute, like Django's locmem mail outbox)."""

    outbox: list[SmsMessage] = []

    def send(self, phone: str, message: str) -> None:
        LocMemBackend.outbox.append(SmsMessage(phone=phone, message=message))


def get_backend() -> BaseBackend:
    return import_string(getattr(settings, "WUSHE_SMS_BACKEND", DEFAULT_BACKEND))()


def send_sms(phone: str, message: str) -> None:
    get_backend().send(phone, message)
