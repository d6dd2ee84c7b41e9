"""The sandbox cloud's compute service: a Nova v2.1 subset (microversions up to 2.79).

Layout like moto: ``models`` (servers), ``flavors``, ``keypairs``, ``server_groups``,
``server_actions``, ``attachments``, ``networking`` and ``volumes`` (backend state, no HTTP),
``serializers``, ``responses`` and ``resource_responses`` (HTTP), ``routes`` (the URL table),
``versions`` (discovery and microversions). Registered in :mod:`calor.sandbox.cloud`.
"""

from calor.sandbox.compute.models import QUOTA_DEFAULTS, ComputeBackend
from calor.sandbox.compute.resource_responses import ResourceResponses
from calor.sandbox.compute.responses import ServerResponses
from calor.sandbox.compute.routes import url_table
from calor.sandbox.compute.tag_responses import TagResponses
from calor.sandbox.framework.errors import nova_style
from calor.sandbox.framework.service import SandboxContext, ServiceParts, ServiceSpec


def build(context: SandboxContext) -> ServiceParts:
    backend = ComputeBackend(context)
    routes = url_table(ServerResponses(backend), ResourceResponses(backend), TagResponses(backend))
    return ServiceParts(backend, routes)


SERVICE = ServiceSpec(
    name="compute",
    service_type="compute",
    catalog_name="nova",
    prefix="/compute",
    catalog_path="/compute/v2.1",
    error_style=nova_style,
    build=build,
    quota_defaults=QUOTA_DEFAULTS,
)

__all__ = ["SERVICE", "ComputeBackend", "build"]
