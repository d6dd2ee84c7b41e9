"""AWS signatures (v4 and v2, header and query forms) checked against EC2 credentials.

:func:`ec2_request_from` describes a received request the way Keystone's
``/v3/ec2tokens`` expects it; a :class:`Verifier` checks it and names the
:class:`Principal` (user, project, roles) of the credential:

- :class:`LocalVerifier` (standalone mode): the embedded identity backend, in-process,
  with the signature computed by :mod:`calor.sandbox.identity.ec2`;
- :class:`KeystoneVerifier` (Keystone mode): ``POST {identity}/v3/ec2tokens``.

:class:`FreshnessGuard` refuses requests whose timestamp is too old (or too far in the
future) and mutating requests whose signature was already used (replays), unless that first
use was refused.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from calor.api.cfn.errors import (
    AccessDenied,
    IncompleteSignature,
    InvalidClientTokenId,
    MissingAuthenticationToken,
    RequestExpired,
    ServiceUnavailable,
    SignatureDoesNotMatch,
)
from calor.sandbox.identity.ec2 import V4_ALGORITHM, Ec2Request, given_signature, verify_signature

MAX_SKEW_SECONDS = 900


@dataclass(frozen=True)
class Principal:
    """Who signed: the credential's user and project, and the user's roles there.

    A stack's agent signs with a key pair of its stack domain user: its project is the
    stack's stack user project and its role ``heat_stack_user``, which policy and the
    service's stack lookup confine to that stack."""

    access: str
    user_id: str
    project_id: str
    user_name: str = ""
    roles: tuple[str, ...] = ()
    # The token /v3/ec2tokens issued (Keystone mode) and its methods: what deferred auth sees.
    token: str | None = field(default=None, repr=False)
    token_methods: tuple[str, ...] = ()


class Verifier(Protocol):
    def verify(self, request: Ec2Request) -> Principal:
        """The principal of a correctly signed request; a CfnError otherwise."""
        ...


# --- reading a received request -------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedRequest:
    """The parts of an HTTP request a signature covers."""

    method: str
    host: str
    path: str
    params: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes = b""


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name.lower():
            return value
    return None


def access_key_of(request: ReceivedRequest) -> str | None:
    authorization = _header(request.headers, "Authorization") or ""
    if authorization.startswith(V4_ALGORITHM):
        for part in authorization[len(V4_ALGORITHM) :].split(","):
            key, _, value = part.strip().partition("=")
            if key == "Credential":
                return value.split("/")[0] or None
        return None
    if request.params.get("X-Amz-Credential"):
        return request.params["X-Amz-Credential"].split("/")[0] or None
    return request.params.get("AWSAccessKeyId") or None


def ec2_request_from(request: ReceivedRequest) -> Ec2Request:
    """The request as ``/v3/ec2tokens`` describes it (MissingAuthenticationToken when unsigned)."""
    access = access_key_of(request)
    if access is None:
        if _header(request.headers, "Authorization") or request.params.get("Signature"):
            raise IncompleteSignature("The request signature does not name an access key.")
        raise MissingAuthenticationToken("Request is missing Authentication Token")
    authorization = _header(request.headers, "Authorization") or ""
    header_signed = authorization.startswith(V4_ALGORITHM)
    return Ec2Request(
        access=access,
        signature="",
        host=request.host,
        verb=request.method.upper(),
        path=request.path or "/",
        params=dict(request.params),
        headers=dict(request.headers),
        body_hash=hashlib.sha256(request.body).hexdigest() if header_signed else None,
    )


# --- freshness and replays ------------------------------------------------------------------


def _parse_time(text: str) -> float | None:
    formats = ("%Y%m%dT%H%M%SZ", "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%S")
    for layout in formats:
        try:
            moment = datetime.datetime.strptime(text, layout)
        except ValueError:
            continue
        return moment.replace(tzinfo=datetime.UTC).timestamp()
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def signed_time(request: Ec2Request) -> tuple[float | None, float | None]:
    """``(signing time, explicit expiry)`` of a request, each ``None`` when it does not say."""
    params = request.params
    if params.get("X-Amz-Date"):
        signed = _parse_time(params["X-Amz-Date"])
        expires = params.get("X-Amz-Expires")
        if signed is not None and expires and expires.isdigit():
            return signed, signed + int(expires)
        return signed, None
    header = request.header("X-Amz-Date")
    if header:
        return _parse_time(header), None
    if params.get("Expires"):
        return None, _parse_time(params["Expires"])
    if params.get("Timestamp"):
        return _parse_time(params["Timestamp"]), None
    date = request.header("Date")
    if date:
        try:
            from email.utils import parsedate_to_datetime

            return parsedate_to_datetime(date).timestamp(), None
        except (TypeError, ValueError):
            return None, None
    return None, None


