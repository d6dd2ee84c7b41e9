"""OS::Keystone::Role: a Keystone role (admin only by default policy)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.clouds.errors import translate_errors
from calor.plugins.base import ResourcePlugin
from calor.plugins.keystone import common
from calor.schema.constraints import CustomConstraint
from calor.schema.properties import STRING, PropertySchema, SupportStatus

DELETION = common.Deletion(lambda connection: connection.identity.delete_role, "role")


class KeystoneRole(ResourcePlugin):
    """Heat Template Resource for Keystone Role.

    Roles dictate the level of authorization the end user can obtain. Roles can be granted at
    either the domain or project level.
    """

    type_name: ClassVar[str] = "OS::Keystone::Role"
    required_service: ClassVar[str | None] = "identity"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2015.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "name": PropertySchema(STRING, "Name of keystone role.", update_allowed=True),
        "domain": PropertySchema(
            STRING,
            "Name or id of keystone domain.",
            constraints=(CustomConstraint(name="keystone.domain"),),
            support_status=SupportStatus(version="10.0.0"),
        ),
    }

    def handle_create(self) -> Any:
        connection = self.context.cloud()
        request: dict[str, Any] = {
            "name": self.properties.get("name") or self.context.physical_resource_name()
        }
        if self.properties.get("domain"):
            request["domain_id"] = common.domain_id(connection, self.properties["domain"])
        with translate_errors(f"creating role {request['name']}"):
            role = connection.identity.create_role(**request)
        self.context.set_resource_id(str(role.id))
        return None

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        if "name" in property_diff:
            name = new_properties.get("name") or self.context.physical_resource_name()
            with translate_errors(f"updating role {self.resource_id}"):
                self.context.cloud().identity.update_role(self.resource_id, name=name)
        return None

    def handle_delete(self) -> Any:
        return DELETION.start(self.context.cloud(), self.resource_id)

    def check_delete_complete(self, token: Any) -> bool:
        return DELETION.done(self.context.cloud(), self.resource_id, token)

    def show_attribute(self) -> Any:
        role = common.fetch(self.context.cloud().identity.get_role, self.resource_id)
        return None if role is None else role.to_dict(computed=False)
