"""Stack routes: list, create, preview, lookup (302), show, update, delete, abandon, export,
template, environment, files and outputs."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request

from calor.api.errors import BadRequest
from calor.api.native import preview, state
from calor.api.native.listing import flag, stack_list_options
from calor.api.native.stack_input import environment_of, files_of, stack_input, template_of
from calor.api.request_body import (
    boolean_value,
    integer_field,
    list_of_strings,
    mapping_field,
    read_json_object,
)
from calor.db.records import StackRecord
from calor.engine import views
from calor.engine.abandon import parse_adopt_data, user_environment
from calor.errors import StackNotFound

PREFIX = "/v1/<tenant_id>"
STACK = PREFIX + "/stacks/<stack_name>/<stack_id>"
LOOKUP_SECTIONS = (
    "resources",
    "events",
    "template",
    "outputs",
    "environment",
    "files",
    "snapshots",
    "actions",
    "abandon",
    "export",
)


def _stack_links(stack: StackRecord) -> list[dict[str, str]]:
    return [state.link(state.stack_url(stack))]


def _description(stack: StackRecord) -> str:
    raw = _raw_template(stack)
    if raw is None:
        return ""
    return str(raw.template.get("description", raw.template.get("Description", "")) or "")


def _raw_template(stack: StackRecord) -> Any:
    if stack.raw_template_id is None:
        return None
    return state.api().service.repository.get_raw_template(stack.raw_template_id)


def list_stacks(tenant_id: str) -> Response:
    caller = state.authorize("stacks:index")
    options, with_count, global_tenant = stack_list_options(request.args)
    repository = state.api().service.repository
    project: str | None = caller.project_id
    if global_tenant:
        state.authorize("stacks:global_index")
        project = None
    stacks = repository.list_stacks(project, **options)
    listed = []
    for stack in stacks:
        summary = views.stack_summary(stack, _description(stack))
        summary["links"] = _stack_links(stack)
        listed.append(summary)
    body: dict[str, Any] = {"stacks": listed}
    if with_count:
        paging = ("sort_keys", "sort_dir", "limit", "marker")
        counted = {key: value for key, value in options.items() if key not in paging}
        body["count"] = repository.count_stacks(project, **counted)
    return state.json_response(body)


def create_stack(tenant_id: str) -> Response:
    caller = state.authorize("stacks:create")
    api = state.api()
    body = read_json_object(request, api.config.max_json_body_size)
    name = body.get("stack_name")
    if not isinstance(name, str) or not name:
        raise BadRequest("The request body has no 'stack_name' field (a string).")
    adopt_data = None
    if body.get("adopt_stack_data") is not None:
        adopt_data = parse_adopt_data(body["adopt_stack_data"])
        body = {**body, "template": adopt_data["template"]}
        body.pop("template_url", None)
    # Quotas and resource type policy: checked by the service (calor.engine.admission).
    given = stack_input(body, api.fetcher)
    options: dict[str, Any] = {
        "parameters": given.parameters,
        "files": given.files,
        "environment": given.environment,
        "timeout": given.timeout_minutes,
        "disable_rollback": given.disable_rollback,
        "tags": given.tags,
    }
    if adopt_data is not None:
        stack_id = api.service.adopt_stack(caller, name, adopt_data, **options)
    else:
        stack_id = api.service.create_stack(caller, name, given.template, **options)
    stack = api.service.find_stack(caller, stack_id)
    location = state.stack_url(stack)
    return state.json_response(
        {"stack": {"id": stack_id, "links": _stack_links(stack)}}, 201, {"Location": location}
    )


def preview_stack(tenant_id: str) -> Response:
    caller = state.authorize("stacks:preview")
    api = state.api()
    body = read_json_object(request, api.config.max_json_body_size)
    name = body.get("stack_name")
    if not isinstance(name, str) or not name:
        raise BadRequest("The request body has no 'stack_name' field (a string).")
    given = stack_input(body, api.fetcher)
    api.service.admission.check_template(caller, given.template, given.files, given.environment)
    url = f"{state.base_url(tenant_id)}/stacks/{name}/{preview.PREVIEW_ID}"
    shown = preview.preview_stack(caller, name, given, api.registry.get, url)
    return state.json_response({"stack": shown})


def _looks_like_id(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def lookup(tenant_id: str, stack_name: str, path: str = "") -> Response:
    """Heat's lookup: a stack name (or id) → 302 to ``/stacks/{name}/{id}[/path]``."""
    state.authorize("stacks:lookup")
    show_deleted = boolean_value(request.args.get("show_deleted", "false"), "show_deleted")
    service = state.api().service
    stack = None
    if _looks_like_id(stack_name):
        # Heat finds a stack by id even once deleted (clients poll a deletion this way).
        with contextlib.suppress(StackNotFound):
            found = service.find_stack(state.context(), stack_name, show_deleted=True)
            stack = found if found.id == stack_name else None
    if stack is None:
        stack = service.find_stack(state.context(), stack_name, show_deleted=show_deleted)
    location = f"{state.base_url(tenant_id)}/stacks/{stack.name}/{stack.id}"
    if path:
        location += "/" + path
    if request.query_string:
        location += "?" + request.query_string.decode("latin-1")
    return Response(status=302, headers={"Location": location})


def lookup_section(tenant_id: str, stack_name: str, rest: str = "") -> Response:
    section = request.path.rstrip("/").split("/stacks/", 1)[1].split("/")[1]
    return lookup(tenant_id, stack_name, f"{section}/{rest}" if rest else section)


