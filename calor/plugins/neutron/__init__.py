"""The OS::Neutron::* resource types (networks, subnets, ports, routers, floating IPs, security groups).

:data:`NEUTRON_PLUGINS` is the table :mod:`calor.plugins.catalog` includes.
"""

from __future__ import annotations

from calor.plugins.base import ResourcePlugin
from calor.plugins.neutron.floating_ip import FloatingIP, FloatingIPAssociation
from calor.plugins.neutron.net import Net
from calor.plugins.neutron.port import Port
from calor.plugins.neutron.router import Router, RouterInterface
from calor.plugins.neutron.security_group import SecurityGroup, SecurityGroupRule
from calor.plugins.neutron.subnet import Subnet

NEUTRON_PLUGINS: tuple[type[ResourcePlugin], ...] = (
    Net,
    Subnet,
    Port,
    Router,
    RouterInterface,
    FloatingIP,
    FloatingIPAssociation,
    SecurityGroup,
    SecurityGroupRule,
)

__all__ = [
    "NEUTRON_PLUGINS",
    "FloatingIP",
    "FloatingIPAssociation",
    "Net",
    "Port",
    "Router",
    "RouterInterface",
    "SecurityGroup",
    "SecurityGroupRule",
    "Subnet",
]
