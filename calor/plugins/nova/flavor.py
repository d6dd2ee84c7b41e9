"""OS::Nova::Flavor: a flavor (admin only by default policy), with extra specs and tenant access.

``extra_specs`` and ``tenants`` (projects allowed to use a private flavor) are updated in
place; every other change replaces the flavor.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, ClassVar

from calor.clouds.deletion import delete_requested, request_delete
from calor.clouds.errors import CloudNotFound, ignore_not_found, translate_errors
from calor.plugins.base import ResourcePlugin
from calor.schema.constraints import CustomConstraint
from calor.schema.properties import (
    BOOLEAN,
    INTEGER,
    LIST,
    MAP,
    NUMBER,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)


class Flavor(ResourcePlugin):
    """A resource for creating OpenStack virtual hardware templates.

    Due to default nova security policy usage of this resource is limited to being used by
    administrators only.
    """

    type_name: ClassVar[str] = "OS::Nova::Flavor"
    required_service: ClassVar[str | None] = "compute"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.2")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "name": PropertySchema(STRING, "Name of the flavor.", support_status=SupportStatus(version="7.0.0")),
        "flavorid": PropertySchema(
            STRING, "Unique ID of the flavor. If not specified, an UUID will be auto generated and used."
        ),
        "ram": PropertySchema(INTEGER, "Memory in MB for the flavor.", required=True),
        "vcpus": PropertySchema(INTEGER, "Number of VCPUs for the flavor.", required=True),
        "disk": PropertySchema(
            INTEGER, "Size of local disk in GB. Set the value to 0 to remove limit on disk size.", default=0
        ),
        "swap": PropertySchema(INTEGER, "Swap space in MB.", default=0),
        "ephemeral": PropertySchema(INTEGER, "Size of a secondary ephemeral data disk in GB.", default=0),
        "rxtx_factor": PropertySchema(NUMBER, "RX/TX factor.", default=1.0),
        "extra_specs": PropertySchema(
            MAP, "Key/Value pairs to extend the capabilities of the flavor.", update_allowed=True
        ),
        "tenants": PropertySchema(
            LIST,
            "List of tenants.",
            default=[],
            update_allowed=True,
            schema=PropertySchema(STRING, constraints=(CustomConstraint(name="keystone.project"),)),
            support_status=SupportStatus(version="8.0.0"),
        ),
        "is_public": PropertySchema(
            BOOLEAN,
            "Scope of flavor accessibility. Public or private. Default value is True, means public, "
            "shared across all projects.",
            default=True,
        ),
        "description": PropertySchema(STRING, "Description of the flavor.", update_allowed=True),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "is_public": AttributeSchema("Whether the flavor is shared across all projects.", type=BOOLEAN),
        "extra_specs": AttributeSchema("Extra specs of the flavor in key-value pairs.", type=MAP),
    }

    def handle_create(self) -> Any:
        properties = self.properties
        connection = self.context.cloud()
        request: dict[str, Any] = {
            "name": properties.get("name") or self.context.physical_resource_name(),
            "ram": properties["ram"],
            "vcpus": properties["vcpus"],
            "disk": properties["disk"],
            "swap": properties["swap"],
            "ephemeral": properties["ephemeral"],
            "rxtx_factor": properties["rxtx_factor"],
            "is_public": properties["is_public"],
        }
        if properties.get("flavorid"):
            request["id"] = properties["flavorid"]
        if properties.get("description"):
            request["description"] = properties["description"]
        with translate_errors(f"creating flavor {request['name']}"):
            flavor = connection.compute.create_flavor(**request)
            self.context.set_resource_id(str(flavor.id))
            if properties.get("extra_specs"):
                connection.compute.create_flavor_extra_specs(flavor.id, _strings(properties["extra_specs"]))
            if not properties["is_public"]:
                for tenant in properties.get("tenants") or []:
                    connection.compute.flavor_add_tenant_access(flavor.id, tenant)
        return None

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        flavor_id = self.resource_id
        connection = self.context.cloud()
        with translate_errors(f"updating flavor {flavor_id}"):
            if "extra_specs" in property_diff:
                old = _strings(self.properties.get("extra_specs"))
                new = _strings(new_properties.get("extra_specs"))
                for key in old.keys() - new.keys():
                    connection.compute.delete_flavor_extra_specs_property(flavor_id, key)
                if new:
                    connection.compute.create_flavor_extra_specs(flavor_id, new)
            if "tenants" in property_diff and not new_properties["is_public"]:
                old_tenants = set(self.properties.get("tenants") or [])
                new_tenants = set(new_properties.get("tenants") or [])
                for tenant in sorted(old_tenants - new_tenants):
                    connection.compute.flavor_remove_tenant_access(flavor_id, tenant)
                for tenant in sorted(new_tenants - old_tenants):
                    connection.compute.flavor_add_tenant_access(flavor_id, tenant)
            if "description" in property_diff:
                connection.compute.update_flavor(flavor_id, description=new_properties.get("description"))
        return None

    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        connection = self.context.cloud()
        call = partial(connection.compute.delete_flavor, self.resource_id, ignore_missing=True)
        return request_delete(connection, call, f"deleting flavor {self.resource_id}")

    def check_delete_complete(self, token: Any) -> bool:
        if token is None:
            return True
        connection = self.context.cloud()
        call = partial(connection.compute.delete_flavor, self.resource_id, ignore_missing=True)
        return delete_requested(connection, call, token, "deleting flavor")

    def _flavor(self) -> Any:
        if self.resource_id is None:
            return None
        connection = self.context.cloud()
        try:
            with translate_errors():
                return connection.compute.get_flavor(self.resource_id, get_extra_specs=True)
        except CloudNotFound:
            return None

    def resolve_attribute(self, name: str) -> Any:
        flavor = self._flavor()
        if flavor is None:
            return None
        if name == "is_public":
            return flavor.is_public
        if name == "extra_specs":
            specs = ignore_not_found(lambda: self.context.cloud().compute.fetch_flavor_extra_specs(flavor))
            return dict(getattr(specs, "extra_specs", None) or flavor.extra_specs or {})
        return None

    def show_attribute(self) -> Any:
        flavor = self._flavor()
        return None if flavor is None else flavor.to_dict(computed=False)


def _strings(values: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(key): str(value) for key, value in (values or {}).items()}
