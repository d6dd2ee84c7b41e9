"""What a template's functions can see of the stack they belong to.

The template package knows nothing of the engine. It resolves functions against a
:class:`StackContext`: the stack's identity, its parameter values, the ``files`` map,
and a :class:`ResourceLookup` through which ``get_resource`` / ``get_attr`` / ``Ref``
read resources. Before a stack exists (validate, preview) the lookup answers from the
definitions alone: a resource exists, but has no physical id and no attribute values.
The engine supplies a lookup backed by stored resource state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from calor.template.parameters import Parameters


class ResourceView(Protocol):
    """One resource as functions see it."""

    @property
    def name(self) -> str: ...

    @property
    def type_name(self) -> str: ...

    def reference_id(self) -> str | None:
        """What ``get_resource`` / ``Ref`` return: the physical id once known, else the name."""
        ...

    def has_attribute(self, name: str) -> bool:
        """Whether the resource type declares attribute ``name`` (for validation)."""
        ...

    def attribute(self, name: str, path: Sequence[str | int] = ()) -> Any:
        """The attribute's value (``None`` until the resource is created), then ``path`` into it."""
        ...

    def all_attributes(self) -> Mapping[str, Any]:
        """Every attribute by name (the ``get_attr: [name]`` form of HOT 2015-10-15 and later)."""
        ...


class ResourceLookup(Protocol):
    def get(self, name: str) -> ResourceView | None: ...

    def names(self) -> Sequence[str]: ...


class EmptyLookup:
    """A lookup with no resources (used while parsing, before definitions exist)."""

    def get(self, name: str) -> ResourceView | None:
        return None

    def names(self) -> Sequence[str]:
        return ()


@dataclass
class ParentResource:
    """What ``resource_facade`` / ``Fn::ResourceFacade`` read in a nested stack."""

    metadata: Mapping[str, Any] = field(default_factory=dict)
    deletion_policy: str = "Delete"
    update_policy: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class StackContext:
    """The stack a template is being resolved for.

    ``parameters`` is filled in by the template once its parameter section is parsed
    (``None`` before). ``conditions`` maps condition names to their evaluated values
    once evaluated. ``resources`` is replaced by the engine with a stored-state lookup.
    """

    stack_name: str = "stack"
    stack_id: str = "None"
    project_id: str = "None"
    region: str = "RegionOne"
    account_id: str = "None"
    files: Mapping[str, str] = field(default_factory=dict)
    resources: ResourceLookup = field(default_factory=EmptyLookup)
    parameters: Parameters | None = None
    conditions: dict[str, bool] = field(default_factory=dict)
    parent_resource: ParentResource | None = None
    availability_zones: Sequence[str] = ("nova",)
