"""Neutron's tag API on networks, subnets, ports, routers, floating IPs and security groups:
``/v2.0/<collection>/<id>/tags`` (replace, list, clear) and ``.../tags/<tag>`` (check, add, remove)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from flask import Response

from calor.sandbox.framework.errors import BadRequest, NotFound
from calor.sandbox.framework.http import empty_response, json_response
from calor.sandbox.framework.service import ServiceRequest
from calor.sandbox.network.records import Record
from calor.sandbox.network.responses import scope_of

if TYPE_CHECKING:
    from calor.sandbox.network.models import NetworkBackend, Scope

COLLECTIONS = {
    "networks": ("networks", "Network"),
    "subnets": ("subnets", "Subnet"),
    "ports": ("ports", "Port"),
    "routers": ("routers", "Router"),
    "floatingips": ("floating_ips", "Floating IP"),
    "security-groups": ("security_groups", "Security group"),
}
MAX_TAG_LENGTH = 255


def _checked(tags: Sequence[object]) -> list[str]:
    checked: list[str] = []
    for tag in tags:
        if not isinstance(tag, str) or not tag or len(tag) > MAX_TAG_LENGTH or "," in tag:
            raise BadRequest(f"Invalid input for tags. Reason: '{tag}' is not a valid tag.")
        if tag not in checked:
            checked.append(tag)
    return checked


class TagResponses:
    def __init__(self, backend: NetworkBackend) -> None:
        self.backend = backend

    def _record(self, collection: str, resource_id: str, scope: Scope) -> Record:
        attribute, label = COLLECTIONS[collection]
        records: dict[str, Record] = getattr(self.backend.store, attribute)
        record = records.get(resource_id)
        if record is None or not (scope.is_admin or record.project_id == scope.project_id):
            raise NotFound(f"{label} {resource_id} could not be found.", error_type="NotFound")
        return record

    @staticmethod
    def _scope(request: ServiceRequest) -> Scope:
        return scope_of(request)

    def list_tags(self, request: ServiceRequest, collection: str, resource_id: str) -> Response:
        with self.backend.lock:
            record = self._record(collection, resource_id, self._scope(request))
            return json_response({"tags": list(record.tags)})

    def replace_tags(self, request: ServiceRequest, collection: str, resource_id: str) -> Response:
        tags = request.json().get("tags")
        if not isinstance(tags, list):
            raise BadRequest("Invalid input for tags. Reason: a list of tags is required.")
        with self.backend.changing():
            record = self._record(collection, resource_id, self._scope(request))
            record.tags = _checked(tags)
            record.touch()
            return json_response({"tags": list(record.tags)})

    def clear_tags(self, request: ServiceRequest, collection: str, resource_id: str) -> Response:
        with self.backend.changing():
            record = self._record(collection, resource_id, self._scope(request))
            record.tags = []
            record.touch()
        return empty_response(204)

    def check_tag(self, request: ServiceRequest, collection: str, resource_id: str, tag: str) -> Response:
        with self.backend.lock:
            record = self._record(collection, resource_id, self._scope(request))
            if tag not in record.tags:
                raise NotFound(
                    f"Tag {tag} could not be found for resource {resource_id}.", error_type="TagNotFound"
                )
        return empty_response(204)

    def add_tag(self, request: ServiceRequest, collection: str, resource_id: str, tag: str) -> Response:
        with self.backend.changing():
            record = self._record(collection, resource_id, self._scope(request))
            record.tags = _checked([*record.tags, tag])
            record.touch()
        return empty_response(201)

    def remove_tag(self, request: ServiceRequest, collection: str, resource_id: str, tag: str) -> Response:
        with self.backend.changing():
            record = self._record(collection, resource_id, self._scope(request))
            if tag not in record.tags:
                raise NotFound(
                    f"Tag {tag} could not be found for resource {resource_id}.", error_type="TagNotFound"
                )
            record.tags.remove(tag)
            record.touch()
        return empty_response(204)
