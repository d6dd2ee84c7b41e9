"""OS::Keystone::UserRoleAssignment: roles of a user on projects or domains.

As in Heat the resource has no physical id (``get_resource`` gives its name); the user's id is
kept in the resource data. Updates revoke the dropped assignments and grant the new ones;
delete revokes them all (assignments, roles or users already gone are skipped).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.plugins.base import ResourcePlugin
from calor.plugins.keystone import common
from calor.schema.constraints import CustomConstraint
from calor.schema.properties import STRING, PropertySchema, SupportStatus

USER_ID = "user_id"


class KeystoneUserRoleAssignment(ResourcePlugin):
    """Resource for granting roles to a user.

    Resource for specifying users and their's roles.
    """

    type_name: ClassVar[str] = "OS::Keystone::UserRoleAssignment"
    required_service: ClassVar[str | None] = "identity"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="5.0.0")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "user": PropertySchema(
            STRING,
            "Name or id of keystone user.",
            required=True,
            update_allowed=True,
            constraints=(CustomConstraint(name="keystone.user"),),
        ),
        "roles": common.ROLES_SCHEMA,
    }

    def validate(self) -> None:
        common.check_roles(self.properties.get("roles"), self.properties_path)

    def handle_create(self) -> Any:
        connection = self.context.cloud()
        user = common.user_id(connection, self.properties["user"])
        self.context.data_set(USER_ID, user)
        common.grant_roles(connection, user, self.properties.get("roles") or [])
        return None

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        connection = self.context.cloud()
        old_user = common.user_id(connection, self.properties["user"])
        new_user = common.user_id(connection, new_properties["user"])
        if old_user != new_user:
            common.revoke_roles(connection, old_user, self.properties.get("roles") or [])
            common.grant_roles(connection, new_user, new_properties.get("roles") or [])
            self.context.data_set(USER_ID, new_user)
        else:
            common.update_roles(
                connection, new_user, self.properties.get("roles"), new_properties.get("roles")
            )
        return None

    def handle_delete(self) -> Any:
        user = self.context.data().get(USER_ID)
        if user is not None:
            common.revoke_roles(self.context.cloud(), user, self.properties.get("roles") or [])
        return None
