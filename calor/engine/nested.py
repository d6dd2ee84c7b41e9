"""Nested stacks: child stacks stored beside their parent and run by the engine that runs the parent.

A nested-stack resource (OS::Heat::Stack, a provider template, ResourceGroup, ...)
asks :class:`ChildStacks` for a child: a real stack row with ``parent_id``,
``nested_depth`` and ``owner_resource_name``, its template, files and environment
(the parent's registry seen through :meth:`ResourceRegistry.nested`, the parent's
``parameter_defaults``), written in one transaction. The child's operation then runs
on the parent's event loop, sharing its executors; the parent resource polls the
child's stored status.

Crash safety comes from the stored state and the root stack's job: the job's lease
covers the whole tree. When another engine takes the job over, the parent resources
resume polling, and the first poll of a child that is ``IN_PROGRESS`` with nobody
running it here resumes the child's operation from its stored resources.

Limits, as Heat: ``max_nested_stack_depth`` (a child deeper than 5 fails with
"Recursion depth exceeds 5.") and ``max_resources_per_stack`` (1000, counted across
the whole tree from the root: "Maximum resources per stack exceeded.").
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import logging
import threading
import uuid
import weakref
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from calor.db.records import StackRecord
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.nested_inputs import ChildInputs, child_changed, child_environment
from calor.engine.store import ADOPT, COMPLETE, CREATE, DELETE, FAILED, IN_PROGRESS, UPDATE, utc_now
from calor.errors import LimitExceeded, ResourceFailure, UserError
from calor.plugins.base import ResourcePlugin
from calor.plugins.nested import ChildStack, NestedStacks
from calor.template.context import StackContext

if TYPE_CHECKING:
    from calor.engine.run import StackRun

PluginTypes = Callable[[str], type[ResourcePlugin]]
LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class NestedLimits:
    """Heat's ``max_nested_stack_depth`` and ``max_resources_per_stack`` (-1: unlimited)."""

    max_nested_stack_depth: int = 5
    max_resources_per_stack: int = 1000


LIMITS = NestedLimits()
"""The limits in force (replace the module attribute to change them)."""

RESOURCE_LIMIT_MESSAGE = "Maximum resources per stack exceeded."


class StackResourceLimitExceeded(LimitExceeded):
    """A template with more resources than ``max_resources_per_stack``."""


def check_stack_size(resource_count: int) -> None:
    """Refuse a top-level template with more resources than the limit (as Heat does)."""
    limit = LIMITS.max_resources_per_stack
    if 0 <= limit < resource_count:
        raise StackResourceLimitExceeded(RESOURCE_LIMIT_MESSAGE)


class ChildRuns:
    """The child operations running on one event loop (one engine job), by child stack id."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.lock = threading.Lock()
        self.futures: dict[str, concurrent.futures.Future[None]] = {}
        self.tasks: dict[str, asyncio.Task[None]] = {}
        #: The StackRun of each child operation running here (to stop it in place).
        self.stack_runs: dict[str, StackRun] = {}
        #: Children stopped here (a late poll must not resume them; a new operation may).
        self.stopped: set[str] = set()

    def running(self, stack_id: str) -> bool:
        with self.lock:
            future = self.futures.get(stack_id)
            return future is not None and not future.done()


_RUNS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, ChildRuns] = weakref.WeakKeyDictionary()
_RUNS_LOCK = threading.Lock()


def child_runs(loop: asyncio.AbstractEventLoop) -> ChildRuns:
    with _RUNS_LOCK:
        runs = _RUNS.get(loop)
        if runs is None:
            runs = _RUNS[loop] = ChildRuns(loop)
        return runs


@dataclass(frozen=True)
class ParentSource:
    """The template and parameters the parent's operation brings it to, when they are not
    the stored ones: a rollback stores the previous ones back only once it ends."""

    raw_template_id: int
    parameters: Mapping[str, Any]


@dataclass
class NestedEngine:
    """What running child operations needs, taken from the operation that runs the parent."""

    repository: Repository
    run: StackRun
    plugin_types: PluginTypes
    project_id: str
    cloud_factory: Callable[[], Any] | None
    runs: ChildRuns
    #: Where children get the parent's files and environment (``None``: the stored stack).
    source: ParentSource | None = None

    @property
    def config(self) -> EngineConfig:
        return self.run.config

    @property
    def hook_executor(self) -> Executor:
        return self.run.hook_executor

    @property
    def database_executor(self) -> Executor:
        return self.run.database_executor


_ENGINES: weakref.WeakKeyDictionary[StackRun, NestedEngine] = weakref.WeakKeyDictionary()


def attach(
    run: StackRun,
    plugin_types: PluginTypes,
    *,
    project_id: str,
    cloud_factory: Callable[[], Any] | None = None,
) -> None:
    """Let the resources of ``run`` make child stacks (a no-op without a database or a loop)."""
    repository = getattr(run.store, "repository", None)
    if not isinstance(repository, Repository):
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    _ENGINES[run] = NestedEngine(repository, run, plugin_types, project_id, cloud_factory, child_runs(loop))


def engine_of(run: StackRun) -> NestedEngine | None:
    """What runs the child stacks of ``run``'s resources (``None``: :func:`attach` was not called)."""
    return _ENGINES.get(run)


