"""Finding the cloud object an interrupted create may have made (``handle_create_resume``).

An engine that stops inside ``handle_create`` may leave an object in the cloud whose id it
never stored. The engine taking over knows the create's physical name and when it began
(:mod:`calor.engine.create_start`); a plugin lists the objects with the name its create
request used and keeps those made since then. Exactly one: it is the resource's. None:
the create never reached the cloud, create it. Several: the plugin cannot tell which one
is its own (another stack used the same explicit name at the same moment), and fails
rather than adopt another stack's object.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from calor.errors import ResourceFailure

CLOCK_SKEW_SECONDS = 30.0
"""How much earlier than the engine's start time a cloud may stamp an object it made.

Clouds give whole seconds, and their clocks differ a little from the engine's.
"""


def timestamp(value: Any) -> float | None:
    """Seconds since the epoch of an OpenStack time (``2026-11-24T22:02:13Z``, with or without
    a fraction or an offset; naive times are UTC); ``None`` when absent or unreadable."""
    if not value:
        return None
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.timestamp()


def created_at(item: Any) -> Any:
    """An openstacksdk resource's creation time (``created_at``, which Nova calls ``created``)."""
    return getattr(item, "created_at", None) or getattr(item, "created", None)


def made_since(
    candidates: Iterable[Any],
    *,
    name: str,
    started_at: float,
    what: str,
    created: Callable[[Any], Any] = created_at,
) -> Any | None:
    """The one object of ``candidates`` named exactly ``name`` and made since ``started_at``.

    ``None`` when there is none. An object whose creation time is unknown counts. Several
    fail with :class:`ResourceFailure` naming them: the interrupted create's object cannot
    be told from another one.
    """
    earliest = started_at - CLOCK_SKEW_SECONDS
    found = []
    for item in candidates:
        if getattr(item, "name", None) != name:
            continue
        moment = timestamp(created(item))
        if moment is None or moment >= earliest:
            found.append(item)
    if len(found) > 1:
        ids = ", ".join(sorted(str(item.id) for item in found))
        raise ResourceFailure(
            f"{what} {name}: an interrupted create may have made any of {ids}; "
            "delete the ones that are not this stack's and retry"
        )
    return found[0] if found else None
