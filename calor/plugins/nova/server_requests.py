"""Turn OS::Nova::Server properties into the pieces of Nova's create request.

Names are resolved to ids (flavor, image, networks, subnets, security groups stay names),
``block_device_mapping`` (v1) and ``block_device_mapping_v2`` become Nova's v2 mapping
list, and ``networks`` items become Nova's ``networks`` entries - creating a port first
for an item that names only a subnet, as Heat does (such ports are deleted with the server).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from calor.clouds.errors import translate_errors
from calor.clouds.lookup import find_id, find_resource
from calor.errors import ResourceFailure

ROOT_DEVICE_NAMES = ("vda", "xvda", "sda", "hda")


def flavor_id(connection: Any, flavor: str) -> str:
    return find_id(connection.compute.find_flavor, flavor, "Flavor")


def image_id(connection: Any, image: str) -> str:
    return find_id(connection.image.find_image, image, "Image")


def metadata_strings(metadata: Mapping[str, Any] | None) -> dict[str, str]:
    """Nova takes string values only: others are serialised to JSON, as Heat does."""
    return {
        str(key): value if isinstance(value, str) else json.dumps(value)
        for key, value in (metadata or {}).items()
    }


def _device_name(name: str | None) -> str | None:
    if not name:
        return None
    return name if name.startswith("/dev/") else "/dev/" + name


def mappings_from_v1(mappings: Sequence[Mapping[str, Any]], *, has_image: bool) -> list[dict[str, Any]]:
    """Heat's ``block_device_mapping`` items as Nova v2 mappings (the root device boots without image)."""
    result: list[dict[str, Any]] = []
    for mapping in mappings:
        snapshot = mapping.get("snapshot_id")
        entry: dict[str, Any] = {
            "device_name": _device_name(mapping.get("device_name")),
            "source_type": "snapshot" if snapshot else "volume",
            "destination_type": "volume",
            "uuid": snapshot or mapping.get("volume_id"),
            "delete_on_termination": bool(mapping.get("delete_on_termination") or False),
        }
        if mapping.get("volume_size"):
            entry["volume_size"] = mapping["volume_size"]
        root = str(mapping.get("device_name") or "").removeprefix("/dev/") in ROOT_DEVICE_NAMES
        entry["boot_index"] = 0 if root and not has_image else -1
        result.append({key: value for key, value in entry.items() if value is not None})
    return result


def mappings_from_v2(
    mappings: Sequence[Mapping[str, Any]], resolve_image: Callable[[str], str]
) -> list[dict[str, Any]]:
    """Heat's ``block_device_mapping_v2`` items as Nova v2 mappings."""
    result: list[dict[str, Any]] = []
    for mapping in mappings:
        entry: dict[str, Any] = {}
        image = mapping.get("image") or mapping.get("image_id")
        if mapping.get("volume_id"):
            entry.update(uuid=mapping["volume_id"], source_type="volume", destination_type="volume")
        elif mapping.get("snapshot_id"):
            entry.update(uuid=mapping["snapshot_id"], source_type="snapshot", destination_type="volume")
        elif image:
            entry.update(uuid=resolve_image(str(image)), source_type="image", destination_type="volume")
        elif mapping.get("swap_size"):
            entry.update(
                source_type="blank",
                destination_type="local",
                guest_format="swap",
                volume_size=mapping["swap_size"],
                boot_index=-1,
            )
        elif mapping.get("ephemeral_size"):
            entry.update(
                source_type="blank",
                destination_type="local",
                volume_size=mapping["ephemeral_size"],
                boot_index=-1,
            )
            if mapping.get("ephemeral_format"):
                entry["guest_format"] = mapping["ephemeral_format"]
        for key in ("device_type", "disk_bus", "boot_index", "volume_size"):
            if mapping.get(key) is not None and key not in entry:
                entry[key] = mapping[key]
        if mapping.get("device_name"):
            entry["device_name"] = mapping["device_name"]
        if mapping.get("delete_on_termination") is not None:
            entry["delete_on_termination"] = mapping["delete_on_termination"]
        if "boot_index" not in entry and entry.get("source_type") == "image":
            entry["boot_index"] = 0
        result.append(entry)
    return result


