"""The sandbox cloud's Cinder (block storage v3, microversions 3.0-3.71): volumes and their actions,
attachments, snapshots, backups, volume types, quotas and limits.

Layout like moto: ``models`` (with ``attachments``, ``snapshots``, ``volume_types``; state and
rules on the sandbox's document store, no HTTP), ``responses`` and ``resource_responses``
(requests and serialisation), ``routes`` (the URL table). :data:`SERVICE` plugs it into
:mod:`calor.sandbox.cloud`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calor.sandbox.framework.auth import Caller
from calor.sandbox.framework.errors import SandboxError, nova_style
from calor.sandbox.framework.service import SandboxContext, ServiceParts, ServiceSpec
from calor.sandbox.volume.common import Scope
from calor.sandbox.volume.models import ImageLookup, VolumeBackend
from calor.sandbox.volume.quotas import QUOTA_DEFAULTS
from calor.sandbox.volume.resource_responses import ResourceResponses
from calor.sandbox.volume.responses import VolumeResponses
from calor.sandbox.volume.routes import url_table


def image_lookup(context: SandboxContext) -> ImageLookup:
    """Images through the image service's backend (``get_image(image_id, caller)``) when served."""

    def lookup(image_id: str, scope: Scope) -> Mapping[str, Any] | None:
        images = context.backend("image")
        get_image = getattr(images, "get_image", None)
        if get_image is None:
            return {"id": image_id}
        roles = frozenset({"admin"} if scope.is_admin else {"member"})
        try:
            image = get_image(image_id, Caller("", scope.user_id, scope.project_id, roles))
        except SandboxError:
            return None
        return image if isinstance(image, Mapping) else {"id": image_id}

    return lookup


def build(context: SandboxContext) -> ServiceParts:
    backend = VolumeBackend(context.store, context.quotas, context.config, image_lookup=image_lookup(context))
    routes = url_table(VolumeResponses(backend), ResourceResponses(backend))
    return ServiceParts(backend=backend, routes=routes)


SERVICE = ServiceSpec(
    name="volume",
    service_type="block-storage",
    catalog_name="cinder",
    prefix="/volume",
    catalog_path="/volume/v3",
    error_style=nova_style,
    build=build,
    quota_defaults=QUOTA_DEFAULTS,
)

__all__ = ["SERVICE", "Scope", "VolumeBackend", "build"]
