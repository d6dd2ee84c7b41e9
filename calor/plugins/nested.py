"""What nested-stack plugins (OS::Heat::Stack, provider templates, ResourceGroup) ask of the engine.

A plugin whose context offers ``nested_stacks()`` (the engine's does) creates, reads and
deletes child stacks through a :class:`NestedStacks`. Every call is synchronous and
made from a hook thread; the engine stores the child stack at once and runs its
operation itself, so the plugin only starts it and then polls :meth:`NestedStacks.get`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from calor.errors import ResourceFailure


@dataclass(frozen=True)
class ChildStack:
    """A child stack as its parent resource sees it."""

    id: str
    name: str
    action: str
    status: str
    reason: str
    outputs: Mapping[str, Any] = field(default_factory=dict)
    output_errors: Mapping[str, str] = field(default_factory=dict)
    deleted: bool = False

    @property
    def state(self) -> tuple[str, str]:
        return self.action, self.status


class NestedStacks(Protocol):
    """Child-stack operations for one parent resource."""

    def create(
        self,
        template: Mapping[str, Any] | str,
        *,
        parameters: Mapping[str, Any],
        files: Mapping[str, str] | None = None,
        timeout_minutes: int | None = None,
        removing_type: str | None = None,
    ) -> str:
        """Store a child stack (limits checked) and start creating it; returns its id."""
        ...

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
        """Store a child stack (action ADOPT) whose resources adopt ``resources`` (their abandon data)."""
        ...

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
        """Store the child's new template and parameters and start updating it."""
        ...

    def changed(
        self,
        stack_id: str,
        template: Mapping[str, Any] | str,
        *,
        parameters: Mapping[str, Any],
        files: Mapping[str, str] | None = None,
        removing_type: str | None = None,
    ) -> bool:
        """Whether the child built from these inputs (and the parent's files and environment)
        would differ from what it was last built from."""
        ...

    def update_policy(self) -> Mapping[str, Any]:
        """The parent resource's own ``update_policy`` as its current template resolves it."""
        ...

    def files(self) -> Mapping[str, str]:
        """The parent stack's ``files`` map (where template URLs are resolved)."""
        ...

    def get(self, stack_id: str, *, adopt_resources: Mapping[str, Any] | None = None) -> ChildStack | None:
        """The child's state (``None`` once it is deleted); resumes running it if nobody does.

        An interrupted adopt resumes only when given the ``adopt_resources`` it started with.
        """
        ...

    def delete(self, stack_id: str) -> None:
        """Start deleting the child (cancelling an operation on it in this engine)."""
        ...

    def references(self, stack_id: str, resource_names: Sequence[str]) -> dict[str, str | None]:
        """What ``get_resource`` gives for each named resource of the child (``None``: no such one)."""
        ...

    def attributes(
        self, stack_id: str, resource_names: Sequence[str], attribute: str, path: Sequence[str | int] = ()
    ) -> dict[str, Any]:
        """One attribute of each named resource of the child (``None`` for one that does not exist)."""
        ...

    def resource_names(self, stack_id: str) -> list[str]:
        """The names of the child's resources."""
        ...


@runtime_checkable
class NestedStacksContext(Protocol):
    """A plugin context that can give its plugin child-stack operations."""

    def nested_stacks(self) -> NestedStacks: ...


def nested_stacks_of(context: object, resource_name: str) -> NestedStacks:
    """The child-stack operations of ``context``; ResourceFailure where there are none."""
    if isinstance(context, NestedStacksContext):
        return context.nested_stacks()
    raise ResourceFailure("nested stacks need the engine's context", resource_name=resource_name)
