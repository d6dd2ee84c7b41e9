"""Names → ids of Neutron objects, as Heat's neutron client plugin resolves them.

An id is used as it is when an object has it; otherwise the name must match exactly one
object the project can see. The engine's connection may belong to an administrator who
sees every project's objects: when a name repeats, the object of the connection's own
project wins (an admin sees every project's ``default`` security group).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import translate_errors
from calor.errors import NotFound, UserError

KIND_LABELS = {
    "network": "Network",
    "subnet": "Subnet",
    "port": "Port",
    "router": "Router",
    "security_group": "Security Group",
    "ip": "Floating IP",
    "subnet_pool": "Subnet Pool",
    "qos_policy": "QoS Policy",
}

LISTERS = {
    "network": "networks",
    "subnet": "subnets",
    "port": "ports",
    "router": "routers",
    "security_group": "security_groups",
    "subnet_pool": "subnet_pools",
    "qos_policy": "qos_policies",
}


class NeutronEntityNotFound(NotFound):
    """A network, subnet, ... named in a template does not exist (Heat's EntityNotFound)."""

    heat_type = "EntityNotFound"


class NeutronNameAmbiguity(UserError):
    """A name matches several objects (Heat's PhysicalResourceNameAmbiguity)."""

    heat_type = "PhysicalResourceNameAmbiguity"


def label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " ").title())


def not_found(kind: str, name_or_id: str, *, path: str | None = None) -> NeutronEntityNotFound:
    return NeutronEntityNotFound(f"The {label(kind)} ({name_or_id}) could not be found.", path=path)


def ambiguous(kind: str, name: str, *, path: str | None = None) -> NeutronNameAmbiguity:
    return NeutronNameAmbiguity(
        f"Multiple physical resources were found with name ({name}) of type {label(kind)}.", path=path
    )


def project_of(connection: Any) -> str | None:
    """The project a connection is scoped to (``None`` when it cannot tell)."""
    try:
        project = connection.current_project_id
    except Exception:  # an unscoped or unauthenticated connection: no preference
        return None
    return str(project) if project else None


def _by_name(network_proxy: Any, kind: str, name: str, project_id: str | None, path: str | None) -> str:
    lister = getattr(network_proxy, LISTERS[kind])
    named = [item for item in lister(name=name) if item.name == name]
    if len(named) > 1 and project_id:
        named = [item for item in named if item.project_id == project_id] or named
    if not named:
        raise not_found(kind, name, path=path)
    if len(named) > 1:
        raise ambiguous(kind, name, path=path)
    return str(named[0].id)


def find_id(
    network_proxy: Any,
    kind: str,
    name_or_id: str,
    *,
    project_id: str | None = None,
    path: str | None = None,
) -> str:
    """The id of the ``kind`` object (``network``, ``subnet``, ...) with this id or name."""
    text = str(name_or_id)
    with translate_errors(f"looking up {label(kind)} {text}"):
        try:
            found = getattr(network_proxy, f"find_{kind}")(text, ignore_missing=True)
        except sdk_exceptions.DuplicateResource:
            if kind not in LISTERS:
                raise ambiguous(kind, text, path=path) from None
            return _by_name(network_proxy, kind, text, project_id, path)
    if found is None:
        raise not_found(kind, text, path=path)
    return str(found.id)


def find_ids(
    network_proxy: Any,
    kind: str,
    names_or_ids: Iterable[str],
    *,
    project_id: str | None = None,
    path: str | None = None,
) -> list[str]:
    return [find_id(network_proxy, kind, item, project_id=project_id, path=path) for item in names_or_ids]


def find_security_group_ids(
    network_proxy: Any, names_or_ids: Iterable[str], project_id: str | None, *, path: str | None = None
) -> list[str]:
    """Security group ids for names or ids, preferring the caller's project when a name repeats."""
    return find_ids(network_proxy, "security_group", names_or_ids, project_id=project_id, path=path)


def resolve(context: Any, kind: str, name_or_id: str, *, path: str | None = None) -> str:
    """:func:`find_id` on a plugin context's connection, preferring the connection's project."""
    connection = context.cloud()
    return find_id(connection.network, kind, name_or_id, project_id=project_of(connection), path=path)


def resolve_many(
    context: Any, kind: str, names_or_ids: Iterable[str], *, path: str | None = None
) -> list[str]:
    connection = context.cloud()
    project_id = project_of(connection)
    return find_ids(connection.network, kind, names_or_ids, project_id=project_id, path=path)
