"""OS::Keystone::User: a Keystone user, with group memberships and role assignments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.clouds.errors import CloudNotFound, translate_errors
from calor.clouds.lookup import find_id
from calor.plugins.base import ResourcePlugin
from calor.plugins.keystone import common
from calor.schema.constraints import CustomConstraint
from calor.schema.properties import BOOLEAN, LIST, STRING, AttributeSchema, PropertySchema, SupportStatus

DELETION = common.Deletion(lambda connection: connection.identity.delete_user, "user")


class KeystoneUser(ResourcePlugin):
    """Heat Template Resource for Keystone User.

    Users represent an individual API consumer. A user itself must be owned by a specific
    domain, and hence all user names are not globally unique, but only unique to their domain.
    """

    type_name: ClassVar[str] = "OS::Keystone::User"
    required_service: ClassVar[str | None] = "identity"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2015.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "name": PropertySchema(STRING, "Name of keystone user.", update_allowed=True),
        "domain": PropertySchema(
            STRING,
            "Name or ID of keystone domain.",
            default="default",
            update_allowed=True,
            constraints=(CustomConstraint(name="keystone.domain"),),
        ),
        "description": PropertySchema(
            STRING, "Description of keystone user.", default="", update_allowed=True
        ),
        "enabled": PropertySchema(
            BOOLEAN, "Keystone user is enabled or disabled.", default=True, update_allowed=True
        ),
        "email": PropertySchema(STRING, "Email address of keystone user.", update_allowed=True),
        "password": PropertySchema(STRING, "Password of keystone user.", update_allowed=True),
        "default_project": PropertySchema(
            STRING,
            "Name or ID of default project of keystone user.",
            update_allowed=True,
            constraints=(CustomConstraint(name="keystone.project"),),
        ),
        "groups": PropertySchema(
            LIST,
            "Keystone user groups.",
            update_allowed=True,
            schema=PropertySchema(STRING, constraints=(CustomConstraint(name="keystone.group"),)),
        ),
        "roles": common.ROLES_SCHEMA,
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "name": AttributeSchema("User name.", type=STRING),
        "default_project_id": AttributeSchema("Default project id for user.", type=STRING),
        "domain_id": AttributeSchema("Domain id for user.", type=STRING),
        "enabled": AttributeSchema("Flag of enable user.", type=BOOLEAN),
        "password_expires_at": AttributeSchema("Show user password expiration time.", type=STRING),
    }

    def validate(self) -> None:
        common.check_roles(self.properties.get("roles"), self.properties_path)

    def handle_create(self) -> Any:
        connection = self.context.cloud()
        properties = self.properties
        request: dict[str, Any] = {
            "name": properties.get("name") or self.context.physical_resource_name(),
            "domain_id": common.domain_id(connection, properties["domain"]),
            "description": properties["description"],
            "is_enabled": properties["enabled"],
        }
        if properties.get("email"):
            request["email"] = properties["email"]
        if properties.get("password"):
            request["password"] = properties["password"]
        if properties.get("default_project"):
            request["default_project_id"] = common.project_id(connection, properties["default_project"])
        with translate_errors(f"creating user {request['name']}"):
            user = connection.identity.create_user(**request)
        self.context.set_resource_id(str(user.id))
        self._join_groups(connection, properties.get("groups") or [])
        common.grant_roles(connection, str(user.id), properties.get("roles") or [])
        return None

    def _join_groups(self, connection: Any, groups: list[str]) -> None:
        for group in groups:
            group_id = find_id(connection.identity.find_group, group, "Group")
            with translate_errors(f"adding user {self.resource_id} to group {group}"):
                connection.identity.add_user_to_group(self.resource_id, group_id)

    def _leave_groups(self, connection: Any, groups: list[str]) -> None:
        for group in groups:
            try:
                group_id = find_id(connection.identity.find_group, group, "Group")
                with translate_errors(f"removing user {self.resource_id} from group {group}"):
                    connection.identity.remove_user_from_group(self.resource_id, group_id)
            except CloudNotFound:
                continue

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        connection = self.context.cloud()
        changes: dict[str, Any] = {}
        if "name" in property_diff:
            changes["name"] = new_properties.get("name") or self.context.physical_resource_name()
        for key, attribute in (
            ("description", "description"),
            ("enabled", "is_enabled"),
            ("email", "email"),
            ("password", "password"),
        ):
            if key in property_diff:
                changes[attribute] = new_properties.get(key)
        if "domain" in property_diff:
            changes["domain_id"] = common.domain_id(connection, new_properties["domain"])
        if "default_project" in property_diff:
            project = new_properties.get("default_project")
            changes["default_project_id"] = common.project_id(connection, project) if project else None
        if changes:
            with translate_errors(f"updating user {self.resource_id}"):
                connection.identity.update_user(self.resource_id, **changes)
        if "groups" in property_diff:
            old_groups = set(self.properties.get("groups") or [])
            new_groups = set(new_properties.get("groups") or [])
            self._leave_groups(connection, sorted(old_groups - new_groups))
            self._join_groups(connection, sorted(new_groups - old_groups))
        if "roles" in property_diff:
            common.update_roles(
                connection, str(self.resource_id), self.properties.get("roles"), new_properties.get("roles")
            )
        return None

    def handle_delete(self) -> Any:
        connection = self.context.cloud()
        if self.resource_id is not None:
            common.revoke_roles(connection, self.resource_id, self.properties.get("roles") or [])
        return DELETION.start(connection, self.resource_id)

    def check_delete_complete(self, token: Any) -> bool:
        return DELETION.done(self.context.cloud(), self.resource_id, token)

    def _user(self) -> Any:
        return common.fetch(self.context.cloud().identity.get_user, self.resource_id)

    def resolve_attribute(self, name: str) -> Any:
        user = self._user()
        if user is None:
            return None
        values = {
            "name": user.name,
            "default_project_id": user.default_project_id,
            "domain_id": user.domain_id,
            "enabled": user.is_enabled,
            "password_expires_at": user.password_expires_at,
        }
        return values.get(name)

    def show_attribute(self) -> Any:
        user = self._user()
        return None if user is None else user.to_dict(computed=False)