@dataclass
class FreshnessGuard:
    """Refuses stale requests and replayed signatures (kept as long as they would be fresh)."""

    max_skew: float = MAX_SKEW_SECONDS
    _seen: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def check_time(self, request: Ec2Request, now: float | None = None) -> None:
        moment = time.time() if now is None else now
        signed, expires = signed_time(request)
        if expires is not None and moment > expires:
            raise RequestExpired("Request has expired.")
        if signed is None:
            if expires is None:
                raise IncompleteSignature("The request must carry X-Amz-Date, Timestamp or Expires.")
            return
        if abs(moment - signed) > self.max_skew:
            raise RequestExpired(
                "Signature expired: the request was signed more than 15 minutes away from the server's time."
            )

    def check_replay(self, request: Ec2Request, signature: str, now: float | None = None) -> None:
        moment = time.time() if now is None else now
        key = f"{request.access}:{signature}"
        with self._lock:
            for old, until in list(self._seen.items()):
                if until < moment:
                    del self._seen[old]
            if key in self._seen:
                raise AccessDenied("This request was already received: replayed requests are refused.")
            self._seen[key] = moment + 2 * self.max_skew

    def forget(self, request: Ec2Request, signature: str) -> None:
        """Accept this signature again: its request was refused and changed nothing (boto3 retries
        ``RequestLimitExceeded`` with the same signature, and must get the same answer)."""
        with self._lock:
            self._seen.pop(f"{request.access}:{signature}", None)


# --- verifiers ------------------------------------------------------------------------------


class LocalVerifier:
    """Standalone mode: EC2 credentials of the embedded identity backend, checked in-process."""

    def __init__(self, backend: Any) -> None:
        self.backend = backend

    def verify(self, request: Ec2Request) -> Principal:
        from calor.sandbox.identity.errors import IdentityError, NotFound

        try:
            credential = self.backend.get_ec2_credential(request.access)
        except NotFound as error:
            raise InvalidClientTokenId("The security token included in the request is invalid.") from error
        try:
            verify_signature(request, credential.secret)
        except IdentityError as error:
            raise SignatureDoesNotMatch(
                f"The request signature we calculated does not match the signature you provided. ({error})"
            ) from error
        user = self.backend.get_user(credential.user_id)
        project = self.backend.get_project(credential.project_id)
        if not user.enabled or not project.enabled:
            raise InvalidClientTokenId("The user or project of this access key is disabled.")
        roles = tuple(role.name for role in self.backend.effective_roles(user.id, project.id))
        if not roles:
            raise AccessDenied(f"User {user.id} has no role in project {project.id}.")
        return Principal(credential.access, user.id, project.id, user.name, roles)


class KeystoneVerifier:
    """Keystone mode: the request is described to ``POST {identity_url}/v3/ec2tokens``."""

    def __init__(
        self,
        identity_url: str,
        *,
        timeout: float = 10.0,
        service_token: Callable[[], str | None] | None = None,
        verify: bool | str = True,
    ) -> None:
        self.url = identity_url.rstrip("/")
        # TLS as keystoneauth's ``verify``: False (insecure), a CA bundle's path, or the system's.
        self._tls: ssl.SSLContext | None = None
        if verify is False:
            self._tls = ssl._create_unverified_context()
        elif isinstance(verify, str):
            self._tls = ssl.create_default_context(cafile=verify)
        if not self.url.endswith("/v3"):
            self.url += "/v3"
        self.timeout = timeout
        # Keystone allows /v3/ec2tokens to administrators and service users only: the token of
        # heat-api-cfn's service user ([keystone_authtoken]) goes with each request.
        self.service_token = service_token

    def verify(self, request: Ec2Request) -> Principal:
        # Keystone compares the signature the client sent with its own; as Heat's ec2token
        # middleware, pass it apart from the signed parameters.
        params = {key: value for key, value in request.params.items() if key != "Signature"}
        body = {
            "credentials": {
                "access": request.access,
                "signature": given_signature(request),
                "host": request.host,
                "verb": request.verb,
                "path": request.path,
                "params": params,
                "headers": dict(request.headers),
                "body_hash": request.body_hash or "",
            }
        }
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        try:
            token = self.service_token() if self.service_token is not None else None
        except Exception as error:  # keystoneauth errors: Keystone unreachable or the user refused
            raise ServiceUnavailable(f"heat-api-cfn cannot authenticate to Keystone: {error}") from error
        if token:
            headers["X-Auth-Token"] = token
        call = urllib.request.Request(
            self.url + "/ec2tokens", data=json.dumps(body).encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(call, timeout=self.timeout, context=self._tls) as response:
                token = json.loads(response.read().decode("utf-8"))["token"]
                token_id = response.headers.get("X-Subject-Token")
        except urllib.error.HTTPError as error:
            message = error.read().decode("utf-8", "replace")
            if error.code == 404:  # Keystone: "EC2 access key not found."
                raise InvalidClientTokenId(
                    "The security token included in the request is invalid."
                ) from error
            if error.code in (401, 403):
                if "not known" in message or "Could not find" in message:
                    raise InvalidClientTokenId(
                        "The security token included in the request is invalid."
                    ) from error
                raise SignatureDoesNotMatch(
                    "The request signature we calculated does not match the signature you provided."
                ) from error
            raise ServiceUnavailable(f"The identity service answered {error.code}.") from error
        except (urllib.error.URLError, OSError, ValueError, KeyError) as error:
            raise ServiceUnavailable(f"The identity service cannot be reached: {error}") from error
        user = token.get("user") or {}
        project = token.get("project") or {}
        roles = tuple(str(role.get("name")) for role in token.get("roles") or [])
        return Principal(
            request.access,
            str(user.get("id")),
            str(project.get("id")),
            str(user.get("name")),
            roles,
            token=token_id,
            token_methods=tuple(str(method) for method in token.get("methods") or ()),
        )
