"""The sandbox cloud's image service: a Glance v2 subset.

``models`` (records, data files, JSON patch; no HTTP), ``responses`` (HTTP), ``routes`` (the
URL table). Registered in :mod:`calor.sandbox.cloud`.
"""

from calor.sandbox.framework.errors import plain_style
from calor.sandbox.framework.service import SandboxContext, ServiceParts, ServiceSpec
from calor.sandbox.image.models import CIRROS_ID, CIRROS_NAME, ImageBackend
from calor.sandbox.image.responses import ImageResponses
from calor.sandbox.image.routes import url_table


def build(context: SandboxContext) -> ServiceParts:
    backend = ImageBackend(context)
    return ServiceParts(backend, url_table(ImageResponses(backend)))


SERVICE = ServiceSpec(
    name="image",
    service_type="image",
    catalog_name="glance",
    prefix="/image",
    catalog_path="/image",
    error_style=plain_style,
    build=build,
)

__all__ = ["CIRROS_ID", "CIRROS_NAME", "SERVICE", "ImageBackend", "build"]
