"""The marker of a create that has begun: stored before ``handle_create`` runs.

``CREATE_IN_PROGRESS`` is stored (with its event) before the plugin is called, and its
token column then holds this marker: the physical name the create uses and when it
began. An engine that takes over a resource still ``CREATE_IN_PROGRESS`` with the marker
but no poll token knows the stopped engine may have been inside ``handle_create``: it
calls the plugin's ``handle_create_resume(started_at)`` under the same physical name, so a
cloud plugin adopts the object it may have made instead of making a second one. The
marker stays beside the poll token until the create ends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from calor.engine.store import CREATE, IN_PROGRESS, ResourceState

MARKER = "create_started"


@dataclass(frozen=True)
class CreateStart:
    """Where and when a create began: its physical name and wall-clock start time."""

    physical_name: str
    started_at: float

    def stored(self) -> dict[str, Any]:
        """The token column's value while no poll token is known yet."""
        return {MARKER: {"physical_name": self.physical_name, "started_at": self.started_at}}

    @classmethod
    def of(cls, state: ResourceState | None) -> CreateStart | None:
        """The marker of a resource stored ``CREATE_IN_PROGRESS`` (``None`` without one)."""
        if state is None or state.state != (CREATE, IN_PROGRESS):
            return None
        return cls.in_token(state.token)

    @classmethod
    def left_by(cls, state: ResourceState) -> CreateStart | None:
        """The marker of a create that began and stored no physical id (``None`` otherwise).

        Whatever the state now (the create aborted or failed, its engine died, a delete
        that had not found the object yet stopped): the cloud object that create may have
        made is still to be looked for under the marker's name.
        """
        if state.physical_id is not None:
            return None
        return cls.in_token(state.token)

    @classmethod
    def in_token(cls, token: Any) -> CreateStart | None:
        """The marker a stored token carries (``None`` without a readable one)."""
        if not isinstance(token, Mapping):
            return None
        marker = token.get(MARKER)
        if not isinstance(marker, Mapping):
            return None
        try:
            return cls(str(marker["physical_name"]), float(marker["started_at"]))
        except (KeyError, TypeError, ValueError):
            return None
