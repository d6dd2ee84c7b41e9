"""Template routes: validate, template versions and the functions of each version."""

from __future__ import annotations

from flask import Flask, Response, request

from calor.api.native import state
from calor.api.native.listing import flag
from calor.api.native.stack_input import environment_of, files_of, template_of
from calor.api.request_body import mapping_field, read_json_object
from calor.errors import NotFound
from calor.template.function import Function
from calor.template.functions.cfn_tables import CFN_VERSIONS
from calor.template.functions.common import is_marker
from calor.template.functions.hot_tables import HOT_VERSIONS
from calor.template.functions.version import TemplateVersion

PREFIX = "/v1/<tenant_id>"


def validate(tenant_id: str) -> Response:
    caller = state.authorize("stacks:validate_template")
    api = state.api()
    body = read_json_object(request, api.config.max_json_body_size)
    template = template_of(body, api.fetcher)
    files = files_of(body)
    environment = environment_of(body, files)
    ignore = [code for value in request.args.getlist("ignore_errors") for code in value.split(",") if code]
    result = api.service.validate_template(
        caller,
        template,
        files=files,
        environment=environment,
        parameters=mapping_field(body, "parameters"),
        show_nested=flag(request.args, "show_nested"),
        ignore_errors=ignore,
    )
    return state.json_response(result)


def _versions() -> dict[str, tuple[TemplateVersion, str]]:
    found: dict[str, tuple[TemplateVersion, str]] = {}
    for version in HOT_VERSIONS.values():
        found[version.name] = (version, "hot")
    for version in CFN_VERSIONS.values():
        found[version.name] = (version, "cfn")
    return found


def list_template_versions(tenant_id: str) -> Response:
    state.authorize("stacks:list_template_versions")
    listed = [
        {
            "version": name,
            "type": kind,
            "aliases": [f"{version.key}.{alias}" for alias in version.aliases],
        }
        for name, (version, kind) in _versions().items()
    ]
    return state.json_response({"template_versions": listed})


def _description(function_class: type[Function]) -> str:
    text = (function_class.__doc__ or "").strip()
    return text.splitlines()[0] if text else ""


def list_template_functions(tenant_id: str, template_version: str) -> Response:
    state.authorize("stacks:list_template_functions")
    versions = _versions()
    entry = versions.get(template_version)
    if entry is None:
        for version, kind in versions.values():
            if template_version in (f"{version.key}.{alias}" for alias in version.aliases):
                entry = (version, kind)
    if entry is None:
        raise NotFound(f"Template with version {template_version} not found")
    version = entry[0]
    table = dict(version.functions)
    if flag(request.args, "with_condition_func"):
        table.update(version.condition_functions)
    listed = [
        {"functions": name, "description": _description(function_class)}
        for name, function_class in sorted(table.items())
        if not is_marker(function_class)
    ]
    return state.json_response({"template_functions": listed})


def register(app: Flask) -> None:
    app.add_url_rule(PREFIX + "/validate", endpoint="validate", view_func=validate, methods=["POST"])
    app.add_url_rule(
        PREFIX + "/template_versions", endpoint="template_versions", view_func=list_template_versions
    )
    app.add_url_rule(
        PREFIX + "/template_versions/<template_version>/functions",
        endpoint="template_functions",
        view_func=list_template_functions,
    )
