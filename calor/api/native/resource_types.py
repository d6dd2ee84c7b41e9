"""Resource type routes: the list (with filters), one type's schema, and a template for it."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request

from calor.api import policy as api_policy
from calor.api.errors import BadRequest
from calor.api.native import state
from calor.api.native.listing import flag
from calor.errors import ResourceTypeNotFound
from calor.plugins.base import ResourcePlugin

PREFIX = "/v1/<tenant_id>"

# Property types → the parameter types a generated template declares.
PARAMETER_TYPES = {
    "string": "string",
    "integer": "number",
    "number": "number",
    "boolean": "boolean",
    "map": "json",
    "json": "json",
    "list": "comma_delimited_list",
    "any": "json",
}


def _plugin(type_name: str) -> type[ResourcePlugin]:
    plugins = state.api().registry.plugins()
    plugin = plugins.get(type_name)
    if plugin is None:
        raise ResourceTypeNotFound(f"The Resource Type ({type_name}) could not be found.")
    return plugin


def list_resource_types(tenant_id: str) -> Response:
    caller = state.authorize("stacks:list_resource_types")
    registry = state.api().registry
    names = registry.types(
        name_filter=request.args.get("name"),
        support_status=request.args.get("support_status"),
        version=request.args.get("version"),
    )
    # As Heat, the types policy refuses the caller, and those whose service the cloud's
    # catalog lacks, are not listed.
    enforcer = state.api().enforcer
    plugins = registry.plugins()
    clouds = state.api().service.clouds
    names = [
        name
        for name in names
        if api_policy.resource_type_allowed(enforcer, caller, name) and clouds.available(plugins[name])
    ]
    if flag(request.args, "with_description"):
        listed: list[Any] = [
            {"resource_type": name, "description": plugins[name].resource_schema()["description"]}
            for name in names
        ]
    else:
        listed = names
    return state.json_response({"resource_types": listed})


def show_resource_type(tenant_id: str, type_name: str) -> Response:
    state.authorize("stacks:resource_schema")
    return state.json_response(_plugin(type_name).resource_schema())


def generate_template(tenant_id: str, type_name: str) -> Response:
    state.authorize("stacks:generate_template")
    schema = _plugin(type_name).resource_schema()
    template_type = request.args.get("template_type", "cfn").lower()
    if template_type not in ("hot", "cfn"):
        raise BadRequest(f"Template type {template_type} is not supported; use hot or cfn.")
    hot = template_type == "hot"
    resource_name = type_name.split("::")[-1]
    parameters: dict[str, Any] = {}
    properties: dict[str, Any] = {}
    for name, property_schema in schema["properties"].items():
        parameter: dict[str, Any] = {
            ("type" if hot else "Type"): PARAMETER_TYPES.get(str(property_schema.get("type")), "string")
        }
        if property_schema.get("description"):
            parameter["description" if hot else "Description"] = property_schema["description"]
        if "default" in property_schema and property_schema["default"] is not None:
            parameter["default" if hot else "Default"] = property_schema["default"]
        parameters[name] = parameter
        properties[name] = {"get_param": name} if hot else {"Ref": name}
    outputs: dict[str, Any] = {}
    for name, attribute in schema["attributes"].items():
        description = attribute.get("description", "")
        if hot:
            outputs[name] = {"description": description, "value": {"get_attr": [resource_name, name]}}
        else:
            outputs[name] = {"Description": description, "Value": {"Fn::GetAtt": [resource_name, name]}}
    description = f"Initial template of {resource_name}"
    if hot:
        template: dict[str, Any] = {
            "heat_template_version": "2016-10-14",
            "description": description,
            "parameters": parameters,
            "resources": {resource_name: {"type": type_name, "properties": properties}},
            "outputs": outputs,
        }
    else:
        template = {
            "HeatTemplateFormatVersion": "2012-12-12",
            "Description": description,
            "Parameters": parameters,
            "Resources": {resource_name: {"Type": type_name, "Properties": properties}},
            "Outputs": outputs,
        }
    return state.json_response(template)


def register(app: Flask) -> None:
    app.add_url_rule(PREFIX + "/resource_types", endpoint="resource_types", view_func=list_resource_types)
    app.add_url_rule(
        PREFIX + "/resource_types/<type_name>", endpoint="resource_type", view_func=show_resource_type
    )
    app.add_url_rule(
        PREFIX + "/resource_types/<type_name>/template",
        endpoint="resource_type_template",
        view_func=generate_template,
    )
