"""What the emulated Cinder's modules share: the caller's scope, document access and Cinder's errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calor.sandbox.framework.errors import BadRequest, NotFound, OverLimit
from calor.sandbox.framework.store import Collection, Document

VOLUMES = "volume.volumes"
SNAPSHOTS = "volume.snapshots"
BACKUPS = "volume.backups"
ATTACHMENTS = "volume.attachments"
TYPES = "volume.types"


@dataclass(frozen=True)
class Scope:
    """Who asks: a project (and user), and whether it is an administrator."""

    project_id: str
    user_id: str = ""
    is_admin: bool = False


def visible(document: Document, scope: Scope | None) -> bool:
    return scope is None or scope.is_admin or document.get("project_id") == scope.project_id


def fetch(collection: Collection, document_id: str, scope: Scope | None, what: str) -> Document:
    """A document the scope may see, else Cinder's 404 (``Volume <id> could not be found.``)."""
    document = collection.get(document_id)
    if document is None or not visible(document, scope):
        raise NotFound(f"{what} {document_id} could not be found.")
    return document


def public_view(document: Document) -> dict[str, Any]:
    """The document without the backend's private keys (``_pending``, ``_...``)."""
    return {key: value for key, value in document.items() if not key.startswith("_")}


def invalid_volume(reason: str) -> BadRequest:
    return BadRequest(f"Invalid volume: {reason}")


def invalid_input(reason: str) -> BadRequest:
    return BadRequest(f"Invalid input received: {reason}")


def positive_size(value: Any, what: str = "Volume size") -> int:
    message = f"{what} '{value}' must be an integer and greater than 0"
    if isinstance(value, bool):
        raise invalid_input(message)
    try:
        size = int(str(value))
    except ValueError as error:
        raise invalid_input(message) from error
    if size <= 0:
        raise invalid_input(message)
    return size


def over_limit(message: str) -> OverLimit:
    return OverLimit(message)
