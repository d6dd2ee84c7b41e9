"""The service's abandon, export, adopt and snapshot methods (mixed into ``OrchestrationService``).

Each validates at once (a switched-off feature, an unknown stack or snapshot, a stack
busy with another action) and queues the work as a job; an engine runs it
(:mod:`calor.engine.portability_jobs`). Abandon and export answer with Heat's abandon
data at once, as Heat does; the abandoned stack then goes away without its cloud objects.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from calor.db.records import StackRecord
from calor.db.repository import Repository, SnapshotRecord
from calor.engine.abandon import (
    ABANDON_OPERATION,
    ADOPT,
    ADOPT_OPERATION,
    NotSupported,
    adopt_parameters,
    parse_adopt_data,
    stack_data,
)
from calor.engine.loading import build_definition, environment_types, stack_context
from calor.engine.operations.jobs import RESTORE_OPERATION
from calor.engine.snapshots import (
    DELETE_SNAPSHOT_OPERATION,
    SNAPSHOT,
    SNAPSHOT_OPERATION,
    restored_template,
    snapshot_body,
)
from calor.engine.store import RESTORE
from calor.errors import Conflict, NotFound, UserError

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from calor.db.records import NewUserCredentials
    from calor.definition.stack import StackDefinition
    from calor.engine.admission import Admission
    from calor.engine.resource_runner import PluginTypes
    from calor.engine.service import RequestContext

MAX_SNAPSHOTS_PER_STACK = 32


class PortabilityMethods:
    """Abandon, export, adopt and snapshots; needs the service's repository and lookups."""

    repository: Repository
    admission: Admission
    plugin_types: PluginTypes
    #: Heat's ``enable_stack_abandon`` (also export) and ``enable_stack_adopt``: off by
    #: default, as in Heat; heat-all (standalone) switches them on.
    enable_stack_abandon: bool = False
    enable_stack_adopt: bool = False
    max_snapshots_per_stack: int = MAX_SNAPSHOTS_PER_STACK

    if TYPE_CHECKING:  # given by OrchestrationService

        def find_stack(
            self, context: RequestContext, stack_identity: str, *, show_deleted: bool = False
        ) -> StackRecord: ...

        def _definition(
            self,
            context: RequestContext,
            *,
            name: str,
            stack_id: str,
            template: Mapping[str, Any] | str,
            parameters: Mapping[str, Any] | None,
            files: Mapping[str, Any] | None,
            environment: Mapping[str, Any] | None,
        ) -> StackDefinition: ...

        def delegate(self, context: RequestContext) -> AbstractContextManager[NewUserCredentials | None]: ...

    # --- abandon, export, adopt -----------------------------------------------------------

    def export_stack(self, context: RequestContext, stack_identity: str) -> dict[str, Any]:
        """Heat's export body: the abandon data, the stack left as it is."""
        if not self.enable_stack_abandon:
            raise NotSupported("Stack Abandon is not supported.")
        return stack_data(self.repository, self.find_stack(context, stack_identity))

    def abandon_stack(self, context: RequestContext, stack_identity: str) -> dict[str, Any]:
        """The abandon data; the stack is then deleted, keeping every cloud object."""
        if not self.enable_stack_abandon:
            raise NotSupported("Stack Abandon is not supported.")
        stack = self.find_stack(context, stack_identity)
        data = stack_data(self.repository, stack)
        self.repository.start_stack_operation(
            stack.id, action="DELETE", operation=ABANDON_OPERATION, project_id=stack.project_id
        )
        return data

    def adopt_stack(
        self,
        context: RequestContext,
        name: str,
        adopt_stack_data: Any,
        *,
        parameters: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        environment: Mapping[str, Any] | None = None,
        timeout: int | None = None,
        disable_rollback: bool = True,
        tags: Sequence[str] = (),
    ) -> str:
        """Create a stack from abandon data, each resource adopting its cloud object; the stack id."""
        if not self.enable_stack_adopt:
            raise NotSupported("Stack Adopt is not supported.")
        from calor.engine.service import STACK_NAME

        if not STACK_NAME.match(name or ""):
            raise UserError(
                f'Invalid stack name {name} must contain only alphanumeric or "_-." characters, '
                "must start with alpha and must be 255 characters or less."
            )
        adopt_data = parse_adopt_data(adopt_stack_data)
        merged_parameters = adopt_parameters(adopt_data, parameters)
        all_files = {**dict(adopt_data.get("files") or {}), **dict(files or {})}
        self.admission.check_stack_count(context, self.repository.count_stacks(context.project_id))
        self.admission.check_template(context, adopt_data["template"], all_files, environment)
        stack_id = str(uuid.uuid4())
        definition = self._definition(
            context,
            name=name,
            stack_id=stack_id,
            template=adopt_data["template"],
            parameters=merged_parameters,
            files=all_files,
            environment=environment,
        )
        with self.delegate(context) as credentials:
            stack, _job = self.repository.create_stack_with_job(
                name=name,
                project_id=context.project_id,
                user_id=context.user_id,
                stack_id=stack_id,
                template=dict(definition.template.data),
                operation=ADOPT_OPERATION,
                payload={"resources": dict(adopt_data.get("resources") or {})},
                files=all_files,
                environment=dict(environment or {}),
                parameters=merged_parameters,
                timeout_minutes=timeout,
                disable_rollback=disable_rollback,
                tags=list(tags),
                action=ADOPT,
                status_reason=f"Stack {ADOPT} started",
                user_credentials=credentials,
            )
        return stack.id

    # --- snapshots ------------------------------------------------------------------------

    def _snapshot(self, stack: StackRecord, snapshot_id: str) -> SnapshotRecord:
        snapshot = self.repository.get_snapshot(snapshot_id)
        if snapshot is None or snapshot.stack_id != stack.id:
            raise NotFound(f"The Snapshot ({snapshot_id}) could not be found.")
        return snapshot

    def create_snapshot(
        self, context: RequestContext, stack_identity: str, name: str | None = None
    ) -> dict[str, Any]:
        """Queue a snapshot of the stack (stack action SNAPSHOT); the new snapshot's body."""
        stack = self.find_stack(context, stack_identity)
        if self.repository.count_snapshots(stack.id) >= self.max_snapshots_per_stack:
            raise UserError(
                f"You have reached the maximum snapshots per stack, {self.max_snapshots_per_stack}. "
                "Please delete some snapshots."
            )
        if stack.status == "IN_PROGRESS":
            raise Conflict(f"Stack {stack.name} already has an action ({stack.action}) in progress.")
        snapshot = self.repository.create_snapshot(
            str(uuid.uuid4()), stack.id, stack.project_id, name, status="IN_PROGRESS"
        )
        try:
            self.repository.start_stack_operation(
                stack.id,
                action=SNAPSHOT,
                operation=SNAPSHOT_OPERATION,
                payload={"snapshot_id": snapshot.id},
                project_id=stack.project_id,
            )
        except Exception:
            self.repository.delete_snapshot(snapshot.id)
            raise
        return snapshot_body(snapshot)

    def list_snapshots(self, context: RequestContext, stack_identity: str) -> list[dict[str, Any]]:
        stack = self.find_stack(context, stack_identity, show_deleted=True)
        return [snapshot_body(snapshot) for snapshot in self.repository.list_snapshots(stack.id)]

    def show_snapshot(self, context: RequestContext, stack_identity: str, snapshot_id: str) -> dict[str, Any]:
        stack = self.find_stack(context, stack_identity, show_deleted=True)
        return snapshot_body(self._snapshot(stack, snapshot_id))

    def delete_snapshot(self, context: RequestContext, stack_identity: str, snapshot_id: str) -> None:
        """Queue the snapshot's deletion (each resource's ``handle_delete_snapshot``, then the row)."""
        stack = self.find_stack(context, stack_identity)
        snapshot = self._snapshot(stack, snapshot_id)
        if snapshot.status == "IN_PROGRESS":
            raise NotSupported("Deleting in-progress snapshot is not supported.")
        self.repository.queue.submit(stack.id, DELETE_SNAPSHOT_OPERATION, {"snapshot_id": snapshot.id})

    def restore_snapshot(self, context: RequestContext, stack_identity: str, snapshot_id: str) -> None:
        """Queue the stack's restore: an update (stack action RESTORE) to the snapshot's definition.

        The stored template is the snapshot's with the properties each resource's
        ``handle_restore`` gives from its snapshot data (Heat's ``restore_data``).
        """
        stack = self.find_stack(context, stack_identity)
        snapshot = self._snapshot(stack, snapshot_id)
        if snapshot.status != "COMPLETE" or snapshot.data is None:
            raise NotSupported(f"Restoring a snapshot that is {snapshot.status} is not supported.")
        data = snapshot.data
        environment = dict(data.get("environment") or {})
        parameters = dict(environment.pop("parameters", None) or {})
        files = dict(data.get("files") or {})
        definition = build_definition(
            template=dict(data.get("template") or {}),
            files=files,
            environment=environment,
            parameters=parameters,
            context=stack_context(stack),
            plugin_types=self.plugin_types,
        )
        template_files = definition.template.files
        types = environment_types(self.plugin_types, definition.template.environment, template_files)
        template = restored_template(
            definition.template.data, definition.resources, data.get("resources") or {}, types
        )
        self.repository.start_stack_operation(
            stack.id,
            action=RESTORE,
            operation=RESTORE_OPERATION,
            payload={
                "snapshot_id": snapshot.id,
                "previous_raw_template_id": stack.raw_template_id,
                "previous_parameters": dict(stack.parameters),
            },
            project_id=stack.project_id,
            template=template,
            files=files,
            environment=environment,
            parameters=parameters,
        )
