"""Server tags (``/servers/{id}/tags``, microversion 2.26 and later)."""

from __future__ import annotations

from flask import Response

from calor.sandbox.compute.responses import NovaHandlers
from calor.sandbox.framework.errors import BadRequest, NotFound
from calor.sandbox.framework.service import ServiceRequest
from calor.sandbox.framework.store import Document

MAXIMUM_TAGS = 50


def _checked(tag: object) -> str:
    if not isinstance(tag, str) or not tag or len(tag) > 60 or "," in tag or "/" in tag:
        raise BadRequest(f"Invalid input for field/attribute tags. Value: {tag}.")
    return tag


class TagResponses(NovaHandlers):
    def _server(self, request: ServiceRequest, server_id: str) -> Document:
        if not self.version(request).at_least("2.26"):
            raise NotFound("The resource could not be found.")
        return self.backend.get_server(server_id, request.authenticated)

    def _save(self, server: Document, tags: list[str]) -> None:
        if len(tags) > MAXIMUM_TAGS:
            raise BadRequest(f"The number of tags exceeded the per-server limit {MAXIMUM_TAGS}")
        server["tags"] = tags
        self.backend.servers.put(server)

    def list_tags(self, request: ServiceRequest, server_id: str) -> Response:
        return self.respond(request, {"tags": list(self._server(request, server_id)["tags"])})

    def replace_tags(self, request: ServiceRequest, server_id: str) -> Response:
        tags = request.json().get("tags")
        if not isinstance(tags, list):
            raise BadRequest("Invalid input for field/attribute tags.")
        unique = list(dict.fromkeys(_checked(tag) for tag in tags))
        with self.backend.context.store.lock:
            self._save(self._server(request, server_id), unique)
        return self.respond(request, {"tags": unique})

    def delete_tags(self, request: ServiceRequest, server_id: str) -> Response:
        with self.backend.context.store.lock:
            self._save(self._server(request, server_id), [])
        return self.respond(request, None, 204)

    def check_tag(self, request: ServiceRequest, server_id: str, tag: str) -> Response:
        if tag not in self._server(request, server_id)["tags"]:
            raise NotFound(f"Tag '{tag}' could not be found for instance {server_id}.")
        return self.respond(request, None, 204)

    def add_tag(self, request: ServiceRequest, server_id: str, tag: str) -> Response:
        with self.backend.context.store.lock:
            server = self._server(request, server_id)
            if tag in server["tags"]:
                return self.respond(request, None, 204)
            self._save(server, [*server["tags"], _checked(tag)])
        location = f"{request.base_url}/v2.1/servers/{server_id}/tags/{tag}"
        return self.respond(request, None, 201, Location=location)

    def delete_tag(self, request: ServiceRequest, server_id: str, tag: str) -> Response:
        with self.backend.context.store.lock:
            server = self._server(request, server_id)
            if tag not in server["tags"]:
                raise NotFound(f"Tag '{tag}' could not be found for instance {server_id}.")
            self._save(server, [item for item in server["tags"] if item != tag])
        return self.respond(request, None, 204)
