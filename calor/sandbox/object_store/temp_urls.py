"""Swift's temporary URLs: ``temp_url_sig`` is an HMAC of ``"<METHOD>\\n<expires>\\n<path>"`` with an
account or container key (``X-Account-Meta-Temp-URL-Key``, ``-Key-2``); SHA-1, SHA-256 or SHA-512,
hex or ``<digest>:<base64>``; ``temp_url_prefix`` signs ``prefix:/v1/<account>/<container>/<prefix>``."""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import hmac
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from calor.sandbox.framework.errors import BadRequest, Unauthorized

DIGESTS: Mapping[str, Callable[[], object]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
}
HEX_LENGTHS = {40: "sha1", 64: "sha256", 128: "sha512"}
KEY_NAMES = ("temp-url-key", "temp-url-key-2")
METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")
INVALID = "Temp URL invalid"


@dataclass(frozen=True)
class TempUrl:
    signature: str
    expires: int
    prefix: str | None
    filename: str | None
    inline: bool


def parse_expires(text: str) -> int:
    """Unix seconds, or ISO 8601 UTC (``2026-11-24T22:00:00Z``) as Swift accepts."""
    if text.isdigit():
        return int(text)
    try:
        return calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError as error:
        raise Unauthorized(INVALID) from error


def from_query(query: Mapping[str, str]) -> TempUrl | None:
    """The temp URL parameters of a request, or None when it carries none."""
    if "temp_url_sig" not in query and "temp_url_expires" not in query:
        return None
    signature = query.get("temp_url_sig")
    expires = query.get("temp_url_expires")
    if not signature or not expires:
        raise Unauthorized(INVALID)
    inline = "inline" in query
    return TempUrl(
        signature, parse_expires(expires), query.get("temp_url_prefix"), query.get("filename"), inline
    )


def _digest_and_bytes(signature: str) -> tuple[str, bytes]:
    if ":" in signature:
        name, _, encoded = signature.partition(":")
        if name not in DIGESTS:
            raise Unauthorized(INVALID)
        try:
            return name, base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError) as error:
            raise Unauthorized(INVALID) from error
    name = HEX_LENGTHS.get(len(signature), "")
    if not name:
        raise Unauthorized(INVALID)
    try:
        return name, bytes.fromhex(signature)
    except ValueError as error:
        raise Unauthorized(INVALID) from error


def sign(key: str, method: str, expires: int, path: str, digest: str = "sha256") -> str:
    """The hex signature a client computes (used by tests and by callers making temp URLs)."""
    message = f"{method}\n{expires}\n{path}".encode()
    return hmac.new(key.encode(), message, digest).hexdigest()


def verify(
    temp_url: TempUrl,
    *,
    method: str,
    account: str,
    container: str,
    object_name: str,
    keys: Iterable[str],
    now: float | None = None,
    mount_prefix: str = "",
) -> None:
    """Raise :class:`Unauthorized` unless the signature matches one key, path and method in time.
    A HEAD is allowed by a signature made for GET, HEAD or PUT, as Swift does. The path signed is
    Swift's own (``/v1/...``) or, for clients that sign the endpoint's full path (Heat's
    ``SwiftSignal``), the same behind ``mount_prefix`` (``/object-store/v1/...``)."""
    if method not in METHODS:
        raise BadRequest(f"Method {method} is not allowed with a temp URL.")
    if temp_url.expires < (time.time() if now is None else now):
        raise Unauthorized(INVALID)
    if temp_url.prefix is not None:
        if not object_name.startswith(temp_url.prefix):
            raise Unauthorized(INVALID)
        swift_path = f"/v1/{account}/{container}/{temp_url.prefix}"
    else:
        swift_path = f"/v1/{account}/{container}/{object_name}"
    paths = [swift_path, mount_prefix + swift_path] if mount_prefix else [swift_path]
    if temp_url.prefix is not None:
        paths = ["prefix:" + path for path in paths]
    digest, given = _digest_and_bytes(temp_url.signature)
    methods = ("GET", "HEAD", "PUT") if method == "HEAD" else (method,)
    for key in keys:
        for signed_method in methods:
            for path in paths:
                message = f"{signed_method}\n{temp_url.expires}\n{path}".encode()
                expected = hmac.new(key.encode(), message, digest).digest()
                if hmac.compare_digest(expected, given):
                    return
    raise Unauthorized(INVALID)
