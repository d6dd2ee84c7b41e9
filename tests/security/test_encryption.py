"""SecretEncryption: Fernet with a key derived from auth_encryption_key; wrong keys are one-line errors."""

from __future__ import annotations

import pytest

from calor.security.encryption import (
    PREFIX,
    InvalidEncryptionKey,
    InvalidKeyConfiguration,
    SecretEncryption,
    is_encrypted,
)

KEY = "a-key-of-thirty-two-characters!!"


def test_round_trip_and_no_clear_text() -> None:
    encryption = SecretEncryption(KEY)
    stored = encryption.encrypt("trust-1234 ünïcode")
    assert stored.startswith(PREFIX) and is_encrypted(stored)
    assert "trust-1234" not in stored
    assert encryption.decrypt(stored) == "trust-1234 ünïcode"
    assert encryption.encrypt("same") != encryption.encrypt("same")  # a fresh IV each time
    assert SecretEncryption(KEY).decrypt(stored) == "trust-1234 ünïcode"  # the key alone decides


def test_another_key_is_a_clear_error() -> None:
    stored = SecretEncryption(KEY).encrypt("secret")
    with pytest.raises(InvalidEncryptionKey, match="auth_encryption_key") as raised:
        SecretEncryption("another key, also long enough").decrypt(stored)
    assert "\n" not in str(raised.value)
    assert not SecretEncryption("another key, also long enough").can_decrypt(stored)
    assert SecretEncryption(KEY).can_decrypt(stored)


def test_damaged_or_clear_values_are_refused() -> None:
    encryption = SecretEncryption(KEY)
    stored = encryption.encrypt("secret")
    with pytest.raises(InvalidEncryptionKey):
        encryption.decrypt(stored[:-4] + "AAAA")
    with pytest.raises(InvalidEncryptionKey, match="not in Calor's encrypted form"):
        encryption.decrypt("secret")


def test_short_keys_are_refused() -> None:
    with pytest.raises(InvalidKeyConfiguration, match="at least 16 characters"):
        SecretEncryption("short")
