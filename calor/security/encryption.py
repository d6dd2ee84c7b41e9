"""Secrets at rest: :class:`SecretEncryption` encrypts with a key derived from ``auth_encryption_key``.

Values are Fernet tokens (AES-128-CBC with HMAC-SHA256, from the ``cryptography`` package)
under a versioned prefix, so a stored value says how it was encrypted. The Fernet key is
derived from the configured text with HKDF-SHA256, so any key of at least
:data:`MINIMUM_KEY_LENGTH` characters works (Heat's are 32 characters). Decrypting with
another key raises :class:`InvalidEncryptionKey`, a one-line error.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from calor.errors import CalorError

PREFIX = "fernet-v1:"
MINIMUM_KEY_LENGTH = 16
HEAT_DEFAULT_KEY = "notgood but just long enough i t"
"""Heat's published default ``auth_encryption_key``: used only when nothing else is configured."""

_SALT = b"calor.user_credentials"
_INFO = b"calor auth_encryption_key v1"


class InvalidEncryptionKey(CalorError):
    """Stored secrets cannot be decrypted with the configured ``auth_encryption_key``."""

    heat_type = "InvalidEncryptionKey"

    def __init__(
        self,
        message: str = "The stored credentials cannot be decrypted with the configured "
        "auth_encryption_key (it is not the key they were encrypted with).",
    ) -> None:
        super().__init__(message)


class InvalidKeyConfiguration(CalorError):
    """``auth_encryption_key`` is unusable (too short)."""


def fernet_key(key: str) -> bytes:
    """The Fernet key (url-safe base64 of 32 bytes) derived from ``key``."""
    if len(key) < MINIMUM_KEY_LENGTH:
        raise InvalidKeyConfiguration(
            f"auth_encryption_key must be at least {MINIMUM_KEY_LENGTH} characters long "
            f"(it has {len(key)}; Heat's keys have 32)."
        )
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO).derive(key.encode("utf-8"))
    return base64.urlsafe_b64encode(derived)


class SecretEncryption:
    """Encrypts and decrypts text with one ``auth_encryption_key``."""

    def __init__(self, key: str) -> None:
        self._fernet = Fernet(fernet_key(key))

    def encrypt(self, value: str) -> str:
        """``value`` encrypted, as text for a database column."""
        return PREFIX + self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The text :meth:`encrypt` gave ``stored`` for; :class:`InvalidEncryptionKey` otherwise."""
        if not is_encrypted(stored):
            raise InvalidEncryptionKey("A stored secret is not in Calor's encrypted form.")
        try:
            return self._fernet.decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError, ValueError) as error:
            raise InvalidEncryptionKey() from error

    def can_decrypt(self, stored: str) -> bool:
        try:
            self.decrypt(stored)
        except InvalidEncryptionKey:
            return False
        return True


def is_encrypted(stored: str) -> bool:
    """Whether ``stored`` has the form :meth:`SecretEncryption.encrypt` gives."""
    return stored.startswith(PREFIX)
