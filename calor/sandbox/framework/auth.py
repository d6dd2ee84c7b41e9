"""Who is calling: X-Auth-Token validated against the identity backend, in-process."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

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
