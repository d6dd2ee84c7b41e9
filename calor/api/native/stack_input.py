"""A create/update/validate request body → template, files, environment and parameters.

Heat's body fields: ``template`` (an object, or JSON/YAML text) or ``template_url``;
``files``; ``environment`` (an object or text) merged after the ``environment_files``
(names of entries of ``files``) in order; ``parameters``; ``timeout_mins``;
``disable_rollback``; ``tags`` (a list or comma-separated text).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from calor.api.errors import BadRequest
from calor.api.fetching import Fetcher
from calor.api.request_body import (
    boolean_field,
    integer_field,
    list_of_strings,
    mapping_field,
    string_field,
)
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


def template_of(body: Mapping[str, Any], fetcher: Fetcher) -> Mapping[str, Any] | str:
    """The template of a body (fetched when only ``template_url`` is given).

    Its size, resource count and resource types are checked by the service
    (:mod:`calor.engine.admission`)."""
    template = body.get("template")
    if template is None:
        url = string_field(body, "template_url")
        if not url:
            raise BadRequest("No template specified: give template or template_url.")
        template = fetcher.fetch(url, "template")
    if not isinstance(template, str | dict):
        raise BadRequest("The field 'template' must be an object or template text.")
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


def stack_input(body: Mapping[str, Any], fetcher: Fetcher) -> StackInput:
    template = template_of(body, fetcher)
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
