"""Reading a server's progress: Heat's status rules and messages for Nova servers."""

from __future__ import annotations

from typing import Any

from calor.clouds.errors import CloudNotFound, translate_errors
from calor.errors import ResourceFailure

DEFERRED_STATUSES = frozenset(
    {
        "BUILD",
        "HARD_REBOOT",
        "PASSWORD",
        "REBOOT",
        "RESCUE",
        "RESIZE",
        "REVERT_RESIZE",
        "REBUILD",
        "MIGRATING",
    }
)
"""Statuses a server passes through on its way to where an action leads (poll again)."""


def fault_reason(server: Any) -> str:
    """Nova's fault as Heat reports it: ``Message: <message>, Code: <code>``."""
    fault = getattr(server, "fault", None) or {}
    if not fault:
        return "Unknown"
    return f"Message: {fault.get('message', 'Unknown')}, Code: {fault.get('code', 'Unknown')}"


def in_error(server: Any) -> ResourceFailure:
    return ResourceFailure(f'Went to status {server.status} due to "{fault_reason(server)}"')


def unknown_status(result: str, server: Any) -> ResourceFailure:
    return ResourceFailure(f'{result} - Unknown status {server.status} due to "{fault_reason(server)}"')


def fetch(connection: Any, server_id: str) -> Any:
    """The server, or ``None`` when Nova no longer knows it."""
    try:
        with translate_errors(f"reading server {server_id}"):
            return connection.compute.get_server(server_id)
    except CloudNotFound:
        return None


def reached(server: Any, wanted: str, *, result: str, passing: frozenset[str] = DEFERRED_STATUSES) -> bool:
    """Whether ``server`` is in status ``wanted`` (``False`` while passing through; failures raise)."""
    status = str(server.status or "").upper()
    if status == wanted and not getattr(server, "task_state", None):
        return True
    if status == "ERROR":
        raise in_error(server)
    if status in passing or status == wanted:
        return False
    raise unknown_status(result, server)
