"""Time-based status transitions, evaluated lazily when a document is read.

A backend that starts a long operation sets the transient status itself and calls
:func:`schedule` with the changes to apply later (``{"status": "ACTIVE"}``) and a delay.
:func:`settle` applies every due change; :class:`~calor.sandbox.framework.store.Collection`
calls it on each read. Pending changes live in the document under ``"_pending"``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

PENDING_KEY = "_pending"


def schedule(
    document: dict[str, Any], changes: Mapping[str, Any], delay: float, *, now: float | None = None
) -> None:
    """Apply ``changes`` to ``document`` once ``delay`` seconds have passed (at once if <= 0).
    A later schedule replaces an earlier pending one."""
    if delay <= 0:
        document.pop(PENDING_KEY, None)
        document.update(changes)
        return
    current = time.time() if now is None else now
    document[PENDING_KEY] = {"at": current + delay, "changes": dict(changes)}


def cancel(document: dict[str, Any]) -> None:
    document.pop(PENDING_KEY, None)


def pending(document: Mapping[str, Any]) -> bool:
    return PENDING_KEY in document


def due(document: Mapping[str, Any], *, now: float | None = None) -> bool:
    """Whether the document has pending changes whose time has come."""
    entry = document.get(PENDING_KEY)
    if not isinstance(entry, dict):
        return False
    return float(entry.get("at", 0.0)) <= (time.time() if now is None else now)


def settle(document: dict[str, Any], *, now: float | None = None) -> bool:
    """Apply the pending changes when due; True when the document changed."""
    entry = document.get(PENDING_KEY)
    if not isinstance(entry, dict):
        return False
    current = time.time() if now is None else now
    if float(entry.get("at", 0.0)) > current:
        return False
    del document[PENDING_KEY]
    document.update(entry.get("changes", {}))
    return True
