"""build_info and the engine services list (administrators only, as in Heat)."""

from __future__ import annotations

import datetime
from importlib import metadata

from flask import Flask, Response

from calor.api.native import state
from calor.engine import views

PREFIX = "/v1/<tenant_id>"
# An engine whose heartbeat is older than this is shown "down".
DOWN_AFTER_SECONDS = 60.0


def _revision() -> str:
    try:
        return metadata.version("calor")
    except metadata.PackageNotFoundError:
        return "unknown"


def build_info(tenant_id: str) -> Response:
    state.authorize("build_info:build_info")
    return state.json_response({"api": {"revision": _revision()}, "engine": {"revision": _revision()}})


def list_services(tenant_id: str) -> Response:
    state.authorize("service:index")
    now = datetime.datetime.now(datetime.UTC)
    listed = [
        {
            "id": service.engine_id,
            "engine_id": service.engine_id,
            "host": service.hostname,
            "hostname": service.hostname,
            "binary": service.binary,
            "topic": service.topic,
            "report_interval": None,
            "status": "up" if service.is_up(now, DOWN_AFTER_SECONDS) else "down",
            "created_at": views.heat_time(service.started_at),
            "updated_at": views.heat_time(service.heartbeat_at),
            "deleted_at": views.heat_time(service.stopped_at),
        }
        for service in state.api().service.repository.list_services()
    ]
    return state.json_response({"services": listed})


def register(app: Flask) -> None:
    app.add_url_rule(PREFIX + "/build_info", endpoint="build_info", view_func=build_info)
    app.add_url_rule(PREFIX + "/services", endpoint="services", view_func=list_services)
