"""Encryption at rest for the most sensitive fields (PIPL art. 51): case narratives, harm reports.

Keys come from `WUSHE_FIELD_ENCRYPTION_KEYS` (Fernet keys, newest first, so old keys still decrypt while
rows are re-encrypted). Without it the key is derived from SECRET_KEY, which is fine for a demo but ties
the data to that secret: production sets its own keys (`.env.example`).
"""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

PREFIX = "enc1:"


def _derived_key() -> bytes:
    material = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"wushe-field-encryption",
                    info=b"fernet").derive(settings.SECRET_KEY.encode())
    return base64.urlsafe_b64encode(material)


@functools.cache
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key.encode() if isinstance(key, str) else key) for key in keys])


def fernet() -> MultiFernet:
    keys = tuple(getattr(settings, "WUSHE_FIELD_ENCRYPTION_KEYS", None) or ()) or (_derived_key().decode(),)
    return _fernet_for(keys)


def encrypt_text(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt_text(value: str) -> str:
    if not value.startswith(PREFIX):
        return value  # a row written before the field was encrypted
    try:
        return fernet().decrypt(value[len(PREFIX):].encode()).decode()
    except InvalidToken as error:
        raise ValueError("encrypted field cannot be decrypted with the configured keys") from error


class EncryptedTextField(models.TextField):
    """A text column stored as Fernet ciphertext; it cannot be searched or ordered by in SQL."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(str(value))
