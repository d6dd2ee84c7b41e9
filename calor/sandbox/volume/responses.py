"""HTTP handlers of the emulated Cinder v3: microversions, parse, call the backend, serialise."""

from __future__ import annotations

from typing import Any

from flask import Response

from calor.sandbox.framework.errors import BadRequest, Forbidden, NotFound, SandboxError
from calor.sandbox.framework.http import empty_response, json_response
from calor.sandbox.framework.service import ServiceRequest
from calor.sandbox.framework.store import Document
from calor.sandbox.volume.attachments import connection_info
from calor.sandbox.volume.common import Scope, invalid_input, public_view
from calor.sandbox.volume.models import VolumeBackend
from calor.sandbox.volume.quotas import DEFAULT_LIMITS

MIN_VERSION = (3, 0)
MAX_VERSION = (3, 71)
SERVICE_TYPE = "volume"
LIST_FILTERS = ("name", "status", "bootable", "availability_zone", "volume_id", "volume_type", "instance_id")


def _text(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def microversion(request: ServiceRequest) -> tuple[int, int]:
    """The requested microversion (``OpenStack-API-Version: volume 3.44``), 3.0 when absent."""
    header = request.http.headers.get("OpenStack-API-Version", "")
    wanted = None
    for part in header.split(","):
        service, _, value = part.strip().partition(" ")
        if service.lower() == SERVICE_TYPE and value.strip():
            wanted = value.strip()
    if wanted is None:
        return MIN_VERSION
    if wanted == "latest":
        return MAX_VERSION
    try:
        major, minor = (int(number) for number in wanted.split("."))
    except ValueError as error:
        raise BadRequest(
            f"API Version String {wanted} is of invalid format. Must be of format MajorNum.MinorNum."
        ) from error
    if not MIN_VERSION <= (major, minor) <= MAX_VERSION:
        raise SandboxError(
            f"Version {wanted} is not supported by the API. Minimum is {_text(MIN_VERSION)} and maximum is "
            f"{_text(MAX_VERSION)}.",
            status=406,
        )
    return major, minor


def reply(request: ServiceRequest, body: Any = None, status: int = 200) -> Response:
    version = f"{SERVICE_TYPE} {_text(microversion(request))}"
    headers = {"OpenStack-API-Version": version, "Vary": "OpenStack-API-Version"}
    if body is None:
        return empty_response(status, headers)
    return json_response(body, status, headers)


def scope_of(request: ServiceRequest, project_id: str | None = None) -> Scope:
    caller = request.authenticated
    if project_id is not None and project_id != caller.project_id and not caller.is_admin:
        raise Forbidden("Policy doesn't allow this operation on another project.")
    return Scope(caller.project_id, caller.user_id, caller.is_admin)


def version_document(base_url: str) -> dict[str, Any]:
    return {
        "id": "v3.0",
        "status": "CURRENT",
        "version": _text(MAX_VERSION),
        "min_version": _text(MIN_VERSION),
        "updated": "2023-08-31T00:00:00Z",
        "links": [
            {"href": f"{base_url}/v3/", "rel": "self"},
            {"href": "https://docs.openstack.org/", "type": "text/html", "rel": "describedby"},
        ],
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}
        ],
    }


