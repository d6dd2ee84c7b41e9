"""Key pairs, per user: imported public keys or generated ones (with the ``cryptography`` package)."""

from __future__ import annotations

import base64
import hashlib
import re

from calor.sandbox.framework.errors import BadRequest, Conflict, Forbidden, NotFound
from calor.sandbox.framework.ids import timestamp
from calor.sandbox.framework.store import Collection, Document

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9 _.@-]{1,255}$")
KEY_TYPES = ("ssh", "x509")


def fingerprint(public_key: str) -> str:
    """The MD5 fingerprint Nova shows (colon-separated hex of the decoded key blob)."""
    parts = public_key.strip().split()
    if len(parts) < 2:
        raise BadRequest("Keypair data is invalid: failed to generate fingerprint")
    try:
        blob = base64.b64decode(parts[1].encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as error:
        raise BadRequest("Keypair data is invalid: failed to generate fingerprint") from error
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[index : index + 2] for index in range(0, len(digest), 2))


def _validate_public_key(public_key: str) -> None:
    try:
        from cryptography.hazmat.primitives.serialization import load_ssh_public_key
    except ImportError:  # pragma: no cover - cryptography ships with openstacksdk
        fingerprint(public_key)
        return
    try:
        load_ssh_public_key(public_key.strip().encode("utf-8"))
    except (ValueError, TypeError) as error:
        raise BadRequest("Keypair data is invalid: failed to generate fingerprint") from error


def generate_key_pair() -> tuple[str, str]:
    """(private key PEM, public key in OpenSSH form), an RSA 2048 key as Nova generates."""
    try:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
    except ImportError as error:  # pragma: no cover
        raise BadRequest(
            "Key pair generation needs the 'cryptography' package; import a public key instead."
        ) from error
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode("ascii")
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode("ascii")
    )
    return private, public + " Generated-by-Nova"


class Keypairs:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    @staticmethod
    def _key(user_id: str, name: str) -> str:
        return f"{user_id}/{name}"

    def create(
        self,
        user_id: str,
        name: str,
        *,
        public_key: str | None,
        key_type: str = "ssh",
        allowed: bool = True,
    ) -> tuple[Document, str | None]:
        """The stored key pair and the generated private key (None when imported)."""
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise BadRequest(
                "Keypair data is invalid: Keypair name contains unsafe characters"
                if isinstance(name, str) and name
                else "Invalid input for field/attribute name."
            )
        if key_type not in KEY_TYPES:
            raise BadRequest(f"Invalid input for field/attribute type. Value: {key_type}.")
        private_key: str | None = None
        if public_key is None:
            private_key, public_key = generate_key_pair()
        else:
            _validate_public_key(public_key)
        with self.collection.store.lock:
            if self.collection.get(self._key(user_id, name)) is not None:
                raise Conflict(f"Key pair '{name}' already exists.")
            if not allowed:
                raise Forbidden("Quota exceeded, too many key pairs.")
            document = {
                "id": self._key(user_id, name),
                "project_id": user_id,
                "name": name,
                "user_id": user_id,
                "public_key": public_key.strip(),
                "fingerprint": fingerprint(public_key),
                "type": key_type,
                "created_at": timestamp(),
                "number": len(self.collection.list()) + 1,
            }
            self.collection.put(document)
        return document, private_key

    def get(self, user_id: str, name: str) -> Document:
        document = self.collection.get(self._key(user_id, name))
        if document is None:
            raise NotFound(f"Keypair {name} not found for user {user_id}")
        return document

    def list(self, user_id: str) -> list[Document]:
        return self.collection.list(user_id)

    def delete(self, user_id: str, name: str) -> None:
        self.get(user_id, name)
        self.collection.delete(self._key(user_id, name))
