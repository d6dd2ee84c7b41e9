"""Stack snapshots: create (stack action SNAPSHOT), restore (RESTORE) and delete, run by an engine.

A snapshot walks the resources in dependency order, each going
``SNAPSHOT_IN_PROGRESS`` → ``handle_snapshot`` / ``check_snapshot_complete`` →
``SNAPSHOT_COMPLETE``; the snapshot row then keeps the stack's abandon data (what
``snapshot_data()`` gave per resource as its ``resource_data``) with the stack's final
status, as Heat stores it. Restore recreates the stack from the snapshot: the stack's
template is already the snapshot's (the service stored it with the job); every current
resource is deleted, then each resource of the snapshot is created with the property
overrides its plugin's ``handle_restore`` gives. Deleting a snapshot calls each
resource's ``handle_delete_snapshot`` with its snapshot data, then removes the row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from calor.db.repository import Repository, SnapshotRecord
from calor.engine import events, views
from calor.engine.abandon import stack_data
from calor.engine.plugin_actions import run_action
from calor.engine.resource_runner import PluginTypes
from calor.engine.stack_operations import Outcome, StackDefinitionParts, StackOperation, stored_graph
from calor.engine.store import COMPLETE, CREATE, FAILED, IN_PROGRESS
from calor.graph import Slot
from calor.plugins.context import MemoryPluginContext

SNAPSHOT = "SNAPSHOT"
RESTORE = "RESTORE"
SNAPSHOT_OPERATION = "snapshot"
RESTORE_OPERATION = "restore"
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


class SnapshotOperation(StackOperation):
    """Snapshot, restore and snapshot deletion of one stack."""

    _restoring = False

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

    async def restore(
        self, repository: Repository, parts: StackDefinitionParts, snapshot_data: Mapping[str, Any]
    ) -> Outcome:
        """Delete the current resources, then create the snapshot's with ``handle_restore`` overrides."""
        await self.run.load()
        deleted = await self._delete_resources(parts)  # the snapshot template's deletion policies
        if not deleted.ok:
            return await self._set_stack(RESTORE, FAILED, self._failure_reason("DELETE", deleted))
        await self.run.in_database(self._forget_resources, repository)
        self.run.states = {}
        snapshot_resources: Mapping[str, Any] = snapshot_data.get("resources") or {}
        resources = dict(parts.resources)
        for name, definition in parts.resources.items():
            stored = snapshot_resources.get(name)
            if not isinstance(stored, Mapping):
                continue
            overrides = await self.run.in_thread(
                restore_overrides, parts.plugin_types or self.plugin_types, definition.type_name, name, stored
            )
            if overrides:
                properties = {**dict(definition.properties or {}), **dict(overrides)}
                resources[name] = dataclasses.replace(definition, properties=properties)
        restored = dataclasses.replace(parts, resources=resources)
        self._restoring = True
        try:
            return await self.create(restored, disable_rollback=True)
        finally:
            self._restoring = False

    async def _set_stack(self, action: str, status: str, reason: str) -> Outcome:
        """While restoring, the create's stack states are RESTORE's."""
        if self._restoring and action == CREATE:
            action, reason = RESTORE, reason.replace(f"Stack {CREATE} ", f"Stack {RESTORE} ")
        return await super()._set_stack(action, status, reason)

    def _forget_resources(self, repository: Repository) -> None:
        """Remove the deleted resources' rows: the restored ones start afresh."""
        for record in repository.get_resources(self.run.stack_id):
            repository.delete_resource(record.id)

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
