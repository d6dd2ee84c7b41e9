"""OS::Nova::Server: a compute instance, with Heat's properties, attributes and update rules.

Create resolves names, builds the user data and the request, stores the server id at once
(so a failed create can be cleaned up), then polls until ACTIVE; ERROR fails with Nova's
fault. Updates happen in place for name, metadata, admin_pass, security groups and tags,
for ``flavor`` by resize + confirm (``flavor_update_policy: RESIZE``) and for ``image`` by
rebuild (``image_update_policy: REBUILD`` / ``REBUILD_PRESERVE_EPHEMERAL``); the REPLACE
policies, ``user_data`` (policy REPLACE) and ``networks`` changes replace the server.
Delete treats "not found" as done, retries conflicts, and removes the ports it created.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import partial
from typing import Any, ClassVar

from calor.clouds.errors import CloudNotFound, ConflictRetry, ignore_not_found, translate_errors
from calor.clouds.factory import client_retry_limit
from calor.errors import PropertyError, ResourceFailure
from calor.plugins.base import ResourcePlugin
from calor.plugins.nova import (
    server_attributes,
    server_networks,
    server_recovery,
    server_requests,
    server_status,
    software_config,
)
from calor.plugins.nova.server_schema import (
    ATTRIBUTES,
    HEAT_CFNTOOLS,
    IGNORE,
    PROPERTIES,
    REBUILD_PRESERVE_EPHEMERAL,
    REPLACE,
    SOFTWARE_CONFIG,
)
from calor.plugins.nova.user_data import build_user_data, encode
from calor.schema.properties import AttributeSchema, PropertySchema, SupportStatus
from calor.template import paths

INTERNAL_PORTS = "internal_ports"
IMMEDIATE_UPDATES = ("name", "metadata", "admin_pass", "security_groups", "tags")


class Server(ResourcePlugin):
    """A resource for managing Nova instances.

    A Server resource manages the running virtual machine instance within an OpenStack cloud.
    """

    type_name: ClassVar[str] = "OS::Nova::Server"
    required_service: ClassVar[str | None] = "compute"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = PROPERTIES
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = ATTRIBUTES

    # --- validation -----------------------------------------------------------------------

    def validate(self) -> None:
        properties = self.properties
        if properties.get("block_device_mapping") and properties.get("block_device_mapping_v2"):
            raise PropertyError(
                "Cannot define the following properties at the same time: "
                "block_device_mapping, block_device_mapping_v2.",
                path=self.properties_path,
            )
        if not properties.get("image") and not self._has_bootable_volume():
            raise PropertyError(
                f"Neither image nor bootable volume is specified for instance {self.name}",
                path=self.properties_path,
            )
        for index, item in enumerate(properties.get("networks") or []):
            where = paths.join(paths.join(self.properties_path, "networks"), index)
            chosen = [
                key for key in ("network", "uuid", "port", "subnet", "allocate_network") if item.get(key)
            ]
            if not chosen:
                raise PropertyError(
                    'One of the properties "network", "port", "allocate_network" or "subnet" should be '
                    f'set for the specified network of server "{self.name}".',
                    path=where,
                )
            if item.get("allocate_network") and (len(chosen) > 1 or len(properties["networks"]) > 1):
                raise PropertyError(
                    'Can not specify "allocate_network" with other keys of networks at the same time.',
                    path=where,
                )

    def _has_bootable_volume(self) -> bool:
        for mapping in self.properties.get("block_device_mapping") or []:
            if (
                str(mapping.get("device_name") or "").removeprefix("/dev/")
                in server_requests.ROOT_DEVICE_NAMES
            ):
                return True
        for mapping in self.properties.get("block_device_mapping_v2") or []:
            has_source = mapping.get("volume_id") or mapping.get("snapshot_id") or mapping.get("image")
            if has_source and mapping.get("boot_index") in (None, 0):
                return True
        return False

    # --- create ---------------------------------------------------------------------------

    def server_name(self) -> str:
        return str(self.properties.get("name") or self.context.physical_resource_name())

    def _user_data(self, connection: Any) -> str:
        properties = self.properties
        user_data_format = properties["user_data_format"]
        metadata = self.context.metadata()
        if user_data_format == SOFTWARE_CONFIG:
            metadata = software_config.prepare_metadata(
                self.context, self.name, properties["software_config_transport"], connection
            )
        metadata_url = (
            software_config.metadata_server_url(connection) if user_data_format == HEAT_CFNTOOLS else None
        )
        return build_user_data(
            properties.get("user_data") or "",
            user_data_format,
            metadata=metadata,
            metadata_url=metadata_url,
        )

    def _remember_port(self, port_id: str) -> None:
        ports = json.loads(self.context.data().get(INTERNAL_PORTS, "[]"))
        if port_id in ports:
            return
        ports.append(port_id)
        self.context.data_set(INTERNAL_PORTS, json.dumps(ports))

    def _forget_port(self, port_id: str) -> None:
        ports = [
            port for port in json.loads(self.context.data().get(INTERNAL_PORTS, "[]")) if port != port_id
        ]
        self.context.data_set(INTERNAL_PORTS, json.dumps(ports))

    def _block_device_mapping(self, connection: Any) -> list[dict[str, Any]]:
        properties = self.properties
        if properties.get("block_device_mapping"):
            return server_requests.mappings_from_v1(
                properties["block_device_mapping"], has_image=bool(properties.get("image"))
            )
        if properties.get("block_device_mapping_v2"):
            return server_requests.mappings_from_v2(
                properties["block_device_mapping_v2"],
                lambda image: server_requests.image_id(connection, image),
            )
        return []

    def create_request(
        self, connection: Any, reusable_ports: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """The attributes given to ``compute.create_server`` (creating subnet ports on the way).

        ``reusable_ports`` (name → id) are ports an interrupted create made already.
        """
        properties = self.properties
        name = self.server_name()
        request: dict[str, Any] = {
            "name": name,
            "flavor_id": server_requests.flavor_id(connection, properties["flavor"]),
            "user_data": encode(self._user_data(connection)),
        }
        if properties.get("image"):
            request["image_id"] = server_requests.image_id(connection, properties["image"])
        mappings = self._block_device_mapping(connection)
        if mappings:
            request["block_device_mapping"] = mappings
        networks = server_requests.NetworkRequests(connection, name, reusable_ports).build(
            properties.get("networks"), self._remember_port
        )
        if networks is not None:
            request["networks"] = networks
        if properties.get("security_groups"):
            request["security_groups"] = [{"name": group} for group in properties["security_groups"]]
        if properties.get("metadata"):
            request["metadata"] = server_requests.metadata_strings(properties["metadata"])
        optional = {
            "key_name": "key_name",
            "availability_zone": "availability_zone",
            "scheduler_hints": "scheduler_hints",
            "admin_pass": "admin_password",
            "diskConfig": "disk_config",
            "reservation_id": "reservation_id",
            "tags": "tags",
        }
        for key, attribute in optional.items():
            if properties.get(key):
                request[attribute] = properties[key]
        if properties.get("config_drive") is not None:
            request["config_drive"] = properties["config_drive"]
        if properties.get("personality"):
            request["personality"] = [
                {"path": path, "contents": encode(str(contents))}
                for path, contents in properties["personality"].items()
            ]
        return request

    def handle_create(self) -> Any:
        return self._create(self.context.cloud(), {})

    def handle_create_resume(self, started_at: float) -> Any:
        """Adopt the server (and its ports) an interrupted create made, else create it."""
        connection = self.context.cloud()
        name = self.server_name()
        server = server_recovery.find_server(connection, self.resource_id, name, started_at)
        server_id = str(server.id) if server is not None else None
        count = server_recovery.ports_made(self.properties.get("networks"))
        ports = server_recovery.find_ports(connection, name, count, started_at, server_id)
        if server_id is None:
            return self._create(connection, ports)
        self.context.set_resource_id(server_id)
        for port_id in ports.values():
            self._remember_port(port_id)
        return self._create_token(server_id)

    def find_created(self, started_at: float) -> str | None:
        """The server (and the ports, remembered for the delete) a create that stored no id made."""
        connection = self.context.cloud()
        name = self.server_name()
        server = server_recovery.find_server(connection, None, name, started_at)
        server_id = str(server.id) if server is not None else None
        count = server_recovery.ports_made(self.properties.get("networks"))
        for port_id in server_recovery.find_ports(connection, name, count, started_at, server_id).values():
            self._remember_port(port_id)
        return server_id

    def _create(self, connection: Any, reusable_ports: Mapping[str, str]) -> Any:
        request = self.create_request(connection, reusable_ports)
        with translate_errors(f"creating server {request['name']}"):
            server = connection.compute.create_server(**request)
        self.context.set_resource_id(str(server.id))
        return self._create_token(str(server.id))

    def _create_token(self, server_id: str) -> dict[str, Any]:
        floating = [
            {
                "floating_ip": item["floating_ip"],
                "network": item.get("network") or item.get("uuid"),
                "port": item.get("port"),
            }
            for item in self.properties.get("networks") or []
            if item.get("floating_ip")
        ]
        return {"server_id": server_id, "floating_ips": floating}

    def check_create_complete(self, token: Any) -> bool:
        connection = self.context.cloud()
        server = server_status.fetch(connection, token["server_id"])
        if server is None:
            raise ResourceFailure(f"Server {self.server_name()} disappeared while being created")
        if not server_status.reached(server, "ACTIVE", result="Server is not active"):
            return False
        server_requests.associate_floating_ips(
            connection, token["server_id"], token.get("floating_ips") or []
        )
        return True

    # --- update ---------------------------------------------------------------------------

    def needs_replace(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> bool:
        if super().needs_replace(new_properties, property_diff):
            return True
        if "flavor" in property_diff and new_properties.get("flavor_update_policy") == REPLACE:
            return True
        if "image" in property_diff and new_properties.get("image_update_policy") == REPLACE:
            return True
        if "networks" in property_diff and server_networks.needs_replacement(
            self.properties.get("networks"), new_properties.get("networks")
        ):
            return True
        return "user_data" in property_diff and new_properties.get("user_data_update_policy") != IGNORE

    def handle_update(self, new_properties: Mapping[str, Any], property_diff: Mapping[str, Any]) -> Any:
        server_id = self.resource_id
        if server_id is None:
            raise ResourceFailure(f"Server {self.name} has no physical resource to update")
        connection = self.context.cloud()
        self._update_immediately(connection, server_id, new_properties, property_diff)
        steps: list[dict[str, Any]] = []
        if "flavor" in property_diff:
            flavor = server_requests.flavor_id(connection, new_properties["flavor"])
            steps.append({"kind": "resize", "flavor": flavor, "phase": "start"})
        if "image" in property_diff and new_properties.get("image"):
            steps.append(
                {
                    "kind": "rebuild",
                    "image": server_requests.image_id(connection, new_properties["image"]),
                    "preserve_ephemeral": new_properties.get("image_update_policy")
                    == REBUILD_PRESERVE_EPHEMERAL,
                    "admin_pass": new_properties.get("admin_pass"),
                    "phase": "start",
                }
            )
        if "networks" in property_diff:
            step = server_networks.plan(
                connection, server_id, self.properties.get("networks"), new_properties.get("networks")
            )
            steps.append({"kind": "networks", **step})
        return {"server_id": server_id, "steps": steps}

    def _update_immediately(
        self, connection: Any, server_id: str, new: Mapping[str, Any], diff: Mapping[str, Any]
    ) -> None:
        with translate_errors(f"updating server {server_id}"):
            if "name" in diff:
                name = new.get("name") or self.context.physical_resource_name()
                connection.compute.update_server(server_id, name=name)
            if "metadata" in diff:
                old_metadata = server_requests.metadata_strings(self.properties.get("metadata"))
                new_metadata = server_requests.metadata_strings(new.get("metadata"))
                removed = [key for key in old_metadata if key not in new_metadata]
                if removed:
                    connection.compute.delete_server_metadata(server_id, removed)
                if new_metadata:
                    connection.compute.set_server_metadata(server_id, **new_metadata)
            if "admin_pass" in diff and new.get("admin_pass"):
                connection.compute.change_server_password(server_id, new["admin_pass"])
            if "security_groups" in diff:
                server = connection.compute.get_server(server_id)
                old_groups = set(self.properties.get("security_groups") or [])
                new_groups = set(new.get("security_groups") or [])
                for group in sorted(old_groups - new_groups):
                    server.remove_security_group(connection.compute, group)
                for group in sorted(new_groups - old_groups):
                    server.add_security_group(connection.compute, group)
            if "tags" in diff:
                server = connection.compute.get_server(server_id)
                server.set_tags(connection.compute, list(new.get("tags") or []))

    def check_update_complete(self, token: Any) -> bool:
        steps: list[dict[str, Any]] = token.get("steps") or []
        if not steps:
            return True
        connection = self.context.cloud()
        server_id = token["server_id"]
        step = steps[0]
        if step["kind"] == "resize":
            done = self._resize_step(connection, server_id, step)
        elif step["kind"] == "networks":
            internal = json.loads(self.context.data().get(INTERNAL_PORTS, "[]"))
            done = server_networks.advance(
                connection, server_id, step, internal, self._remember_port, self._forget_port
            )
        else:
            done = self._rebuild_step(connection, server_id, step)
        if done:
            steps.pop(0)
        return not steps

    def _resize_step(self, connection: Any, server_id: str, step: dict[str, Any]) -> bool:
        if step["phase"] == "start":
            with translate_errors(f"resizing server {server_id}"):
                connection.compute.resize_server(server_id, step["flavor"])
            step["phase"] = "resizing"
            return False
        server = self._existing(connection, server_id)
        if step["phase"] == "resizing":
            if server.status == "VERIFY_RESIZE":
                with translate_errors(f"confirming the resize of server {server_id}"):
                    connection.compute.confirm_server_resize(server_id)
                step["phase"] = "confirming"
                return False
            if server.status == "ACTIVE" and not server.task_state:
                step["phase"] = "confirming"
            elif server.status == "ERROR":
                raise server_status.in_error(server)
            return False
        return server_status.reached(server, "ACTIVE", result=f"Resizing to '{step['flavor']}' failed")

    def _rebuild_step(self, connection: Any, server_id: str, step: dict[str, Any]) -> bool:
        if step["phase"] == "start":
            options: dict[str, Any] = {"preserve_ephemeral": step["preserve_ephemeral"]}
            if step.get("admin_pass"):
                options["admin_password"] = step["admin_pass"]
            with translate_errors(f"rebuilding server {server_id}"):
                connection.compute.rebuild_server(server_id, step["image"], **options)
            step["phase"] = "rebuilding"
            return False
        server = self._existing(connection, server_id)
        return server_status.reached(server, "ACTIVE", result=f"Rebuilding server {server_id} failed")

    def _existing(self, connection: Any, server_id: str) -> Any:
        server = server_status.fetch(connection, server_id)
        if server is None:
            raise ResourceFailure(f"Failed to find server {server_id}")
        return server

    # --- delete ---------------------------------------------------------------------------

    def handle_delete(self) -> Any:
        server_id = self.resource_id
        if server_id is None:
            return {"server_id": None}
        connection = self.context.cloud()
        token: dict[str, Any] = {"server_id": server_id, "conflicts": 0, "requested": False}
        self._request_delete(connection, token)
        return token

    def _request_delete(self, connection: Any, token: dict[str, Any]) -> None:
        retry = ConflictRetry(token["conflicts"], client_retry_limit(connection))
        server_id = token["server_id"]
        for item in self.properties.get("networks") or []:
            if item.get("floating_ip"):
                ignore_not_found(partial(connection.network.update_ip, item["floating_ip"], port_id=None))
        token["requested"] = retry.attempt(
            lambda: connection.compute.delete_server(server_id, ignore_missing=True),
            f"deleting server {server_id}",
        )
        token["conflicts"] = retry.conflicts

    def check_delete_complete(self, token: Any) -> bool:
        server_id = token.get("server_id")
        if server_id is None:
            # No server was made; the ports its create made for it may have been.
            if self.context.data().get(INTERNAL_PORTS):
                self._delete_internal_ports(self.context.cloud())
            return True
        connection = self.context.cloud()
        if not token.get("requested"):
            self._request_delete(connection, token)
            return False
        server = server_status.fetch(connection, server_id)
        if server is None or server.status in ("DELETED",):
            self._delete_internal_ports(connection)
            software_config.forget_credentials(self.context)
            return True
        if server.status == "SOFT_DELETED":
            with translate_errors(f"force-deleting server {server_id}"):
                connection.compute.delete_server(server_id, ignore_missing=True, force=True)
            return False
        if server.status == "ERROR" and not getattr(server, "task_state", None):
            fault = getattr(server, "fault", None) or {}
            raise ResourceFailure(
                f'Went to status ERROR due to "Server {self.server_name()} delete failed: '
                f'({fault.get("code")}) {fault.get("message", "Unknown")}"'
            )
        return False

    def _delete_internal_ports(self, connection: Any) -> None:
        for port_id in json.loads(self.context.data().get(INTERNAL_PORTS, "[]")):
            ignore_not_found(partial(connection.network.delete_port, port_id))
        self.context.data_delete(INTERNAL_PORTS)

    # --- suspend / resume / check ---------------------------------------------------------

    def _required_id(self, action: str) -> str:
        if self.resource_id is None:
            raise ResourceFailure(f"Cannot {action} {self.name}, resource_id not set")
        return self.resource_id

    def handle_suspend(self) -> Any:
        server_id = self._required_id("suspend")
        connection = self.context.cloud()
        try:
            with translate_errors(f"suspending server {server_id}"):
                connection.compute.suspend_server(server_id)
        except CloudNotFound as error:
            raise ResourceFailure(f"Failed to find server {server_id}") from error
        return server_id

    def check_suspend_complete(self, token: Any) -> bool:
        server = self._existing(self.context.cloud(), token)
        passing = server_status.DEFERRED_STATUSES | {"ACTIVE"}
        return server_status.reached(
            server, "SUSPENDED", result=f"Suspend of server {server.name} failed", passing=passing
        )

    def handle_resume(self) -> Any:
        server_id = self._required_id("resume")
        connection = self.context.cloud()
        try:
            with translate_errors(f"resuming server {server_id}"):
                connection.compute.resume_server(server_id)
        except CloudNotFound as error:
            raise ResourceFailure(f"Failed to find server {server_id}") from error
        return server_id

    def check_resume_complete(self, token: Any) -> bool:
        server = self._existing(self.context.cloud(), token)
        passing = server_status.DEFERRED_STATUSES | {"SUSPENDED"}
        return server_status.reached(
            server, "ACTIVE", result=f"Resume of server {server.name} failed", passing=passing
        )

    def handle_check(self) -> None:
        server = self._existing(self.context.cloud(), self._required_id("check"))
        if server.status != "ACTIVE":
            raise ResourceFailure(f"'status': expected 'ACTIVE', got '{server.status}'")

    # --- snapshot -------------------------------------------------------------------------

    def handle_snapshot(self) -> Any:
        server_id = self._required_id("snapshot")
        connection = self.context.cloud()
        with translate_errors(f"snapshotting server {server_id}"):
            image = connection.compute.create_server_image(server_id, self.context.physical_resource_name())
        self.context.data_set("snapshot_image_id", str(image.id))
        return str(image.id)

    def check_snapshot_complete(self, token: Any) -> bool:
        connection = self.context.cloud()
        with translate_errors(f"reading snapshot image {token}"):
            image = connection.image.get_image(token)
        if image.status == "active":
            return True
        if image.status in ("killed", "deleted", "deactivated"):
            raise ResourceFailure(
                f"Error creating server snapshot: image {token} went to status {image.status}"
            )
        return False

    def handle_restore(self, snapshot_data: Mapping[str, Any]) -> Mapping[str, Any] | None:
        image = (snapshot_data.get("resource_data") or snapshot_data).get("snapshot_image_id")
        return {"image": image} if image else None

    def handle_delete_snapshot(self, snapshot_data: Mapping[str, Any]) -> Any:
        image = (snapshot_data.get("resource_data") or snapshot_data).get("snapshot_image_id")
        if image:
            connection = self.context.cloud()
            ignore_not_found(lambda: connection.image.delete_image(image, ignore_missing=True))
        return None

    # --- attributes -----------------------------------------------------------------------

    def _server(self) -> Any:
        if self.resource_id is None:
            return None
        return server_status.fetch(self.context.cloud(), self.resource_id)

    def resolve_attribute(self, name: str) -> Any:
        server = self._server()
        if server is None:
            return "" if name == "first_address" else None
        return server_attributes.resolve(self.context.cloud(), server, name, self.context.metadata())

    def show_attribute(self) -> Any:
        server = self._server()
        return None if server is None else server.to_dict(computed=False)
