"""What the engine gives each plugin instance: identity, persisted state, the cloud.

A plugin never touches the database. It reads and writes its physical id, its resource
data and its metadata through a :class:`PluginContext`; the engine's implementation
persists every write at once (before the plugin goes on to wait for anything), so an
engine that takes over an interrupted action finds the state where the plugin left it.
:class:`MemoryPluginContext` keeps everything in memory, for tests.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from calor.errors import ResourceFailure

_SHORT_ID_ALPHABET = string.ascii_lowercase + string.digits
PHYSICAL_NAME_LIMIT = 255


def short_id() -> str:
    """A random 12-character lowercase id, as Heat puts at the end of physical names."""
    return "".join(secrets.choice(_SHORT_ID_ALPHABET) for _ in range(12))


def physical_resource_name(stack_name: str, resource_name: str, resource_short_id: str) -> str:
    """Heat's physical name ``<stack>-<resource>-<short id>``, kept within 255 characters.

    A longer name keeps its first two characters and its end (where the resource name and
    the unique short id are), joined by ``-``, as Heat shortens them.
    """
    name = f"{stack_name}-{resource_name}-{resource_short_id}"
    if len(name) <= PHYSICAL_NAME_LIMIT:
        return name
    tail_length = PHYSICAL_NAME_LIMIT - 3
    return name[:2] + "-" + name[-tail_length:]


@runtime_checkable
class PluginContext(Protocol):
    """The engine's side of one resource, as its plugin sees it.

    ``set_resource_id``, ``data_set``, ``data_delete`` and ``metadata_set`` persist
    immediately. ``data`` values are strings; ``redact=True`` asks the engine to store the
    value encrypted and hide it from the API (Heat's redacted resource data).
    """

    stack_id: str
    stack_name: str
    project_id: str
    resource_name: str

    @property
    def resource_id(self) -> str | None:
        """The physical id of the resource (``None`` until the plugin sets one)."""
        ...

    def set_resource_id(self, value: str | None) -> None:
        """Record the physical id at once (before any waiting: a failed create can still be cleaned up)."""
        ...

    def physical_resource_name(self) -> str:
        """A unique name for the cloud object: ``<stack>-<resource>-<short id>``, stable across restarts."""
        ...

    def data(self) -> dict[str, str]:
        """The per-resource data stored so far (a copy)."""
        ...

    def data_set(self, key: str, value: str, *, redact: bool = False) -> None: ...

    def data_delete(self, key: str) -> None: ...

    def metadata(self) -> Any:
        """The resource's metadata (the template's, then whatever the plugin or a signal stored)."""
        ...

    def metadata_set(self, value: Any) -> None: ...

    def cloud(self) -> Any:
        """An openstacksdk ``Connection`` for the stack's project; ResourceFailure when none is configured.

        The engine's and the memory context also offer ``service_cloud()``: the service
        user's admin-scoped connection (identity work); call it through ``getattr``, other
        contexts may lack it.
        """
        ...

    def stored_attributes(self) -> Mapping[str, Any]:
        """Attribute values stored at the end of the last action (for attributes that are costly to fetch)."""
        ...


class MemoryPluginContext:
    """A :class:`PluginContext` that keeps everything in memory (tests, previews)."""

    def __init__(
        self,
        resource_name: str = "resource",
        *,
        stack_name: str = "stack",
        stack_id: str = "stack-id",
        project_id: str = "project-id",
        resource_id: str | None = None,
        data: Mapping[str, str] | None = None,
        metadata: Any = None,
        cloud: Any = None,
        stored_attributes: Mapping[str, Any] | None = None,
        resource_short_id: str | None = None,
    ) -> None:
        self.stack_id = stack_id
        self.stack_name = stack_name
        self.project_id = project_id
        self.resource_name = resource_name
        self._resource_id = resource_id
        self._data: dict[str, str] = dict(data or {})
        self.redacted_keys: set[str] = set()
        self._metadata = metadata
        self._cloud = cloud
        self._stored_attributes = dict(stored_attributes or {})
        self._short_id = resource_short_id or short_id()

    @property
    def resource_id(self) -> str | None:
        return self._resource_id

    def set_resource_id(self, value: str | None) -> None:
        self._resource_id = value

    def physical_resource_name(self) -> str:
        return physical_resource_name(self.stack_name, self.resource_name, self._short_id)

    def data(self) -> dict[str, str]:
        return dict(self._data)

    def data_set(self, key: str, value: str, *, redact: bool = False) -> None:
        if not isinstance(value, str):
            raise TypeError(f"Resource data values are strings, not {type(value).__name__}")
        self._data[key] = value
        if redact:
            self.redacted_keys.add(key)
        else:
            self.redacted_keys.discard(key)

    def data_delete(self, key: str) -> None:
        self._data.pop(key, None)
        self.redacted_keys.discard(key)

    def metadata(self) -> Any:
        return self._metadata

    def metadata_set(self, value: Any) -> None:
        self._metadata = value

    def cloud(self) -> Any:
        if self._cloud is None:
            raise ResourceFailure("no cloud configured", resource_name=self.resource_name)
        return self._cloud

    def service_cloud(self) -> Any:
        """The admin-scoped connection: in memory, the same as :meth:`cloud`."""
        return self.cloud()

    def stored_attributes(self) -> Mapping[str, Any]:
        return dict(self._stored_attributes)

    def set_stored_attributes(self, values: Mapping[str, Any]) -> None:
        """Replace the stored attribute values (what an engine does at the end of an action)."""
        self._stored_attributes = dict(values)
