"""Shared pieces of the engine tests: test plugins, definitions, an in-memory harness."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, ClassVar

from calor.definition.output import OutputDefinition
from calor.definition.resource import ResourceDefinition
from calor.engine.config import EngineConfig
from calor.engine.memory_store import MemoryStore
from calor.engine.run import StackRun
from calor.engine.stack_operations import Outcome, StackDefinitionParts, StackOperation
from calor.errors import NotFound, ResourceFailure, ResourceTypeNotFound
from calor.plugins.base import ResourcePlugin
from calor.plugins.heat.none import NoneResource
from calor.plugins.heat.random_string import RandomString
from calor.plugins.heat.value import Value
from calor.schema.properties import AttributeSchema, PropertySchema
from calor.template.context import StackContext
from calor.template.functions.references import GetAtt, GetResource

CALLS: dict[str, list[str]] = {}
CALLS_LOCK = threading.Lock()


def record(kind: str, name: str) -> None:
    with CALLS_LOCK:
        CALLS.setdefault(kind, []).append(name)


class Probe(ResourcePlugin):
    """A test resource: counts its hooks, fails or waits when told, reports its checks."""

    type_name: ClassVar[str] = "Test::Probe"
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "checks": PropertySchema(type="integer", default=0),
        "fail": PropertySchema(type="boolean", default=False),
        "fail_delete": PropertySchema(type="boolean", default=False),
        "delete_not_found": PropertySchema(type="boolean", default=False),
        "value": PropertySchema(type="string"),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "output": AttributeSchema("The value property."),
    }

    def handle_create(self) -> Any:
        record("create", self.name)
        self.context.set_resource_id(f"probe-{self.name}")
        if self.properties["fail"]:
            raise ValueError("boom")
        return {"remaining": self.properties["checks"]}

    def check_create_complete(self, token: Any) -> bool:
        record("check", self.name)
        count = int(self.context.data().get("checks", "0")) + 1
        self.context.data_set("checks", str(count))
        return count > int(token["remaining"])

    def handle_delete(self) -> Any:
        record("delete", self.name)
        if self.properties["fail_delete"]:
            raise ResourceFailure("cannot delete")
        if self.properties["delete_not_found"]:
            raise NotFound("gone")
        return None

    def resolve_attribute(self, name: str) -> Any:
        return self.properties["value"]


PLUGINS: dict[str, type[ResourcePlugin]] = {
    plugin.type_name: plugin for plugin in (Probe, NoneResource, RandomString, Value)
}


def plugin_types(type_name: str) -> type[ResourcePlugin]:
    try:
        return PLUGINS[type_name]
    except KeyError:
        raise ResourceTypeNotFound(f"The Resource Type ({type_name}) could not be found.") from None


class Harness:
    """Builds definitions against one context and runs operations on a MemoryStore."""

    def __init__(self) -> None:
        self.store = MemoryStore()
        self.context = StackContext(stack_name="teststack", stack_id="stack-1", project_id="project-1")
        self.resources: dict[str, ResourceDefinition] = {}
        self.outputs: dict[str, OutputDefinition] = {}
        self.config = EngineConfig(poll_initial=0.001, poll_max=0.01)
        self.hooks = ThreadPoolExecutor(8)
        self.database = ThreadPoolExecutor(1)

    def add(
        self,
        name: str,
        type_name: str = "Test::Probe",
        properties: Any = None,
        depends_on: tuple[str, ...] = (),
        deletion_policy: str = "Delete",
    ) -> ResourceDefinition:
        definition = ResourceDefinition(
            name=name,
            type_name=type_name,
            properties=properties or {},
            depends_on=depends_on,
            deletion_policy=deletion_policy,
            path=f"resources.{name}",
        )
        self.resources[name] = definition
        return definition

    def get_attr(self, *args: Any) -> GetAtt:
        return GetAtt(self.context, "get_attr", list(args), "outputs")

    def get_resource(self, name: str) -> GetResource:
        return GetResource(self.context, "get_resource", name, "outputs")

    def output(self, name: str, value: Any) -> None:
        self.outputs[name] = OutputDefinition(name=name, value=value, path=f"outputs.{name}")

    def parts(self) -> StackDefinitionParts:
        return StackDefinitionParts(self.context, self.resources, self.outputs)

    def operation(
        self, timeout_seconds: float | None = None, config: EngineConfig | None = None
    ) -> StackOperation:
        run = StackRun(
            stack_id="stack-1",
            stack_name="teststack",
            store=self.store,
            config=config or self.config,
            hook_executor=self.hooks,
            database_executor=self.database,
            timeout_seconds=timeout_seconds,
        )
        return StackOperation(run, plugin_types, project_id="project-1")

    def create(self, *, disable_rollback: bool = True, timeout_seconds: float | None = None) -> Outcome:
        operation = self.operation(timeout_seconds)
        return asyncio.run(operation.create(self.parts(), disable_rollback=disable_rollback))

    def delete(self) -> Outcome:
        return asyncio.run(self.operation().delete(self.parts()))

    def state(self, name: str) -> str:
        state = self.store.stacks["stack-1"].resources[name]
        return f"{state.action}_{state.status}"

    def reason(self, name: str) -> str:
        return self.store.stacks["stack-1"].resources[name].status_reason

    def events(self, name: str | None = None) -> list[tuple[str, str, str, str]]:
        return [
            (event.resource_name, event.action, event.status, event.reason)
            for event in self.store.events
            if name is None or event.resource_name == name
        ]

    def close(self) -> None:
        self.hooks.shutdown()
        self.database.shutdown()
