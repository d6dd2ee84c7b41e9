"""What wait condition plugins need of the deployment, configured once per process.

The engine hands plugins only a :class:`~calor.plugins.context.PluginContext`, which
sees the resource's own state. A wait condition must read the signals stored on its
*handle* (written by an API process, possibly after this engine loaded the stack), and
a handle must create per-stack credentials and know heat-api-cfn's URL. The process that
wires the services (heat-all, heat-api-cfn, heat-engine) calls :func:`configure`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from calor.errors import ResourceFailure


@dataclass(frozen=True)
class StackCredential:
    """A stack user's identity, its project (the stack's stack user project), one EC2 key pair
    and its password."""

    user_id: str
    user_name: str
    project_id: str
    access: str
    secret: str
    password: str = ""


class StackCredentials(Protocol):
    """Creates and removes the credentials of a stack's in-instance agents
    (:class:`calor.stack_domain.StackDomainCredentials`)."""

    def create(self, project_id: str, stack_id: str, resource_name: str) -> StackCredential:
        """A user of the stack's resource (the stack belongs to ``project_id``) and an EC2 key pair of it.

        ``resource_name`` names the user: pass the resource's physical name, which a
        replacement does not share with the resource it replaces."""
        ...

    def delete(self, user_id: str) -> None:
        """Remove the user and its key pairs (no error when they are gone)."""
        ...

    def token(self, credential: StackCredential) -> str:
        """A token of the user scoped to its project (for TOKEN_SIGNAL)."""
        ...

    def delete_project(self, project_id: str) -> None:
        """Remove a stack's stack user project once the stack is deleted."""
        ...


class SignalReader(Protocol):
    def __call__(self, stack_id: str, resource_name: str) -> Mapping[str, str]:
        """The stored resource data of a stack's resource, read fresh from the database."""
        ...


@dataclass(frozen=True)
class SignalWiring:
    """``cfn_url``: heat-api-cfn's base URL (``http://host:8000``); ``heat_url``: heat-api's;
    ``identity_url``: Keystone's (``.../v3``)."""

    cfn_url: str
    credentials: StackCredentials
    reader: SignalReader
    heat_url: str | None = None
    identity_url: str | None = None


_lock = threading.Lock()
_current: SignalWiring | None = None


def configure(wiring: SignalWiring | None) -> None:
    """Set (or with ``None`` clear) the process's wiring."""
    global _current
    with _lock:
        _current = wiring


def current() -> SignalWiring:
    """The configured wiring; a ResourceFailure naming what is missing otherwise."""
    wiring = _current
    if wiring is None:
        raise ResourceFailure(
            "Wait conditions need heat-api-cfn: no signal wiring is configured in this process "
            "(calor.plugins.signals.wiring.configure)."
        )
    return wiring
