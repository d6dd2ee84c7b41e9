"""HTTP handlers of the emulated Nova's servers: CRUD, actions, metadata, interfaces, volumes."""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import Response

from calor.sandbox.compute.attachments import ServerAttachments
from calor.sandbox.compute.models import ComputeBackend
from calor.sandbox.compute.serializers import (
    addresses,
    interface_view,
    server_summary,
    server_view,
    volume_attachment_view,
)
from calor.sandbox.compute.server_actions import ServerActions, console_url
from calor.sandbox.compute.versions import Microversion, microversion_headers, requested_microversion
from calor.sandbox.framework.errors import BadRequest, NotFound
from calor.sandbox.framework.http import empty_response, json_response
from calor.sandbox.framework.service import ServiceRequest
from calor.sandbox.framework.store import Document

ACTION_STATUS = {"os-getConsoleOutput": 200, "os-getVNCConsole": 200, "confirmResize": 204}


class NovaHandlers:
    """Shared by every compute handler class: the backend and response helpers."""

    def __init__(self, backend: ComputeBackend) -> None:
        self.backend = backend

    @staticmethod
    def version(request: ServiceRequest) -> Microversion:
        return requested_microversion(request.http)

    def respond(self, request: ServiceRequest, body: Any, status: int = 200, **headers: str) -> Response:
        all_headers = {**microversion_headers(self.version(request)), **headers}
        if body is None:
            return empty_response(status, all_headers)
        return json_response(body, status, all_headers)


def _filtered(servers: list[Document], request: ServiceRequest) -> list[Document]:
    arguments = request.http.args
    name = arguments.get("name")
    if name:
        try:
            pattern = re.compile(name)
        except re.error as error:
            raise BadRequest(f"Invalid regular expression for name: {name}") from error
        servers = [server for server in servers if pattern.search(server["name"])]
    for argument, key in (("status", "status"), ("image", "image_id"), ("key_name", "key_name")):
        value = arguments.get(argument)
        if value:
            servers = [server for server in servers if str(server.get(key, "")).upper() == value.upper()]
    flavor = arguments.get("flavor")
    if flavor:
        servers = [server for server in servers if server["flavor"]["id"] == flavor]
    servers = sorted(servers, key=lambda server: server["created"], reverse=True)
    marker = arguments.get("marker")
    if marker:
        ids = [server["id"] for server in servers]
        if marker not in ids:
            raise BadRequest(f"marker [{marker}] not found")
        servers = servers[ids.index(marker) + 1 :]
    limit = arguments.get("limit")
    if limit:
        try:
            servers = servers[: int(limit)]
        except ValueError as error:
            raise BadRequest("limit param must be an integer") from error
    return servers


