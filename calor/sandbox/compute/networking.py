"""A server's network interfaces: ports from the network service when it is served, else
addresses from compute's own private range (``10.0.0.0/16`` on network ``private``).

An interface is a document ``{"port_id", "net_id", "network_name", "mac_addr",
"fixed_ips": [{"subnet_id", "ip_address"}], "created_by_nova"}``.
"""

from __future__ import annotations

import ipaddress
import uuid
from typing import Any

from calor.sandbox.framework.errors import BadRequest, Conflict, SandboxError
from calor.sandbox.framework.ids import mac_address, new_uuid
from calor.sandbox.framework.interop import NetworkPorts
from calor.sandbox.framework.service import SandboxContext

FALLBACK_NETWORK_NAME = "private"
FALLBACK_CIDR = ipaddress.ip_network("10.0.0.0/16")
_NAMESPACE = uuid.UUID("0b8c51c4-77d6-4d63-9a8e-6c2d94c1f1aa")
FALLBACK_NETWORK_ID = str(uuid.uuid5(_NAMESPACE, "network"))
FALLBACK_SUBNET_ID = str(uuid.uuid5(_NAMESPACE, "subnet"))
POOL_DOCUMENT = "fallback-pool"
DEVICE_OWNER = "compute:nova"

Interface = dict[str, Any]


class ServerNetworking:
    def __init__(self, context: SandboxContext) -> None:
        self.context = context
        self.pool = context.store.collection("compute.address_pool")

    def _ports(self) -> NetworkPorts | None:
        backend = self.context.backend("network")
        return backend if isinstance(backend, NetworkPorts) else None

    # -- requests ------------------------------------------------------------------------------

    def allocate(self, project_id: str, server_id: str, requested: Any) -> list[Interface]:
        """Interfaces for ``networks`` of a create request: ``"auto"``, ``"none"``, a list of
        ``{"uuid"|"port", "fixed_ip"}`` or None (auto). All or nothing."""
        if requested == "none":
            return []
        if requested is None or requested == "auto":
            requests: list[dict[str, Any]] = [{}]
        elif isinstance(requested, list) and all(isinstance(item, dict) for item in requested):
            requests = requested
        else:
            raise BadRequest("Invalid input for field/attribute networks.")
        interfaces: list[Interface] = []
        try:
            for request in requests:
                interfaces.append(
                    self.attach(
                        project_id,
                        server_id,
                        network_id=request.get("uuid"),
                        port_id=request.get("port"),
                        fixed_ip=request.get("fixed_ip"),
                    )
                )
        except SandboxError:
            self.release(interfaces)
            raise
        return interfaces

    def attach(
        self,
        project_id: str,
        server_id: str,
        *,
        network_id: str | None = None,
        port_id: str | None = None,
        fixed_ip: str | None = None,
    ) -> Interface:
        ports = self._ports()
        if ports is None:
            if port_id:
                raise BadRequest(f"Port id {port_id} could not be found.")
            return self._fallback(fixed_ip)
        if port_id:
            return self._bind_existing(ports, port_id, server_id)
        if not network_id:
            network_id = self._auto_network(ports, project_id)
            if network_id is None:
                return self._fallback(fixed_ip)
        try:
            network = ports.get_network(network_id)
        except SandboxError as error:
            raise BadRequest(f"Network {network_id} could not be found.") from error
        fixed_ips = [{"ip_address": fixed_ip}] if fixed_ip else None
        try:
            port = ports.create_port(
                project_id, network_id, fixed_ips=fixed_ips, device_id=server_id, device_owner=DEVICE_OWNER
            )
        except SandboxError as error:
            if error.http_status == 409:
                raise Conflict(f"Fixed IP address {fixed_ip} is already in use on instance.") from error
            raise BadRequest(error.message) from error
        return self._interface(port, network.name, created_by_nova=True)

    def _bind_existing(self, ports: NetworkPorts, port_id: str, server_id: str) -> Interface:
        try:
            port = ports.get_port(port_id)
        except SandboxError as error:
            raise BadRequest(f"Port id {port_id} could not be found.") from error
        if port.device_id and port.device_id != server_id:
            raise Conflict(f"Port {port_id} is still in use.")
        ports.bind_port(port_id, device_id=server_id, device_owner=DEVICE_OWNER)
        network = ports.get_network(port.network_id)
        return self._interface(ports.get_port(port_id), network.name, created_by_nova=False)

    @staticmethod
    def _auto_network(ports: NetworkPorts, project_id: str) -> str | None:
        networks = [network for network in ports.list_networks() if not getattr(network, "external", False)]
        for network in networks:
            if network.project_id == project_id:
                return str(network.id)
        for network in networks:
            if getattr(network, "shared", False):
                return str(network.id)
        return None

    @staticmethod
    def _interface(port: Any, network_name: str, *, created_by_nova: bool) -> Interface:
        return {
            "port_id": port.id,
            "net_id": port.network_id,
            "network_name": network_name or port.network_id,
            "mac_addr": port.mac_address,
            "fixed_ips": [
                {"subnet_id": fixed.subnet_id, "ip_address": fixed.ip_address} for fixed in port.fixed_ips
            ],
            "created_by_nova": created_by_nova,
        }

    # -- the fallback pool ---------------------------------------------------------------------

    def _fallback(self, fixed_ip: str | None) -> Interface:
        with self.pool.store.lock:
            pool = self.pool.get(POOL_DOCUMENT) or {"id": POOL_DOCUMENT, "used": []}
            used = set(pool["used"])
            if fixed_ip:
                try:
                    address = ipaddress.ip_address(fixed_ip)
                except ValueError as error:
                    raise BadRequest(f"Invalid fixed IP address ({fixed_ip})") from error
                if address not in FALLBACK_CIDR:
                    raise BadRequest(f"Fixed IP address {fixed_ip} is not valid on network private.")
                if fixed_ip in used:
                    raise Conflict(f"Fixed IP address {fixed_ip} is already in use on instance.")
                chosen = fixed_ip
            else:
                chosen = next(
                    str(host)
                    for index, host in enumerate(FALLBACK_CIDR.hosts())
                    if index >= 2 and str(host) not in used
                )
            pool["used"] = sorted(used | {chosen})
            self.pool.put(pool)
        return {
            "port_id": new_uuid(),
            "net_id": FALLBACK_NETWORK_ID,
            "network_name": FALLBACK_NETWORK_NAME,
            "mac_addr": mac_address(),
            "fixed_ips": [{"subnet_id": FALLBACK_SUBNET_ID, "ip_address": chosen}],
            "created_by_nova": True,
            "fallback": True,
        }

    def release(self, interfaces: list[Interface]) -> None:
        """Give back the interfaces' ports: Nova's own are deleted, the user's unbound."""
        ports = self._ports()
        for interface in interfaces:
            if interface.get("fallback"):
                with self.pool.store.lock:
                    pool = self.pool.get(POOL_DOCUMENT) or {"id": POOL_DOCUMENT, "used": []}
                    released = {fixed["ip_address"] for fixed in interface["fixed_ips"]}
                    pool["used"] = [address for address in pool["used"] if address not in released]
                    self.pool.put(pool)
                continue
            if ports is None:
                continue
            try:
                if interface["created_by_nova"]:
                    ports.delete_port(interface["port_id"])
                else:
                    ports.unbind_port(interface["port_id"])
            except SandboxError:
                continue