def boots_from_volume(mappings: Sequence[Mapping[str, Any]]) -> bool:
    return any(
        mapping.get("boot_index") in (0, "0") and mapping.get("destination_type") == "volume"
        for mapping in mappings
    )


class NetworkRequests:
    """Builds Nova's ``networks`` list; remembers the ports it had to create."""

    def __init__(self, connection: Any, server_name: str, reusable: Mapping[str, str] | None = None) -> None:
        self.connection = connection
        self.server_name = server_name
        self.created_ports: list[str] = []
        #: Ports an interrupted create already made, by name: used instead of new ones.
        self.reusable = dict(reusable or {})

    def network_id(self, network: str) -> str:
        return find_id(self.connection.network.find_network, network, "Network")

    def build(self, items: Sequence[Mapping[str, Any]] | None, on_port_created: Callable[[str], None]) -> Any:
        """Nova's ``networks`` value (``None`` leaves the choice to Nova)."""
        if items is None:
            return None
        if any(item.get("allocate_network") for item in items):
            return str(items[0]["allocate_network"])
        requests: list[dict[str, Any]] = []
        for item in items:
            if item.get("port"):
                requests.append({"port": item["port"]})
                continue
            network = item.get("network") or item.get("uuid")
            if item.get("subnet") or item.get("port_extra_properties"):
                port_id = self._create_port(item, network)
                on_port_created(port_id)
                requests.append({"port": port_id})
                continue
            request: dict[str, Any] = {}
            if network:
                request["uuid"] = self.network_id(str(network))
            if item.get("fixed_ip"):
                request["fixed_ip"] = item["fixed_ip"]
            if item.get("tag"):
                request["tag"] = item["tag"]
            requests.append(request)
        return requests

    def _create_port(self, item: Mapping[str, Any], network: Any) -> str:
        attributes: dict[str, Any] = dict(item.get("port_extra_properties") or {})
        subnet = item.get("subnet")
        if subnet:
            subnet_object = self.find_subnet(str(subnet))
            attributes["network_id"] = subnet_object.network_id
            fixed: dict[str, Any] = {"subnet_id": subnet_object.id}
            if item.get("fixed_ip"):
                fixed["ip_address"] = item["fixed_ip"]
            attributes["fixed_ips"] = [fixed]
        elif network:
            attributes["network_id"] = self.network_id(str(network))
            if item.get("fixed_ip"):
                attributes["fixed_ips"] = [{"ip_address": item["fixed_ip"]}]
        attributes.setdefault("name", f"{self.server_name}-port-{len(self.created_ports)}")
        port_id = self.reusable.get(attributes["name"])
        if port_id is None:
            with translate_errors("creating a port for the server"):
                port_id = str(self.connection.network.create_port(**attributes).id)
        self.created_ports.append(port_id)
        return port_id

    def find_subnet(self, subnet: str) -> Any:
        return find_resource(self.connection.network.find_subnet, subnet, "Subnet")


def associate_floating_ips(connection: Any, server_id: str, items: list[dict[str, Any]]) -> None:
    """Associate each ``networks`` item's floating IP with the server's port on that network."""
    if not items:
        return
    with translate_errors("listing the server's interfaces"):
        interfaces = list(connection.compute.server_interfaces(server_id))
    for item in items:
        port_id = item.get("port")
        if not port_id:
            network_id = None
            if item.get("network"):
                network_id = NetworkRequests(connection, "").network_id(item["network"])
            candidates = [i for i in interfaces if network_id is None or i.net_id == network_id]
            if not candidates:
                raise ResourceFailure(f"No port of server {server_id} for floating IP {item['floating_ip']}")
            port_id = candidates[0].port_id
        with translate_errors(f"associating floating IP {item['floating_ip']}"):
            connection.network.update_ip(item["floating_ip"], port_id=port_id)
