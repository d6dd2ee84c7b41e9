"""OS::Nova::ServerGroup: a group of servers placed by an (anti-)affinity policy."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, ClassVar

from calor.clouds.deletion import delete_requested, request_delete
from calor.clouds.errors import CloudNotFound, translate_errors
from calor.plugins.base import ResourcePlugin
from calor.schema.constraints import AllowedValues
from calor.schema.properties import LIST, MAP, STRING, PropertySchema, SupportStatus

POLICIES = ("anti-affinity", "affinity", "soft-anti-affinity", "soft-affinity")


class ServerGroup(ResourcePlugin):
    """A resource for managing a Nova server group.

    Server groups allow you to make sure instances (VMs) are on the same hypervisor host or
    on different hosts.
    """

    type_name: ClassVar[str] = "OS::Nova::ServerGroup"
    required_service: ClassVar[str | None] = "compute"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.2")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "name": PropertySchema(STRING, "Server Group name."),
        "policies": PropertySchema(
            LIST,
            "A list of string policies to apply. Defaults to anti-affinity.",
            default=["anti-affinity"],
            constraints=(AllowedValues(values=POLICIES),),
            schema=PropertySchema(STRING),
        ),
        "rules": PropertySchema(
            MAP,
            "Rules for the policy (max_server_per_host). Supported since Nova api version 2.64.",
            support_status=SupportStatus(version="13.0.0"),
        ),
    }

    def handle_create(self) -> Any:
        connection = self.context.cloud()
        name = self.properties.get("name") or self.context.physical_resource_name()
        policies = list(self.properties["policies"])
        request: dict[str, Any] = {"name": name, "policies": policies}
        if self.properties.get("rules"):
            request["rules"] = dict(self.properties["rules"])
        with translate_errors(f"creating server group {name}"):
            group = connection.compute.create_server_group(**request)
        self.context.set_resource_id(str(group.id))
        return None

    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        connection = self.context.cloud()
        call = partial(connection.compute.delete_server_group, self.resource_id, ignore_missing=True)
        return request_delete(connection, call, f"deleting server group {self.resource_id}")

    def check_delete_complete(self, token: Any) -> bool:
        if token is None:
            return True
        connection = self.context.cloud()
        call = partial(connection.compute.delete_server_group, self.resource_id, ignore_missing=True)
        return delete_requested(connection, call, token, "deleting server group")

    def show_attribute(self) -> Any:
        if self.resource_id is None:
            return None
        try:
            with translate_errors():
                group = self.context.cloud().compute.get_server_group(self.resource_id)
        except CloudNotFound:
            return None
        return group.to_dict(computed=False)
