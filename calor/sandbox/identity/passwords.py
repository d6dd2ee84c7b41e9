"""Password hashing with PBKDF2-HMAC-SHA256; the stored form names its own rounds and salt."""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALGORITHM = "pbkdf2_sha256"
DEFAULT_ROUNDS = 200_000


def hash_password(password: str, rounds: int = DEFAULT_ROUNDS) -> str:
    """Return ``pbkdf2_sha256$<rounds>$<salt hex>$<hash hex>`` for ``password``."""
    if rounds < 1:
        raise ValueError("the number of rounds must be positive")
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, rounds)
    return f"{ALGORITHM}${rounds}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password` (constant time)."""
    if not stored:
        return False
    try:
        algorithm, rounds_text, salt_hex, digest_hex = stored.split("$")
        rounds = int(rounds_text)
        salt = bytes.fromhex(salt_hex)
        expected = bytes.fromhex(digest_hex)
    except ValueError:
        return False
    if algorithm != ALGORITHM or rounds < 1:
        return False
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, rounds)
    return hmac.compare_digest(digest, expected)