def build_children_from(run: StackRun, raw_template_id: int | None, parameters: Mapping[str, Any]) -> None:
    """Build the children of ``run``'s resources with this template's files and environment
    (a rollback's: the stack still stores the failed update's until the rollback ends)."""
    engine = _ENGINES.get(run)
    if engine is not None and raw_template_id is not None:
        engine.source = ParentSource(raw_template_id, dict(parameters))


def child_stacks(run: StackRun, resource_name: str, child_name: str) -> NestedStacks:
    """The child-stack operations of one resource of ``run``."""
    engine = _ENGINES.get(run)
    if engine is None:
        raise ResourceFailure("nested stacks need an engine with a database", resource_name=resource_name)
    return ChildStacks(engine, run.stack_id, resource_name, child_name)


def nested_path_reason(resource_name: str, child_reason: str) -> str:
    """A child's failure reason seen from its parent resource: the nested path spelled out.

    ``Resource CREATE failed: Error: resources.bad: boom`` in the child of ``group``
    becomes ``resources.group.resources.bad: boom`` (the engine adds the error kind).
    """
    reason = child_reason
    if reason.startswith("Resource ") and " failed: " in reason:
        reason = reason.split(" failed: ", 1)[1]
    kind, separator, rest = reason.partition(": ")
    if separator and rest.startswith("resources.") and " " not in kind:
        reason = rest
    if reason.startswith("resources."):
        return f"resources.{resource_name}.{reason}"
    return f"resources.{resource_name}: {reason}"


def tree_resource_count(repository: Repository, stack: StackRecord) -> int:
    """The resources of the whole tree ``stack`` belongs to, from its root down."""
    root = stack
    while root.parent_id is not None:
        parent = repository.get_stack(root.parent_id)
        if parent is None:
            break
        root = parent
    total = 0
    pending = [root.id]
    while pending:
        stack_id = pending.pop()
        total += len(repository.get_resources(stack_id, include_replaced=False))
        pending.extend(child.id for child in repository.get_child_stacks(stack_id))
    return total


