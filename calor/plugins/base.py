"""The resource plugin contract: everything a resource type declares and every hook it may override.

A plugin is mostly declarations (``type_name``, ``properties_schema``, ``attributes_schema``,
``support_status``, ``required_service``) plus the lifecycle hooks it needs. Each action
runs the same way, as in Heat: ``handle_<action>()`` starts it and returns a *token*;
the engine persists the token (it must be JSON-serialisable) and polls
``check_<action>_complete(token)`` until it returns ``True``. Hooks are synchronous,
run in the engine's thread pool and must never sleep: waiting is done by returning
``False`` from a check and being polled again, possibly by another engine on a fresh
instance. Raising :class:`calor.errors.ResourceFailure` (or any exception) in a hook
fails the action with the exception's message.

Instances are built by the engine with properties already resolved, validated and
defaulted (:meth:`ResourcePlugin.validate_properties`) and a
:class:`~calor.plugins.context.PluginContext` through which the plugin reads and writes
its physical id, resource data and metadata.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from calor.errors import InvalidTemplateReference, ResourceFailure, UserError
from calor.plugins.context import PluginContext
from calor.schema.properties import (
    HIDDEN,
    SUPPORTED_STATUS,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
    attributes_to_api,
    schema_to_api,
    validate_properties,
)
from calor.template import paths

SHOW: str = "show"
SHOW_ATTRIBUTE = AttributeSchema("Detailed information about resource.", type="map")


class ActionNotSupported(UserError):
    """The resource type cannot do what was asked (signal a resource that takes no signals, ...)."""

    heat_type = "ResourceActionNotSupported"


def diff_properties(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The properties whose value differs between ``old`` and ``new``: name → new value."""
    return {key: new.get(key) for key in set(old) | set(new) if old.get(key) != new.get(key)}


def select_from_attribute(value: Any, path: Sequence[str | int]) -> Any:
    """Walk ``path`` into an attribute value; ``None`` where the path leads nowhere (as Heat)."""
    for key in path:
        if isinstance(value, Mapping):
            if not isinstance(key, str | int) or key not in value:
                return None
            value = value[key]
        elif isinstance(value, Sequence) and not isinstance(value, bytes):
            if isinstance(key, bool) or not isinstance(key, int) or not -len(value) <= key < len(value):
                return None
            value = value[key]
        else:
            return None
    return value


