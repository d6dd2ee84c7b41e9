"""Stubs for the intrinsic-function tests: resources as functions see them, and a context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from calor.template.context import ParentResource, StackContext
from calor.template.functions import resolve
from calor.template.functions.version import TemplateVersion


@dataclass
class FakeResource:
    name: str
    type_name: str = "OS::Test::Resource"
    physical_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    declared: frozenset[str] = frozenset()

    def reference_id(self) -> str | None:
        return self.physical_id or self.name

    def has_attribute(self, name: str) -> bool:
        return name in self.declared or name in self.attributes

    def attribute(self, name: str, path: Sequence[str | int] = ()) -> Any:
        value = self.attributes.get(name)
        for key in path:
            if value is None:
                return None
            value = value.get(key) if isinstance(value, Mapping) else value[int(key)]
        return value

    def all_attributes(self) -> Mapping[str, Any]:
        return dict(self.attributes)


class FakeLookup:
    def __init__(self, *resources: FakeResource) -> None:
        self.resources = {resource.name: resource for resource in resources}

    def get(self, name: str) -> FakeResource | None:
        return self.resources.get(name)

    def names(self) -> Sequence[str]:
        return tuple(self.resources)


def make_context(
    parameters: Mapping[str, Any] | None = None,
    resources: Sequence[FakeResource] = (),
    conditions: Mapping[str, bool] | None = None,
    files: Mapping[str, str] | None = None,
    parent: ParentResource | None = None,
) -> StackContext:
    return StackContext(
        stack_name="teststack",
        stack_id="5b9b3f2a",
        parameters=dict(parameters or {}),  # type: ignore[arg-type]
        resources=FakeLookup(*resources),
        conditions=dict(conditions or {}),
        files=dict(files or {}),
        parent_resource=parent,
        availability_zones=("az1", "az2"),
    )


def sample_context() -> StackContext:
    return make_context(
        parameters={"name": "web", "count": 3, "flavors": ["small", "large"], "config": {"a": {"b": [1, 2]}}},
        resources=[
            FakeResource(
                "server",
                physical_id="uuid-1",
                attributes={"first_address": "10.0.0.1", "networks": {"private": ["10.0.0.1"]}},
            ),
            FakeResource("volume", declared=frozenset({"size"})),
        ],
        conditions={"yes": True, "no": False},
        files={"script.sh": "#!/bin/sh\necho hi\n"},
    )


def evaluate(version: TemplateVersion, context: StackContext, snippet: Any, *, validate: bool = True) -> Any:
    """Parse, validate and resolve a snippet the way a template does."""
    from calor.template import function

    parsed = version.parse(context, snippet, "resources.r.properties")
    if validate:
        function.validate(parsed)
    return resolve(parsed)
