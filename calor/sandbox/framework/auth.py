"""Who is calling: X-Auth-Token validated against the identity backend in-process
(:class:`IdentityAuthenticator`), or against a real Keystone (:class:`KeystoneAuthenticator`)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from calor.sandbox.framework.errors import Unauthorized
from calor.sandbox.identity import IdentityBackend
from calor.sandbox.identity.errors import IdentityError
from calor.sandbox.identity.serializers import token_roles

ADMIN_ROLE = "admin"


@dataclass(frozen=True)
class Caller:
    """The authenticated caller of a request, from its token."""

    token_id: str
    user_id: str
    project_id: str
    roles: frozenset[str]

    @property
    def is_admin(self) -> bool:
        return ADMIN_ROLE in self.roles


class Authenticator(Protocol):
    def authenticate(self, token_id: str | None) -> Caller:
        """The caller of a valid project-scoped token, else :class:`Unauthorized`."""
        ...


class IdentityAuthenticator:
    """Validates tokens with the embedded identity service's backend."""

    def __init__(self, backend: IdentityBackend) -> None:
        self.backend = backend

    def authenticate(self, token_id: str | None) -> Caller:
        try:
            token = self.backend.authenticate_token(token_id)
            roles = frozenset(role.name for role in token_roles(self.backend, token))
        except IdentityError as error:
            raise Unauthorized() from error
        if token.project_id is None:
            raise Unauthorized("The sandbox cloud needs a project-scoped token.")
        return Caller(token.id, token.user_id, token.project_id, roles)


class StaticAuthenticator:
    """Fixed tokens for unit tests: token id → caller."""

    def __init__(self, callers: dict[str, Caller]) -> None:
        self.callers = callers

    def authenticate(self, token_id: str | None) -> Caller:
        caller = self.callers.get(token_id or "")
        if caller is None:
            raise Unauthorized()
        return caller


class KeystoneAuthenticator:
    """Validates tokens with a real Keystone: ``GET /v3/auth/tokens`` with a service token.

    ``session`` is a keystoneauth session authenticated as a user Keystone lets validate
    tokens (``admin`` or ``service`` role); it renews its own token as it expires. A valid
    token is remembered for ``cache_seconds`` at most, and never past its own expiry.
    """

    def __init__(self, identity_url: str, session: Any, *, cache_seconds: float = 5.0) -> None:
        url = identity_url.rstrip("/")
        self.url = url if url.endswith("/v3") else url + "/v3"
        self.session = session
        self.cache_seconds = cache_seconds
        self._cache: dict[str, tuple[Caller, float]] = {}
        self._lock = threading.Lock()

    @classmethod
    def with_password(
        cls,
        identity_url: str,
        *,
        username: str,
        password: str,
        project_name: str,
        user_domain_name: str = "Default",
        project_domain_name: str = "Default",
        cache_seconds: float = 5.0,
    ) -> KeystoneAuthenticator:
        """Validating as a password user (the cloud's service user)."""
        from keystoneauth1 import session
        from keystoneauth1.identity import generic

        plugin = generic.Password(
            auth_url=identity_url,
            username=username,
            password=password,
            project_name=project_name,
            user_domain_name=user_domain_name,
            project_domain_name=project_domain_name,
        )
        return cls(identity_url, session.Session(auth=plugin), cache_seconds=cache_seconds)

    def authenticate(self, token_id: str | None) -> Caller:
        if not token_id:
            raise Unauthorized()
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(token_id)
            if cached is not None and cached[1] > now:
                return cached[0]
            self._cache = {key: entry for key, entry in self._cache.items() if entry[1] > now}
        caller, expires_in = self._validate(token_id)
        with self._lock:
            self._cache[token_id] = (caller, now + min(self.cache_seconds, expires_in))
        return caller

    def _validate(self, token_id: str) -> tuple[Caller, float]:
        from keystoneauth1 import exceptions

        try:
            response = self.session.get(
                self.url + "/auth/tokens",
                headers={"X-Subject-Token": token_id, "Accept": "application/json"},
                params={"nocatalog": "1"},
            )
            token = response.json()["token"]
        except (exceptions.NotFound, exceptions.Unauthorized) as error:
            raise Unauthorized() from error
        except (exceptions.ClientException, ValueError, KeyError) as error:
            raise Unauthorized(f"The identity service cannot validate the token: {error}") from error
        project = token.get("project") or {}
        if not project.get("id"):
            raise Unauthorized("The sandbox cloud needs a project-scoped token.")
        roles = frozenset(str(role.get("name")) for role in token.get("roles") or [])
        caller = Caller(token_id, str(token["user"]["id"]), str(project["id"]), roles)
        return caller, _seconds_left(str(token.get("expires_at") or ""))


def _seconds_left(expires_at: str) -> float:
    """Seconds until Keystone's ``2015-11-05T22:00:11.000000Z`` (0 when unreadable)."""
    try:
        moment = datetime.fromisoformat(expires_at.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return max(0.0, moment.timestamp() - time.time())