class ServerResponses(NovaHandlers):
    def __init__(self, backend: ComputeBackend) -> None:
        super().__init__(backend)
        self.actions = ServerActions(backend)
        self.attachments = ServerAttachments(backend)

    def _view(self, request: ServiceRequest, server: Document) -> dict[str, Any]:
        return server_view(
            server, request.base_url, self.version(request), is_admin=request.authenticated.is_admin
        )

    def _listed(self, request: ServiceRequest) -> list[Document]:
        everyone = request.argument("all_tenants") not in (None, "0", "false", "False")
        return _filtered(self.backend.list_servers(request.authenticated, all_projects=everyone), request)

    def list_servers(self, request: ServiceRequest) -> Response:
        servers = self._listed(request)
        return self.respond(
            request, {"servers": [server_summary(server, request.base_url) for server in servers]}
        )

    def list_servers_detail(self, request: ServiceRequest) -> Response:
        servers = self._listed(request)
        return self.respond(request, {"servers": [self._view(request, server) for server in servers]})

    def create_server(self, request: ServiceRequest) -> Response:
        self.version(request)
        body = request.json()
        server_body = request.member("server")
        hints = body.get("os:scheduler_hints") or body.get("OS-SCH-HNT:scheduler_hints") or {}
        servers, password = self.backend.create_servers(
            request.authenticated, server_body, hints, error_state=request.error_state
        )
        if server_body.get("return_reservation_id"):
            return self.respond(request, {"reservation_id": f"r-{secrets.token_hex(4)}"}, 202)
        first = servers[0]
        reply = {
            "id": first["id"],
            "links": server_summary(first, request.base_url)["links"],
            "OS-DCF:diskConfig": "MANUAL",
            "security_groups": [{"name": name} for name in first["security_groups"]],
            "adminPass": password,
        }
        location = f"{request.base_url}/v2.1/servers/{first['id']}"
        return self.respond(request, {"server": reply}, 202, Location=location)

    def show_server(self, request: ServiceRequest, server_id: str) -> Response:
        server = self.backend.get_server(server_id, request.authenticated)
        return self.respond(request, {"server": self._view(request, server)})

    def update_server(self, request: ServiceRequest, server_id: str) -> Response:
        server = self.backend.update_server(server_id, request.authenticated, request.member("server"))
        return self.respond(request, {"server": self._view(request, server)})

    def delete_server(self, request: ServiceRequest, server_id: str) -> Response:
        self.backend.delete_server(server_id, request.authenticated, error_state=request.error_state)
        return self.respond(request, None, 204)

    def server_action(self, request: ServiceRequest, server_id: str) -> Response:
        body = request.json()
        name = next(iter(body), "")
        result = self.actions.run(server_id, body, request.authenticated, request.error_state)
        status = ACTION_STATUS.get(name, 202)
        if name == "rebuild":
            server = self.backend.get_server(server_id, request.authenticated)
            view = self._view(request, server)
            view["adminPass"] = (result or {}).get("admin_password")
            return self.respond(request, {"server": view}, 202)
        if name == "createImage" and result is not None:
            location = f"{request.base_url.rsplit('/', 1)[0]}/image/v2/images/{result['image_id']}"
            body_out = result if self.version(request).at_least("2.45") else None
            return self.respond(request, body_out, 202, Location=location)
        return self.respond(request, result, status)

    def remote_console(self, request: ServiceRequest, server_id: str) -> Response:
        console = request.member("remote_console")
        protocol, kind = console.get("protocol"), console.get("type")
        if protocol not in ("vnc", "spice", "rdp", "serial", "mks") or not kind:
            raise BadRequest("Invalid input for field/attribute remote_console.")
        server = self.backend.get_server(server_id, request.authenticated)
        ServerActions.check_state(server, "get_console", ("ACTIVE",))
        url = console_url(server, str(protocol), str(kind))
        return self.respond(request, {"remote_console": {"protocol": protocol, "type": kind, "url": url}})

    def server_addresses(self, request: ServiceRequest, server_id: str) -> Response:
        server = self.backend.get_server(server_id, request.authenticated)
        return self.respond(request, {"addresses": addresses(server)})

    # -- metadata ------------------------------------------------------------------------------

    def list_metadata(self, request: ServiceRequest, server_id: str) -> Response:
        server = self.backend.get_server(server_id, request.authenticated)
        return self.respond(request, {"metadata": server["metadata"]})

    def merge_metadata(self, request: ServiceRequest, server_id: str) -> Response:
        metadata = self.backend.set_metadata(
            server_id, request.authenticated, request.json().get("metadata"), replace=False
        )
        return self.respond(request, {"metadata": metadata})

    def replace_metadata(self, request: ServiceRequest, server_id: str) -> Response:
        metadata = self.backend.set_metadata(
            server_id, request.authenticated, request.json().get("metadata"), replace=True
        )
        return self.respond(request, {"metadata": metadata})

    def show_metadata_item(self, request: ServiceRequest, server_id: str, key: str) -> Response:
        server = self.backend.get_server(server_id, request.authenticated)
        if key not in server["metadata"]:
            raise NotFound("Metadata item was not found")
        return self.respond(request, {"meta": {key: server["metadata"][key]}})

    def set_metadata_item(self, request: ServiceRequest, server_id: str, key: str) -> Response:
        meta = request.member("meta")
        if list(meta) != [key]:
            raise BadRequest("Request body and URI mismatch")
        self.backend.set_metadata(server_id, request.authenticated, meta, replace=False)
        return self.respond(request, {"meta": meta})

    def delete_metadata_item(self, request: ServiceRequest, server_id: str, key: str) -> Response:
        self.backend.delete_metadata_item(server_id, request.authenticated, key)
        return self.respond(request, None, 204)

    # -- interfaces and volume attachments -----------------------------------------------------

    def list_interfaces(self, request: ServiceRequest, server_id: str) -> Response:
        server = self.backend.get_server(server_id, request.authenticated)
        version = self.version(request)
        views = [interface_view(interface, version) for interface in server["interfaces"]]
        return self.respond(request, {"interfaceAttachments": views})

    def attach_interface(self, request: ServiceRequest, server_id: str) -> Response:
        body = request.json().get("interfaceAttachment") or {}
        interface = self.attachments.attach_interface(server_id, request.authenticated, body)
        return self.respond(
            request, {"interfaceAttachment": interface_view(interface, self.version(request))}
        )

    def show_interface(self, request: ServiceRequest, server_id: str, port_id: str) -> Response:
        interface = self.attachments.get_interface(server_id, request.authenticated, port_id)
        return self.respond(
            request, {"interfaceAttachment": interface_view(interface, self.version(request))}
        )

    def detach_interface(self, request: ServiceRequest, server_id: str, port_id: str) -> Response:
        self.attachments.detach_interface(server_id, request.authenticated, port_id)
        return self.respond(request, None, 202)

    def list_volume_attachments(self, request: ServiceRequest, server_id: str) -> Response:
        server = self.backend.get_server(server_id, request.authenticated)
        version = self.version(request)
        views = [volume_attachment_view(server_id, volume, version) for volume in server["volumes"]]
        return self.respond(request, {"volumeAttachments": views})

    def attach_volume(self, request: ServiceRequest, server_id: str) -> Response:
        volume = self.attachments.attach_volume(
            server_id, request.authenticated, request.member("volumeAttachment")
        )
        view = volume_attachment_view(server_id, volume, self.version(request))
        return self.respond(request, {"volumeAttachment": view})

    def show_volume_attachment(self, request: ServiceRequest, server_id: str, volume_id: str) -> Response:
        volume = self.attachments.get_volume(server_id, request.authenticated, volume_id)
        view = volume_attachment_view(server_id, volume, self.version(request))
        return self.respond(request, {"volumeAttachment": view})

    def detach_volume(self, request: ServiceRequest, server_id: str, volume_id: str) -> Response:
        self.attachments.detach_volume(server_id, request.authenticated, volume_id)
        return self.respond(request, None, 202)
