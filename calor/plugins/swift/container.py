"""OS::Swift::Container: an object storage container (its name is the physical id).

``X-Container-Read`` / ``X-Container-Write`` set the ACLs, ``X-Container-Meta`` and
``X-Account-Meta`` the metadata. Deleting a container that still holds objects fails
unless ``PurgeOnDelete`` is true, in which case the objects are deleted first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlparse

from calor.clouds.errors import CloudConflict, CloudNotFound, translate_errors
from calor.errors import ResourceFailure
from calor.plugins.base import ActionNotSupported, ResourcePlugin
from calor.schema.properties import (
    BOOLEAN,
    INTEGER,
    MAP,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)


class SwiftContainer(ResourcePlugin):
    """A resource for managing Swift containers.

    A container defines a namespace for objects. An object with the same name in two
    different containers represents two different objects.
    """

    type_name: ClassVar[str] = "OS::Swift::Container"
    required_service: ClassVar[str | None] = "object-store"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "name": PropertySchema(
            STRING, "Name for the container. If not specified, a unique name will be generated."
        ),
        "X-Container-Read": PropertySchema(
            STRING, "Specify the ACL permissions on who can read objects in the container."
        ),
        "X-Container-Write": PropertySchema(
            STRING, "Specify the ACL permissions on who can write objects to the container."
        ),
        "X-Container-Meta": PropertySchema(
            MAP,
            "A map of user-defined meta data to associate with the container. Each key in the map "
            "will set the header X-Container-Meta-{key} with the corresponding value.",
            default={},
        ),
        "X-Account-Meta": PropertySchema(
            MAP,
            "A map of user-defined meta data to associate with the account. Each key in the map "
            "will set the header X-Account-Meta-{key} with the corresponding value.",
            default={},
        ),
        "PurgeOnDelete": PropertySchema(
            BOOLEAN,
            "If True, delete any objects in the container when the container is deleted. "
            "Otherwise, deleting a non-empty container will result in an error.",
            default=False,
            support_status=SupportStatus(version="2015.1"),
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "DomainName": AttributeSchema("The host from the container URL.", type=STRING),
        "WebsiteURL": AttributeSchema("The URL of the container.", type=STRING),
        "RootURL": AttributeSchema("The parent URL of the container.", type=STRING),
        "ObjectCount": AttributeSchema("The number of objects stored in the container.", type=INTEGER),
        "BytesUsed": AttributeSchema("The number of bytes stored in the container.", type=INTEGER),
        "HeadContainer": AttributeSchema("A map containing all headers for the container.", type=MAP),
    }

    def handle_create(self) -> Any:
        connection = self.context.cloud()
        name = str(self.properties.get("name") or self.context.physical_resource_name())
        acls: dict[str, Any] = {}
        if self.properties.get("X-Container-Read"):
            acls["read_ACL"] = self.properties["X-Container-Read"]
        if self.properties.get("X-Container-Write"):
            acls["write_ACL"] = self.properties["X-Container-Write"]
        with translate_errors(f"creating container {name}"):
            connection.object_store.create_container(name=name, **acls)
            self.context.set_resource_id(name)
            metadata = _strings(self.properties.get("X-Container-Meta"))
            if metadata:
                connection.object_store.set_container_metadata(name, refresh=False, **metadata)
            account_metadata = _strings(self.properties.get("X-Account-Meta"))
            if account_metadata:
                connection.object_store.set_account_metadata(**account_metadata)
        return None

    def handle_delete(self) -> Any:
        name = self.resource_id
        if name is None:
            return None
        connection = self.context.cloud()
        try:
            with translate_errors(f"deleting container {name}"):
                if self.properties.get("PurgeOnDelete"):
                    for stored in list(connection.object_store.objects(name)):
                        connection.object_store.delete_object(
                            stored.name, container=name, ignore_missing=True
                        )
                connection.object_store.delete_container(name, ignore_missing=True)
        except CloudNotFound:
            return None
        except CloudConflict as error:
            if self._has_objects(connection, name):
                raise ActionNotSupported(
                    f"Deleting non-empty container ({name}) when PurgeOnDelete is False "
                    "is not supported for resource."
                ) from error
            raise
        return None

    @staticmethod
    def _has_objects(connection: Any, name: str) -> bool:
        try:
            with translate_errors():
                return any(True for _ in connection.object_store.objects(name, limit=1))
        except CloudNotFound:
            return False

    def _head(self) -> Any:
        if self.resource_id is None:
            return None
        try:
            with translate_errors(f"reading container {self.resource_id}"):
                return self.context.cloud().object_store.get_container_metadata(self.resource_id)
        except CloudNotFound:
            return None

    def resolve_attribute(self, name: str) -> Any:
        if self.resource_id is None:
            return None
        if name in ("DomainName", "WebsiteURL", "RootURL"):
            with translate_errors("reading the object store's endpoint"):
                url = self.context.cloud().object_store.get_endpoint()
            parsed = urlparse(url)
            if name == "DomainName":
                return parsed.hostname
            root = f"{parsed.scheme}://{parsed.netloc}{parsed.path}"
            return root if name == "RootURL" else f"{root}/{self.resource_id}"
        container = self._head()
        if container is None:
            raise ResourceFailure(f"The container {self.resource_id} could not be found.")
        if name == "ObjectCount":
            return container.object_count
        if name == "BytesUsed":
            return container.bytes_used
        if name == "HeadContainer":
            return _headers(container)
        return None

    def show_attribute(self) -> Any:
        container = self._head()
        return None if container is None else _headers(container)


def _headers(container: Any) -> dict[str, Any]:
    """The container's headers (what Heat's HeadContainer gives), with lower-case names."""
    values = {
        "x-container-object-count": container.object_count,
        "x-container-bytes-used": container.bytes_used,
        "x-container-read": container.read_ACL,
        "x-container-write": container.write_ACL,
    }
    for key, value in (container.metadata or {}).items():
        values[f"x-container-meta-{str(key).lower()}"] = value
    return {key: value for key, value in values.items() if value is not None}


def _strings(values: Mapping[str, Any] | None) -> dict[str, str]:
    return {str(key): str(value) for key, value in (values or {}).items()}
