"""Which services a cloud offers, from the token's service catalog (service-type aliases included)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from calor.clouds.errors import translate_errors


@lru_cache(maxsize=1)
def _service_types() -> Any:
    import os_service_types

    return os_service_types.ServiceTypes()


def service_type_aliases(service_type: str) -> set[str]:
    """Every name of ``service_type`` (``volume`` → block-storage, volumev3, volumev2, ...)."""
    try:
        names = _service_types().get_all_types(service_type)
    except Exception:  # an unknown type has only its own name
        names = None
    return set(names or ()) | {service_type}


def catalog_service_types(connection: Any) -> set[str]:
    """The service types of ``connection``'s catalog, with each one's aliases added."""
    with translate_errors("reading the service catalog"):
        catalog = connection.config.get_service_catalog()
        types = set(catalog.get_endpoints().keys())
    expanded: set[str] = set()
    for service_type in types:
        expanded |= service_type_aliases(service_type)
    return expanded


def service_available(connection: Any, service_type: str) -> bool:
    """Whether ``connection``'s catalog has an endpoint of ``service_type`` (or of an alias)."""
    return bool(service_type_aliases(service_type) & catalog_service_types(connection))
