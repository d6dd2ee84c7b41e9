"""Finishing a server create that a stopped engine began (``OS::Nova::Server.handle_create_resume``).

The create made ports first (one per ``networks`` item that names a subnet, called
``<server name>-port-<n>``), then the server under its name. The engine taking over finds
both by name among the objects made since the create began (:mod:`calor.plugins.recovery`),
so it neither makes a second server nor leaves the first one's ports behind.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from calor.clouds.errors import translate_errors
from calor.plugins.nova import server_status
from calor.plugins.recovery import made_since

GONE_STATUSES = frozenset({"DELETED", "SOFT_DELETED"})


def port_name(server_name: str, index: int) -> str:
    """The name of the ``index``-th port the server's create makes for it."""
    return f"{server_name}-port-{index}"


def ports_made(items: Sequence[Mapping[str, Any]] | None) -> int:
    """How many ports a create makes for ``networks`` items (those naming a subnet or port options)."""
    if not items or any(item.get("allocate_network") for item in items):
        return 0
    return sum(
        1
        for item in items
        if not item.get("port") and (item.get("subnet") or item.get("port_extra_properties"))
    )


def find_server(connection: Any, server_id: str | None, name: str, started_at: float) -> Any | None:
    """The server the interrupted create made: by its stored id, else by name and time."""
    if server_id is not None:
        return server_status.fetch(connection, server_id)
    with translate_errors(f"listing servers named {name}"):
        servers = [
            server
            for server in connection.compute.servers(name=f"^{re.escape(name)}$")
            if str(server.status or "").upper() not in GONE_STATUSES
        ]
    return made_since(servers, name=name, started_at=started_at, what="OS::Nova::Server")


def find_ports(
    connection: Any, server_name: str, count: int, started_at: float, server_id: str | None
) -> dict[str, str]:
    """The ports the interrupted create made for the server: port name → id."""
    found: dict[str, str] = {}
    for index in range(count):
        name = port_name(server_name, index)
        with translate_errors(f"listing ports named {name}"):
            ports = [
                port
                for port in connection.network.ports(name=name)
                if not port.device_id or port.device_id == server_id
            ]
        port = made_since(ports, name=name, started_at=started_at, what="OS::Neutron::Port")
        if port is not None:
            found[name] = str(port.id)
    return found
