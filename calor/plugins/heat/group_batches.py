"""ResourceGroup's ``update_policy``: ``batch_create`` and ``rolling_update`` in steps.

Each step is one operation on the group's nested stack: its template holds the members
changed so far in their new form and the others as they were. Between steps the
group waits ``pause_time`` seconds (the wait is a deadline kept in the polling token,
never a sleep). The token holds both templates' members, so any engine, with either the
old or the new properties, can take the next step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

BATCH_CREATE = "batch_create"
ROLLING_UPDATE = "rolling_update"


def policy_settings(policy: Mapping[str, Any], key: str) -> tuple[int, float, int] | None:
    """``(max_batch_size, pause_time, min_in_service)`` of one policy, ``None`` when not set."""
    settings = policy.get(key)
    if not isinstance(settings, Mapping):
        return None
    size = max(int(settings.get("max_batch_size", 1) or 1), 1)
    pause = float(settings.get("pause_time", 0) or 0)
    minimum = int(settings.get("min_in_service", 0) or 0)
    return size, pause, minimum


def chunks(names: Sequence[str], size: int) -> list[list[str]]:
    return [list(names[start : start + size]) for start in range(0, len(names), size)]


def create_batches(names: Sequence[str], size: int) -> list[list[str]]:
    return chunks(names, size) or [[]]


def update_batches(
    old: Mapping[str, Any], new: Mapping[str, Any], size: int, min_in_service: int
) -> list[list[str]]:
    """The members to change, in batches; ``min_in_service`` of the old ones stay untouched at a time."""
    changed = [name for name, definition in new.items() if old.get(name) != definition]
    if min_in_service:
        size = max(1, min(size, len(old) - min_in_service))
    return chunks(changed, size)


def step_template(token: Mapping[str, Any], version: str) -> dict[str, Any]:
    """The nested template of the token's current step."""
    applied = {name for batch in token["batches"][: token["step"] + 1] for name in batch}
    old: Mapping[str, Any] = token["old"]
    resources: dict[str, Any] = {}
    for name, definition in token["target"].items():
        if name in applied:
            resources[name] = definition
        elif name in old:
            resources[name] = old[name]
    return {"heat_template_version": version, "resources": resources}


def new_token(
    stack_id: str | None,
    batches: list[list[str]],
    target: Mapping[str, Any],
    old: Mapping[str, Any],
    pause: float,
    *,
    creating: bool,
) -> dict[str, Any]:
    return {
        "stack_id": stack_id,
        "step": 0,
        "batches": batches,
        "target": dict(target),
        "old": dict(old),
        "pause": pause,
        "resume_at": None,
        "creating": creating,
    }