def show_stack(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    caller = state.authorize("stacks:show")
    stack = state.find_stack(stack_name, stack_id)
    body = state.api().service.show_stack(caller, stack.id)
    resolve = request.args.get("resolve_outputs")
    if resolve is not None and not boolean_value(resolve, "resolve_outputs"):
        body.pop("outputs", None)
    body["links"] = _stack_links(stack)
    body["parent"] = stack.parent_id
    return state.json_response({"stack": body})


def update_stack(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    """PUT replaces the template (required); PATCH keeps what the body leaves out."""
    patch = request.method == "PATCH"
    caller = state.authorize("stacks:update_patch" if patch else "stacks:update")
    api = state.api()
    body = read_json_object(request, api.config.max_json_body_size)
    stack = state.find_stack(stack_name, stack_id, show_deleted=False)
    template = None
    if not patch or body.get("template") is not None or body.get("template_url") is not None:
        template = template_of(body, api.fetcher)
    files = files_of(body)
    disable_rollback = body.get("disable_rollback")
    api.service.update_stack(
        caller,
        stack.id,
        template,
        parameters=mapping_field(body, "parameters"),
        files=files,
        environment=environment_of(body, files),
        timeout=integer_field(body, "timeout_mins"),
        disable_rollback=None
        if disable_rollback is None
        else boolean_value(disable_rollback, "disable_rollback"),
        tags=list_of_strings(body, "tags"),
        existing=patch,
        clear_parameters=list_of_strings(body, "clear_parameters") or [],
    )
    return Response(status=202)


def preview_update(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    patch = request.method == "PATCH"
    caller = state.authorize("stacks:preview_update_patch" if patch else "stacks:preview_update")
    api = state.api()
    body = read_json_object(request, api.config.max_json_body_size)
    stack = state.find_stack(stack_name, stack_id, show_deleted=False)
    template = None
    if not patch or body.get("template") is not None or body.get("template_url") is not None:
        template = template_of(body, api.fetcher)
    files = files_of(body)
    changes = api.service.preview_update(
        caller,
        stack.id,
        template,
        parameters=mapping_field(body, "parameters"),
        files=files,
        environment=environment_of(body, files),
        existing=patch,
        clear_parameters=list_of_strings(body, "clear_parameters") or [],
        show_nested=flag(request.args, "show_nested"),
    )
    return state.json_response({"resource_changes": changes})


def delete_stack(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    caller = state.authorize("stacks:delete")
    stack = state.find_stack(stack_name, stack_id, show_deleted=False)
    state.api().service.delete_stack(caller, stack.id)
    return state.no_content()


def abandon_stack(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    caller = state.authorize("stacks:abandon")
    stack = state.find_stack(stack_name, stack_id, show_deleted=False)
    return state.json_response(state.api().service.abandon_stack(caller, stack.id))


def export_stack(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    caller = state.authorize("stacks:export")
    stack = state.find_stack(stack_name, stack_id, show_deleted=False)
    return state.json_response(state.api().service.export_stack(caller, stack.id))


def _stored(stack_name: str, stack_id: str) -> Any:
    raw = _raw_template(state.find_stack(stack_name, stack_id))
    if raw is None:
        raise BadRequest("The stack has no stored template.")
    return raw


def show_template(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    state.authorize("stacks:template")
    return state.json_response(dict(_stored(stack_name, stack_id).template))


def show_environment(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    state.authorize("stacks:environment")
    environment: Mapping[str, Any] = _stored(stack_name, stack_id).environment
    stack = state.find_stack(stack_name, stack_id)
    # Heat's environment holds the parameter values given with the request too.
    return state.json_response(user_environment(environment, stack.parameters))


def show_files(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    state.authorize("stacks:files")
    return state.json_response(dict(_stored(stack_name, stack_id).files))


def list_outputs(tenant_id: str, stack_name: str, stack_id: str) -> Response:
    caller = state.authorize("stacks:list_outputs")
    stack = state.find_stack(stack_name, stack_id)
    return state.json_response({"outputs": state.api().service.list_outputs(caller, stack.id)})


def show_output(tenant_id: str, stack_name: str, stack_id: str, output_key: str) -> Response:
    caller = state.authorize("stacks:show_output")
    stack = state.find_stack(stack_name, stack_id)
    return state.json_response({"output": state.api().service.show_output(caller, stack.id, output_key)})


def register(app: Flask) -> None:
    rules: list[tuple[str, Any, list[str]]] = [
        (PREFIX + "/stacks", list_stacks, ["GET"]),
        (PREFIX + "/stacks", create_stack, ["POST"]),
        (PREFIX + "/stacks/preview", preview_stack, ["POST"]),
        (PREFIX + "/stacks/<stack_name>", lookup, ["GET", "POST", "PUT", "PATCH", "DELETE"]),
        (STACK, show_stack, ["GET"]),
        (STACK, update_stack, ["PUT", "PATCH"]),
        (STACK, delete_stack, ["DELETE"]),
        (STACK + "/preview", preview_update, ["PUT", "PATCH"]),
        (STACK + "/abandon", abandon_stack, ["DELETE"]),
        (STACK + "/export", export_stack, ["GET"]),
        (STACK + "/template", show_template, ["GET"]),
        (STACK + "/environment", show_environment, ["GET"]),
        (STACK + "/files", show_files, ["GET"]),
        (STACK + "/outputs", list_outputs, ["GET"]),
        (STACK + "/outputs/<output_key>", show_output, ["GET"]),
    ]
    for section in LOOKUP_SECTIONS:
        for suffix in ("", "/<path:rest>"):
            rule = f"{PREFIX}/stacks/<stack_name>/{section}{suffix}"
            rules.append((rule, lookup_section, ["GET", "POST", "DELETE"]))
    for rule, view, methods in rules:
        app.add_url_rule(rule, endpoint=rule + "|" + methods[0], view_func=view, methods=methods)
