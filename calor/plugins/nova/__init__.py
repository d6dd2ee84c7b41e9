"""OS::Nova::* resource types: Server, KeyPair, ServerGroup, Flavor (through ``conn.compute``)."""

from __future__ import annotations

from calor.plugins.nova.flavor import Flavor
from calor.plugins.nova.keypair import KeyPair
from calor.plugins.nova.server import Server
from calor.plugins.nova.server_group import ServerGroup

PLUGINS = (Server, KeyPair, ServerGroup, Flavor)

__all__ = ["PLUGINS", "Flavor", "KeyPair", "Server", "ServerGroup"]
