"""AWS::S3::Bucket: a Swift container, as Heat maps it.

The container is named after the resource; ``AccessControl`` becomes the container's read
and write ACLs, ``WebsiteConfiguration`` the static-web metadata and ``Tags`` metadata
``X-Container-Meta-S3-Tag-<Key>``. A bucket holding objects is not deleted (as in Heat).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlparse

from keystoneauth1 import exceptions as auth_exceptions
from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import is_conflict, is_not_found, translate_errors
from calor.errors import ResourceFailure
from calor.plugins.aws.common import checked, tags_property
from calor.plugins.base import ResourcePlugin
from calor.schema.constraints import AllowedValues
from calor.schema.properties import MAP, STRING, AttributeSchema, PropertySchema, SupportStatus

ACCESS_CONTROLS = (
    "Private",
    "PublicRead",
    "PublicReadWrite",
    "AuthenticatedRead",
    "BucketOwnerRead",
    "BucketOwnerFullControl",
)
TAG_HEADER_PREFIX = "X-Container-Meta-S3-Tag-"
CloudErrors = (sdk_exceptions.SDKException, auth_exceptions.ClientException)


def access_headers(access_control: str | None, project: str, user: str) -> dict[str, str]:
    """The container ACL headers of an ``AccessControl`` value (Heat's mapping)."""
    owner = f"{project}:{user}"
    if access_control in ("PublicRead", "PublicReadWrite"):
        read = ".r:*"
    elif access_control == "AuthenticatedRead":
        read = project
    else:
        read = owner
    write = ".r:*" if access_control == "PublicReadWrite" else owner
    return {"X-Container-Read": read, "X-Container-Write": write}


class Bucket(ResourcePlugin):
    """An S3 bucket: a Swift container in the stack's project."""

    type_name: ClassVar[str] = "AWS::S3::Bucket"
    required_service: ClassVar[str | None] = "object-store"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "AccessControl": PropertySchema(
            STRING,
            "A predefined access control list (ACL) that grants permissions on the bucket.",
            constraints=(AllowedValues(values=ACCESS_CONTROLS),),
        ),
        "WebsiteConfiguration": PropertySchema(
            MAP,
            "Information used to configure the bucket as a static website.",
            schema={
                "IndexDocument": PropertySchema(STRING, "The name of the index document."),
                "ErrorDocument": PropertySchema(STRING, "The name of the error document."),
            },
        ),
        "Tags": tags_property("Tags to attach to the bucket."),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "DomainName": AttributeSchema("The DNS name of the specified bucket.", STRING),
        "WebsiteURL": AttributeSchema("The website endpoint for the specified bucket.", STRING),
    }

    def _headers(self, connection: Any) -> dict[str, str]:
        headers = {
            TAG_HEADER_PREFIX + str(tag["Key"]): str(tag["Value"])
            for tag in self.properties.get("Tags") or []
        }
        website = self.properties.get("WebsiteConfiguration")
        if website is not None:
            # Swift's staticweb middleware serves the container as a website.
            if website.get("IndexDocument"):
                headers["X-Container-Meta-Web-Index"] = str(website["IndexDocument"])
            if website.get("ErrorDocument"):
                headers["X-Container-Meta-Web-Error"] = str(website["ErrorDocument"])
        project = str(connection.current_project_id or self.context.project_id)
        user = str(connection.current_user_id)
        headers.update(access_headers(self.properties.get("AccessControl"), project, user))
        return headers

    @translate_errors()
    def handle_create(self) -> Any:
        connection = self.context.cloud()
        container = self.context.physical_resource_name()
        checked(connection.object_store.put(f"/{container}", headers=self._headers(connection)))
        self.context.set_resource_id(container)
        return None

    @translate_errors()
    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        store = self.context.cloud().object_store
        try:
            checked(store.delete(f"/{self.resource_id}"))
        except CloudErrors as error:
            if is_not_found(error):
                return None
            if is_conflict(error):
                raise ResourceFailure(
                    f"The bucket you tried to delete is not empty ({self.resource_id}).",
                    resource_name=self.name,
                    action="DELETE",
                ) from error
            raise
        return None

    def reference_id(self) -> str:
        return str(self.resource_id) if self.resource_id is not None else self.name

    def _endpoint(self) -> Any:
        return urlparse(str(self.context.cloud().object_store.get_endpoint()))

    def resolve_attribute(self, name: str) -> Any:
        if self.resource_id is None:
            return None
        endpoint = self._endpoint()
        if name == "DomainName":
            return endpoint.hostname
        if name == "WebsiteURL":
            return f"{endpoint.scheme}://{endpoint.netloc}{endpoint.path}/{self.resource_id}"
        return None
