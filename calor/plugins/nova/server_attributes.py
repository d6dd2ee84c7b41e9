"""The attributes of OS::Nova::Server computed from Nova's view of the server (Heat's shapes)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calor.clouds.errors import CloudError, translate_errors

CONSOLE_TYPES = ("novnc", "xvpvnc", "spice-html5", "rdp-html5", "serial", "webmks")


def _interfaces(connection: Any, server_id: str) -> list[Any]:
    try:
        with translate_errors("listing the server's interfaces"):
            return list(connection.compute.server_interfaces(server_id))
    except CloudError:
        return []


def addresses(connection: Any, server: Any) -> dict[str, Any]:
    """Nova's addresses with each address's ``port`` added, under network names and network ids."""
    interfaces = _interfaces(connection, server.id)
    by_mac = {getattr(interface, "mac_addr", None): interface for interface in interfaces}
    result: dict[str, Any] = {}
    for network_name, entries in (server.addresses or {}).items():
        listed = []
        network_id = None
        for entry in entries:
            address = dict(entry)
            interface = by_mac.get(address.get("OS-EXT-IPS-MAC:mac_addr"))
            if interface is not None:
                address["port"] = interface.port_id
                network_id = network_id or interface.net_id
                address["subnets"] = [
                    {"id": fixed.get("subnet_id"), "ip_address": fixed.get("ip_address")}
                    for fixed in (interface.fixed_ips or [])
                ]
            listed.append(address)
        result[network_name] = listed
        if network_id and network_id != network_name:
            result[network_id] = listed
    return result


def networks(connection: Any, server: Any) -> dict[str, list[str]]:
    """``{"private": [ip, ...], "<private network id>": [ip, ...]}``."""
    result: dict[str, list[str]] = {}
    for name, entries in addresses(connection, server).items():
        result[name] = [
            str(entry["addr"]) for entry in entries if isinstance(entry, Mapping) and entry.get("addr")
        ]
    return result


def first_address(server: Any) -> str:
    for entries in (server.addresses or {}).values():
        for entry in entries:
            if entry.get("addr"):
                return str(entry["addr"])
    return ""


def console_urls(connection: Any, server_id: str) -> dict[str, str]:
    """Each console type's URL, or the reason the cloud gave for not offering it (as Heat)."""
    urls: dict[str, str] = {}
    for console_type in CONSOLE_TYPES:
        try:
            with translate_errors():
                console = connection.compute.get_server_console_url(server_id, console_type)
            urls[console_type] = str((console or {}).get("url", ""))
        except CloudError as error:
            urls[console_type] = error.message
        except ValueError as error:  # a console type openstacksdk does not know
            urls[console_type] = str(error)
    return urls


def resolve(connection: Any, server: Any, name: str, metadata: Any) -> Any:
    """The value of the server attribute ``name`` (``metadata``: the resource's metadata)."""
    if name == "name":
        return server.name
    if name == "addresses":
        return addresses(connection, server)
    if name == "networks":
        return networks(connection, server)
    if name == "first_address":
        return first_address(server)
    if name == "instance_name":
        return server.instance_name
    if name == "accessIPv4":
        return server.access_ipv4 or ""
    if name == "accessIPv6":
        return server.access_ipv6 or ""
    if name == "console_urls":
        return console_urls(connection, server.id)
    if name == "tags":
        return list(getattr(server, "tags", None) or [])
    if name == "os_collect_config":
        return metadata.get("os-collect-config", {}) if isinstance(metadata, Mapping) else {}
    return None
