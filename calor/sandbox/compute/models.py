"""The emulated Nova's backend: servers and their lifecycle, on the shared state store.

No HTTP here. Flavors, key pairs and server groups have their own modules; server actions
(reboot, resize, ...) are in :mod:`.server_actions`. Transient statuses (``BUILD``, ``RESIZE``,
...) settle lazily after the configured delay (:mod:`calor.sandbox.framework.status`).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from typing import Any

from calor.sandbox.compute.flavors import Flavors
from calor.sandbox.compute.keypairs import Keypairs
from calor.sandbox.compute.networking import ServerNetworking
from calor.sandbox.compute.server_groups import ServerGroups
from calor.sandbox.compute.volumes import ServerVolumes
from calor.sandbox.framework.auth import Caller
from calor.sandbox.framework.errors import BadRequest, Forbidden, NotFound, SandboxError
from calor.sandbox.framework.ids import new_uuid, timestamp
from calor.sandbox.framework.service import SandboxContext
from calor.sandbox.framework.status import schedule
from calor.sandbox.framework.store import Document

QUOTA_DEFAULTS = {
    "compute.instances": 10,
    "compute.cores": 20,
    "compute.ram": 51200,
    "compute.key_pairs": 100,
    "compute.metadata_items": 128,
    "compute.server_groups": 10,
    "compute.server_group_members": 10,
    "compute.injected_files": 5,
    "compute.injected_file_content_bytes": 10240,
    "compute.injected_file_path_bytes": 255,
}
AVAILABILITY_ZONE = "nova"
HOST = "sandbox"
BOOTSTRAP_MARKER = "bootstrapped"


@dataclass(frozen=True)
class Usage:
    instances: int
    cores: int
    ram: int


def _count(body: dict[str, Any], name: str, default: int) -> int:
    value = body.get(name, default)
    try:
        count = int(value)
    except (TypeError, ValueError) as error:
        raise BadRequest(f"Invalid input for field/attribute {name}. Value: {value}.") from error
    if count < 1 or isinstance(value, bool):
        raise BadRequest(f"Invalid input for field/attribute {name}. Value: {value}.")
    return count


def _image_id(reference: Any) -> str:
    """``imageRef`` may be an id or an image URL."""
    text = str(reference or "").strip()
    return text.rstrip("/").rsplit("/", 1)[-1] if "/" in text else text


class ComputeBackend:
    def __init__(self, context: SandboxContext) -> None:
        self.context = context
        store = context.store
        self.servers = store.collection("compute.servers")
        self.flavors = Flavors(store.collection("compute.flavors"))
        self.keypairs = Keypairs(store.collection("compute.keypairs"))
        self.server_groups = ServerGroups(store.collection("compute.server_groups"))
        self.networking = ServerNetworking(context)
        self.volumes = ServerVolumes(context)
        meta = store.collection("compute.meta")
        if meta.get(BOOTSTRAP_MARKER) is None:
            self.flavors.bootstrap()
            meta.put({"id": BOOTSTRAP_MARKER})

    # -- quotas --------------------------------------------------------------------------------

    def limit(self, project_id: str, name: str) -> int:
        return self.context.quotas.limit(project_id, f"compute.{name}")

    def usage(self, project_id: str) -> Usage:
        servers = self.servers.list(project_id)
        cores = ram = 0
        for server in servers:
            flavor = server["flavor"]
            cores += flavor["vcpus"]
            ram += flavor["ram"]
        return Usage(len(servers), cores, ram)

    def check_quota(self, project_id: str, *, instances: int, cores: int, ram: int) -> None:
        """Nova's 403 "Quota exceeded for ..." when the request does not fit."""
        used = self.usage(project_id)
        for name, requested, in_use in (
            ("instances", instances, used.instances),
            ("cores", cores, used.cores),
            ("ram", ram, used.ram),
        ):
            allowed = self.limit(project_id, name)
            if requested > 0 and 0 <= allowed < in_use + requested:
                raise Forbidden(
                    f"Quota exceeded for {name}: Requested {requested}, but already used {in_use} "
                    f"of {allowed} {name}"
                )

    # -- servers -------------------------------------------------------------------------------

    def get_server(self, server_id: str, caller: Caller) -> Document:
        server = self.servers.get(server_id)
        if server is None or (server["project_id"] != caller.project_id and not caller.is_admin):
            raise NotFound(f"Instance {server_id} could not be found.")
        return server

    def list_servers(self, caller: Caller, *, all_projects: bool = False) -> list[Document]:
        if all_projects and caller.is_admin:
            return self.servers.list()
        return self.servers.list(caller.project_id)

    def image(self, image_id: str, caller: Caller) -> Document | None:
        """The image from the image service (None when it is not served); 400 when unknown."""
        images = self.context.backend("image")
        if images is None:
            return None
        try:
            found: Document = images.get_image(image_id, caller)  # type: ignore[attr-defined]
        except SandboxError as error:
            raise BadRequest(f"Image {image_id} could not be found.") from error
        return found

    def flavor_for_request(self, reference: Any) -> Document:
        flavor_id = str(reference or "").rstrip("/").rsplit("/", 1)[-1]
        try:
            return self.flavors.get(flavor_id)
        except NotFound as error:
            raise BadRequest(f"Flavor {flavor_id} could not be found.") from error

    def create_servers(
        self, caller: Caller, body: dict[str, Any], hints: dict[str, Any], *, error_state: bool = False
    ) -> tuple[list[Document], str]:
        """Create ``max_count`` servers (at least ``min_count``); returns them and the admin password."""
        name = body.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 255:
            raise BadRequest("Invalid input for field/attribute name.")
        flavor = self.flavor_for_request(body.get("flavorRef"))
        mappings = body.get("block_device_mapping_v2") or []
        if not isinstance(mappings, list):
            raise BadRequest("Invalid input for field/attribute block_device_mapping_v2.")
        image_id = _image_id(body.get("imageRef"))
        boots_from_volume = any(
            str(mapping.get("boot_index", "")) == "0" and mapping.get("destination_type") == "volume"
            for mapping in mappings
        )
        if image_id:
            self.image(image_id, caller)
        elif not boots_from_volume:
            raise BadRequest(
                "Block Device Mapping is Invalid: Boot sequence for the instance and image/block "
                "device mapping combination is not valid."
            )
        key_name = body.get("key_name")
        if key_name:
            try:
                self.keypairs.get(caller.user_id, key_name)
            except NotFound as error:
                raise BadRequest("Invalid key_name provided.") from error
        metadata = self._metadata(body.get("metadata") or {}, caller.project_id)
        user_data = body.get("user_data")
        if user_data is not None:
            try:
                base64.b64decode(user_data, validate=True)
            except (binascii.Error, ValueError, TypeError) as error:
                raise BadRequest("User data needs to be valid base 64.") from error
        groups = body.get("security_groups") or [{"name": "default"}]
        group_id = hints.get("group")
        if group_id:
            self.server_groups.get(group_id, caller.project_id)
        minimum = _count(body, "min_count", 1)
        maximum = _count(body, "max_count", minimum)
        if maximum < minimum:
            raise BadRequest("min_count must be <= max_count")
        zone = body.get("availability_zone")
        if zone is not None and str(zone).split(":")[0] not in ("", AVAILABILITY_ZONE):
            raise BadRequest("The requested availability zone is not available")
        self.check_quota(
            caller.project_id, instances=minimum, cores=minimum * flavor["vcpus"], ram=minimum * flavor["ram"]
        )
        admin_password = body.get("adminPass") or secrets.token_urlsafe(9)
        created: list[Document] = []
        for index in range(maximum):
            server_name = name if maximum == 1 else f"{name}-{index + 1}"
            try:
                created.append(
                    self._create_one(
                        caller,
                        body,
                        server_name,
                        flavor,
                        image_id,
                        mappings,
                        metadata,
                        groups,
                        group_id,
                        admin_password,
                        error_state,
                    )
                )
            except SandboxError:
                if index < minimum:
                    for server in created:
                        self.delete_server(server["id"], caller)
                    raise
                break
        return created, admin_password

    def _metadata(self, metadata: Any, project_id: str) -> dict[str, str]:
        if not isinstance(metadata, dict) or not all(
            isinstance(key, str) and isinstance(value, str) and 0 < len(key) <= 255 and len(value) <= 255
            for key, value in metadata.items()
        ):
            raise BadRequest("Invalid input for field/attribute metadata.")
        allowed = self.limit(project_id, "metadata_items")
        if 0 <= allowed < len(metadata):
            raise Forbidden("Quota exceeded for metadata_items: Requested too many metadata items")
        return dict(metadata)

    def _create_one(
        self,
        caller: Caller,
        body: dict[str, Any],
        name: str,
        flavor: Document,
        image_id: str,
        mappings: list[Any],
        metadata: dict[str, str],
        security_groups: list[Any],
        group_id: str | None,
        admin_password: str,
        error_state: bool,
    ) -> Document:
        server_id = new_uuid()
        if group_id:
            self.server_groups.add_member(
                group_id, caller.project_id, server_id, self.limit(caller.project_id, "server_group_members")
            )
        try:
            interfaces = self.networking.allocate(caller.project_id, server_id, body.get("networks"))
        except SandboxError:
            self.server_groups.remove_member(server_id)
            raise
        volumes = self._boot_volumes(caller, server_id, mappings)
        now = timestamp()
        server: Document = {
            "id": server_id,
            "project_id": caller.project_id,
            "user_id": caller.user_id,
            "name": name,
            "description": body.get("description"),
            "status": "BUILD",
            "task_state": "spawning",
            "flavor": flavor,
            "old_flavor": None,
            "image_id": image_id,
            "key_name": body.get("key_name"),
            "metadata": metadata,
            "security_groups": [
                str(group.get("name")) for group in security_groups if isinstance(group, dict)
            ],
            "user_data": body.get("user_data"),
            "config_drive": "True" if body.get("config_drive") in (True, "true", "True") else "",
            "availability_zone": AVAILABILITY_ZONE,
            "admin_password": admin_password,
            "access_ipv4": body.get("accessIPv4", ""),
            "access_ipv6": body.get("accessIPv6", ""),
            "created": now,
            "updated": now,
            "launched_at": None,
            "interfaces": interfaces,
            "volumes": volumes,
            "fault": None,
            "locked": False,
            "tags": [str(tag) for tag in body.get("tags", [])],
            "hints": {"group": group_id} if group_id else {},
            "console": [],
        }
        self.settle_later(server, "compute.server.create", "ACTIVE", error_state, launched=True)
        return self.servers.put(server)

    def _boot_volumes(self, caller: Caller, server_id: str, mappings: list[Any]) -> list[Document]:
        volumes: list[Document] = []
        letters = iter("abcdefghijklmnopqrstuvwxyz")
        for mapping in mappings:
            if not isinstance(mapping, dict) or mapping.get("destination_type") != "volume":
                continue
            device = mapping.get("device_name") or f"/dev/vd{next(letters)}"
            source = mapping.get("source_type")
            if source == "volume":
                volume_id = str(mapping.get("uuid") or "")
                if not volume_id:
                    raise BadRequest("Block Device Mapping is Invalid: missing volume id.")
                self.volumes.attach(caller.project_id, volume_id, server_id, device)
            elif source in ("image", "blank", "snapshot"):
                size = int(mapping.get("volume_size") or 1)
                image = str(mapping.get("uuid")) if source == "image" else None
                volume_id = self.volumes.create(caller.project_id, size, image, f"{server_id}-boot")
                self.volumes.attach(caller.project_id, volume_id, server_id, device)
            else:
                raise BadRequest(f"Block Device Mapping is Invalid: unknown source_type {source}.")
            volumes.append(
                {
                    "id": volume_id,
                    "device": device,
                    "delete_on_termination": bool(mapping.get("delete_on_termination", False)),
                    "tag": mapping.get("tag"),
                }
            )
        return volumes

    def settle_later(
        self,
        server: Document,
        operation: str,
        final_status: str,
        error_state: bool,
        *,
        launched: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> None:
        """Schedule the end of a transient status: ``final_status`` or ``ERROR`` with a fault."""
        changes: dict[str, Any] = {"task_state": None, "status": final_status, "updated": timestamp()}
        if launched:
            changes["launched_at"] = timestamp()
        changes.update(extra or {})
        if error_state:
            changes["status"] = "ERROR"
            changes["fault"] = {
                "code": 500,
                "message": f"Injected fault: {operation} ended in ERROR.",
                "created": timestamp(),
            }
        schedule(server, changes, self.context.config.status_delay(operation))

    def update_server(self, server_id: str, caller: Caller, changes: dict[str, Any]) -> Document:
        with self.context.store.lock:
            server = self.get_server(server_id, caller)
            if "name" in changes:
                name = changes["name"]
                if not isinstance(name, str) or not name.strip() or len(name) > 255:
                    raise BadRequest("Invalid input for field/attribute name.")
                server["name"] = name
            if "description" in changes:
                server["description"] = changes["description"]
            for source, target in (("accessIPv4", "access_ipv4"), ("accessIPv6", "access_ipv6")):
                if source in changes:
                    server[target] = changes[source]
            server["updated"] = timestamp()
            return self.servers.put(server)

    def delete_server(self, server_id: str, caller: Caller, *, error_state: bool = False) -> None:
        server = self.get_server(server_id, caller)
        if server["locked"] and not caller.is_admin:
            raise SandboxError(f"Instance {server_id} is locked", status=409)
        if error_state:
            server["task_state"] = None
            self.settle_later(server, "compute.server.delete", "ERROR", True)
            self.servers.put(server)
            return
        self.networking.release(server["interfaces"])
        for volume in server["volumes"]:
            self.volumes.detach(server["project_id"], volume["id"], server_id)
            if volume["delete_on_termination"]:
                self.volumes.delete(server["project_id"], volume["id"])
        self.server_groups.remove_member(server_id)
        self.servers.delete(server_id)

    # -- metadata ------------------------------------------------------------------------------

    def set_metadata(self, server_id: str, caller: Caller, metadata: Any, *, replace: bool) -> dict[str, str]:
        with self.context.store.lock:
            server = self.get_server(server_id, caller)
            checked = self._metadata(
                metadata if replace else {**server["metadata"], **(metadata or {})}, caller.project_id
            )
            server["metadata"] = checked
            self.servers.put(server)
            return checked

    def delete_metadata_item(self, server_id: str, caller: Caller, key: str) -> None:
        with self.context.store.lock:
            server = self.get_server(server_id, caller)
            if key not in server["metadata"]:
                raise NotFound("Metadata item was not found")
            del server["metadata"][key]
            self.servers.put(server)
