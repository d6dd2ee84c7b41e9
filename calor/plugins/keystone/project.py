"""OS::Keystone::Project: a Keystone project (admin only by default policy)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from calor.clouds.errors import translate_errors
from calor.plugins.base import ResourcePlugin
from calor.plugins.keystone import common
from calor.schema.constraints import CustomConstraint
from calor.schema.properties import BOOLEAN, LIST, STRING, AttributeSchema, PropertySchema, SupportStatus

DELETION = common.Deletion(lambda connection: connection.identity.delete_project, "project")


class KeystoneProject(ResourcePlugin):
    """Heat Template Resource for Keystone Project.

    Projects represent the base unit of ownership in OpenStack, in that all resources in
    OpenStack should be owned by a specific project.
    """

    type_name: ClassVar[str] = "OS::Keystone::Project"
    required_service: ClassVar[str | None] = "identity"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2015.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "name": PropertySchema(STRING, "Name of keystone project.", update_allowed=True),
        "domain": PropertySchema(
            STRING,
            "Name or id of keystone domain.",
            default="default",
            update_allowed=True,
            constraints=(CustomConstraint(name="keystone.domain"),),
        ),
        "description": PropertySchema(
            STRING, "Description of keystone project.", default="", update_allowed=True
        ),
        "enabled": PropertySchema(
            BOOLEAN, "This project is enabled or disabled.", default=True, update_allowed=True
        ),
        "parent": PropertySchema(
            STRING,
            "The name or ID of parent of this keystone project in hierarchy.",
            constraints=(CustomConstraint(name="keystone.project"),),
            support_status=SupportStatus(version="6.0.0"),
        ),
        "tags": PropertySchema(
            LIST,
            "A list of tags for labeling and sorting projects.",
            default=[],
            update_allowed=True,
            support_status=SupportStatus(version="10.0.0"),
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "name": AttributeSchema("Project name.", type=STRING),
        "is_domain": AttributeSchema("Indicates whether the project also acts as a domain.", type=BOOLEAN),
        "parent_id": AttributeSchema("Parent project id.", type=STRING),
        "domain_id": AttributeSchema("Domain id for project.", type=STRING),
        "enabled": AttributeSchema("Flag of enable project.", type=BOOLEAN),
        "description": AttributeSchema("Description of project.", type=STRING),
    }

    def handle_create(self) -> Any:
        connection = self.context.cloud()
        properties = self.properties
        request: dict[str, Any] = {
            "name": properties.get("name") or self.context.physical_resource_name(),
            "domain_id": common.domain_id(connection, properties["domain"]),
            "description": properties["description"],
            "is_enabled": properties["enabled"],
        }
        if properties.get("parent"):
            request["parent_id"] = common.project_id(connection, properties["parent"])
        if properties.get("tags"):
            request["tags"] = list(properties["tags"])
        with translate_errors(f"creating project {request['name']}"):
            project = connection.identity.create_project(**request)
        self.context.set_resource_id(str(project.id))
        return None

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        connection = self.context.cloud()
        changes: dict[str, Any] = {}
        if "name" in property_diff:
            changes["name"] = new_properties.get("name") or self.context.physical_resource_name()
        if "description" in property_diff:
            changes["description"] = new_properties["description"]
        if "enabled" in property_diff:
            changes["is_enabled"] = new_properties["enabled"]
        if "domain" in property_diff:
            changes["domain_id"] = common.domain_id(connection, new_properties["domain"])
        if "tags" in property_diff:
            changes["tags"] = list(new_properties.get("tags") or [])
        if changes:
            with translate_errors(f"updating project {self.resource_id}"):
                connection.identity.update_project(self.resource_id, **changes)
        return None

    def handle_delete(self) -> Any:
        return DELETION.start(self.context.cloud(), self.resource_id)

    def check_delete_complete(self, token: Any) -> bool:
        return DELETION.done(self.context.cloud(), self.resource_id, token)

    def _project(self) -> Any:
        return common.fetch(self.context.cloud().identity.get_project, self.resource_id)

    def resolve_attribute(self, name: str) -> Any:
        project = self._project()
        if project is None:
            return None
        values = {
            "name": project.name,
            "is_domain": project.is_domain,
            "parent_id": project.parent_id,
            "domain_id": project.domain_id,
            "enabled": project.is_enabled,
            "description": project.description,
        }
        return values.get(name)

    def show_attribute(self) -> Any:
        project = self._project()
        return None if project is None else project.to_dict(computed=False)
