"""Resource rows beyond the engine's per-name store: replaced copies, removals, hooks, the stack.

An update replaces a resource by creating a new row for its name (Heat's
UpdateReplace): the old row stays, linked to the new one, until the whole update
succeeded (then the old cloud object is deleted) or failed (then a rollback restores
it). Everything here runs in the engine's database thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from calor.db.repository import Repository
from calor.engine.repository_store import resource_state
from calor.engine.store import ResourceState


@dataclass(frozen=True)
class ReplacedCopy:
    """An old row kept while its replacement is being made."""

    row_id: int
    state: ResourceState


class ResourceRows:
    """Row-level changes the update needs, on the repository."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    def keep_replaced(self, stack_id: str, name: str, type_name: str, requires: tuple[str, ...]) -> None:
        """Make a fresh current row for ``name``; the stored one becomes its replaced copy."""
        current = self.repository.find_resource(stack_id, name)
        if current is None:
            return
        self.repository.create_replacement(
            current.id, type_name, action="INIT", status="COMPLETE", requires=requires
        )

    def replaced(self, stack_id: str) -> dict[str, list[ReplacedCopy]]:
        """Name → the replaced copies still stored (oldest first)."""
        copies: dict[str, list[ReplacedCopy]] = {}
        records = [record for record in self.repository.get_resources(stack_id) if record.replaced_by]
        if not records:
            return copies
        all_data = self.repository.get_stack_resource_data(stack_id)
        for record in sorted(records, key=lambda item: item.id):
            data = all_data.get(record.id, {})
            redacted = frozenset(self.repository.get_redacted_keys(record.id)) if data else frozenset()
            copies.setdefault(record.name, []).append(
                ReplacedCopy(record.id, resource_state(record, data, redacted))
            )
        return copies

    def pending_replacements(self, stack_id: str) -> dict[str, ReplacedCopy]:
        """Name → the copy its current row replaces, where that replacement is unfinished.

        The current row is ``INIT`` or ``CREATE_IN_PROGRESS`` and replaces a copy still
        stored (linked both ways): an engine stopped while making the replacement.
        """
        records = self.repository.get_resources(stack_id)
        by_id = {record.id: record for record in records}
        pending: dict[str, ReplacedCopy] = {}
        for record in records:
            if record.replaced_by is not None or record.replaces is None:
                continue
            if record.state not in (("INIT", "COMPLETE"), ("CREATE", "IN_PROGRESS")):
                continue
            old = by_id.get(record.replaces)
            if old is None or old.replaced_by != record.id:
                continue
            data = self.repository.get_resource_data(old.id)
            redacted = frozenset(self.repository.get_redacted_keys(old.id)) if data else frozenset()
            pending[record.name] = ReplacedCopy(old.id, resource_state(old, data, redacted))
        return pending

    def drop(self, row_id: int) -> None:
        """Forget a row (its cloud object is gone)."""
        self.repository.delete_resource(row_id)

    def restore(self, stack_id: str, name: str, copy: ReplacedCopy) -> None:
        """Drop the current row of ``name`` so its replaced copy is current again."""
        current = self.repository.find_resource(stack_id, name)
        if current is not None and current.id != copy.row_id:
            self.repository.delete_resource(current.id)

    def remove(self, stack_id: str, name: str) -> None:
        """Delete the current row of a resource the update removed."""
        current = self.repository.find_resource(stack_id, name)
        if current is not None:
            self.repository.delete_resource(current.id)

    def set_stack(self, stack_id: str, **changes: Any) -> None:
        self.repository.update_stack(stack_id, **changes)

    def stack_fields(self, stack_id: str) -> Mapping[str, Any]:
        stack = self.repository.get_stack(stack_id)
        if stack is None:
            return {}
        return {"raw_template_id": stack.raw_template_id, "parameters": stack.parameters}
