"""Whose rights a connection uses: :class:`Delegation`, a stack owner's trust or stored password.

The :class:`~calor.clouds.factory.ConnectionFactory` turns a delegation into a connection in
the owner's project: with a trust, the trustee authenticates scoped to the trust (and, the
trust impersonating, acts as the owner); with a password, the owner authenticates. Either
way keystoneauth authenticates again when the token is about to expire.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Delegation:
    """A Keystone trust (``trust_id``) or the owner's password, for ``project_id``."""

    project_id: str
    trust_id: str | None = field(default=None, repr=False)
    user_id: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    user_domain_id: str | None = None
    auth_url: str | None = None

    def __post_init__(self) -> None:
        if self.trust_id is None and self.password is None:
            raise ValueError("a delegation needs a trust id or a password")

    @property
    def is_trust(self) -> bool:
        return self.trust_id is not None

    @property
    def key(self) -> tuple[str, ...]:
        """What tells connections apart in the factory's cache (a password only by its digest)."""
        if self.trust_id is not None:
            return ("trust", self.trust_id)
        digest = hashlib.sha256((self.password or "").encode("utf-8")).hexdigest()
        return ("user", self.user_id or f"{self.user_domain_id}/{self.username}", digest)
