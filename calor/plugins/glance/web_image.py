"""OS::Glance::WebImage: an image whose data Glance imports from a URL (``web-download``).

The image is created ``queued`` with its properties, its id stored at once, then imported
from ``location``; create completes when Glance reports it ``active``. Name, protection,
visibility, tags, the ``active`` flag and the other descriptive properties are updated
in place; a new ``location`` or format replaces the image.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any, ClassVar

from calor.clouds.deletion import delete_requested, request_delete
from calor.clouds.errors import CloudNotFound, translate_errors
from calor.errors import ResourceFailure
from calor.plugins.base import ResourcePlugin
from calor.schema.constraints import AllowedValues
from calor.schema.properties import (
    BOOLEAN,
    INTEGER,
    LIST,
    MAP,
    STRING,
    AttributeSchema,
    PropertySchema,
    SupportStatus,
)

DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ova", "ovf", "docker", "compressed")
VISIBILITIES = ("public", "private", "community", "shared")
FAILED_STATUSES = ("killed", "deleted", "pending_delete")

UPDATABLE = {
    "name": "name",
    "protected": "is_protected",
    "visibility": "visibility",
    "min_disk": "min_disk",
    "min_ram": "min_ram",
    "os_distro": "os_distro",
    "os_version": "os_version",
    "architecture": "architecture",
    "kernel_id": "kernel_id",
    "ramdisk_id": "ramdisk_id",
    "owner": "owner_id",
}
"""Template property → openstacksdk Image attribute, for the properties updated in place."""


class WebImage(ResourcePlugin):
    """A resource managing images in Glance using web-download import.

    This provides image support for recent Glance installation.
    """

    type_name: ClassVar[str] = "OS::Glance::WebImage"
    required_service: ClassVar[str | None] = "image"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="12.0.0")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "name": PropertySchema(
            STRING,
            "Name for the image. The name of an image is not unique to a Image Service node.",
            update_allowed=True,
        ),
        "id": PropertySchema(STRING, "The image ID. Glance will generate a UUID if not specified."),
        "location": PropertySchema(
            STRING,
            "URL where the data for this image already resides. For example, if the image data is "
            'stored in swift, you could specify "swift://example.com/container/obj".',
            required=True,
        ),
        "disk_format": PropertySchema(
            STRING, "Disk format of image.", required=True, constraints=(AllowedValues(values=DISK_FORMATS),)
        ),
        "container_format": PropertySchema(
            STRING,
            "Container format of image.",
            required=True,
            constraints=(AllowedValues(values=CONTAINER_FORMATS),),
        ),
        "min_disk": PropertySchema(
            INTEGER,
            "Amount of disk space (in GB) required to boot image. Default value is 0 if not "
            "specified and means no limit on the disk size.",
            default=0,
            update_allowed=True,
        ),
        "min_ram": PropertySchema(
            INTEGER,
            "Amount of ram (in MB) required to boot image. Default value is 0 if not specified "
            "and means no limit on the ram size.",
            default=0,
            update_allowed=True,
        ),
        "protected": PropertySchema(
            BOOLEAN,
            "Whether the image can be deleted. If the value is True, the image is protected and "
            "cannot be deleted.",
            default=False,
            update_allowed=True,
        ),
        "visibility": PropertySchema(
            STRING,
            "Scope of image accessibility.",
            default="private",
            update_allowed=True,
            constraints=(AllowedValues(values=VISIBILITIES),),
        ),
        "tags": PropertySchema(LIST, "List of image tags.", default=[], update_allowed=True),
        "architecture": PropertySchema(STRING, "Operating system architecture.", update_allowed=True),
        "kernel_id": PropertySchema(
            STRING,
            "ID of image stored in Glance that should be used as the kernel when booting an AMI-style image.",
            update_allowed=True,
        ),
        "ramdisk_id": PropertySchema(
            STRING,
            "ID of image stored in Glance that should be used as the "
            "ramdisk when booting an AMI-style image.",
            update_allowed=True,
        ),
        "os_distro": PropertySchema(
            STRING, "The common name of the operating system distribution in lowercase.", update_allowed=True
        ),
        "os_version": PropertySchema(
            STRING, "Operating system version as specified by the distributor.", update_allowed=True
        ),
        "owner": PropertySchema(STRING, "Owner of the image.", update_allowed=True),
        "extra_properties": PropertySchema(
            MAP, "Arbitrary properties to associate with the image.", default={}, update_allowed=True
        ),
        "active": PropertySchema(
            BOOLEAN,
            "The image status. Deactivated images cannot be used to boot servers.",
            default=True,
            update_allowed=True,
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "status": AttributeSchema("The status of the image.", type=STRING),
        "checksum": AttributeSchema("The checksum of the image data.", type=STRING),
        "size": AttributeSchema("The size of the image data in bytes.", type=INTEGER),
        "location": AttributeSchema("Where the image data was imported from.", type=STRING),
    }

    def handle_create(self) -> Any:
        from openstack.image.v2.image import Image

        connection = self.context.cloud()
        properties = self.properties
        attributes: dict[str, Any] = {
            "name": properties.get("name") or self.context.physical_resource_name(),
            "disk_format": properties["disk_format"],
            "container_format": properties["container_format"],
            "tags": list(properties.get("tags") or []),
        }
        if properties.get("id"):
            attributes["id"] = properties["id"]
        for key, attribute in UPDATABLE.items():
            if key != "name" and properties.get(key) is not None:
                attributes[attribute] = properties[key]
        attributes.update(
            {str(key): str(value) for key, value in (properties.get("extra_properties") or {}).items()}
        )
        with translate_errors(f"creating image {attributes['name']}"):
            image = Image.new(**attributes).create(connection.image)
        self.context.set_resource_id(str(image.id))
        with translate_errors(f"importing image {image.id} from {properties['location']}"):
            connection.image.import_image(image, method="web-download", uri=properties["location"])
        return {"image_id": str(image.id), "active": properties["active"]}

    def _image(self, connection: Any, image_id: str) -> Any:
        try:
            with translate_errors(f"reading image {image_id}"):
                return connection.image.get_image(image_id)
        except CloudNotFound as error:
            raise ResourceFailure(f"The Image ({image_id}) could not be found.") from error

    def check_create_complete(self, token: Any) -> bool:
        connection = self.context.cloud()
        image = self._image(connection, token["image_id"])
        if image.status in FAILED_STATUSES:
            raise ResourceFailure(f"Image {token['image_id']} went to status {image.status} while importing")
        if image.status != "active":
            return False
        if not token.get("active", True):
            with translate_errors("deactivating the image"):
                connection.image.deactivate_image(token["image_id"])
        return True

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        connection = self.context.cloud()
        image_id = self.resource_id
        changes = {
            attribute: new_properties.get(key) for key, attribute in UPDATABLE.items() if key in property_diff
        }
        if "name" in changes and not changes["name"]:
            changes["name"] = self.context.physical_resource_name()
        if "extra_properties" in property_diff:
            changes.update(
                {str(k): str(v) for k, v in (new_properties.get("extra_properties") or {}).items()}
            )
        with translate_errors(f"updating image {image_id}"):
            if changes:
                connection.image.update_image(image_id, **changes)
            if "tags" in property_diff:
                old_tags = set(self.properties.get("tags") or [])
                new_tags = set(new_properties.get("tags") or [])
                for tag in sorted(old_tags - new_tags):
                    connection.image.remove_tag(image_id, tag)
                for tag in sorted(new_tags - old_tags):
                    connection.image.add_tag(image_id, tag)
            if "active" in property_diff:
                if new_properties["active"]:
                    connection.image.reactivate_image(image_id)
                else:
                    connection.image.deactivate_image(image_id)
        return None

    def _delete_call(self, connection: Any) -> Any:
        return partial(connection.image.delete_image, self.resource_id, ignore_missing=True)

    def handle_delete(self) -> Any:
        if self.resource_id is None:
            return None
        connection = self.context.cloud()
        return request_delete(connection, self._delete_call(connection), f"deleting image {self.resource_id}")

    def check_delete_complete(self, token: Any) -> bool:
        if token is None:
            return True
        connection = self.context.cloud()
        return delete_requested(connection, self._delete_call(connection), token, "deleting image")

    def resolve_attribute(self, name: str) -> Any:
        if self.resource_id is None:
            return None
        if name == "location":
            return self.properties.get("location")
        try:
            image = self._image(self.context.cloud(), self.resource_id)
        except ResourceFailure:
            return None
        return {"status": image.status, "checksum": image.checksum, "size": image.size}.get(name)

    def show_attribute(self) -> Any:
        if self.resource_id is None:
            return None
        try:
            return self._image(self.context.cloud(), self.resource_id).to_dict(computed=False)
        except ResourceFailure:
            return None
