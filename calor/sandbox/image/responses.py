"""HTTP handlers of the emulated Glance v2: versions, images, image data, tags and schemas."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from flask import Response, stream_with_context

from calor.sandbox.framework.errors import BadRequest, SandboxError
from calor.sandbox.framework.http import empty_response, json_response
from calor.sandbox.framework.service import ServiceRequest
from calor.sandbox.framework.store import Document
from calor.sandbox.image.models import CHUNK_SIZE, IMPORT_METHODS, ImageBackend

PATCH_MEDIA_TYPE = "application/openstack-images-v2.1-json-patch"
SUPPORTED_VERSIONS = ("2.16", "2.15", "2.14", "2.13", "2.12", "2.11", "2.10", "2.9", "2.8", "2.7", "2.6")
HIDDEN_FILTERS = ("limit", "marker", "sort", "sort_key", "sort_dir", "member_status", "os_hidden")


def image_view(image: Document) -> dict[str, Any]:
    """Glance's image body: core properties, then custom ones at the top level."""
    body: dict[str, Any] = {
        name: value
        for name, value in image.items()
        if name not in ("properties", "project_id") and not name.startswith("_")
    }
    body.update(image["properties"])
    body["self"] = f"/v2/images/{image['id']}"
    body["file"] = f"/v2/images/{image['id']}/file"
    body["schema"] = "/v2/schemas/image"
    return body


def _versions(base_url: str) -> dict[str, Any]:
    versions = [
        {
            "id": f"v{version}",
            "status": "CURRENT" if index == 0 else "SUPPORTED",
            "links": [{"rel": "self", "href": f"{base_url}/v2/"}],
        }
        for index, version in enumerate(SUPPORTED_VERSIONS)
    ]
    return {"versions": versions}


def _matches(image: Document, name: str, wanted: str) -> bool:
    value = image.get(name, image["properties"].get(name))
    if name == "tag":
        return wanted in image["tags"]
    return str(value).lower() == wanted.lower() if isinstance(value, bool) else str(value) == wanted


