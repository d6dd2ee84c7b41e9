"""The version document at ``GET /`` (Heat answers 300 Multiple Choices)."""

from __future__ import annotations

from flask import Flask, Response, request

from calor.api.native import state


def version_document() -> Response:
    base = request.host_url.rstrip("/")
    body = {
        "versions": [
            {
                "id": "v1.0",
                "status": "CURRENT",
                "links": [{"rel": "self", "href": f"{base}/v1/"}],
            }
        ]
    }
    return state.json_response(body, 300)


def register(app: Flask) -> None:
    app.add_url_rule("/", endpoint="versions", view_func=version_document)
