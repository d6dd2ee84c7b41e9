"""Cloud-backed custom constraints: ``nova.flavor``, ``glance.image``, ``cinder.volume``, ...

Each checker looks the value up in the cloud by name or id and raises
:class:`~calor.schema.constraints.ConstraintViolation` with Heat's "could not be found"
message when it is missing. The ``context`` a checker receives is whatever the validating
code passes: a :class:`~calor.plugins.context.PluginContext` (its ``cloud()`` is used), an
openstacksdk ``Connection``, or ``None`` - without a cloud there is nothing to check against
and the value is accepted (validation at create time then catches a bad value).

Nothing is registered on import: :func:`register` adds the checkers to a registry (the
process-wide :data:`~calor.schema.constraints.CUSTOM_CONSTRAINTS` by default).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from calor.clouds.errors import CloudError
from calor.clouds.lookup import find_resource
from calor.errors import CalorError
from calor.schema.constraints import (
    CUSTOM_CONSTRAINTS,
    Checker,
    ConstraintViolation,
    CustomConstraintRegistry,
)

Finder = Callable[[Any], Callable[..., Any]]
"""Given a connection, the openstacksdk ``find_*`` method to call."""

LOOKUPS: Mapping[str, tuple[Finder, str]] = {
    "nova.flavor": (lambda connection: connection.compute.find_flavor, "Flavor"),
    "nova.keypair": (lambda connection: connection.compute.find_keypair, "Keypair"),
    "nova.server": (lambda connection: connection.compute.find_server, "Server"),
    "glance.image": (lambda connection: connection.image.find_image, "Image"),
    "cinder.volume": (lambda connection: connection.block_storage.find_volume, "Volume"),
    "cinder.snapshot": (lambda connection: connection.block_storage.find_snapshot, "VolumeSnapshot"),
    "cinder.backup": (lambda connection: connection.block_storage.find_backup, "Volume backup"),
    "cinder.vtype": (lambda connection: connection.block_storage.find_type, "VolumeType"),
    "keystone.project": (lambda connection: connection.identity.find_project, "Project"),
    "keystone.user": (lambda connection: connection.identity.find_user, "User"),
    "keystone.role": (lambda connection: connection.identity.find_role, "Role"),
    "keystone.domain": (lambda connection: connection.identity.find_domain, "Domain"),
    "keystone.group": (lambda connection: connection.identity.find_group, "Group"),
    "keystone.service": (lambda connection: connection.identity.find_service, "Service"),
}
"""Constraint name → (the finder, the kind of object named in messages)."""


def connection_of(context: object | None) -> Any | None:
    """The openstacksdk connection behind ``context`` (see the module docstring), or ``None``."""
    if context is None:
        return None
    if hasattr(context, "compute") and hasattr(context, "session"):
        return context
    cloud = getattr(context, "cloud", None)
    if callable(cloud):
        try:
            return cloud()
        except CalorError:
            return None
    return None


def lookup_checker(finder: Finder, kind: str) -> Checker:
    """A checker that accepts a value the cloud finds by name or id."""

    def check(value: Any, context: object | None) -> None:
        connection = connection_of(context)
        if connection is None or value is None or value == "":
            return
        try:
            find_resource(finder(connection), str(value), kind)
        except CloudError as error:
            raise ConstraintViolation(error.message) from error

    return check


CLOUD_CONSTRAINTS: Mapping[str, Checker] = {
    name: lookup_checker(finder, kind) for name, (finder, kind) in LOOKUPS.items()
}


def register(registry: CustomConstraintRegistry = CUSTOM_CONSTRAINTS) -> list[str]:
    """Add every cloud-backed checker to ``registry``; gives the names added."""
    for name, checker in CLOUD_CONSTRAINTS.items():
        registry.register(name, checker)
    return sorted(CLOUD_CONSTRAINTS)
