"""Software configs and deployments: stored and shown as Heat does; no behaviour yet."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from calor.api.errors import BadRequest
from calor.api.native import state
from calor.api.native.listing import flag, limit_of
from calor.api.native.software_store import CONFIGS, DEPLOYMENTS
from calor.api.request_body import mapping_field, read_json_object, required_string, string_field
from calor.engine import quotas

PREFIX = "/v1/<tenant_id>"
CONFIG_SUMMARY = ("id", "name", "group", "creation_time")


def _body() -> dict[str, Any]:
    return read_json_object(request, state.api().config.max_json_body_size)


def _list_field(body: dict[str, Any], name: str) -> list[Any]:
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest(f"The field {name!r} must be a list.")
    return value


def create_config(tenant_id: str) -> Response:
    caller = state.authorize("software_configs:create")
    body = _body()
    limits = quotas.Quotas(max_software_configs_per_tenant=state.api().config.max_software_configs_per_tenant)
    existing = len(state.api().software.list(CONFIGS, caller.project_id))
    quotas.check_software_config_count(existing, caller, limits)
    values = {
        "name": required_string(body, "name"),
        "group": string_field(body, "group") or "Heat::Ungrouped",
        "config": string_field(body, "config") or "",
        "inputs": _list_field(body, "inputs"),
        "outputs": _list_field(body, "outputs"),
        "options": mapping_field(body, "options") or {},
    }
    record = state.api().software.add(CONFIGS, caller.project_id, values)
    return state.json_response({"software_config": record})


def _project_for_global(rule: str) -> str | None:
    if "tenant_safe" in request.args and not flag(request.args, "tenant_safe"):
        state.authorize(rule)
        return None
    return state.context().project_id


def list_configs(tenant_id: str) -> Response:
    state.authorize("software_configs:index")
    project = _project_for_global("software_configs:global_index")
    records = state.api().software.list(CONFIGS, project)
    records.sort(key=lambda record: (record["creation_time"] or "", record["id"]))
    marker = request.args.get("marker")
    if marker:
        ids = [record["id"] for record in records]
        records = records[ids.index(marker) + 1 :] if marker in ids else []
    limit = limit_of(request.args)
    if limit is not None:
        records = records[:limit]
    listed = [{key: record.get(key) for key in CONFIG_SUMMARY} for record in records]
    return state.json_response({"software_configs": listed})


def show_config(tenant_id: str, config_id: str) -> Response:
    caller = state.authorize("software_configs:show")
    project = None if caller.is_admin else caller.project_id
    return state.json_response({"software_config": state.api().software.get(CONFIGS, config_id, project)})


def delete_config(tenant_id: str, config_id: str) -> Response:
    caller = state.authorize("software_configs:delete")
    state.api().software.delete(CONFIGS, config_id, caller.project_id)
    return state.no_content()


DEPLOYMENT_FIELDS = ("config_id", "server_id", "action", "status", "status_reason", "stack_user_project_id")


def _deployment_values(body: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in DEPLOYMENT_FIELDS:
        if name in body or creating:
            values[name] = string_field(body, name)
    if "input_values" in body or creating:
        values["input_values"] = mapping_field(body, "input_values") or {}
    if "output_values" in body:
        values["output_values"] = mapping_field(body, "output_values") or {}
    return values


def create_deployment(tenant_id: str) -> Response:
    caller = state.authorize("software_deployments:create")
    body = _body()
    required_string(body, "server_id")
    config_id = required_string(body, "config_id")
    software = state.api().software
    software.get(CONFIGS, config_id, caller.project_id)
    values = _deployment_values(body, creating=True)
    values["action"] = values["action"] or "INIT"
    values["status"] = values["status"] or "COMPLETE"
    values["status_reason"] = values["status_reason"] or ""
    values["output_values"] = {}
    record = software.add(DEPLOYMENTS, caller.project_id, values)
    return state.json_response({"software_deployment": record})


def list_deployments(tenant_id: str) -> Response:
    caller = state.authorize("software_deployments:index")
    records = state.api().software.list(
        DEPLOYMENTS, caller.project_id, server_id=request.args.get("server_id")
    )
    return state.json_response({"software_deployments": records})


def show_deployment(tenant_id: str, deployment_id: str) -> Response:
    caller = state.authorize("software_deployments:show")
    record = state.api().software.get(DEPLOYMENTS, deployment_id, caller.project_id)
    return state.json_response({"software_deployment": record})


def update_deployment(tenant_id: str, deployment_id: str) -> Response:
    caller = state.authorize("software_deployments:update")
    values = _deployment_values(_body(), creating=False)
    if values.get("config_id"):
        state.api().software.get(CONFIGS, values["config_id"], caller.project_id)
    record = state.api().software.update(DEPLOYMENTS, deployment_id, caller.project_id, values)
    return state.json_response({"software_deployment": record})


def delete_deployment(tenant_id: str, deployment_id: str) -> Response:
    caller = state.authorize("software_deployments:delete")
    state.api().software.delete(DEPLOYMENTS, deployment_id, caller.project_id)
    return state.no_content()


def deployment_metadata(tenant_id: str, server_id: str) -> Response:
    caller = state.authorize("software_deployments:metadata")
    software = state.api().software
    listed = []
    for deployment in software.list(DEPLOYMENTS, caller.project_id, server_id=server_id):
        config = software.get(CONFIGS, deployment["config_id"], None)
        inputs = [dict(item) for item in config.get("inputs", []) if isinstance(item, dict)]
        for item in inputs:
            if item.get("name") in deployment["input_values"]:
                item["value"] = deployment["input_values"][item["name"]]
        listed.append({**config, "inputs": inputs, "deployment_id": deployment["id"]})
    return state.json_response({"metadata": listed})


def register(app: Flask) -> None:
    configs = PREFIX + "/software_configs"
    deployments = PREFIX + "/software_deployments"
    rules: list[tuple[str, Any, str]] = [
        (configs, list_configs, "GET"),
        (configs, create_config, "POST"),
        (configs + "/<config_id>", show_config, "GET"),
        (configs + "/<config_id>", delete_config, "DELETE"),
        (deployments, list_deployments, "GET"),
        (deployments, create_deployment, "POST"),
        (deployments + "/metadata/<server_id>", deployment_metadata, "GET"),
        (deployments + "/<deployment_id>", show_deployment, "GET"),
        (deployments + "/<deployment_id>", update_deployment, "PUT"),
        (deployments + "/<deployment_id>", delete_deployment, "DELETE"),
    ]
    for rule, view, method in rules:
        app.add_url_rule(rule, endpoint=rule + "|" + method, view_func=view, methods=[method])