def select(request: ServiceRequest, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cinder's equality filters, then ``marker`` and ``limit``."""
    arguments = request.http.args
    for name in LIST_FILTERS:
        if name in arguments:
            wanted = arguments[name]
            documents = [
                d
                for d in documents
                if str(d.get(name, "")).lower() == wanted.lower()
                or (name == "instance_id" and d.get("instance") == wanted)
            ]
    marker = arguments.get("marker")
    if marker:
        ids = [document["id"] for document in documents]
        if marker not in ids:
            raise BadRequest(f"Invalid input received: marker [{marker}] not found")
        documents = documents[ids.index(marker) + 1 :]
    limit = arguments.get("limit")
    if limit:
        try:
            documents = documents[: max(int(limit), 0)]
        except ValueError as error:
            raise invalid_input(f"limit {limit} is not an integer") from error
    return documents


def all_projects(request: ServiceRequest) -> bool:
    value = request.http.args.get("all_tenants") or request.http.args.get("all_projects") or ""
    return value.lower() in ("1", "true", "yes")


class VolumeResponses:
    """Handlers of versions, volumes and their actions; :mod:`.resource_responses` has the rest."""

    def __init__(self, backend: VolumeBackend) -> None:
        self.backend = backend

    # -- discovery -----------------------------------------------------------------------------

    def versions(self, request: ServiceRequest) -> Response:
        return json_response({"versions": [version_document(request.base_url)]}, status=300)

    def version(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        return json_response({"versions": [version_document(request.base_url)]})

    # -- volumes -------------------------------------------------------------------------------

    def volume_view(self, request: ServiceRequest, volume: Document) -> dict[str, Any]:
        view = public_view(volume)
        view.pop("volume_type_id", None)
        if microversion(request) >= (3, 63):
            view["volume_type_id"] = volume.get("volume_type_id")
        view.pop("attach_status", None)
        view["attachments"] = [
            {
                "id": volume["id"],
                "attachment_id": attachment["id"],
                "volume_id": volume["id"],
                "server_id": attachment["instance"],
                "host_name": attachment["host_name"],
                "device": attachment["device"],
                "attached_at": attachment["attached_at"],
            }
            for attachment in self.backend.attachments.of_volume(volume["id"])
            if attachment["attach_status"] == "attached"
        ]
        view["links"] = [{"href": f"{request.base_url}/v3/volumes/{volume['id']}", "rel": "self"}]
        return view

    def list_volumes(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        volumes = self.backend.list(scope_of(request, project_id), all_projects=all_projects(request))
        views = select(request, [self.volume_view(request, volume) for volume in volumes])
        brief = [{"id": view["id"], "name": view["name"], "links": view["links"]} for view in views]
        return reply(request, {"volumes": brief})

    def list_volumes_detail(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        volumes = self.backend.list(scope_of(request, project_id), all_projects=all_projects(request))
        return reply(request, {"volumes": select(request, [self.volume_view(request, v) for v in volumes])})

    def create_volume(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        scope = scope_of(request, project_id)
        values = request.member("volume")
        if "image_id" in values and "imageRef" not in values:
            values["imageRef"] = values["image_id"]
        volume = self.backend.create(
            scope.project_id, values, user_id=scope.user_id, scope=scope, error_state=request.error_state
        )
        return reply(request, {"volume": self.volume_view(request, volume)}, 202)

    def get_volume(self, request: ServiceRequest, volume_id: str, project_id: str | None = None) -> Response:
        volume = self.backend.get(volume_id, scope_of(request, project_id))
        return reply(request, {"volume": self.volume_view(request, volume)})

    def update_volume(
        self, request: ServiceRequest, volume_id: str, project_id: str | None = None
    ) -> Response:
        volume = self.backend.update(volume_id, scope_of(request, project_id), request.member("volume"))
        return reply(request, {"volume": self.volume_view(request, volume)})

    def delete_volume(
        self, request: ServiceRequest, volume_id: str, project_id: str | None = None
    ) -> Response:
        cascade = (request.http.args.get("cascade") or "").lower() in ("1", "true", "yes")
        force = (request.http.args.get("force") or "").lower() in ("1", "true", "yes")
        scope = scope_of(request, project_id)
        if force and not scope.is_admin:
            raise Forbidden("Policy doesn't allow volume:force_delete to be performed.")
        self.backend.delete(volume_id, scope, cascade=cascade, force=force)
        return reply(request, None, 202)

    def get_volume_metadata(
        self, request: ServiceRequest, volume_id: str, project_id: str | None = None
    ) -> Response:
        volume = self.backend.get(volume_id, scope_of(request, project_id))
        return reply(request, {"metadata": volume["metadata"]})

    def set_volume_metadata(
        self, request: ServiceRequest, volume_id: str, project_id: str | None = None
    ) -> Response:
        scope = scope_of(request, project_id)
        metadata = request.json().get("metadata")
        if not isinstance(metadata, dict):
            raise BadRequest("Malformed request body: metadata must be a dictionary.")
        replace = request.http.method == "PUT"
        current = {} if replace else dict(self.backend.get(volume_id, scope)["metadata"])
        current.update(metadata)
        volume = self.backend.update(volume_id, scope, {"metadata": current})
        return reply(request, {"metadata": volume["metadata"]})

    def delete_volume_metadata_key(
        self, request: ServiceRequest, volume_id: str, key: str, project_id: str | None = None
    ) -> Response:
        scope = scope_of(request, project_id)
        current = dict(self.backend.get(volume_id, scope)["metadata"])
        if key not in current:
            raise NotFound(f"Volume {volume_id} has no metadata with key {key}.")
        del current[key]
        self.backend.update(volume_id, scope, {"metadata": current})
        return reply(request, None, 200)

    def volume_action(
        self, request: ServiceRequest, volume_id: str, project_id: str | None = None
    ) -> Response:
        body = request.json()
        if len(body) != 1:
            raise BadRequest("Malformed request body: exactly one action is expected.")
        name, argument = next(iter(body.items()))
        argument = argument if isinstance(argument, dict) else {}
        scope = scope_of(request, project_id)
        backend = self.backend
        if name == "os-extend":
            backend.extend(volume_id, scope, argument.get("new_size"), microversion=microversion(request))
        elif name == "os-attach":
            backend.attachments.attach(
                volume_id,
                server_id=argument.get("instance_uuid"),
                device=argument.get("mountpoint"),
                scope=scope,
                host_name=argument.get("host_name"),
                mode=argument.get("mode", "rw"),
            )
        elif name == "os-detach":
            backend.attachments.detach(volume_id, scope, argument.get("attachment_id"))
        elif name == "os-reserve":
            backend.transition(volume_id, scope, ("available",), "attaching", "reserve")
        elif name == "os-unreserve":
            backend.transition(volume_id, scope, ("attaching",), "available", "unreserve")
        elif name == "os-begin_detaching":
            backend.transition(volume_id, scope, ("in-use",), "detaching", "begin detaching")
        elif name == "os-roll_detaching":
            backend.transition(volume_id, scope, ("detaching",), "in-use", "roll detaching")
        elif name == "os-set_bootable":
            backend.set_bootable(volume_id, scope, argument.get("bootable"))
            return reply(request, None, 200)
        elif name == "os-reset_status":
            if not scope.is_admin:
                raise Forbidden("Policy doesn't allow volume_extension:volume_admin_actions:reset_status.")
            extra = {k: argument[k] for k in ("attach_status", "migration_status") if k in argument}
            backend.set_status(volume_id, scope, str(argument.get("status") or "available"), **extra)
        elif name == "os-force_delete":
            if not scope.is_admin:
                raise Forbidden("Policy doesn't allow volume_extension:volume_admin_actions:force_delete.")
            backend.delete(volume_id, scope, cascade=True, force=True)
        elif name == "os-retype":
            backend.retype(volume_id, scope, argument.get("new_type"))
        elif name == "os-update_readonly_flag":
            backend.set_readonly(volume_id, scope, argument.get("readonly"))
        elif name == "os-set_image_metadata":
            volume = backend.set_image_metadata(volume_id, scope, argument.get("metadata") or {})
            return reply(request, {"metadata": volume["volume_image_metadata"]}, 200)
        elif name == "os-show_image_metadata":
            volume = backend.get(volume_id, scope)
            return reply(request, {"metadata": volume.get("volume_image_metadata") or {}}, 200)
        elif name == "os-initialize_connection":
            backend.get(volume_id, scope)
            return reply(request, {"connection_info": connection_info(volume_id, "rw")}, 200)
        elif name == "os-terminate_connection":
            backend.get(volume_id, scope)
        elif name == "revert":
            backend.revert(volume_id, scope, str(argument.get("snapshot_id")))
        else:
            raise BadRequest(f"There is no such action: {name}")
        return reply(request, None, 202)

    # -- quotas, limits, zones -----------------------------------------------------------------

    def get_quota_set(self, request: ServiceRequest, target: str, project_id: str | None = None) -> Response:
        caller = request.authenticated
        if target != caller.project_id and not caller.is_admin:
            raise Forbidden("Policy doesn't allow volume_extension:quotas:show to be performed.")
        limits = self.backend.quotas.limits(target)
        body: dict[str, Any] = {"id": target}
        if (request.http.args.get("usage") or "").lower() in ("1", "true", "yes"):
            usage = self.backend.usage(target)
            body |= {
                name: {"limit": limit, "in_use": usage.get(name, 0), "reserved": 0, "allocated": 0}
                for name, limit in limits.items()
            }
        else:
            body |= limits
        return reply(request, {"quota_set": body})

    def get_quota_defaults(
        self, request: ServiceRequest, target: str, project_id: str | None = None
    ) -> Response:
        scope_of(request)
        return reply(request, {"quota_set": {"id": target} | self.backend.quotas.defaults()})

    def update_quota_set(
        self, request: ServiceRequest, target: str, project_id: str | None = None
    ) -> Response:
        if not request.authenticated.is_admin:
            raise Forbidden("Policy doesn't allow volume_extension:quotas:update to be performed.")
        changes = {k: v for k, v in request.member("quota_set").items() if k not in ("id", "tenant_id")}
        unknown = [name for name in changes if name not in DEFAULT_LIMITS]
        if unknown:
            raise BadRequest(f"Bad key(s) {', '.join(unknown)} in quota_set")
        return reply(request, {"quota_set": self.backend.quotas.update(target, changes)})

    def delete_quota_set(
        self, request: ServiceRequest, target: str, project_id: str | None = None
    ) -> Response:
        if not request.authenticated.is_admin:
            raise Forbidden("Policy doesn't allow volume_extension:quotas:delete to be performed.")
        self.backend.quotas.reset(target)
        return reply(request, None, 200)

    def limits(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        scope = scope_of(request, project_id)
        limits = self.backend.quotas.limits(scope.project_id)
        usage = self.backend.usage(scope.project_id)
        absolute = {
            "maxTotalVolumes": limits["volumes"],
            "maxTotalSnapshots": limits["snapshots"],
            "maxTotalVolumeGigabytes": limits["gigabytes"],
            "maxTotalBackups": limits["backups"],
            "maxTotalBackupGigabytes": limits["backup_gigabytes"],
            "totalVolumesUsed": usage["volumes"],
            "totalSnapshotsUsed": usage["snapshots"],
            "totalGigabytesUsed": usage["gigabytes"],
            "totalBackupsUsed": usage["backups"],
            "totalBackupGigabytesUsed": usage["backup_gigabytes"],
        }
        return reply(request, {"limits": {"rate": [], "absolute": absolute}})

    def availability_zones(self, request: ServiceRequest, project_id: str | None = None) -> Response:
        zones = [{"zoneName": "nova", "zoneState": {"available": True}}]
        return reply(request, {"availabilityZoneInfo": zones})
