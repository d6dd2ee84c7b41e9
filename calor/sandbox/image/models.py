"""The emulated Glance's backend: image records and their data files, visibility and JSON patch.

No HTTP here. Records live in the shared state store (collection ``image.images``); image data
is kept in files under ``<state_dir>/images``. A default public CirrOS image exists after
bootstrap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from calor.sandbox.framework.auth import Caller
from calor.sandbox.framework.errors import BadRequest, Conflict, Forbidden, NotFound
from calor.sandbox.framework.ids import new_uuid, timestamp
from calor.sandbox.framework.service import SandboxContext
from calor.sandbox.framework.status import schedule
from calor.sandbox.framework.store import Document

CIRROS_NAME = "cirros-0.6.2-x86_64-disk"
CIRROS_ID = "5f2c1b9a-0c7e-4c1e-9b1e-c1a05c1a0500"
CIRROS_DATA = b"QFI\xfb" + b"\x00\x00\x00\x03" + b"calor sandbox cirros image\n" * 32
BOOTSTRAP_MARKER = "bootstrapped"
VISIBILITIES = ("public", "private", "shared", "community")
DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
# Properties only Glance sets; a create or patch naming them is refused.
READ_ONLY = frozenset(
    {
        "id",
        "status",
        "checksum",
        "os_hash_algo",
        "os_hash_value",
        "size",
        "virtual_size",
        "created_at",
        "updated_at",
        "owner",
        "file",
        "self",
        "schema",
        "direct_url",
        "locations",
    }
)
RESERVED_FOR_CREATE = READ_ONLY - {"id", "owner"}
INTEGER_PROPERTIES = ("min_disk", "min_ram")
BOOLEAN_PROPERTIES = ("protected", "os_hidden")
CHUNK_SIZE = 65536
IMPORT_METHODS = ("glance-direct", "web-download")


def _check_property(name: str, value: Any) -> Any:
    if name in INTEGER_PROPERTIES:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise BadRequest(f"Invalid value for {name}: must be a non-negative integer.")
    elif name in BOOLEAN_PROPERTIES:
        if not isinstance(value, bool):
            raise BadRequest(f"Invalid value for {name}: must be a boolean.")
    elif name == "visibility":
        if value not in VISIBILITIES:
            raise BadRequest(f"Invalid visibility value: {value}")
    elif name == "disk_format":
        if value is not None and value not in DISK_FORMATS:
            raise BadRequest(f"Invalid value '{value}' for parameter 'disk_format'")
    elif name == "container_format":
        if value is not None and value not in CONTAINER_FORMATS:
            raise BadRequest(f"Invalid value '{value}' for parameter 'container_format'")
    elif name == "tags":
        if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
            raise BadRequest("Invalid value for tags: must be a list of strings.")
    elif name == "name":
        if value is not None and (not isinstance(value, str) or len(value) > 255):
            raise BadRequest("Invalid value for name: must be a string of at most 255 characters.")
    elif not isinstance(value, str) and name not in ("properties",):
        raise BadRequest(f"Invalid value for property {name}: custom properties are strings.")
    return value


class ImageBackend:
    def __init__(self, context: SandboxContext) -> None:
        self.context = context
        self.images = context.store.collection("image.images")
        self.data_directory = context.store.data_directory("images")
        meta = context.store.collection("image.meta")
        if meta.get(BOOTSTRAP_MARKER) is None:
            self._bootstrap()
            meta.put({"id": BOOTSTRAP_MARKER})

    def _bootstrap(self) -> None:
        image = self._new_record(CIRROS_ID, "", {"name": CIRROS_NAME, "visibility": "public"})
        image.update({"disk_format": "qcow2", "container_format": "bare", "hw_rng_model": "virtio"})
        self._store_data(image, iter([CIRROS_DATA]))

    # -- records -------------------------------------------------------------------------------

    @staticmethod
    def _new_record(image_id: str, owner: str, properties: dict[str, Any]) -> Document:
        now = timestamp()
        record: Document = {
            "id": image_id,
            "project_id": owner,
            "name": None,
            "status": "queued",
            "visibility": "shared",
            "protected": False,
            "os_hidden": False,
            "owner": owner,
            "checksum": None,
            "os_hash_algo": None,
            "os_hash_value": None,
            "size": None,
            "virtual_size": None,
            "min_disk": 0,
            "min_ram": 0,
            "disk_format": None,
            "container_format": None,
            "tags": [],
            "created_at": now,
            "updated_at": now,
            "properties": {},
        }
        for name, value in properties.items():
            if name in record and name != "properties":
                record[name] = value
            else:
                record["properties"][name] = value
        return record

    def visible(self, image: Document, caller: Caller) -> bool:
        return (
            caller.is_admin
            or image["visibility"] in ("public", "community")
            or image["owner"] == caller.project_id
        )

    def get_image(self, image_id: str, caller: Caller) -> Document:
        image = self.images.get(image_id)
        if image is None or not self.visible(image, caller):
            raise NotFound(f"No image found with ID {image_id}")
        return image

    def list_images(self, caller: Caller) -> list[Document]:
        return [image for image in self.images.list() if self.visible(image, caller)]

    def create_image(self, caller: Caller, body: dict[str, Any]) -> Document:
        for name in body:
            if name in RESERVED_FOR_CREATE:
                raise Forbidden(f"Attribute '{name}' is read-only.")
        properties = {
            name: _check_property(name, value) for name, value in body.items() if name not in ("id", "owner")
        }
        if properties.get("visibility") == "public" and not caller.is_admin:
            raise Forbidden("You are not authorized to complete publicize_image action.")
        image_id = str(body.get("id") or new_uuid())
        owner = str(body.get("owner") or caller.project_id) if caller.is_admin else caller.project_id
        with self.context.store.lock:
            if self.images.get(image_id) is not None:
                raise Conflict(f"Image with identifier {image_id} already exists!")
            return self.images.put(self._new_record(image_id, owner, properties))

    def _owned(self, image_id: str, caller: Caller) -> Document:
        image = self.get_image(image_id, caller)
        if image["owner"] != caller.project_id and not caller.is_admin:
            raise Forbidden("You are not permitted to modify this image.")
        return image

    def update_image(self, image_id: str, caller: Caller, changes: list[Any]) -> Document:
        """Apply a JSON patch (``add`` / ``replace`` / ``remove`` on ``/<property>``)."""
        with self.context.store.lock:
            image = self._owned(image_id, caller)
            for change in changes:
                self._apply_change(image, change, caller)
            image["updated_at"] = timestamp()
            return self.images.put(image)

    def _apply_change(self, image: Document, change: Any, caller: Caller) -> None:
        if not isinstance(change, dict) or change.get("op") not in ("add", "replace", "remove"):
            raise BadRequest(
                "Unable to find `op` in JSON Schema change. It must be one of: add, remove, replace."
            )
        path = change.get("path")
        if not isinstance(path, str) or not path.startswith("/") or path.count("/") > 2:
            raise BadRequest(f"Invalid JSON pointer for this resource: '{path}'")
        parts = path[1:].split("/")
        name = parts[0].replace("~1", "/").replace("~0", "~")
        if name in READ_ONLY:
            raise Forbidden(f"Attribute '{name}' is read-only.")
        operation = change["op"]
        if name == "tags" and len(parts) == 2:
            raise BadRequest(f"Invalid JSON pointer for this resource: '{path}'")
        core = name in image and name != "properties"
        if operation == "remove":
            if core:
                raise Forbidden(f"Attribute '{name}' is reserved.")
            if name not in image["properties"]:
                raise Conflict(f"Property {name} does not exist.")
            del image["properties"][name]
            return
        if "value" not in change:
            raise BadRequest(f"Operation '{operation}' needs a value.")
        value = _check_property(name, change["value"])
        if name == "visibility" and value == "public" and not caller.is_admin:
            raise Forbidden("You are not authorized to complete publicize_image action.")
        if core:
            image[name] = value
        elif operation == "replace" and name not in image["properties"]:
            raise Conflict(f"Property {name} does not exist.")
        else:
            image["properties"][name] = value

    def delete_image(self, image_id: str, caller: Caller) -> None:
        with self.context.store.lock:
            image = self._owned(image_id, caller)
            if image["protected"]:
                raise Forbidden(f"Image {image_id} is protected and cannot be deleted.")
            self.images.delete(image_id)
        self._data_path(image_id).unlink(missing_ok=True)
        self._staging_path(image_id).unlink(missing_ok=True)

    def set_tag(self, image_id: str, caller: Caller, tag: str, *, present: bool) -> None:
        with self.context.store.lock:
            image = self._owned(image_id, caller)
            if present and tag not in image["tags"]:
                image["tags"].append(tag)
            elif not present:
                if tag not in image["tags"]:
                    raise NotFound(f"Tag {tag} not found.")
                image["tags"].remove(tag)
            image["updated_at"] = timestamp()
            self.images.put(image)

    def set_active(self, image_id: str, caller: Caller, *, active: bool) -> None:
        """Deactivate (admin) or reactivate an image."""
        if not caller.is_admin:
            raise Forbidden("You are not authorized to complete deactivate action.")
        with self.context.store.lock:
            image = self.get_image(image_id, caller)
            if image["status"] not in ("active", "deactivated"):
                raise Conflict(f"Not allowed to deactivate image in status '{image['status']}'")
            image["status"] = "active" if active else "deactivated"
            self.images.put(image)

    # -- data ----------------------------------------------------------------------------------

    def _data_path(self, image_id: str) -> Path:
        return self.data_directory / image_id

    def _staging_path(self, image_id: str) -> Path:
        return self.data_directory / f"{image_id}.staging"

    @staticmethod
    def _write(path: Path, chunks: Iterator[bytes]) -> dict[str, Any]:
        """Write the data; the record changes describing it (size and hashes)."""
        md5 = hashlib.md5(usedforsecurity=False)
        sha512 = hashlib.sha512()
        size = 0
        with path.open("wb") as stream:
            for chunk in chunks:
                md5.update(chunk)
                sha512.update(chunk)
                size += len(chunk)
                stream.write(chunk)
        return {
            "size": size,
            "virtual_size": None,
            "checksum": md5.hexdigest(),
            "os_hash_algo": "sha512",
            "os_hash_value": sha512.hexdigest(),
        }

    def _store_data(self, image: Document, chunks: Iterator[bytes]) -> Document:
        image.update(self._write(self._data_path(image["id"]), chunks))
        image.update({"status": "active", "updated_at": timestamp()})
        return self.images.put(image)

    def stage(self, image_id: str, caller: Caller, chunks: Iterator[bytes]) -> Document:
        """Interoperable import, step one: keep the data aside (``uploading``)."""
        with self.context.store.lock:
            image = self._owned(image_id, caller)
            if image["status"] != "queued":
                raise Conflict(f"Image status transition from {image['status']} to uploading is not allowed")
            image["status"] = "uploading"
            self.images.put(image)
        image["_staged"] = self._write(self._staging_path(image_id), chunks)
        return self.images.put(image)

    def import_image(self, image_id: str, caller: Caller, method: Any) -> Document:
        """Interoperable import, step two: ``glance-direct`` (staged data) or ``web-download``
        (the sandbox does not fetch the URI: the image becomes active with empty data)."""
        if not isinstance(method, dict) or method.get("name") not in IMPORT_METHODS:
            raise BadRequest(f"Import method must be one of: {', '.join(IMPORT_METHODS)}")
        with self.context.store.lock:
            image = self._owned(image_id, caller)
            if not image["disk_format"] or not image["container_format"]:
                raise BadRequest("'disk_format' needs to be set before import")
            if method["name"] == "glance-direct":
                if image["status"] != "uploading":
                    raise Conflict("Image needs to be staged before 'glance-direct' method can be used")
                self._staging_path(image_id).replace(self._data_path(image_id))
                changes = dict(image.pop("_staged", {}))
            else:
                if image["status"] != "queued":
                    raise Conflict(
                        f"Image status transition from {image['status']} to importing is not allowed"
                    )
                if not isinstance(method.get("uri"), str) or not method["uri"]:
                    raise BadRequest("URI for web-download does not pass filtering: None")
                image["properties"]["os_glance_import_uri"] = method["uri"]
                changes = self._write(self._data_path(image_id), iter([b""]))
            image["status"] = "importing"
            changes.update({"status": "active", "updated_at": timestamp()})
            schedule(image, changes, self.context.config.status_delay("image.image.import"))
            return self.images.put(image)

    def upload(self, image_id: str, caller: Caller, chunks: Iterator[bytes]) -> Document:
        with self.context.store.lock:
            image = self._owned(image_id, caller)
            if image["status"] != "queued":
                raise Conflict(f"Image status transition from {image['status']} to saving is not allowed")
            if not image["disk_format"] or not image["container_format"]:
                raise BadRequest("Properties disk_format, container_format must be set prior to saving data.")
            image["status"] = "saving"
            self.images.put(image)
        try:
            return self._store_data(image, chunks)
        except Exception:
            image["status"] = "queued"
            self.images.put(image)
            raise

    def download(self, image_id: str, caller: Caller) -> tuple[Document, Path | None]:
        image = self.get_image(image_id, caller)
        if image["status"] == "deactivated" and not caller.is_admin:
            raise Forbidden("The requested image has been deactivated. Image data download is forbidden.")
        path = self._data_path(image_id)
        return image, (path if image["size"] is not None and path.exists() else None)

    # -- for compute ---------------------------------------------------------------------------

    def create_snapshot(
        self, caller: Caller, *, name: str, metadata: dict[str, Any], server: Document
    ) -> Document:
        """The image of ``createImage``: ``queued`` then ``active`` after the status delay."""
        properties: dict[str, Any] = {str(key): str(value) for key, value in metadata.items()}
        properties.update(
            {
                "name": name,
                "visibility": "private",
                "image_type": "snapshot",
                "instance_uuid": server["id"],
                "user_id": caller.user_id,
            }
        )
        if server.get("image_id"):
            properties["base_image_ref"] = server["image_id"]
        image = self._new_record(new_uuid(), server["project_id"], properties)
        image.update(
            {"disk_format": "qcow2", "container_format": "bare", "min_disk": server["flavor"]["disk"]}
        )
        path = self._data_path(image["id"])
        path.write_bytes(b"")
        schedule(
            image,
            {
                "status": "active",
                "size": 0,
                "checksum": hashlib.md5(b"", usedforsecurity=False).hexdigest(),
                "os_hash_algo": "sha512",
                "os_hash_value": hashlib.sha512(b"").hexdigest(),
            },
            self.context.config.status_delay("image.image.snapshot"),
        )
        return self.images.put(image)
