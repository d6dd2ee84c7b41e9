"""Updating a server's ``networks`` in place: detach the interfaces of removed items, then
attach interfaces for added ones (as Heat does, without replacing the server).

Items are compared as whole values: an item present before and after keeps its interface.
A removed item's interface is found by its port, else by its network (and fixed IP) among
the server's interfaces; ports Calor created for the server (subnet items) are deleted
once detached. ``allocate_network`` changes cannot be applied in place (replacement).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from calor.clouds.errors import ignore_not_found, translate_errors
from calor.plugins.nova.server_requests import NetworkRequests


def _normal(item: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in item.items() if value not in (None, "", {})}


def needs_replacement(
    old: Sequence[Mapping[str, Any]] | None, new: Sequence[Mapping[str, Any]] | None
) -> bool:
    """Whether a ``networks`` change can only be applied by replacing the server."""
    return any(item.get("allocate_network") for item in [*(old or []), *(new or [])])


def _difference(
    first: Sequence[Mapping[str, Any]], second: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Items of ``first`` not matched by an equal item of ``second`` (as multisets)."""
    remaining = [_normal(item) for item in second]
    result = []
    for item in first:
        normal = _normal(item)
        if normal in remaining:
            remaining.remove(normal)
        else:
            result.append(normal)
    return result


def _interface_of(
    connection: Any, item: Mapping[str, Any], interfaces: list[Any], taken: set[str]
) -> str | None:
    if item.get("port"):
        return str(item["port"])
    requests = NetworkRequests(connection, "")
    network_id = None
    if item.get("network") or item.get("uuid"):
        network_id = requests.network_id(str(item.get("network") or item.get("uuid")))
    subnet_id = None
    if item.get("subnet"):
        subnet_id = str(requests.find_subnet(str(item["subnet"])).id)
    for interface in interfaces:
        port_id = str(interface.port_id)
        if port_id in taken:
            continue
        fixed = interface.fixed_ips or []
        if network_id is not None and interface.net_id != network_id:
            continue
        if subnet_id is not None and not any(entry.get("subnet_id") == subnet_id for entry in fixed):
            continue
        if item.get("fixed_ip") and not any(entry.get("ip_address") == item["fixed_ip"] for entry in fixed):
            continue
        return port_id
    return None


def plan(
    connection: Any,
    server_id: str,
    old: Sequence[Mapping[str, Any]] | None,
    new: Sequence[Mapping[str, Any]] | None,
) -> dict[str, Any]:
    """The interfaces to detach (port ids) and the items to attach."""
    with translate_errors("listing the server's interfaces"):
        interfaces = list(connection.compute.server_interfaces(server_id))
    detach: list[str] = []
    for item in _difference(old or [], new or []):
        port_id = _interface_of(connection, item, interfaces, set(detach))
        if port_id is not None:
            detach.append(port_id)
    return {"detach": detach, "attach": _difference(new or [], old or []), "attached": [], "phase": "start"}


def _attached_ports(connection: Any, server_id: str) -> set[str]:
    with translate_errors("listing the server's interfaces"):
        return {str(interface.port_id) for interface in connection.compute.server_interfaces(server_id)}


def advance(
    connection: Any,
    server_id: str,
    step: dict[str, Any],
    internal_ports: list[str],
    remember_port: Callable[[str], None],
    forget_port: Callable[[str], None],
) -> bool:
    """One poll of a networks update; ``True`` when every detach and attach is done."""
    if step["phase"] == "start":
        for port_id in step["detach"]:
            with translate_errors(f"detaching port {port_id}"):
                connection.compute.delete_server_interface(port_id, server=server_id, ignore_missing=True)
        step["phase"] = "detaching"
        return False
    if step["phase"] == "detaching":
        if set(step["detach"]) & _attached_ports(connection, server_id):
            return False
        for port_id in step["detach"]:
            if port_id in internal_ports:
                ignore_not_found(partial(connection.network.delete_port, port_id))
                forget_port(port_id)
        requests = NetworkRequests(connection, f"server-{server_id[:8]}")
        for item in step["attach"]:
            step["attached"].append(_attach(connection, server_id, item, requests, remember_port))
        step["phase"] = "attaching"
        return False
    return set(step["attached"]) <= _attached_ports(connection, server_id)


def _attach(
    connection: Any,
    server_id: str,
    item: Mapping[str, Any],
    requests: NetworkRequests,
    remember_port: Callable[[str], None],
) -> str:
    built = requests.build([item], remember_port)
    request = built[0]
    attributes: dict[str, Any] = {}
    if request.get("port"):
        attributes["port_id"] = request["port"]
    else:
        attributes["net_id"] = request.get("uuid")
        if request.get("fixed_ip"):
            attributes["fixed_ips"] = [{"ip_address": request["fixed_ip"]}]
    with translate_errors(f"attaching an interface to server {server_id}"):
        interface = connection.compute.create_server_interface(server_id, **attributes)
    return str(interface.port_id)
