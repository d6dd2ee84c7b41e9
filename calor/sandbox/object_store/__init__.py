"""The sandbox cloud's Swift (object store v1): accounts ``AUTH_<project_id>``, containers with
ACLs and metadata, objects with ETags, metadata, ranges and expiry, and temporary URLs.

Layout like moto: ``models`` (state on the sandbox's document store and data files, no HTTP),
``temp_urls`` (signature checks), ``responses`` and ``routes``. :data:`SERVICE` plugs it into
:mod:`calor.sandbox.cloud`. The catalog path carries Keystone's ``%(project_id)s`` template.
"""

from __future__ import annotations

from calor.sandbox.framework.errors import plain_style
from calor.sandbox.framework.service import SandboxContext, ServiceParts, ServiceSpec
from calor.sandbox.object_store.models import ObjectStoreBackend
from calor.sandbox.object_store.responses import ObjectStoreResponses
from calor.sandbox.object_store.routes import url_table

PREFIX = "/object-store"


def build(context: SandboxContext) -> ServiceParts:
    backend = ObjectStoreBackend(context.store)
    handlers = ObjectStoreResponses(backend, context.authenticator, mount_prefix=PREFIX)
    return ServiceParts(backend=backend, routes=url_table(handlers))


SERVICE = ServiceSpec(
    name="object_store",
    service_type="object-store",
    catalog_name="swift",
    prefix=PREFIX,
    catalog_path=PREFIX + "/v1/AUTH_%(project_id)s",
    error_style=plain_style,
    build=build,
)

__all__ = ["SERVICE", "ObjectStoreBackend", "build"]
