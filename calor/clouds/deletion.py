"""Robust deletes for plugins: "not found" is done, 409 is retried on the next poll.

``handle_delete`` returns :func:`request_delete`'s token; ``check_delete_complete`` calls
:func:`delete_requested` (which tries again after a conflict, up to the connection's
``client_retry_limit``) and then, for clouds that delete asynchronously, polls until
the object is gone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from calor.clouds.errors import CloudNotFound, ConflictRetry, translate_errors
from calor.clouds.factory import client_retry_limit


def _attempt(connection: Any, call: Callable[[], Any], token: dict[str, Any], what: str) -> None:
    retry = ConflictRetry(int(token.get("conflicts", 0)), client_retry_limit(connection))
    try:
        token["requested"] = retry.attempt(call, what)
    except CloudNotFound:
        token["requested"] = True
    token["conflicts"] = retry.conflicts


def request_delete(connection: Any, call: Callable[[], Any], what: str) -> dict[str, Any]:
    """Ask for the delete once; the token says whether the cloud accepted it."""
    token: dict[str, Any] = {"conflicts": 0, "requested": False}
    _attempt(connection, call, token, what)
    return token


def delete_requested(connection: Any, call: Callable[[], Any], token: dict[str, Any], what: str) -> bool:
    """Whether the delete went through, asking again if it conflicted before (mutates ``token``)."""
    if not token.get("requested"):
        _attempt(connection, call, token, what)
    return bool(token.get("requested"))


def is_gone(fetch: Callable[[], Any], what: str) -> bool:
    """Whether ``fetch()`` finds nothing any more (404, ``None`` or a ``deleted`` status)."""
    try:
        with translate_errors(what):
            found = fetch()
    except CloudNotFound:
        return True
    return found is None or str(getattr(found, "status", "") or "").lower() == "deleted"
