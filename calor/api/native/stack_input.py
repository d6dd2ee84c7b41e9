"""A create/update/validate request body → template, files, environment and parameters.

Heat's body fields: ``template`` (an object, or JSON/YAML text) or ``template_url``;
``files``; ``environment`` (an object or text) merged after the ``environment_files``
(names of entries of ``files``) in order; ``parameters``; ``timeout_mins``;
``disable_rollback``; ``tags`` (a list or comma-separated text).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from calor.api.errors import BadRequest, LimitExceeded
from calor.api.fetching import Fetcher
from calor.api.request_body import (
    boolean_field,
    integer_field,
    list_of_strings,
    mapping_field,
    string_field,
)
from calor.errors import TemplateTooLarge
from calor.template.environment import Environment, merge_environments


@dataclass(frozen=True)
class StackInput:
    template: Mapping[str, Any] | str
    files: dict[str, Any] = field(default_factory=dict)
    environment: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    timeout_minutes: int | None = None
    disable_rollback: bool = True
    tags: list[str] = field(default_factory=list)


def template_of(body: Mapping[str, Any], fetcher: Fetcher, max_size: int) -> Mapping[str, Any] | str:
    """The template of a body (fetched when only ``template_url`` is given)."""
    template = body.get("template")
    if template is None:
        url = string_field(body, "template_url")
        if not url:
            raise BadRequest("No template specified: give template or template_url.")
        template = fetcher.fetch(url, "template")
    if isinstance(template, str):
        size = len(template.encode("utf-8"))
    elif isinstance(template, dict):
        size = len(json.dumps(template))
    else:
        raise BadRequest("The field 'template' must be an object or template text.")
    if size > max_size:
        raise TemplateTooLarge(
            f"Template size ({size} bytes) exceeds maximum allowed size ({max_size} bytes)."
        )
    return template


def files_of(body: Mapping[str, Any]) -> dict[str, Any]:
    files = mapping_field(body, "files") or {}
    for name, value in files.items():
        if not isinstance(value, str | dict | list):
            raise BadRequest(f"The file {name!r} in 'files' must be text.")
    return dict(files)


def environment_of(body: Mapping[str, Any], files: Mapping[str, Any]) -> dict[str, Any]:
    """The environment files in order, then the ``environment`` field, merged."""
    layers: list[Environment] = []
    for name in list_of_strings(body, "environment_files") or []:
        if name not in files:
            raise BadRequest(f"The environment file {name!r} is not in 'files'.")
        content = files[name]
        if isinstance(content, dict):
            layers.append(Environment.from_mapping(content, name))
        else:
            layers.append(Environment.parse(str(content), source=name))
    raw = body.get("environment")
    if isinstance(raw, str):
        layers.append(Environment.parse(raw, source="environment"))
    elif isinstance(raw, dict):
        if not layers:
            return dict(raw)
        layers.append(Environment.from_mapping(raw, ""))
    elif raw is not None:
        raise BadRequest("The field 'environment' must be an object or environment text.")
    if not layers:
        return {}
    return merge_environments(layers).to_mapping()


def count_resources(template: Mapping[str, Any] | str) -> int:
    """How many resources the template declares (0 when its text cannot be read here)."""
    data: Any = template
    if isinstance(template, str):
        from calor.template import loader

        try:
            data = loader.load(template).data
        except Exception:  # the service reports template errors with their location
            return 0
    if not isinstance(data, Mapping):
        return 0
    section = data.get("resources", data.get("Resources"))
    return len(section) if isinstance(section, Mapping) else 0


def stack_input(
    body: Mapping[str, Any], fetcher: Fetcher, *, max_template_size: int, max_resources: int
) -> StackInput:
    template = template_of(body, fetcher, max_template_size)
    if max_resources >= 0 and count_resources(template) > max_resources:
        raise LimitExceeded(
            f"You have reached the maximum resources per stack, {max_resources}. "
            "Please delete some resources."
        )
    files = files_of(body)
    parameters = mapping_field(body, "parameters") or {}
    return StackInput(
        template=template,
        files=files,
        environment=environment_of(body, files),
        parameters=dict(parameters),
        timeout_minutes=integer_field(body, "timeout_mins"),
        disable_rollback=boolean_field(body, "disable_rollback", True),
        tags=list_of_strings(body, "tags") or [],
    )
