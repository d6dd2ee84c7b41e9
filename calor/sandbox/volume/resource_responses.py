"""HTTP handlers of Cinder's snapshots, backups, volume types and attachments."""

from __future__ import annotations

from typing import Any

from flask import Response

from calor.sandbox.framework.errors import BadRequest, Forbidden, NotFound
from calor.sandbox.framework.service import ServiceRequest
from calor.sandbox.framework.store import Document
from calor.sandbox.volume.common import public_view
from calor.sandbox.volume.models import VolumeBackend
from calor.sandbox.volume.responses import all_projects, microversion, reply, scope_of, select


def _brief(view: dict[str, Any]) -> dict[str, Any]:
    return {"id": view["id"], "name": view.get("name"), "links": view.get("links", [])}


class ResourceResponses:
    def __init__(self, backend: VolumeBackend) -> None:
        self.backend = backend

    # -- snapshots -----------------------------------------------------------------------------

    def _snapshot_view(self, request: ServiceRequest, snapshot: Document) -> dict[str, Any]:
        view = public_view(snapshot)
        view["links"] = [{"href": f"{request.base_url}/v3/snapshots/{snapshot['id']}", "rel": "self"}]
        return view

    def _snapshots(self, request: ServiceRequest, project_id: str | None) -> list[dict[str, Any]]:
        snapshots = self.backend.snapshots.list(
            scope_of(request, project_id), all_projects=all_projects(request)
        )
        return select(request, [self._snapshot_view(request, snapshot) for snapshot in snapshots])

    def list_snapshots(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        return reply(request, {"snapshots": [_brief(view) for view in self._snapshots(request, project_id)]})

    def list_snapshots_detail(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        return reply(request, {"snapshots": self._snapshots(request, project_id)})

    def create_snapshot(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        snapshot = self.backend.snapshots.create(
            scope_of(request, project_id), request.member("snapshot"), error_state=request.error_state
        )
        return reply(request, {"snapshot": self._snapshot_view(request, snapshot)}, 202)

    def get_snapshot(
        self, request: ServiceRequest, snapshot_id: str, project_id: str | None = None
    ) -> Response:
        snapshot = self.backend.snapshots.get(snapshot_id, scope_of(request, project_id))
        return reply(request, {"snapshot": self._snapshot_view(request, snapshot)})

    def update_snapshot(
        self, request: ServiceRequest, snapshot_id: str, project_id: str | None = None
    ) -> Response:
        snapshot = self.backend.snapshots.update(
            snapshot_id, scope_of(request, project_id), request.member("snapshot")
        )
        return reply(request, {"snapshot": self._snapshot_view(request, snapshot)})

    def delete_snapshot(
        self, request: ServiceRequest, snapshot_id: str, project_id: str | None = None
    ) -> Response:
        self.backend.snapshots.delete(snapshot_id, scope_of(request, project_id))
        return reply(request, None, 202)

    def snapshot_action(
        self, request: ServiceRequest, snapshot_id: str, project_id: str | None = None
    ) -> Response:
        scope = scope_of(request, project_id)
        body = request.json()
        if "os-force_delete" in body:
            if not scope.is_admin:
                raise Forbidden("Policy doesn't allow volume_extension:snapshot_admin_actions:force_delete.")
            self.backend.snapshots.delete(snapshot_id, scope, force=True)
        elif "os-reset_status" in body:
            if not scope.is_admin:
                raise Forbidden("Policy doesn't allow volume_extension:snapshot_admin_actions:reset_status.")
            snapshot = self.backend.snapshots.get(snapshot_id, scope)
            snapshot["status"] = str((body["os-reset_status"] or {}).get("status") or "available")
            snapshot.pop("_pending", None)
            self.backend.snapshots.collection.put(snapshot)
        else:
            raise BadRequest(f"There is no such action: {', '.join(body)}")
        return reply(request, None, 202)

    # -- backups -------------------------------------------------------------------------------

    def _backup_view(self, request: ServiceRequest, backup: Document) -> dict[str, Any]:
        view = public_view(backup)
        view["links"] = [{"href": f"{request.base_url}/v3/backups/{backup['id']}", "rel": "self"}]
        return view

    def _backups(self, request: ServiceRequest, project_id: str | None) -> list[dict[str, Any]]:
        backups = self.backend.backups.list(scope_of(request, project_id), all_projects=all_projects(request))
        return select(request, [self._backup_view(request, backup) for backup in backups])

    def list_backups(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        return reply(request, {"backups": [_brief(view) for view in self._backups(request, project_id)]})

    def list_backups_detail(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        return reply(request, {"backups": self._backups(request, project_id)})

    def create_backup(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        backup = self.backend.backups.create(
            scope_of(request, project_id), request.member("backup"), error_state=request.error_state
        )
        return reply(
            request,
            {
                "backup": {
                    "id": backup["id"],
                    "name": backup["name"],
                    "links": self._backup_view(request, backup)["links"],
                }
            },
            202,
        )

    def get_backup(self, request: ServiceRequest, backup_id: str, project_id: str | None = None) -> Response:
        backup = self.backend.backups.get(backup_id, scope_of(request, project_id))
        return reply(request, {"backup": self._backup_view(request, backup)})

    def delete_backup(
        self, request: ServiceRequest, backup_id: str, project_id: str | None = None
    ) -> Response:
        self.backend.backups.delete(backup_id, scope_of(request, project_id))
        return reply(request, None, 202)

    def restore_backup(
        self, request: ServiceRequest, backup_id: str, project_id: str | None = None
    ) -> Response:
        restore = request.json().get("restore") or {}
        if not isinstance(restore, dict):
            raise BadRequest("Malformed request body: restore must be an object.")
        result = self.backend.backups.restore(backup_id, scope_of(request, project_id), restore)
        return reply(request, {"restore": result}, 202)

    def backup_action(
        self, request: ServiceRequest, backup_id: str, project_id: str | None = None
    ) -> Response:
        scope = scope_of(request, project_id)
        body = request.json()
        if not scope.is_admin:
            raise Forbidden("Policy doesn't allow backup admin actions to be performed.")
        if "os-force_delete" in body:
            self.backend.backups.delete(backup_id, scope, force=True)
        elif "os-reset_status" in body:
            backup = self.backend.backups.get(backup_id, scope)
            backup["status"] = str((body["os-reset_status"] or {}).get("status") or "available")
            backup.pop("_pending", None)
            self.backend.backups.collection.put(backup)
        else:
            raise BadRequest(f"There is no such action: {', '.join(body)}")
        return reply(request, None, 202)

    # -- volume types --------------------------------------------------------------------------

    def list_types(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        scope = scope_of(request, project_id)
        return reply(request, {"volume_types": select(request, self.backend.types.list(scope))})

    def get_type(self, request: ServiceRequest, type_id: str, project_id: str | None = None) -> Response:
        scope = scope_of(request, project_id)
        return reply(request, {"volume_type": self.backend.types.get(type_id, scope)})

    def get_default_type(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        scope_of(request, project_id)
        return reply(request, {"volume_type": self.backend.types.default()})

    def create_type(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        volume_type = self.backend.types.create(scope_of(request, project_id), request.member("volume_type"))
        return reply(request, {"volume_type": volume_type})

    def update_type(self, request: ServiceRequest, type_id: str, project_id: str | None = None) -> Response:
        volume_type = self.backend.types.update(
            type_id, scope_of(request, project_id), request.member("volume_type")
        )
        return reply(request, {"volume_type": volume_type})

    def delete_type(self, request: ServiceRequest, type_id: str, project_id: str | None = None) -> Response:
        self.backend.types.delete(type_id, scope_of(request, project_id))
        return reply(request, None, 202)

    def type_action(self, request: ServiceRequest, type_id: str, project_id: str | None = None) -> Response:
        scope = scope_of(request, project_id)
        body = request.json()
        for action, granted in (("addProjectAccess", True), ("removeProjectAccess", False)):
            if action in body:
                target = (body[action] or {}).get("project")
                if not target:
                    raise BadRequest(f"Invalid input received: {action} needs a project.")
                self.backend.types.set_access(type_id, scope, str(target), granted=granted)
                return reply(request, None, 202)
        raise BadRequest(f"There is no such action: {', '.join(body)}")

    def list_type_access(
        self, request: ServiceRequest, type_id: str, project_id: str | None = None
    ) -> Response:
        projects = self.backend.types.access(type_id, scope_of(request, project_id))
        access = [{"volume_type_id": type_id, "project_id": project} for project in projects]
        return reply(request, {"volume_type_access": access})

    def get_extra_specs(
        self, request: ServiceRequest, type_id: str, project_id: str | None = None
    ) -> Response:
        scope_of(request, project_id)
        return reply(request, {"extra_specs": self.backend.types.get(type_id)["extra_specs"]})

    def set_extra_specs(
        self, request: ServiceRequest, type_id: str, project_id: str | None = None
    ) -> Response:
        specs = request.member("extra_specs")
        self.backend.types.set_extra_specs(type_id, scope_of(request, project_id), specs)
        return reply(request, {"extra_specs": specs})

    def delete_extra_spec(
        self, request: ServiceRequest, type_id: str, key: str, project_id: str | None = None
    ) -> Response:
        self.backend.types.delete_extra_spec(type_id, scope_of(request, project_id), key)
        return reply(request, None, 202)

    # -- attachments (3.27+) -------------------------------------------------------------------

    def _require_attachments(self, request: ServiceRequest) -> None:
        if microversion(request) < (3, 27):
            raise NotFound("The attachments API needs microversion 3.27 or later.")

    @staticmethod
    def _attachment_view(attachment: Document) -> dict[str, Any]:
        view = public_view(attachment)
        return {
            "id": view["id"],
            "status": view["attach_status"],
            "instance": view["instance"],
            "volume_id": view["volume_id"],
            "attached_at": view["attached_at"],
            "detached_at": view["detached_at"],
            "attach_mode": view["attach_mode"],
            "connection_info": view["connection_info"],
        }

    def list_attachments(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        self._require_attachments(request)
        attachments = self.backend.attachments.list(
            scope_of(request, project_id), all_projects=all_projects(request)
        )
        views = select(request, [self._attachment_view(a) | {"instance": a["instance"]} for a in attachments])
        brief = [
            {"id": v["id"], "status": v["status"], "instance": v["instance"], "volume_id": v["volume_id"]}
            for v in views
        ]
        return reply(request, {"attachments": brief})

    def list_attachments_detail(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        self._require_attachments(request)
        attachments = self.backend.attachments.list(
            scope_of(request, project_id), all_projects=all_projects(request)
        )
        return reply(
            request, {"attachments": select(request, [self._attachment_view(a) for a in attachments])}
        )

    def create_attachment(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        self._require_attachments(request)
        values = request.member("attachment")
        volume_id = values.get("volume_uuid") or values.get("volume_id")
        if not volume_id:
            raise BadRequest("Invalid input received: 'volume_uuid' is a required property")
        attachment = self.backend.attachments.create(
            str(volume_id),
            scope_of(request, project_id),
            instance_id=values.get("instance_uuid"),
            connector=values.get("connector"),
            mode=str(values.get("mode") or "rw"),
        )
        return reply(request, {"attachment": self._attachment_view(attachment)})

    def get_attachment(
        self, request: ServiceRequest, attachment_id: str, project_id: str | None = None
    ) -> Response:
        self._require_attachments(request)
        attachment = self.backend.attachments.get(attachment_id, scope_of(request, project_id))
        return reply(request, {"attachment": self._attachment_view(attachment)})

    def update_attachment(
        self, request: ServiceRequest, attachment_id: str, project_id: str | None = None
    ) -> Response:
        self._require_attachments(request)
        connector = request.member("attachment").get("connector")
        if not isinstance(connector, dict):
            raise BadRequest("Invalid input received: 'connector' is a required property")
        attachment = self.backend.attachments.update(attachment_id, scope_of(request, project_id), connector)
        return reply(request, {"attachment": self._attachment_view(attachment)})

    def delete_attachment(
        self, request: ServiceRequest, attachment_id: str, project_id: str | None = None
    ) -> Response:
        self._require_attachments(request)
        scope = scope_of(request, project_id)
        attachment = self.backend.attachments.get(attachment_id, scope)
        self.backend.attachments.remove(attachment_id, scope)
        remaining = [
            self._attachment_view(a) for a in self.backend.attachments.of_volume(attachment["volume_id"])
        ]
        return reply(request, {"attachments": remaining})

    def attachment_action(
        self, request: ServiceRequest, attachment_id: str, project_id: str | None = None
    ) -> Response:
        self._require_attachments(request)
        body = request.json()
        if "os-complete" not in body:
            raise BadRequest(f"There is no such action: {', '.join(body)}")
        self.backend.attachments.complete(attachment_id, scope_of(request, project_id))
        return reply(request, None, 204)
