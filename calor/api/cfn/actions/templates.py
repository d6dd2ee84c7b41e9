"""ValidateTemplate and GetTemplateSummary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calor.api.cfn.actions.stacks import find_stack, template_of
from calor.api.cfn.call import Call
from calor.api.cfn.errors import ValidationError
from calor.template import parse_template

VERSION_KEYS = ("AWSTemplateFormatVersion", "HeatTemplateFormatVersion", "heat_template_version")


def _template_text(call: Call) -> str | Mapping[str, Any]:
    name = call.get("StackName")
    if name is not None:
        if call.get("TemplateBody") is not None or call.get("TemplateURL") is not None:
            raise ValidationError("Specify exactly one of StackName, TemplateBody and TemplateURL.")
        stack = find_stack(call, name)
        repository = call.state.service.repository
        raw = repository.get_raw_template(stack.raw_template_id) if stack.raw_template_id else None
        if raw is None:
            raise ValidationError(f"Stack with id {name} has no template")
        return dict(raw.template)
    text = template_of(call)
    assert text is not None
    return text


def _parameter_members(described: Mapping[str, Any], *, with_type: bool) -> list[dict[str, Any]]:
    members = []
    for key, schema in described.items():
        member: dict[str, Any] = {
            "ParameterKey": key,
            "DefaultValue": None if schema.get("Default") is None else str(schema.get("Default")),
            "NoEcho": str(schema.get("NoEcho", "false")).lower() == "true",
            "Description": schema.get("Description") or None,
        }
        if with_type:
            member["ParameterType"] = schema.get("Type")
            allowed = schema.get("AllowedValues")
            if allowed:
                member["ParameterConstraints"] = {"AllowedValues": [str(value) for value in allowed]}
        members.append(member)
    return members


def validate_template(call: Call) -> dict[str, Any]:
    described = call.state.service.validate_template(call.context, _template_text(call))
    return {
        "Description": described.get("Description") or None,
        "Parameters": _parameter_members(described.get("Parameters") or {}, with_type=False),
        "Capabilities": [],
        "DeclaredTransforms": [],
    }


def get_template_summary(call: Call) -> dict[str, Any]:
    template = _template_text(call)
    described = call.state.service.validate_template(call.context, template)
    parsed = parse_template(template)
    data = parsed.data
    resources = data.get("resources", data.get("Resources")) or {}
    types = sorted(
        {str(body.get("type", body.get("Type"))) for body in resources.values() if isinstance(body, Mapping)}
    )
    version = next((str(data[key]) for key in VERSION_KEYS if key in data), None)
    return {
        "Parameters": _parameter_members(described.get("Parameters") or {}, with_type=True),
        "Description": described.get("Description") or None,
        "Capabilities": [],
        "ResourceTypes": types,
        "Version": version,
        "DeclaredTransforms": [],
    }