class ResourcePlugin:
    """Base class of every resource type; every hook has Heat's default behaviour.

    Subclasses set the class attributes and override the hooks they need. ``properties``
    holds every key of ``properties_schema`` (``None`` for optional properties not given).
    """

    type_name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {}
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {}
    support_status: ClassVar[SupportStatus] = SUPPORTED_STATUS
    required_service: ClassVar[str | None] = None
    """The service type the resource needs in the catalog (``"compute"``); ``None`` for none."""
    self_contained: ClassVar[bool] = False
    """Whether the type's hooks touch nothing outside the engine (no cloud, no file, no remote call).

    Their starts are then written behind: ``<ACTION>_IN_PROGRESS`` is committed together with
    what the hook wrote, after it, instead of before it. A create interrupted by a crash is
    simply run again, which is harmless when nothing outside the engine was made.
    """
    cancel_on_failure: ClassVar[bool] = False
    """Stop this resource at once when another resource of its stack fails, instead of
    letting it finish within the engine's ``error_wait_seconds`` (Heat's
    ``cancel_grace_period`` for types that can cancel their work: nested stacks, whose
    child stack the engine then stops)."""

    def __init__(
        self,
        name: str,
        properties: Mapping[str, Any],
        context: PluginContext,
        metadata: Any = None,
    ) -> None:
        self.name = name
        self.properties: dict[str, Any] = dict(properties)
        self.context = context
        self.metadata = metadata

    # --- declarations ---------------------------------------------------------------------

    @classmethod
    def attribute_schemas(cls) -> dict[str, AttributeSchema]:
        """The declared attributes plus the ``show`` attribute every resource has."""
        return {**cls.attributes_schema, SHOW: cls.attributes_schema.get(SHOW, SHOW_ATTRIBUTE)}

    @classmethod
    def has_attribute(cls, name: str) -> bool:
        """Whether ``get_attr`` may name ``name`` (checked when a template is validated)."""
        return name in cls.attribute_schemas()

    @classmethod
    def implicit_dependencies(
        cls, name: str, properties: Mapping[str, Any], others: Mapping[str, Any]
    ) -> set[str]:
        """Resources this one needs first although its template does not refer to them.

        Heat's ``add_dependencies``: a port waits for every subnet of its network, a
        floating IP for the router interfaces that make its port reachable. ``properties``
        are the resource's unresolved property snippets; ``others`` maps the stack's
        resource names (this one's too) to their definitions (``type_name``, ``properties``).
        :mod:`calor.engine.dependencies` adds the names returned to the graph. None by default.
        """
        return set()

    @classmethod
    def validate_properties(
        cls, raw: Mapping[str, Any] | None, path: str, context: object | None = None
    ) -> dict[str, Any]:
        """Resolved template values → the plugin's properties (coerced, defaulted, checked).

        ``path`` is the properties' place in the template (``resources.web.properties``).
        """
        return validate_properties(cls.properties_schema, raw, path=path, context=context)

    @classmethod
    def is_hidden(cls) -> bool:
        return cls.support_status.status == HIDDEN

    @classmethod
    def resource_schema(cls) -> dict[str, Any]:
        """The body of Heat's ``GET /resource_types/{type}`` for this type."""
        return {
            "resource_type": cls.type_name,
            "properties": schema_to_api(cls.properties_schema),
            "attributes": attributes_to_api(cls.attribute_schemas()),
            "support_status": cls.support_status.to_dict(),
            "description": cls.description or (cls.__doc__ or "").strip(),
        }

    @property
    def resource_id(self) -> str | None:
        """The physical id (stored by the engine through the context)."""
        return self.context.resource_id

    @property
    def properties_path(self) -> str:
        """Where this resource's properties sit in its template: ``resources.<name>.properties``."""
        return paths.join(paths.join("resources", self.name), "properties")

    def now(self) -> float:
        """Wall-clock seconds (tokens holding deadlines must survive a move to another engine)."""
        return time.time()

    def validate(self) -> None:
        """Checks across properties, after each property passed its schema; raise a UserError."""

    # --- create ---------------------------------------------------------------------------

    def handle_create(self) -> Any:
        """Start creating the resource; return a JSON-serialisable token for the check."""
        return None

    def check_create_complete(self, token: Any) -> bool:
        return True

    def handle_create_resume(self, started_at: float) -> Any:
        """Finish a create that a stopped engine began; return the token for the check.

        An engine taking over calls this instead of :meth:`handle_create` when the resource
        is stored ``CREATE_IN_PROGRESS`` with no token: the engine that stopped may have
        been inside ``handle_create``, so the cloud object may exist already. ``started_at``
        is when that create began (wall-clock seconds, as :meth:`now`); ``self.resource_id``
        is set if it was stored, and ``self.context.physical_resource_name()`` is the name
        that create used. A cloud plugin finds the object it may have made (by its id, else
        by that name and made no earlier than ``started_at``), records it as
        ``handle_create`` would and returns the token; when there is none it creates it.
        The default runs ``handle_create`` again: right for types with nothing outside
        the engine.
        """
        return self.handle_create()

    def find_created(self, started_at: float) -> str | None:
        """The physical id of what a create that stored none made, to delete it; ``None``: nothing.

        Called before :meth:`handle_delete` when a create began at ``started_at`` and
        stored no physical id: it was cancelled or aborted inside :meth:`handle_create`,
        or its engine died there. A cloud plugin looks the object up as
        :meth:`handle_create_resume` does (under ``self.context.physical_resource_name()``,
        made since ``started_at``) and may record what else that create made (resource
        data) for :meth:`handle_delete`. The default finds nothing: right for types with
        nothing outside the engine.
        """
        return None

    # --- polling --------------------------------------------------------------------------

    def checks_block(self) -> bool:
        """Whether ``check_<action>_complete`` may block (call the cloud, read a file).

        The engine runs blocking checks in its hook thread pool under a concurrency slot.
        A plugin whose checks only compute (compare the clock with its token) returns
        ``False``: the engine then calls them on its event loop, with no thread hop.
        """
        return True

    def check_due(self, token: Any) -> float | None:
        """When (wall-clock seconds, as :meth:`now`) a check of ``token`` can first succeed.

        ``None`` (the default) means unknown: the engine polls with backoff. A plugin
        waiting for a deadline it knows (a timer, TestResource's ``wait_secs``) returns it,
        and the engine checks once at that moment instead of in backoff rounds.
        """
        return None

    # --- update ---------------------------------------------------------------------------

    def needs_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> bool:
        """Whether a changed definition needs any action at all (Heat: the definitions differ).

        Also asked with an empty ``property_diff`` when neither properties nor metadata
        changed: ``True`` then updates the resource anyway (a nested stack whose child
        template or files changed).
        """
        return bool(property_diff)

    def immutable_changes(self, property_diff: Mapping[str, Any]) -> list[str]:
        """The changed properties that are ``immutable`` (such an update fails, as in Heat)."""
        schema = self.properties_schema
        return sorted(key for key in property_diff if key in schema and schema[key].immutable)

    def needs_replace(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> bool:
        """Whether the update must replace the resource instead of updating it in place.

        Heat's rule: a changed property that is not ``update_allowed`` means replacement; a
        changed ``immutable`` property fails the update with ResourceFailure. Override to add
        a type's own reasons, calling ``super()`` to keep these.
        """
        immutable = self.immutable_changes(property_diff)
        if immutable:
            names = ", ".join(immutable)
            raise ResourceFailure(
                f"Update to properties {names} of {self.name} ({self.type_name}) is not supported.",
                resource_name=self.name,
                action="UPDATE",
            )
        if not property_diff:
            return False
        return any(
            key not in self.properties_schema or not self.properties_schema[key].update_allowed
            for key in property_diff
        )

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        """Update in place (called on an instance built with the *old* properties); return a token.

        The default does nothing: the engine stores the new properties, as Heat does for types
        without an update handler.

        The check may run on a fresh instance built with the new properties, so keep in the
        token whatever the check needs.
        """
        return None

    def check_update_complete(self, token: Any) -> bool:
        return True

    # --- delete ---------------------------------------------------------------------------

    def handle_delete(self) -> Any:
        """Start deleting the cloud object (it may already be gone: treat "not found" as done)."""
        return None

    def check_delete_complete(self, token: Any) -> bool:
        return True

    # --- suspend / resume / check ---------------------------------------------------------

    def handle_suspend(self) -> Any:
        return None

    def check_suspend_complete(self, token: Any) -> bool:
        return True

    def handle_resume(self) -> Any:
        return None

    def check_resume_complete(self, token: Any) -> bool:
        return True

    def handle_check(self) -> None:
        """Verify the cloud object is healthy; raise ResourceFailure if not (default: nothing to check)."""

    # --- snapshot / restore ---------------------------------------------------------------

    def handle_snapshot(self) -> Any:
        return None

    def check_snapshot_complete(self, token: Any) -> bool:
        return True

    def snapshot_data(self) -> dict[str, Any]:
        """What a completed snapshot keeps for this resource (stored in the stack snapshot)."""
        return dict(self.context.data())

    def handle_restore(self, snapshot_data: Mapping[str, Any]) -> Mapping[str, Any] | None:
        """Property overrides to restore from a snapshot (``None``: restore the snapshot's properties)."""
        return None

    def handle_delete_snapshot(self, snapshot_data: Mapping[str, Any]) -> Any:
        return None

    # --- signals --------------------------------------------------------------------------

    def handle_signal(self, details: Any) -> Any:
        """React to a signal (wait condition handles, scaling policies, ...); default: not supported."""
        raise ActionNotSupported(f"Signal is not supported for resource {self.name} ({self.type_name}).")

    # --- abandon / adopt ------------------------------------------------------------------

    def handle_abandon(self) -> dict[str, Any]:
        """What an abandoned stack's data keeps for this resource (the engine adds name, type, status)."""
        return {
            "resource_id": self.resource_id,
            "resource_data": self.context.data(),
            "metadata": self.context.metadata(),
        }

    def handle_adopt(self, resource_data: Mapping[str, Any]) -> Any:
        """Take over an existing cloud object described by abandon data; return a token."""
        resource_id = resource_data.get("resource_id")
        if resource_id is None:
            raise ResourceFailure(
                f"Resource ID was not provided for {self.name}.", resource_name=self.name, action="ADOPT"
            )
        self.context.set_resource_id(str(resource_id))
        stored = resource_data.get("resource_data") or {}
        for key, value in stored.items():
            self.context.data_set(str(key), str(value))
        if resource_data.get("metadata") is not None:
            self.context.metadata_set(resource_data["metadata"])
        return None

    def check_adopt_complete(self, token: Any) -> bool:
        return True

    # --- references and attributes --------------------------------------------------------

    def reference_id(self) -> str:
        """What ``get_resource`` / ``Ref`` give: the physical id, else the resource name."""
        if self.resource_id is not None:
            return str(self.resource_id)
        return self.name

    def resolve_attribute(self, name: str) -> Any:
        """The value of declared attribute ``name`` (override); ``None`` when unknown yet."""
        return None

    def show_attribute(self) -> Any:
        """The ``show`` attribute: the cloud object's details (Heat gives ``None`` without one)."""
        return None

    def get_attribute(self, name: str, path: Sequence[str | int] = ()) -> Any:
        """The attribute's value, then ``path`` walked into it (``None`` where it leads nowhere)."""
        if not self.has_attribute(name):
            raise InvalidTemplateReference(f"The Referenced Attribute ({self.name} {name}) is incorrect.")
        value = self.show_attribute() if name == SHOW else self.resolve_attribute(name)
        return select_from_attribute(value, path)

    def all_attributes(self) -> dict[str, Any]:
        """Every attribute but ``show`` (HOT's ``get_attr: [name]`` with no attribute)."""
        return {name: self.get_attribute(name) for name in self.attribute_schemas() if name != SHOW}
