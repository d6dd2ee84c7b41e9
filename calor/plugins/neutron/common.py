"""What every Neutron plugin shares: the request body rules, status checks, deletion with retries.

Neutron plugins talk to ``conn.network`` (openstacksdk) with Neutron's own attribute
names (``admin_state_up``, ``security_groups``, ``binding:vnic_type``): openstacksdk
accepts them and passes unknown ones (``value_specs``) through in the request body, as
Heat's neutron client did.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, ParamSpec, TypeVar

from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import is_conflict, is_not_found, translate_errors
from calor.errors import PropertyError, ResourceFailure
from calor.plugins.base import ResourcePlugin
from calor.plugins.recovery import made_since
from calor.template import paths

BANNED_VALUE_SPECS = frozenset({"shared", "tenant_id", "project_id"})

CONFLICT_RETRY_SECONDS = 60.0
"""How long a delete refused with 409 (a network with ports, a router with interfaces) is retried."""


Parameters = ParamSpec("Parameters")
Result = TypeVar("Result")


def cloud_hook(hook: Callable[Parameters, Result]) -> Callable[Parameters, Result]:
    """Report the cloud's refusals in a hook as Calor's cloud errors (quota, conflict, not found)."""

    @functools.wraps(hook)
    def translated(*arguments: Parameters.args, **options: Parameters.kwargs) -> Result:
        with translate_errors():
            return hook(*arguments, **options)

    return translated


def error_text(error: BaseException) -> str:
    """The cloud's own explanation of a failed call (openstacksdk's ``details`` when it has one)."""
    details = getattr(error, "details", None)
    return str(details or error)


def prepare_properties(properties: Mapping[str, Any], name: str | None) -> dict[str, Any]:
    """Properties → Neutron request body, as Heat does it.

    ``None`` values are dropped, ``name`` defaults to ``name`` (the physical resource name)
    when the schema has a name, and ``value_specs`` are merged in last.
    """
    body = {key: value for key, value in properties.items() if value is not None and key != "value_specs"}
    if "name" in properties and name is not None:
        body.setdefault("name", name)
    body.update(properties.get("value_specs") or {})
    return body


def is_built(status: str | None, what: str) -> bool:
    """Heat's rule for Neutron objects: ``BUILD`` waits, ``ACTIVE``/``DOWN`` are done, others fail."""
    if status == "BUILD":
        return False
    if status in ("ACTIVE", "DOWN"):
        return True
    if status == "ERROR":
        raise ResourceFailure(f'Went to status ERROR due to "{what} is in ERROR status"')
    raise ResourceFailure(f"{what} is not built: unknown status {status}")


