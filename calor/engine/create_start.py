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
        if state is None or state.state != (CREATE, IN_PROGRESS) or not isinstance(state.token, Mapping):
            return None
        marker = state.token.get(MARKER)
        if not isinstance(marker, Mapping):
            return None
        try:
            return cls(str(marker["physical_name"]), float(marker["started_at"]))
        except (KeyError, TypeError, ValueError):
            return None
