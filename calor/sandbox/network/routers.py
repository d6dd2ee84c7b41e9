"""Routers (gateway, interfaces, routes) and floating IPs of the emulated Neutron."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from calor.sandbox.framework.errors import BadRequest, Conflict, NotFound
from calor.sandbox.network import ipam
from calor.sandbox.network.records import (
    FLOATING_IP_OWNER,
    ROUTER_GATEWAY,
    ROUTER_INTERFACE,
    ExternalGateway,
    FloatingIp,
    HostRoute,
    Port,
    Router,
    new_id,
)

if TYPE_CHECKING:
    from calor.sandbox.network.models import NetworkBackend, Scope

UNSET: Any = object()


def _owned(project_id: str, scope: Scope | None) -> bool:
    return scope is None or scope.is_admin or project_id == scope.project_id


class RouterOperations:
    """Routers and floating IPs, on the backend's store and under its lock."""

    def __init__(self, backend: NetworkBackend) -> None:
        self.backend = backend
        self.store = backend.store

    # -- routers -------------------------------------------------------------------------------

    def create_router(
        self,
        project_id: str,
        *,
        scope: Scope | None = None,
        name: str = "",
        description: str = "",
        admin_state_up: bool = True,
        external_gateway_info: Mapping[str, Any] | None = None,
        distributed: bool = False,
        ha: bool = False,
        tags: Sequence[str] = (),
    ) -> Router:
        with self.backend.changing():
            self.backend.check_quota(project_id, "router")
            router = Router(
                id=new_id(),
                project_id=project_id,
                name=name,
                description=description,
                admin_state_up=admin_state_up,
                distributed=distributed,
                ha=ha,
                tags=list(tags),
            )
            self.store.routers[router.id] = router
            if external_gateway_info:
                try:
                    self._set_gateway(router, external_gateway_info, scope)
                except Exception:
                    del self.store.routers[router.id]
                    raise
            return router

    def get_router(self, router_id: str, scope: Scope | None = None) -> Router:
        with self.backend.lock:
            router = self.store.routers.get(router_id)
            if router is None or not _owned(router.project_id, scope):
                raise NotFound(f"Router {router_id} could not be found", error_type="RouterNotFound")
            return router

    def list_routers(self, scope: Scope | None = None) -> list[Router]:
        with self.backend.lock:
            return [router for router in self.store.routers.values() if _owned(router.project_id, scope)]

    def _external_network_id(self, network_id: str, what: str = "router") -> str:
        network = self.store.networks.get(network_id)
        if network is None:
            raise NotFound(f"Network {network_id} could not be found.", error_type="NetworkNotFound")
        if not network.external:
            raise BadRequest(
                f"Bad {what} request: Network {network_id} is not a valid external network.",
                error_type="BadRequest",
            )
        return network.id

    def _set_gateway(self, router: Router, info: Mapping[str, Any], scope: Scope | None) -> None:
        network_id = info.get("network_id")
        if not network_id:
            raise BadRequest("Invalid input for external_gateway_info. Reason: network_id is required.")
        self._external_network_id(network_id)
        enable_snat = bool(info.get("enable_snat", True))
        current = router.external_gateway
        if current is not None and current.network_id == network_id and "external_fixed_ips" not in info:
            current.enable_snat = enable_snat
            return
        if current is not None:
            self._clear_gateway(router)
        fixed_ips = info.get("external_fixed_ips")
        if fixed_ips and scope is not None and not scope.is_admin:
            raise BadRequest(
                "Only administrators may choose external_fixed_ips.", error_type="PolicyNotAuthorized"
            )
        port = self.backend.create_port(
            "",
            network_id,
            fixed_ips=fixed_ips or None,
            device_id=router.id,
            device_owner=ROUTER_GATEWAY,
            check_quota=False,
        )
        router.external_gateway = ExternalGateway(network_id, enable_snat, port.id)

    def _clear_gateway(self, router: Router) -> None:
        gateway = router.external_gateway
        if gateway is None:
            return
        if any(fip.router_id == router.id for fip in self.store.floating_ips.values()):
            raise Conflict(
                f"Gateway cannot be updated for router {router.id}, since a gateway to external network "
                f"{gateway.network_id} is required by one or more floating IPs.",
                error_type="RouterExternalGatewayInUseByFloatingIp",
            )
        if gateway.port_id in self.store.ports:
            self.backend.delete_port(gateway.port_id, internal=True)
        router.external_gateway = None

    def update_router(self, router_id: str, scope: Scope | None = None, **changes: Any) -> Router:
        with self.backend.changing():
            router = self.get_router(router_id, scope)
            if "external_gateway_info" in changes:
                info = changes.pop("external_gateway_info")
                if info:
                    self._set_gateway(router, info, scope)
                else:
                    self._clear_gateway(router)
            if "routes" in changes:
                router.routes = self._connected_routes(router, changes.pop("routes") or [])
            for key, value in changes.items():
                if key not in {"name", "description", "admin_state_up", "tags", "distributed", "ha"}:
                    raise BadRequest(f"Cannot update read-only attribute {key}", error_type="HTTPBadRequest")
                setattr(router, key, value)
            router.touch()
            return router

    def _connected_routes(self, router: Router, routes: Sequence[Mapping[str, str]]) -> list[HostRoute]:
        """Extra routes whose next hop lies in a subnet the router is connected to, as Neutron checks."""
        checked = ipam.checked_routes(routes)
        connected = [
            ipaddress.ip_network(self.store.subnets[fixed.subnet_id].cidr)
            for port in self.interface_ports(router.id)
            for fixed in port.fixed_ips
            if fixed.subnet_id in self.store.subnets
        ]
        for route in checked:
            nexthop = ipaddress.ip_address(route.nexthop)
            if not any(nexthop in network for network in connected):
                raise BadRequest(
                    f"Invalid format for routes: [{{'destination': '{route.destination}', 'nexthop': "
                    f"'{route.nexthop}'}}], the nexthop is not connected with router",
                    error_type="InvalidRoutes",
                )
        return checked

    def add_routes(self, router_id: str, scope: Scope | None, routes: Sequence[Mapping[str, str]]) -> Router:
        """``add_extraroutes``: the routes are added to the router's (duplicates once)."""
        with self.backend.changing():
            router = self.get_router(router_id, scope)
            for route in self._connected_routes(router, routes):
                if route not in router.routes:
                    router.routes.append(route)
            router.touch()
            return router

    def remove_routes(
        self, router_id: str, scope: Scope | None, routes: Sequence[Mapping[str, str]]
    ) -> Router:
        """``remove_extraroutes``: the routes are removed when present."""
        with self.backend.changing():
            router = self.get_router(router_id, scope)
            removed = ipam.checked_routes(routes)
            router.routes = [route for route in router.routes if route not in removed]
            router.touch()
            return router

    def interface_ports(self, router_id: str) -> list[Port]:
        return [
            port
            for port in self.store.ports.values()
            if port.device_id == router_id and port.device_owner == ROUTER_INTERFACE
        ]

    def delete_router(self, router_id: str, scope: Scope | None = None) -> None:
        """Refused with 409 RouterInUse while interfaces remain."""
        with self.backend.changing():
            router = self.get_router(router_id, scope)
            if self.interface_ports(router_id):
                raise Conflict(f"Router {router_id} still has ports", error_type="RouterInUse")
            self._clear_gateway(router)
            del self.store.routers[router_id]

    def _interface_info(self, router: Router, port: Port) -> dict[str, Any]:
        subnet_ids = [fixed.subnet_id for fixed in port.fixed_ips]
        return {
            "id": router.id,
            "tenant_id": router.project_id,
            "project_id": router.project_id,
            "port_id": port.id,
            "network_id": port.network_id,
            "subnet_id": subnet_ids[0] if subnet_ids else None,
            "subnet_ids": subnet_ids,
        }

    def add_interface(
        self,
        router_id: str,
        scope: Scope | None = None,
        *,
        subnet_id: str | None = None,
        port_id: str | None = None,
    ) -> dict[str, Any]:
        """Connect a subnet (a new port at its gateway address) or an existing port."""
        with self.backend.changing():
            router = self.get_router(router_id, scope)
            if (subnet_id is None) == (port_id is None):
                raise BadRequest("Bad router request: Either subnet_id or port_id must be specified.")
            attached = {
                fixed.subnet_id for port in self.interface_ports(router_id) for fixed in port.fixed_ips
            }
            if port_id is not None:
                port = self.backend.get_port(port_id, scope)
                if port.device_id:
                    raise Conflict(
                        f"Unable to complete operation on port {port_id} for network {port.network_id}. "
                        f"Port already has an attached device {port.device_id}.",
                        error_type="PortInUse",
                    )
                if not port.fixed_ips:
                    raise BadRequest(
                        f"Bad router request: Router port {port_id} must have at least one fixed IP."
                    )
                for fixed in port.fixed_ips:
                    self._check_new_interface_subnet(router, fixed.subnet_id, attached)
                port.device_id, port.device_owner, port.security_groups = router.id, ROUTER_INTERFACE, []
                ipam.refresh_status(port)
                port.touch()
            else:
                assert subnet_id is not None
                subnet = self.backend.subnets.get_subnet(subnet_id, scope)
                if not subnet.gateway_ip:
                    raise BadRequest(
                        "Bad router request: Subnet for router interface must have a gateway IP.",
                    )
                self._check_new_interface_subnet(router, subnet_id, attached)
                port = self.backend.create_port(
                    router.project_id,
                    subnet.network_id,
                    fixed_ips=[{"subnet_id": subnet_id, "ip_address": subnet.gateway_ip}],
                    device_id=router.id,
                    device_owner=ROUTER_INTERFACE,
                    check_quota=False,
                )
            router.touch()
            return self._interface_info(router, port)

    def _check_new_interface_subnet(self, router: Router, subnet_id: str, attached: set[str]) -> None:
        if subnet_id in attached:
            raise BadRequest(
                f"Bad router request: Router already has a port on subnet {subnet_id}.",
            )
        subnet = self.store.subnets[subnet_id]
        for other_id in attached:
            other = self.store.subnets[other_id]
            if ipaddress.ip_network(other.cidr).overlaps(ipaddress.ip_network(subnet.cidr)):
                raise BadRequest(
                    f"Bad router request: Cidr {subnet.cidr} of subnet {subnet_id} overlaps with cidr "
                    f"{other.cidr} of subnet {other_id}.",
                )

    def remove_interface(
        self,
        router_id: str,
        scope: Scope | None = None,
        *,
        subnet_id: str | None = None,
        port_id: str | None = None,
    ) -> dict[str, Any]:
        with self.backend.changing():
            router = self.get_router(router_id, scope)
            if subnet_id is None and port_id is None:
                raise BadRequest("Bad router request: Either subnet_id or port_id must be specified.")
            ports = self.interface_ports(router_id)
            if port_id is not None:
                matching = [port for port in ports if port.id == port_id]
                if not matching:
                    raise NotFound(
                        f"Router {router_id} does not have an interface with id {port_id}",
                        error_type="RouterInterfaceNotFound",
                    )
            else:
                matching = [port for port in ports if any(f.subnet_id == subnet_id for f in port.fixed_ips)]
                if not matching:
                    raise NotFound(
                        f"Router {router_id} has no interface on subnet {subnet_id}",
                        error_type="RouterInterfaceNotFoundForSubnet",
                    )
            port = matching[0]
            for fixed in port.fixed_ips:
                self._check_interface_unused(router, fixed.subnet_id)
            info = self._interface_info(router, port)
            self.backend.delete_port(port.id, internal=True)
            router.touch()
            return info

    def _check_interface_unused(self, router: Router, subnet_id: str) -> None:
        subnet = self.store.subnets[subnet_id]
        network = ipaddress.ip_network(subnet.cidr)
        for fip in self.store.floating_ips.values():
            if (
                fip.router_id == router.id
                and fip.fixed_ip_address
                and (ipaddress.ip_address(fip.fixed_ip_address) in network)
            ):
                raise Conflict(
                    f"Cannot remove router interface on subnet {subnet_id} of router {router.id}: "
                    f"required by floating IP {fip.id}.",
                    error_type="RouterInterfaceInUseByFloatingIP",
                )

    # -- floating IPs --------------------------------------------------------------------------

    def create_floating_ip(
        self,
        project_id: str,
        floating_network_id: str,
        *,
        scope: Scope | None = None,
        port_id: str | None = None,
        fixed_ip_address: str | None = None,
        floating_ip_address: str | None = None,
        subnet_id: str | None = None,
        description: str = "",
        dns_name: str = "",
        dns_domain: str = "",
        tags: Sequence[str] = (),
    ) -> FloatingIp:
        with self.backend.changing():
            self._external_network_id(floating_network_id, "floatingip")
            self.backend.check_quota(project_id, "floatingip")
            request: dict[str, str] = {}
            if subnet_id:
                request["subnet_id"] = subnet_id
            if floating_ip_address:
                request["ip_address"] = floating_ip_address
            fip = FloatingIp(
                id=new_id(),
                project_id=project_id,
                description=description,
                floating_network_id=floating_network_id,
                dns_name=dns_name,
                dns_domain=dns_domain,
                tags=list(tags),
            )
            ipv4 = [
                sid
                for sid in self.store.networks[floating_network_id].subnet_ids
                if self.store.subnets[sid].ip_version == 4
            ]
            if not request and ipv4:
                request["subnet_id"] = next((sid for sid in ipv4 if self._has_free(sid)), ipv4[0])
            port = self.backend.create_port(
                "",
                floating_network_id,
                fixed_ips=[request] if request else None,
                device_id=fip.id,
                device_owner=FLOATING_IP_OWNER,
                check_quota=False,
            )
            if not port.fixed_ips:
                self.backend.delete_port(port.id, internal=True)
                raise BadRequest(f"Bad floatingip request: no IPv4 subnet on network {floating_network_id}.")
            fip.floating_port_id = port.id
            fip.floating_ip_address = port.fixed_ips[0].ip_address
            if port_id:
                try:
                    self._associate(fip, port_id, fixed_ip_address, scope)
                except Exception:
                    self.backend.delete_port(port.id, internal=True)
                    raise
            self.store.floating_ips[fip.id] = fip
            return fip

    def _has_free(self, subnet_id: str) -> bool:
        from calor.sandbox.network.addresses import next_free_address

        return next_free_address(self.store.subnets[subnet_id]) is not None

    def _associate(
        self, fip: FloatingIp, port_id: str, fixed_ip_address: str | None, scope: Scope | None
    ) -> None:
        port = self.backend.get_port(port_id, scope)
        ipv4 = [fixed for fixed in port.fixed_ips if ipaddress.ip_address(fixed.ip_address).version == 4]
        if fixed_ip_address is not None:
            chosen = [fixed for fixed in ipv4 if fixed.ip_address == fixed_ip_address]
            if not chosen:
                raise BadRequest(
                    f"Bad floatingip request: Port {port_id} does not have fixed ip {fixed_ip_address}.",
                )
        else:
            chosen = ipv4
            if not chosen:
                raise BadRequest(
                    f"Bad floatingip request: Port {port_id} does not have any IPv4 address.",
                )
        fixed = chosen[0]
        for other in self.store.floating_ips.values():
            if other.id != fip.id and other.port_id == port_id and other.fixed_ip_address == fixed.ip_address:
                raise Conflict(
                    f"Cannot associate floating IP {fip.floating_ip_address} ({fip.id}) with port {port_id} "
                    f"using fixed IP {fixed.ip_address}, as that fixed IP already has a floating IP on "
                    f"external network {other.floating_network_id}.",
                    error_type="FloatingIPPortAlreadyAssociated",
                )
        router_id = self._router_for(fip.floating_network_id, fixed.subnet_id)
        if router_id is None:
            raise NotFound(
                f"External network {fip.floating_network_id} is not reachable from subnet {fixed.subnet_id}. "
                f"Therefore, cannot associate Port {port_id} with a Floating IP.",
                error_type="ExternalGatewayForFloatingIPNotFound",
            )
        fip.port_id, fip.fixed_ip_address, fip.router_id, fip.status = (
            port_id,
            fixed.ip_address,
            router_id,
            "ACTIVE",
        )

    def _router_for(self, external_network_id: str, subnet_id: str) -> str | None:
        for router in self.store.routers.values():
            gateway = router.external_gateway
            if gateway is None or gateway.network_id != external_network_id:
                continue
            for port in self.interface_ports(router.id):
                if any(fixed.subnet_id == subnet_id for fixed in port.fixed_ips):
                    return router.id
        return None

    def _disassociate(self, fip: FloatingIp) -> None:
        fip.port_id = fip.fixed_ip_address = fip.router_id = None
        fip.status = "DOWN"

    def get_floating_ip(self, floating_ip_id: str, scope: Scope | None = None) -> FloatingIp:
        with self.backend.lock:
            fip = self.store.floating_ips.get(floating_ip_id)
            if fip is None or not _owned(fip.project_id, scope):
                raise NotFound(
                    f"Floating IP {floating_ip_id} could not be found", error_type="FloatingIPNotFound"
                )
            return fip

    def list_floating_ips(self, scope: Scope | None = None) -> list[FloatingIp]:
        with self.backend.lock:
            return [fip for fip in self.store.floating_ips.values() if _owned(fip.project_id, scope)]

    def update_floating_ip(
        self,
        floating_ip_id: str,
        scope: Scope | None = None,
        *,
        port_id: str | None = UNSET,
        fixed_ip_address: str | None = None,
        **changes: Any,
    ) -> FloatingIp:
        """``port_id`` None disassociates; a port id (re)associates."""
        with self.backend.changing():
            fip = self.get_floating_ip(floating_ip_id, scope)
            if port_id is not UNSET:
                if port_id is None:
                    self._disassociate(fip)
                else:
                    self._associate(fip, port_id, fixed_ip_address, scope)
            for key, value in changes.items():
                if key not in {"description", "tags", "qos_policy_id"}:
                    raise BadRequest(f"Cannot update read-only attribute {key}", error_type="HTTPBadRequest")
                setattr(fip, key, value)
            fip.touch()
            return fip

    def delete_floating_ip(self, floating_ip_id: str, scope: Scope | None = None) -> None:
        with self.backend.changing():
            fip = self.get_floating_ip(floating_ip_id, scope)
            if fip.floating_port_id in self.store.ports:
                self.backend.delete_port(fip.floating_port_id, internal=True)
            del self.store.floating_ips[floating_ip_id]

    def port_deleted(self, port_id: str) -> None:
        """A deleted port loses its floating IPs' association (as Neutron does)."""
        for fip in self.store.floating_ips.values():
            if fip.port_id == port_id:
                self._disassociate(fip)
                fip.touch()

    @staticmethod
    def routes_view(routes: Sequence[HostRoute]) -> list[dict[str, str]]:
        return [{"destination": route.destination, "nexthop": route.nexthop} for route in routes]