class NeutronPlugin(ResourcePlugin):
    """Base of the OS::Neutron::* plugins: one Neutron object whose id is the physical id."""

    required_service: ClassVar[str | None] = "network"
    conflict_retry_seconds: float = CONFLICT_RETRY_SECONDS
    resource_kind: ClassVar[str] = "resource"
    """The openstacksdk proxy's name of the object (``network``: ``get_network``, ``delete_network``)."""

    # --- helpers --------------------------------------------------------------------------

    def network_proxy(self) -> Any:
        """The connection's ``network`` proxy (openstacksdk)."""
        return self.context.cloud().network

    def validate(self) -> None:
        specs = self.properties.get("value_specs")
        if not specs:
            return
        banned = (BANNED_VALUE_SPECS | {key for key in self.properties_schema if key != "value_specs"}) & set(
            specs
        )
        for key in sorted(banned):
            raise PropertyError(
                f"{key} not allowed in value_specs", path=paths.join(self.properties_path, "value_specs")
            )

    def create_body(self) -> dict[str, Any]:
        """The create request body from the properties (override to translate names to ids)."""
        return prepare_properties(self.properties, self.context.physical_resource_name())

    def update_body(
        self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The update request body: the changed properties that may be updated in place."""
        allowed = {
            key: new_properties.get(key)
            for key in property_diff
            if key in self.properties_schema and self.properties_schema[key].update_allowed
        }
        body = prepare_properties(allowed, None)
        if "name" in allowed and allowed["name"] is None:
            body["name"] = self.context.physical_resource_name()
        if "value_specs" in allowed:
            body.update(allowed.get("value_specs") or {})
        return body

    # --- create, and finishing a create an engine left --------------------------------------

    def created_name(self) -> str | None:
        """The name ``handle_create`` gives the object (``None``: the type has no name)."""
        if "name" not in self.properties_schema:
            return None
        return str(self.properties.get("name") or self.context.physical_resource_name())

    def finish_create(self, created: Any) -> None:
        """What ``handle_create`` does once the object exists (its tags); also run on resume."""
        if self.properties.get("tags"):
            self.network_proxy().set_tags(created, list(self.properties["tags"]))

    def created_object(self, started_at: float) -> Any | None:
        """The object an interrupted create made: by the stored id, else by name and time."""
        if self.resource_id is not None:
            try:
                return self.show_resource()
            except sdk_exceptions.SDKException as error:
                if is_not_found(error):
                    return None
                raise
        name = self.created_name()
        if name is None:
            return None
        lister: Callable[..., Any] = getattr(self.network_proxy(), f"{self.resource_kind}s")
        return made_since(lister(name=name), name=name, started_at=started_at, what=self.type_name)

    @cloud_hook
    def handle_create_resume(self, started_at: float) -> Any:
        """Adopt the object an interrupted create made, else create it.

        Only types whose create names the object (``created_name``) can find it; the
        others create again, as the base class does.
        """
        if self.created_name() is None:
            return self.handle_create()
        found = self.created_object(started_at)
        if found is None:
            return self.handle_create()
        self.context.set_resource_id(str(found.id))
        self.finish_create(found)
        return None

    @cloud_hook
    def find_created(self, started_at: float) -> str | None:
        """The id of the object a create that stored none made (types without a name: none)."""
        if self.created_name() is None:
            return None
        found = self.created_object(started_at)
        return None if found is None else str(found.id)

    def show_resource(self) -> Any:
        """The cloud object (openstacksdk resource); raises the SDK's NotFound when it is gone."""
        getter: Callable[[str], Any] = getattr(self.network_proxy(), f"get_{self.resource_kind}")
        return getter(str(self.resource_id))

    def show_body(self) -> dict[str, Any] | None:
        """The cloud object as Neutron shows it (its own attribute names); ``None`` when gone."""
        if self.resource_id is None:
            return None
        try:
            found = self.show_resource()
        except sdk_exceptions.SDKException as error:
            if is_not_found(error):
                return None
            raise
        rendered: dict[str, Any] = found.to_dict(computed=False, original_names=True)
        return {key: value for key, value in rendered.items() if key not in ("location", "tenant_id")} | {
            "tenant_id": rendered.get("project_id") or rendered.get("tenant_id")
        }

    def show_attribute(self) -> Any:
        return self.show_body()

    def resolve_attribute(self, name: str) -> Any:
        body = self.show_body()
        if body is None:
            return None
        return body.get(name)

    def reference_id(self) -> str:
        if self.resource_id is not None:
            return str(self.resource_id)
        return self.name

    # --- delete with retries on conflict ---------------------------------------------------

    def delete_object(self) -> None:
        """Ask the cloud to delete the object (override for objects not deleted by id)."""
        deleter: Callable[..., Any] = getattr(self.network_proxy(), f"delete_{self.resource_kind}")
        deleter(str(self.resource_id), ignore_missing=True)

    def _try_delete(self) -> str | None:
        """Delete; the cloud's reason when it refuses with a conflict (409), else ``None``."""
        try:
            self.delete_object()
        except sdk_exceptions.SDKException as error:
            if is_not_found(error):
                return None
            if is_conflict(error):
                return error_text(error)
            raise
        return None

    @cloud_hook
    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        refusal = self._try_delete()
        if refusal is not None:
            return {"retry_until": self.now() + self.conflict_retry_seconds, "reason": refusal}
        return {"deleted": True}

    @cloud_hook
    def check_delete_complete(self, token: Any) -> bool:
        if not token:
            return True
        if "retry_until" in token:
            refusal = self._try_delete()
            if refusal is not None:
                if self.now() >= float(token["retry_until"]):
                    raise ResourceFailure(
                        f"{self.type_name} {self.resource_id} could not be deleted: {refusal}",
                        resource_name=self.name,
                        action="DELETE",
                    )
                return False
            token.pop("retry_until", None)
        return self.is_gone()

    def is_gone(self) -> bool:
        try:
            self.show_resource()
        except sdk_exceptions.SDKException as error:
            if is_not_found(error):
                return True
            raise
        return False
