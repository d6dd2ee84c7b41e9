"""The engine's :class:`~calor.plugins.context.PluginContext`: every write is persisted.

Writes are stored before the hook goes on, except inside a start hop
(:meth:`StackRun.queued_writes`), where they are queued and committed before the engine polls.
"""

from __future__ import annotations

import functools
import hashlib
import string
from collections.abc import Callable, Mapping
from typing import Any

from calor.engine.create_start import CreateStart
from calor.engine.run import StackRun
from calor.errors import ResourceFailure
from calor.plugins.context import physical_resource_name
from calor.plugins.nested import NestedStacks

_ALPHABET = string.ascii_lowercase + string.digits


@functools.lru_cache(maxsize=4096)
def stable_short_id(stack_id: str, resource_name: str) -> str:
    """A 12-character id derived from the stack and resource, the same on every engine."""
    digest = int.from_bytes(hashlib.sha256(f"{stack_id}/{resource_name}".encode()).digest()[:16], "big")
    characters = []
    for _ in range(12):
        digest, index = divmod(digest, len(_ALPHABET))
        characters.append(_ALPHABET[index])
    return "".join(characters)


class CloudAccess:
    """The clouds of one stack: calling it gives a connection in the stack's project.

    :meth:`service` gives the service user's own, admin-scoped connection (what
    ``AWS::IAM::User`` and the ``OS::Keystone`` types need); without one it is the
    project's connection.
    """

    def __init__(self, project: Callable[[], Any], service: Callable[[], Any] | None = None) -> None:
        self._project = project
        self._service = service

    def __call__(self) -> Any:
        return self._project()

    def service(self) -> Any:
        return self._service() if self._service is not None else self._project()

    @classmethod
    def of_project(cls, connections: Any, project_id: str, *, delegation: Any = None) -> CloudAccess:
        """From a :class:`calor.clouds.ConnectionFactory`: ``for_delegation(delegation)`` (the
        stack owner's trust or password) or else ``for_project``; ``service_connection``."""
        if delegation is not None:
            return cls(lambda: connections.for_delegation(delegation), connections.service_connection)
        return cls(lambda: connections.for_project(project_id), connections.service_connection)


class EngineResourceContext:
    """One resource's side of the engine, handed to its plugin.

    Called from hook threads; each write replaces the resource's stored state through
    :meth:`StackRun.save_in_thread` (at once, or queued inside a start hop).
    """

    def __init__(
        self,
        run: StackRun,
        resource_name: str,
        *,
        project_id: str,
        cloud_factory: Callable[[], Any] | None = None,
    ) -> None:
        self._run = run
        self.stack_id = run.stack_id
        self.stack_name = run.stack_name
        self.project_id = project_id
        self.resource_name = resource_name
        self._cloud_factory = cloud_factory

    @property
    def resource_id(self) -> str | None:
        return self._run.states[self.resource_name].physical_id

    def set_resource_id(self, value: str | None) -> None:
        self._run.save_in_thread(self.resource_name, physical_id=value)

    def physical_resource_name(self) -> str:
        """The stable name; while a create runs, or its object is still to be found for a
        delete, the one stored with its start (see create_start)."""
        state = self._run.states.get(self.resource_name)
        started = CreateStart.of(state) or (CreateStart.left_by(state) if state is not None else None)
        if started is not None:
            return started.physical_name
        short_id = stable_short_id(self.stack_id, self.resource_name)
        return physical_resource_name(self.stack_name, self.resource_name, short_id)

    def data(self) -> dict[str, str]:
        return dict(self._run.states[self.resource_name].data)

    def data_set(self, key: str, value: str, *, redact: bool = False) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Resource data values are strings, not {type(value).__name__}")
        state = self._run.states[self.resource_name]
        data = {**state.data, key: value}
        redacted = state.redacted | {key} if redact else state.redacted - {key}
        self._run.save_in_thread(self.resource_name, data=data, redacted=redacted)

    def data_delete(self, key: str) -> None:
        data = dict(self._run.states[self.resource_name].data)
        if data.pop(key, None) is not None:
            self._run.save_in_thread(self.resource_name, data=data)

    def metadata(self) -> Any:
        return self._run.states[self.resource_name].metadata

    def metadata_set(self, value: Any) -> None:
        self._run.save_in_thread(self.resource_name, metadata=value)

    def cloud(self) -> Any:
        if self._cloud_factory is None:
            raise ResourceFailure("no cloud configured", resource_name=self.resource_name)
        return self._cloud_factory()

    def service_cloud(self) -> Any:
        """The service user's admin-scoped connection (the project's when the engine has no other)."""
        if isinstance(self._cloud_factory, CloudAccess):
            return self._cloud_factory.service()
        return self.cloud()

    def stored_attributes(self) -> Mapping[str, Any]:
        return dict(self._run.states[self.resource_name].attributes)

    def nested_stacks(self) -> NestedStacks:
        """Child-stack operations for this resource (:mod:`calor.engine.nested`)."""
        from calor.engine.nested import child_stacks

        return child_stacks(self._run, self.resource_name, self.physical_resource_name())
