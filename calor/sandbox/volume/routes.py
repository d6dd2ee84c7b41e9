"""The URL table of the emulated Cinder v3, relative to its ``/volume`` prefix. Every API route is
served both as ``/v3/<project_id>/...`` (the classic form) and ``/v3/...`` (project from the token)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Response

from calor.sandbox.framework.service import Route
from calor.sandbox.volume.resource_responses import ResourceResponses
from calor.sandbox.volume.responses import VolumeResponses

Handler = Callable[..., Response]


def _named(handler: Handler, suffix: str) -> Handler:
    """The same handler under another name: each route needs its own view name."""

    @wraps(handler)
    def named(*arguments: Any, **values: Any) -> Response:
        return handler(*arguments, **values)

    named.__name__ = f"{handler.__name__}_{suffix}"
    return named


def _both_forms(rule: str, methods: tuple[str, ...], handler: Handler, operation: str | None) -> list[Route]:
    return [
        Route("/v3/<project_id>" + rule, methods, _named(handler, "in_project"), operation),
        Route("/v3" + rule, methods, handler, operation),
    ]


def url_table(volumes: VolumeResponses, resources: ResourceResponses) -> list[Route]:
    table: list[tuple[str, tuple[str, ...], Handler, str | None]] = [
        ("/volumes", ("GET",), volumes.list_volumes, "volume.volume.list"),
        ("/volumes/detail", ("GET",), volumes.list_volumes_detail, "volume.volume.list"),
        ("/volumes", ("POST",), volumes.create_volume, "volume.volume.create"),
        ("/volumes/<volume_id>", ("GET",), volumes.get_volume, "volume.volume.get"),
        ("/volumes/<volume_id>", ("PUT",), volumes.update_volume, "volume.volume.update"),
        ("/volumes/<volume_id>", ("DELETE",), volumes.delete_volume, "volume.volume.delete"),
        ("/volumes/<volume_id>/action", ("POST",), volumes.volume_action, "volume.volume.action"),
        ("/volumes/<volume_id>/metadata", ("GET",), volumes.get_volume_metadata, None),
        (
            "/volumes/<volume_id>/metadata",
            ("POST", "PUT"),
            volumes.set_volume_metadata,
            "volume.volume.update",
        ),
        ("/volumes/<volume_id>/metadata/<key>", ("DELETE",), volumes.delete_volume_metadata_key, None),
        ("/snapshots", ("GET",), resources.list_snapshots, "volume.snapshot.list"),
        ("/snapshots/detail", ("GET",), resources.list_snapshots_detail, "volume.snapshot.list"),
        ("/snapshots", ("POST",), resources.create_snapshot, "volume.snapshot.create"),
        ("/snapshots/<snapshot_id>", ("GET",), resources.get_snapshot, "volume.snapshot.get"),
        ("/snapshots/<snapshot_id>", ("PUT",), resources.update_snapshot, "volume.snapshot.update"),
        ("/snapshots/<snapshot_id>", ("DELETE",), resources.delete_snapshot, "volume.snapshot.delete"),
        ("/snapshots/<snapshot_id>/action", ("POST",), resources.snapshot_action, "volume.snapshot.action"),
        ("/backups", ("GET",), resources.list_backups, "volume.backup.list"),
        ("/backups/detail", ("GET",), resources.list_backups_detail, "volume.backup.list"),
        ("/backups", ("POST",), resources.create_backup, "volume.backup.create"),
        ("/backups/<backup_id>", ("GET",), resources.get_backup, "volume.backup.get"),
        ("/backups/<backup_id>", ("DELETE",), resources.delete_backup, "volume.backup.delete"),
        ("/backups/<backup_id>/restore", ("POST",), resources.restore_backup, "volume.backup.restore"),
        ("/backups/<backup_id>/action", ("POST",), resources.backup_action, "volume.backup.action"),
        ("/types", ("GET",), resources.list_types, None),
        ("/types", ("POST",), resources.create_type, "volume.type.create"),
        ("/types/default", ("GET",), resources.get_default_type, None),
        ("/types/<type_id>", ("GET",), resources.get_type, None),
        ("/types/<type_id>", ("PUT",), resources.update_type, "volume.type.update"),
        ("/types/<type_id>", ("DELETE",), resources.delete_type, "volume.type.delete"),
        ("/types/<type_id>/action", ("POST",), resources.type_action, "volume.type.update"),
        ("/types/<type_id>/os-volume-type-access", ("GET",), resources.list_type_access, None),
        ("/types/<type_id>/extra_specs", ("GET",), resources.get_extra_specs, None),
        ("/types/<type_id>/extra_specs", ("POST",), resources.set_extra_specs, "volume.type.update"),
        (
            "/types/<type_id>/extra_specs/<key>",
            ("DELETE",),
            resources.delete_extra_spec,
            "volume.type.update",
        ),
        ("/attachments", ("GET",), resources.list_attachments, "volume.attachment.list"),
        ("/attachments/detail", ("GET",), resources.list_attachments_detail, "volume.attachment.list"),
        ("/attachments", ("POST",), resources.create_attachment, "volume.attachment.create"),
        ("/attachments/<attachment_id>", ("GET",), resources.get_attachment, "volume.attachment.get"),
        ("/attachments/<attachment_id>", ("PUT",), resources.update_attachment, "volume.attachment.update"),
        (
            "/attachments/<attachment_id>",
            ("DELETE",),
            resources.delete_attachment,
            "volume.attachment.delete",
        ),
        (
            "/attachments/<attachment_id>/action",
            ("POST",),
            resources.attachment_action,
            "volume.attachment.complete",
        ),
        ("/os-quota-sets/<target>", ("GET",), volumes.get_quota_set, None),
        ("/os-quota-sets/<target>/defaults", ("GET",), volumes.get_quota_defaults, None),
        ("/os-quota-sets/<target>", ("PUT",), volumes.update_quota_set, "volume.quota.update"),
        ("/os-quota-sets/<target>", ("DELETE",), volumes.delete_quota_set, "volume.quota.delete"),
        ("/limits", ("GET",), volumes.limits, None),
        ("/os-availability-zone", ("GET",), volumes.availability_zones, None),
    ]
    routes = [
        Route("/", ("GET",), volumes.versions, public=True),
        Route("/v3", ("GET",), volumes.version, public=True),
    ]
    for rule, methods, handler, operation in table:
        routes.extend(_both_forms(rule, methods, handler, operation))
    return routes
