"""The sandbox cloud's Neutron (network v2.0): networks, subnets, ports with IP allocation,
routers, floating IPs, security groups and quotas.

Layout like moto: ``models`` (with ``routers`` and ``security_groups``; state and rules, no
HTTP), ``responses`` (request parsing, serialisation through ``serializers``), ``routes`` (the
URL table). :data:`SERVICE` plugs it into :mod:`calor.sandbox.cloud`; ``build`` creates the
external network ``public`` with its subnet owned by the ``admin`` project when absent.
"""

from __future__ import annotations

from calor.sandbox.framework.errors import neutron_style
from calor.sandbox.framework.service import SandboxContext, ServiceParts, ServiceSpec
from calor.sandbox.identity import IdentityBackend
from calor.sandbox.identity.bootstrap import DEFAULT_DOMAIN_ID
from calor.sandbox.identity.errors import IdentityError
from calor.sandbox.network.models import NetworkBackend, Scope
from calor.sandbox.network.quotas import QUOTA_DEFAULTS
from calor.sandbox.network.responses import NetworkResponses
from calor.sandbox.network.routes import url_table

ADMIN_PROJECT_NAME = "admin"


def admin_project_id(context: SandboxContext) -> str:
    """The id of the identity service's ``admin`` project when the authenticator knows it."""
    identity = getattr(context.authenticator, "backend", None)
    if isinstance(identity, IdentityBackend):
        try:
            return identity.find_project(ADMIN_PROJECT_NAME, DEFAULT_DOMAIN_ID).id
        except IdentityError:
            pass
    return ADMIN_PROJECT_NAME


def build(context: SandboxContext) -> ServiceParts:
    backend = NetworkBackend(context.quotas, store=context.store)
    backend.bootstrap(admin_project_id(context))
    return ServiceParts(backend=backend, routes=url_table(NetworkResponses(backend)))


SERVICE = ServiceSpec(
    name="network",
    service_type="network",
    catalog_name="neutron",
    prefix="/network",
    catalog_path="/network",
    error_style=neutron_style,
    build=build,
    quota_defaults=QUOTA_DEFAULTS,
)

__all__ = ["SERVICE", "NetworkBackend", "Scope", "build"]
