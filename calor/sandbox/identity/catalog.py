"""The service catalog: configured endpoints plus the identity endpoint, in Keystone's v3 shape."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

INTERFACES = ("public", "internal", "admin")
DEFAULT_REGION = "RegionOne"
_NAMESPACE = uuid.UUID("6f1c3a52-6a0e-4f57-9d0c-2b8f3f4e8d11")


@dataclass(frozen=True)
class Endpoint:
    """One service in the catalog, served at ``url`` on every interface."""

    service_type: str
    name: str
    url: str


def _stable_id(*parts: str) -> str:
    return uuid.uuid5(_NAMESPACE, "/".join(parts)).hex


def service_id(endpoint: Endpoint) -> str:
    return _stable_id("service", endpoint.service_type, endpoint.name)


def catalog_endpoints(endpoints: Iterable[Endpoint], identity_url: str) -> list[Endpoint]:
    """The configured endpoints with the identity endpoint first (unless one is configured)."""
    listed = list(endpoints)
    if not any(endpoint.service_type == "identity" for endpoint in listed):
        listed.insert(0, Endpoint("identity", "keystone", identity_url))
    return listed


#: What Keystone substitutes in an endpoint URL with the token's project id.
PROJECT_PLACEHOLDERS = ("%(tenant_id)s", "%(project_id)s", "$(tenant_id)s", "$(project_id)s")


def substitute_project(url: str, project_id: str | None) -> str:
    """``url`` with the project placeholders replaced, as Keystone renders a token's catalog.

    Without a project (unscoped or domain-scoped tokens, the endpoint list API) the URL
    is left as configured.
    """
    if project_id is None:
        return url
    for placeholder in PROJECT_PLACEHOLDERS:
        url = url.replace(placeholder, project_id)
    return url


def render_catalog(
    endpoints: Iterable[Endpoint], region: str = DEFAULT_REGION, project_id: str | None = None
) -> list[dict[str, Any]]:
    """The ``catalog`` list of a Keystone v3 token body (placeholders filled for ``project_id``)."""
    catalog: list[dict[str, Any]] = []
    for endpoint in endpoints:
        catalog.append(
            {
                "id": service_id(endpoint),
                "type": endpoint.service_type,
                "name": endpoint.name,
                "endpoints": [
                    {
                        "id": _stable_id("endpoint", endpoint.service_type, endpoint.name, interface),
                        "interface": interface,
                        "region": region,
                        "region_id": region,
                        "url": substitute_project(endpoint.url, project_id),
                    }
                    for interface in INTERFACES
                ],
            }
        )
    return catalog
