"""Which resource types a cloud can serve: those whose ``required_service`` is in its catalog.

Heat hides (and refuses) types whose service the cloud lacks; the API and the engine call
:func:`available_types` with the catalog's service types
(:func:`calor.clouds.catalog.catalog_service_types`) and :func:`check_available` before
creating a resource.
"""

from __future__ import annotations

from collections.abc import Iterable

from calor.clouds.catalog import service_type_aliases
from calor.errors import UserError
from calor.plugins.base import ResourcePlugin
from calor.plugins.registry import PluginRegistry


class ResourceTypeUnavailable(UserError):
    """The resource type's service is not in the cloud's catalog (Heat's HEAT-E99001)."""

    heat_type = "ResourceTypeUnavailable"


def _expanded(service_types: Iterable[str]) -> set[str]:
    expanded: set[str] = set()
    for service_type in service_types:
        expanded |= service_type_aliases(service_type)
    return expanded


def is_available(plugin: type[ResourcePlugin], catalog_service_types: Iterable[str]) -> bool:
    """Whether the plugin needs no service or its service (or an alias of it) is in the catalog."""
    required = plugin.required_service
    if required is None:
        return True
    return bool(service_type_aliases(required) & _expanded(catalog_service_types))


def available_types(registry: PluginRegistry, catalog_service_types: Iterable[str]) -> list[str]:
    """The sorted names of ``registry``'s types that the catalog's services can serve."""
    services = _expanded(catalog_service_types)
    return sorted(
        name
        for name, plugin in registry.plugins().items()
        if plugin.required_service is None or service_type_aliases(plugin.required_service) & services
    )


def check_available(
    plugin: type[ResourcePlugin], catalog_service_types: Iterable[str], *, path: str | None = None
) -> None:
    """Raise :class:`ResourceTypeUnavailable` (Heat's wording) when the plugin's service is missing."""
    if not is_available(plugin, catalog_service_types):
        raise ResourceTypeUnavailable(
            f"HEAT-E99001 Service {plugin.required_service} is not available for resource type "
            f"{plugin.type_name}, reason: Service endpoint not in service catalog.",
            path=path,
        )
