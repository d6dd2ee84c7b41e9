"""Settings of the embedded identity service, given to :func:`create_app`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from calor.sandbox.identity.catalog import DEFAULT_REGION, Endpoint
from calor.sandbox.identity.passwords import DEFAULT_ROUNDS


@dataclass(frozen=True)
class IdentityConfig:
    """``state_dir`` holds ``identity.sqlite``. ``public_url`` is the service's own base URL
    (``http://127.0.0.1:5000``); when None it is taken from each request's host.
    ``endpoints`` are the other services of the catalog. With both passwords set the app
    bootstraps the ``admin`` and ``demo`` principals when they are absent, and the stack
    domain ``heat`` with its admin ``heat_domain_admin`` (whose password is
    ``stack_domain_admin_password``; without one the admin cannot sign in)."""

    state_dir: Path
    endpoints: Sequence[Endpoint] = ()
    public_url: str | None = None
    region: str = DEFAULT_REGION
    token_lifetime_seconds: int = 3600
    password_rounds: int = DEFAULT_ROUNDS
    admin_password: str | None = None
    demo_password: str | None = None
    stack_domain_admin_password: str | None = None
