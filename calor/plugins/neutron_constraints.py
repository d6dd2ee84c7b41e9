"""Custom constraints naming Neutron objects: ``neutron.network``, ``neutron.subnet``, ``neutron.port``, ...

Each checker resolves the value by id or name as the Neutron plugins do
(:mod:`calor.plugins.neutron.lookup`, preferring the connection's own project when a name
repeats) and raises :class:`~calor.schema.constraints.ConstraintViolation` with Heat's
"The Network (name) could not be found." when nothing matches. The ``context`` is a
:class:`~calor.plugins.context.PluginContext`, an openstacksdk ``Connection`` or ``None``;
without a cloud the value is accepted (the resource's create then reports a bad value).

Nothing is registered on import: :func:`register` adds the checkers to a registry (the
process-wide :data:`~calor.schema.constraints.CUSTOM_CONSTRAINTS` by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calor.clouds.errors import CloudError
from calor.errors import CalorError, UserError
from calor.plugins.neutron.lookup import find_id, project_of
from calor.schema.constraints import (
    CUSTOM_CONSTRAINTS,
    Checker,
    ConstraintViolation,
    CustomConstraintRegistry,
)

KINDS: Mapping[str, str] = {
    "neutron.network": "network",
    "neutron.subnet": "subnet",
    "neutron.port": "port",
    "neutron.router": "router",
    "neutron.security_group": "security_group",
    "neutron.subnetpool": "subnet_pool",
    "neutron.qos_policy": "qos_policy",
    "neutron.floating_ip": "ip",
}
"""Constraint name → the openstacksdk kind (``find_<kind>`` on ``conn.network``)."""


def connection_of(context: object | None) -> Any | None:
    """The openstacksdk connection behind ``context``, or ``None`` when there is none."""
    if context is None:
        return None
    if hasattr(context, "network") and hasattr(context, "session"):
        return context
    cloud = getattr(context, "cloud", None)
    if callable(cloud):
        try:
            return cloud()
        except CalorError:
            return None
    return None


def lookup_checker(kind: str) -> Checker:
    """A checker accepting a value that names (or is the id of) one ``kind`` object."""

    def check(value: Any, context: object | None) -> None:
        connection = connection_of(context)
        if connection is None or value is None or value == "":
            return
        try:
            find_id(connection.network, kind, str(value), project_id=project_of(connection))
        except (UserError, CloudError) as error:
            raise ConstraintViolation(error.message) from error

    return check


NEUTRON_CONSTRAINTS: Mapping[str, Checker] = {name: lookup_checker(kind) for name, kind in KINDS.items()}


def register(registry: CustomConstraintRegistry = CUSTOM_CONSTRAINTS) -> list[str]:
    """Add every Neutron checker to ``registry``; gives the names added."""
    for name, checker in NEUTRON_CONSTRAINTS.items():
        registry.register(name, checker)
    return sorted(NEUTRON_CONSTRAINTS)