class ChildStacks:
    """:class:`~calor.plugins.nested.NestedStacks` for one parent resource."""

    def __init__(self, engine: NestedEngine, parent_id: str, resource_name: str, child_name: str) -> None:
        self.engine = engine
        self.parent_id = parent_id
        self.resource_name = resource_name
        self.child_name = child_name

    @property
    def repository(self) -> Repository:
        return self.engine.repository

    def _failure(self, message: str) -> ResourceFailure:
        return ResourceFailure(message, resource_name=self.resource_name)

    def _parent(self) -> StackRecord | None:
        """The parent stack as its running operation sees it (see :class:`ParentSource`)."""
        parent = self.repository.get_stack(self.parent_id)
        source = self.engine.source
        if parent is None or source is None:
            return parent
        return dataclasses.replace(
            parent, raw_template_id=source.raw_template_id, parameters=dict(source.parameters)
        )

    # --- create ---------------------------------------------------------------------------

    def create(
        self,
        template: Mapping[str, Any] | str,
        *,
        parameters: Mapping[str, Any],
        files: Mapping[str, str] | None = None,
        timeout_minutes: int | None = None,
        removing_type: str | None = None,
    ) -> str:
        return self._new_child(
            template, parameters, files, timeout_minutes, removing_type, action=CREATE, adopt_resources=None
        )

    def adopt(
        self,
        template: Mapping[str, Any] | str,
        *,
        parameters: Mapping[str, Any],
        resources: Mapping[str, Any],
        files: Mapping[str, str] | None = None,
        timeout_minutes: int | None = None,
        removing_type: str | None = None,
    ) -> str:
        return self._new_child(
            template,
            parameters,
            files,
            timeout_minutes,
            removing_type,
            action=ADOPT,
            adopt_resources=resources,
        )

    def _new_child(
        self,
        template: Mapping[str, Any] | str,
        parameters: Mapping[str, Any],
        files: Mapping[str, str] | None,
        timeout_minutes: int | None,
        removing_type: str | None,
        *,
        action: str,
        adopt_resources: Mapping[str, Any] | None,
    ) -> str:
        """Store the child (limits checked) and start ``action`` (CREATE or ADOPT) on it."""
        parent = self._parent()
        if parent is None:
            raise self._failure(f"The Stack ({self.parent_id}) could not be found.")
        # A create interrupted before the resource stored the id left a child no row names
        # (a failed child being replaced is still named by the resource it belongs to).
        owned = [
            child.id
            for child in self.repository.get_child_stacks(parent.id)
            if child.owner_resource_name == self.resource_name
        ]
        if owned:
            named = {record.physical_resource_id for record in self.repository.get_resources(parent.id)}
            for child_id in owned:
                if child_id not in named:
                    return child_id
        depth = parent.nested_depth + 1
        limits = LIMITS
        if 0 <= limits.max_nested_stack_depth < depth:
            raise self._failure(f"Recursion depth exceeds {limits.max_nested_stack_depth}.")
        stack_id = str(uuid.uuid4())
        all_files, environment, definition = self._prepare(
            parent, stack_id, template, parameters, files, removing_type, replacing=0
        )
        self.repository.create_stack(
            name=self.child_name,
            project_id=parent.project_id,
            user_id=parent.user_id,
            stack_id=stack_id,
            template=dict(definition.template.data),
            files=all_files,
            environment=environment,
            parameters=dict(parameters),
            parent_id=parent.id,
            nested_depth=depth,
            owner_resource_name=self.resource_name,
            timeout_minutes=timeout_minutes,
            disable_rollback=True,
            action=action,
            status_reason=f"Stack {action} started",
        )
        self._start(stack_id, action, resuming=False, adopt_resources=adopt_resources)
        return stack_id

    def _prepare(
        self,
        parent: StackRecord,
        stack_id: str,
        template: Mapping[str, Any] | str,
        parameters: Mapping[str, Any],
        files: Mapping[str, str] | None,
        removing_type: str | None,
        *,
        replacing: int,
    ) -> tuple[dict[str, Any], dict[str, Any], Any]:
        """The child's files, environment and definition; the tree's resource limit checked.

        ``replacing`` resources of the tree go away with this change (an update's old ones).
        """
        all_files, environment = self._files_and_environment(parent, files, removing_type)
        definition = self._definition(template, stack_id, parameters, all_files, environment)
        limit = LIMITS.max_resources_per_stack
        if limit >= 0:
            total = tree_resource_count(self.repository, parent) + len(definition.resources) - replacing
            if total > limit:
                raise self._failure(RESOURCE_LIMIT_MESSAGE)
        return all_files, environment, definition

    # --- update ---------------------------------------------------------------------------

    def update(
        self,
        stack_id: str,
        template: Mapping[str, Any] | str,
        *,
        parameters: Mapping[str, Any],
        files: Mapping[str, str] | None = None,
        timeout_minutes: int | None = None,
        removing_type: str | None = None,
    ) -> None:
        parent = self._parent()
        child = self.repository.get_stack(stack_id)
        if parent is None or child is None:
            raise self._failure(f"The Stack ({stack_id}) could not be found.")
        current = len(self.repository.get_resources(stack_id, include_replaced=False))
        all_files, environment, definition = self._prepare(
            parent, stack_id, template, parameters, files, removing_type, replacing=current
        )
        raw_template_id = self.repository.store_raw_template(
            dict(definition.template.data), all_files, environment
        )
        changed = self.repository.update_stack(
            stack_id,
            raw_template_id=raw_template_id,
            previous_raw_template_id=child.raw_template_id,
            parameters=dict(parameters),
            timeout_minutes=timeout_minutes,
            action=UPDATE,
            status=IN_PROGRESS,
            status_reason="Stack UPDATE started",
            updated_at=utc_now(),
        )
        if not changed:
            raise self._failure(f"The Stack ({stack_id}) could not be updated.")
        self._start(stack_id, UPDATE, resuming=False, replace=True, previous_parameters=child.parameters)

    def changed(
        self,
        stack_id: str,
        template: Mapping[str, Any] | str,
        *,
        parameters: Mapping[str, Any],
        files: Mapping[str, str] | None = None,
        removing_type: str | None = None,
    ) -> bool:
        parent = self._parent()
        if parent is None:
            return True
        all_files, environment = self._files_and_environment(parent, files, removing_type)
        inputs = ChildInputs(template, dict(parameters), all_files, environment)
        return child_changed(self.repository, stack_id, inputs)

    def _files_and_environment(
        self, parent: StackRecord, files: Mapping[str, str] | None, removing_type: str | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """The child's files (the parent's and the plugin's own) and environment."""
        raw = self.repository.get_raw_template(parent.raw_template_id) if parent.raw_template_id else None
        all_files = {**(dict(raw.files) if raw else {}), **dict(files or {})}
        environment = child_environment(raw.environment if raw else {}, self.resource_name, removing_type)
        return all_files, environment

    def _definition(
        self,
        template: Mapping[str, Any] | str,
        stack_id: str,
        parameters: Mapping[str, Any],
        files: Mapping[str, Any],
        environment: Mapping[str, Any],
    ) -> Any:
        from calor.engine.loading import build_definition

        context = StackContext(
            stack_name=self.child_name,
            stack_id=stack_id,
            project_id=self.engine.project_id,
            files=dict(files),
        )
        try:
            return build_definition(
                template=template,
                files=files,
                environment=environment,
                parameters=parameters,
                context=context,
                plugin_types=self.engine.plugin_types,
            )
        except UserError as error:
            raise self._failure(str(error)) from error

    # --- running --------------------------------------------------------------------------

    def _start(
        self,
        stack_id: str,
        action: str,
        *,
        resuming: bool,
        replace: bool = False,
        previous_parameters: Mapping[str, Any] | None = None,
        adopt_resources: Mapping[str, Any] | None = None,
    ) -> None:
        runs = self.engine.runs
        with runs.lock:
            current = runs.futures.get(stack_id)
            if current is not None and not current.done() and not replace:
                return
            if resuming and stack_id in runs.stopped:
                return
            runs.stopped.discard(stack_id)
            runs.futures[stack_id] = asyncio.run_coroutine_threadsafe(
                self._run_child(stack_id, action, resuming, previous_parameters, adopt_resources), runs.loop
            )

    async def _run_child(
        self,
        stack_id: str,
        action: str,
        resuming: bool,
        previous_parameters: Mapping[str, Any] | None,
        adopt_resources: Mapping[str, Any] | None = None,
    ) -> None:
        from calor.engine.nested_operations import run_child_operation

        runs = self.engine.runs
        task = asyncio.current_task()
        assert task is not None
        previous = runs.tasks.get(stack_id)
        runs.tasks[stack_id] = task
        if previous is not None and not previous.done():
            previous.cancel()
            await asyncio.gather(previous, return_exceptions=True)
        loop = asyncio.get_running_loop()
        database = self.engine.database_executor
        try:
            await run_child_operation(
                self.engine, stack_id, action, resuming, previous_parameters, adopt_resources=adopt_resources
            )
        except asyncio.CancelledError:
            raise
        except Exception as error:
            try:
                await loop.run_in_executor(
                    database, self.repository.update_stack_status, stack_id, action, FAILED, str(error)
                )
            except RuntimeError:  # the job is ending (executor shut down): the next poll resumes
                LOG.warning("could not mark nested stack %s failed: %s", stack_id, error)
        finally:
            if runs.tasks.get(stack_id) is task:
                del runs.tasks[stack_id]

    # --- reading --------------------------------------------------------------------------

    def update_policy(self) -> Mapping[str, Any]:
        from calor.engine.loading import load_parts

        parent = self._parent()
        if parent is None or parent.raw_template_id is None:
            return {}
        raw = self.repository.get_raw_template(parent.raw_template_id)
        if raw is None:
            return {}
        try:
            parts = load_parts(parent, raw, self.engine.plugin_types)
            definition = parts.resources.get(self.resource_name)
            return definition.resolved_update_policy() if definition is not None else {}
        except UserError as error:
            raise self._failure(str(error)) from error

    def files(self) -> Mapping[str, str]:
        parent = self._parent()
        if parent is None or parent.raw_template_id is None:
            return {}
        raw = self.repository.get_raw_template(parent.raw_template_id)
        return {str(key): str(value) for key, value in (raw.files if raw else {}).items()}

    def get(self, stack_id: str, *, adopt_resources: Mapping[str, Any] | None = None) -> ChildStack | None:
        stack = self.repository.get_stack(stack_id, show_deleted=True)
        if stack is None:
            return None
        if stack.deleted_at is not None:
            return ChildStack(stack.id, stack.name, DELETE, COMPLETE, stack.status_reason, deleted=True)
        resumable = stack.status == IN_PROGRESS and stack.action in (CREATE, DELETE, UPDATE)
        if stack.status == IN_PROGRESS and stack.action == ADOPT and adopt_resources is not None:
            resumable = True
        if resumable and not self.engine.runs.running(stack_id):
            self._start(stack_id, stack.action, resuming=True, adopt_resources=adopt_resources)
        outputs: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for output in stack.outputs or []:
            key = str(output.get("output_key"))
            outputs[key] = output.get("output_value")
            if output.get("output_error"):
                errors[key] = str(output["output_error"])
        return ChildStack(
            stack.id, stack.name, stack.action, stack.status, stack.status_reason, outputs, errors
        )

    # --- delete ---------------------------------------------------------------------------

    def delete(self, stack_id: str) -> None:
        stack = self.repository.get_stack(stack_id)
        if stack is None:
            return
        self.repository.update_stack_status(stack_id, DELETE, IN_PROGRESS, "Stack DELETE started")
        self._start(stack_id, DELETE, resuming=False, replace=True)

    # --- the child's resources ------------------------------------------------------------

    def resource_names(self, stack_id: str) -> list[str]:
        return [record.name for record in self.repository.get_resources(stack_id, include_replaced=False)]

    def references(self, stack_id: str, resource_names: Sequence[str]) -> dict[str, str | None]:
        from calor.engine.nested_members import references

        return references(self, stack_id, resource_names)

    def attributes(
        self, stack_id: str, resource_names: Sequence[str], attribute: str, path: Sequence[str | int] = ()
    ) -> dict[str, Any]:
        from calor.engine.nested_members import attributes

        return attributes(self, stack_id, resource_names, attribute, path)