class ImageResponses:
    def __init__(self, backend: ImageBackend) -> None:
        self.backend = backend

    def versions(self, request: ServiceRequest) -> Response:
        return json_response(_versions(request.base_url), 300)

    def versions_ok(self, request: ServiceRequest) -> Response:
        return json_response(_versions(request.base_url))

    def list_images(self, request: ServiceRequest) -> Response:
        caller = request.authenticated
        images = self.backend.list_images(caller)
        arguments = request.http.args
        visibility = arguments.get("visibility")
        if visibility is None:
            images = [
                image
                for image in images
                if image["visibility"] != "community" or image["owner"] == caller.project_id
            ]
        if arguments.get("os_hidden", "false").lower() != "true":
            images = [image for image in images if not image["os_hidden"]]
        for name in arguments:
            if name in HIDDEN_FILTERS:
                continue
            for wanted in arguments.getlist(name):
                if wanted.startswith("in:"):
                    choices = wanted[3:].split(",")
                    images = [image for image in images if any(_matches(image, name, one) for one in choices)]
                else:
                    images = [image for image in images if _matches(image, name, wanted)]
        images.sort(key=lambda image: image["created_at"], reverse=True)
        marker = arguments.get("marker")
        if marker:
            ids = [image["id"] for image in images]
            if marker not in ids:
                raise BadRequest(f"Invalid marker. Image {marker} could not be found.")
            images = images[ids.index(marker) + 1 :]
        body: dict[str, Any] = {"first": "/v2/images", "schema": "/v2/schemas/images"}
        limit = arguments.get("limit")
        if limit:
            try:
                count = int(limit)
            except ValueError as error:
                raise BadRequest("limit param must be an integer") from error
            if len(images) > count:
                images = images[:count]
                body["next"] = f"/v2/images?marker={images[-1]['id']}&limit={count}"
        body["images"] = [image_view(image) for image in images]
        return json_response(body)

    def create_image(self, request: ServiceRequest) -> Response:
        image = self.backend.create_image(request.authenticated, request.json())
        headers = {
            "Location": f"{request.base_url}/v2/images/{image['id']}",
            "OpenStack-image-import-methods": ",".join(IMPORT_METHODS),
        }
        return json_response(image_view(image), 201, headers)

    def show_image(self, request: ServiceRequest, image_id: str) -> Response:
        return json_response(image_view(self.backend.get_image(image_id, request.authenticated)))

    def update_image(self, request: ServiceRequest, image_id: str) -> Response:
        if request.http.mimetype != PATCH_MEDIA_TYPE:
            raise SandboxError(f"Unsupported Content-Type; use {PATCH_MEDIA_TYPE}", status=415)
        try:
            changes = json.loads(request.http.get_data(as_text=True) or "null")
        except ValueError as error:
            raise BadRequest("Malformed JSON in request body.") from error
        if not isinstance(changes, list):
            raise BadRequest("Request body must be a JSON array of operation objects.")
        image = self.backend.update_image(image_id, request.authenticated, changes)
        return json_response(image_view(image))

    def delete_image(self, request: ServiceRequest, image_id: str) -> Response:
        self.backend.delete_image(image_id, request.authenticated)
        return empty_response(204)

    def upload_data(self, request: ServiceRequest, image_id: str) -> Response:
        stream = request.http.stream

        def chunks() -> Iterator[bytes]:
            while chunk := stream.read(CHUNK_SIZE):
                yield chunk

        self.backend.upload(image_id, request.authenticated, chunks())
        return empty_response(204)

    def download_data(self, request: ServiceRequest, image_id: str) -> Response:
        image, path = self.backend.download(image_id, request.authenticated)
        if path is None:
            return empty_response(204)

        def chunks() -> Iterator[bytes]:
            with path.open("rb") as stream:
                while chunk := stream.read(CHUNK_SIZE):
                    yield chunk

        response = Response(stream_with_context(chunks()), status=200, mimetype="application/octet-stream")
        response.headers["Content-Length"] = str(image["size"])
        if image["checksum"]:
            response.headers["Content-MD5"] = image["checksum"]
        return response

    def add_tag(self, request: ServiceRequest, image_id: str, tag: str) -> Response:
        self.backend.set_tag(image_id, request.authenticated, tag, present=True)
        return empty_response(204)

    def delete_tag(self, request: ServiceRequest, image_id: str, tag: str) -> Response:
        self.backend.set_tag(image_id, request.authenticated, tag, present=False)
        return empty_response(204)

    def deactivate(self, request: ServiceRequest, image_id: str) -> Response:
        self.backend.set_active(image_id, request.authenticated, active=False)
        return empty_response(204)

    def reactivate(self, request: ServiceRequest, image_id: str) -> Response:
        self.backend.set_active(image_id, request.authenticated, active=True)
        return empty_response(204)

    def image_schema(self, request: ServiceRequest) -> Response:
        properties = {
            name: {"type": ["null", "string"]}
            for name in (
                "name",
                "disk_format",
                "container_format",
                "visibility",
                "status",
                "owner",
                "checksum",
            )
        }
        schema = {"name": "image", "properties": properties, "additionalProperties": {"type": "string"}}
        return json_response(schema)

    def images_schema(self, request: ServiceRequest) -> Response:
        return json_response({"name": "images", "properties": {"images": {"type": "array"}}})

    def import_info(self, request: ServiceRequest) -> Response:
        methods = {"description": "Import methods available.", "type": "array", "value": list(IMPORT_METHODS)}
        return json_response({"import-methods": methods})

    def stage_data(self, request: ServiceRequest, image_id: str) -> Response:
        stream = request.http.stream

        def chunks() -> Iterator[bytes]:
            while chunk := stream.read(CHUNK_SIZE):
                yield chunk

        self.backend.stage(image_id, request.authenticated, chunks())
        return empty_response(204)

    def import_image(self, request: ServiceRequest, image_id: str) -> Response:
        self.backend.import_image(image_id, request.authenticated, request.json().get("method"))
        return empty_response(202)
