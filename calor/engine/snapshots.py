"""Stack snapshots: create (stack action SNAPSHOT) and delete, run by an engine; restore's template.

A snapshot walks the resources in dependency order, each going
``SNAPSHOT_IN_PROGRESS`` → ``handle_snapshot`` / ``check_snapshot_complete`` →
``SNAPSHOT_COMPLETE``; the snapshot row then keeps the stack's abandon data (what
``snapshot_data()`` gave per resource as its ``resource_data``) with the stack's final
status, as Heat stores it. Restore is an update to the snapshot (Heat's
``Stack.restore``): :func:`restored_template` writes into the snapshot's template the
properties each plugin's ``handle_restore`` gives from its snapshot data (a volume's
backup, a server's image); the service stores that template and queues a ``restore``
job, which :mod:`calor.engine.operations` runs as an update with the stack action
RESTORE. Deleting a snapshot calls each resource's ``handle_delete_snapshot`` with its
snapshot data, then removes the row.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from calor.db.repository import Repository, SnapshotRecord
from calor.definition.resource import ResourceDefinition
from calor.engine import events, views
from calor.engine.abandon import stack_data
from calor.engine.plugin_actions import run_action
from calor.engine.resource_runner import PluginTypes
from calor.engine.stack_operations import Outcome, StackOperation, stored_graph
from calor.engine.store import COMPLETE, FAILED, IN_PROGRESS
from calor.errors import ResourceTypeNotFound
from calor.graph import Slot
from calor.plugins.context import MemoryPluginContext

SNAPSHOT = "SNAPSHOT"
SNAPSHOT_OPERATION = "snapshot"
DELETE_SNAPSHOT_OPERATION = "delete_snapshot"


def snapshot_body(snapshot: SnapshotRecord) -> dict[str, Any]:
    """One snapshot as Heat's API shows it."""
    return {
        "id": snapshot.id,
        "name": snapshot.name,
        "stack_id": snapshot.stack_id,
        "action": SNAPSHOT,
        "status": snapshot.status,
        "status_reason": snapshot.status_reason,
        "data": dict(snapshot.data) if snapshot.data is not None else None,
        "creation_time": views.heat_time(snapshot.created_at),
    }


def restore_overrides(
    plugin_types: PluginTypes, type_name: str, name: str, snapshot_resource: Mapping[str, Any]
) -> Mapping[str, Any] | None:
    """The property overrides ``handle_restore`` gives for one resource of a snapshot."""
    plugin_class = plugin_types(type_name)
    plugin = plugin_class(name, {}, MemoryPluginContext(name), None)
    return plugin.handle_restore(snapshot_resource)


def restored_template(
    template: Mapping[str, Any],
    definitions: Mapping[str, ResourceDefinition],
    snapshot_resources: Mapping[str, Any],
    plugin_types: PluginTypes,
) -> dict[str, Any]:
    """The snapshot's template with each resource's ``handle_restore`` properties written in.

    As Heat's ``restore_data``, the restored definitions become the stack's template: an
    override replaces the property, a ``None`` override removes it (a volume restored
    from its backup no longer names the image it was first made from).
    """
    restored = copy.deepcopy(dict(template))
    hot = "heat_template_version" in restored
    section = restored.get("resources" if hot else "Resources")
    properties_key = "properties" if hot else "Properties"
    if not isinstance(section, dict):
        return restored
    for name, definition in definitions.items():
        stored = snapshot_resources.get(name)
        entry = section.get(name)
        if not isinstance(stored, Mapping) or not isinstance(entry, dict):
            continue
        try:
            overrides = restore_overrides(plugin_types, definition.type_name, name, stored)
        except ResourceTypeNotFound:
            continue
        properties = entry.get(properties_key) or {}
        if not overrides or not isinstance(properties, Mapping):
            continue
        changed = dict(properties)
        for key, value in overrides.items():
            if value is None:
                changed.pop(key, None)
            else:
                changed[key] = value
        entry[properties_key] = changed
    return restored


class SnapshotOperation(StackOperation):
    """Snapshot and snapshot deletion of one stack."""

    async def snapshot(self, repository: Repository, snapshot_id: str) -> Outcome:
        await self.run.load()
        self.run.events.stack(SNAPSHOT, IN_PROGRESS, events.stack_started(SNAPSHOT))
        runner = self._runner(None)
        kept: dict[str, dict[str, Any]] = {}

        async def visit(name: str, slot: Slot) -> None:
            plugin = await run_action(
                runner,
                name,
                SNAPSHOT,
                slot,
                start=lambda plugin: plugin.handle_snapshot(),
                check=lambda plugin, token: plugin.check_snapshot_complete(token),
            )
            kept[name] = await self.run.in_thread(plugin.snapshot_data)

        result, timed_out = await self._walk(stored_graph(self.run.states), visit)
        if result is not None and result.ok:
            outcome = await self._set_stack(SNAPSHOT, COMPLETE, events.stack_completed(SNAPSHOT))
        else:
            reason = "Timed out" if result is None else self._failure_reason(SNAPSHOT, result)
            await self._abort_in_progress(SNAPSHOT, "Timed out" if timed_out else None)
            outcome = await self._set_stack(SNAPSHOT, FAILED, reason)
        await self.run.in_database(self._store_snapshot, repository, snapshot_id, outcome, kept)
        return outcome

    def _store_snapshot(
        self, repository: Repository, snapshot_id: str, outcome: Outcome, kept: Mapping[str, Any]
    ) -> None:
        stack = repository.get_stack(self.run.stack_id)
        assert stack is not None
        data = stack_data(repository, stack)
        for name, resource_data in kept.items():
            if name in data["resources"]:
                data["resources"][name]["resource_data"] = resource_data
        repository.update_snapshot(
            snapshot_id, status=outcome.status, status_reason=outcome.reason, data=data
        )

    async def delete_snapshot(self, repository: Repository, snapshot: SnapshotRecord) -> Outcome:
        """``handle_delete_snapshot`` of every resource the snapshot kept, then the row goes."""
        kept: Mapping[str, Any] = (snapshot.data or {}).get("resources") or {}
        for name, resource in kept.items():
            if isinstance(resource, Mapping):
                await self.run.in_thread(self._delete_resource_snapshot, name, resource)
        await self.run.in_database(repository.delete_snapshot, snapshot.id)
        return Outcome(SNAPSHOT, COMPLETE, "Snapshot deleted")

    def _delete_resource_snapshot(self, name: str, resource: Mapping[str, Any]) -> None:
        plugin_class = self.plugin_types(str(resource.get("type")))
        context = MemoryPluginContext(
            name,
            stack_name=self.run.stack_name,
            stack_id=self.run.stack_id,
            project_id=self.project_id,
            resource_id=resource.get("resource_id"),
            data=dict(resource.get("resource_data") or {}),
            cloud=self.cloud_factory() if self.cloud_factory is not None else None,
        )
        plugin_class(name, {}, context, resource.get("metadata")).handle_delete_snapshot(dict(resource))
