"""Export, abandon and adopt through the OrchestrationService and a worker on SQLite."""

from __future__ import annotations

import pathlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.abandon import NotSupported, adopt_parameters, parse_adopt_data, user_environment
from calor.engine.service import OrchestrationService, RequestContext
from calor.engine.worker import Worker
from calor.errors import Conflict, StackNotFound, UserError
from calor.plugins.base import ResourcePlugin
from calor.plugins.registry import default_registry
from calor.schema.properties import STRING, AttributeSchema, PropertySchema

PROJECT = RequestContext(project_id="project-1", user_id="user-1")


class Thing(ResourcePlugin):
    """A cloud object stand-in: records its creates and deletes."""

    type_name = "Test::Thing"
    properties_schema: ClassVar[dict[str, PropertySchema]] = {"label": PropertySchema(STRING, default="x")}
    attributes_schema: ClassVar[dict[str, AttributeSchema]] = {"label": AttributeSchema("The label.")}
    calls: ClassVar[list[str]] = []

    def handle_create(self) -> Any:
        self.calls.append(f"create {self.name}")
        self.context.set_resource_id(str(uuid.uuid4()))
        self.context.data_set("label", str(self.properties["label"]))
        return None

    def handle_delete(self) -> Any:
        self.calls.append(f"delete {self.name}")
        return None

    def resolve_attribute(self, name: str) -> Any:
        return self.context.data().get("label")


TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "parameters": {"label": {"type": "string", "default": "first"}},
    "resources": {
        "one": {"type": "Test::Thing", "properties": {"label": {"get_param": "label"}}},
        "two": {"type": "Test::Thing", "properties": {"label": {"get_attr": ["one", "label"]}}},
    },
    "outputs": {"label": {"value": {"get_attr": ["two", "label"]}}},
}


@dataclass
class Setup:
    service: OrchestrationService
    worker: Worker
    repository: Repository

    def run_jobs(self) -> None:
        while self.worker.run_once():
            pass


@pytest.fixture
def setup(tmp_path: pathlib.Path) -> Iterator[Setup]:
    Thing.calls.clear()
    engine = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(engine)
    repository = Repository(engine)
    registry = default_registry()
    registry.register(Thing)
    service = OrchestrationService(repository, registry.get)
    service.enable_stack_abandon = True
    service.enable_stack_adopt = True
    worker = Worker(repository, repository.queue, "engine-1", plugin_types=registry.get)
    built = Setup(service, worker, repository)
    built.service.create_stack(PROJECT, "original", TEMPLATE, parameters={"label": "given"}, tags=["t"])
    built.run_jobs()
    yield built
    engine.dispose()


def test_switched_off_by_default(setup: Setup) -> None:
    setup.service.enable_stack_abandon = False
    setup.service.enable_stack_adopt = False
    with pytest.raises(NotSupported, match="Stack Abandon is not supported"):
        setup.service.export_stack(PROJECT, "original")
    with pytest.raises(NotSupported, match="Stack Abandon is not supported"):
        setup.service.abandon_stack(PROJECT, "original")
    with pytest.raises(NotSupported, match="Stack Adopt is not supported"):
        setup.service.adopt_stack(PROJECT, "copy", {"template": TEMPLATE})
    assert NotSupported.http_status == 400


def test_export_is_heats_abandon_data(setup: Setup) -> None:
    data = setup.service.export_stack(PROJECT, "original")
    stack = setup.service.find_stack(PROJECT, "original")
    assert data["id"] == stack.id
    assert (data["name"], data["action"], data["status"]) == ("original", "CREATE", "COMPLETE")
    assert data["template"] == TEMPLATE
    assert data["environment"]["parameters"] == {"label": "given"}
    assert data["environment"]["resource_registry"] == {"resources": {}}
    assert data["files"] == {}
    assert data["tags"] == ["t"]
    assert data["project_id"] == PROJECT.project_id
    one = data["resources"]["one"]
    assert one["type"] == "Test::Thing"
    assert (one["action"], one["status"]) == ("CREATE", "COMPLETE")
    assert one["resource_id"] == stack_resource_id(setup, "original", "one")
    assert one["resource_data"] == {"label": "given"}
    assert set(one) == {"name", "resource_id", "type", "action", "status", "metadata", "resource_data"}
    # Export changes nothing.
    assert setup.service.show_stack(PROJECT, "original")["stack_status"] == "CREATE_COMPLETE"


def test_export_names_the_stacks_own_stack_user_project(setup: Setup) -> None:
    stack = setup.service.find_stack(PROJECT, "original")
    assert setup.service.export_stack(PROJECT, "original")["stack_user_project_id"] == PROJECT.project_id
    setup.repository.claim_stack_user_project(stack.id, "stack-domain-project")
    data = setup.service.export_stack(PROJECT, "original")
    assert data["stack_user_project_id"] == "stack-domain-project"  # as stack show gives it
    assert setup.service.show_stack(PROJECT, "original")["stack_user_project_id"] == "stack-domain-project"


def stack_resource_id(setup: Setup, stack_name: str, name: str) -> str | None:
    stack = setup.service.find_stack(PROJECT, stack_name)
    record = setup.repository.find_resource(stack.id, name)
    assert record is not None
    return record.physical_resource_id


def test_abandon_keeps_the_cloud_objects_and_adopt_takes_them_back(setup: Setup) -> None:
    ids = {name: stack_resource_id(setup, "original", name) for name in ("one", "two")}
    data = setup.service.abandon_stack(PROJECT, "original")
    with pytest.raises(Conflict):  # the abandon is queued: the stack is busy until it ran
        setup.service.abandon_stack(PROJECT, "original")
    setup.run_jobs()
    with pytest.raises(StackNotFound):
        setup.service.find_stack(PROJECT, "original")
    assert Thing.calls == ["create one", "create two"]  # nothing deleted

    Thing.calls.clear()
    stack_id = setup.service.adopt_stack(PROJECT, "adopted", data)
    assert setup.service.show_stack(PROJECT, stack_id)["stack_status"] == "ADOPT_IN_PROGRESS"
    setup.run_jobs()
    shown = setup.service.show_stack(PROJECT, "adopted")
    assert shown["stack_status"] == "ADOPT_COMPLETE", shown["stack_status_reason"]
    assert shown["parameters"]["label"] == "given"
    assert shown["outputs"][0]["output_value"] == "given"
    assert Thing.calls == []  # adopted, not created
    for name in ("one", "two"):
        resource = setup.service.show_resource(PROJECT, "adopted", name)
        assert resource["resource_status"] == "ADOPT_COMPLETE"
        assert resource["physical_resource_id"] == ids[name]
    events = setup.service.list_events(PROJECT, "adopted")
    assert [event["resource_status"] for event in events][-1] == "ADOPT_COMPLETE"


def test_failed_adopt_rolls_back_as_an_abandon(setup: Setup) -> None:
    data = setup.service.export_stack(PROJECT, "original")
    del data["resources"]["two"]
    setup.service.adopt_stack(PROJECT, "partial", data, disable_rollback=False)
    setup.run_jobs()
    shown = setup.service.show_stack(PROJECT, "partial")
    assert shown["stack_status"] == "ROLLBACK_COMPLETE"
    reasons = [event["resource_status_reason"] for event in setup.service.list_events(PROJECT, "partial")]
    assert any("Resource ID was not provided for two" in reason for reason in reasons)
    assert Thing.calls == ["create one", "create two"]  # the rollback deleted no cloud object


def test_adopt_validates_at_once(setup: Setup) -> None:
    with pytest.raises(UserError, match="it has no template"):
        setup.service.adopt_stack(PROJECT, "bad", {"resources": {}})
    with pytest.raises(UserError, match="Invalid stack name"):
        setup.service.adopt_stack(PROJECT, "1bad", {"template": TEMPLATE})


def test_helpers() -> None:
    assert parse_adopt_data('{"template": {"heat_template_version": "2018-08-31"}}')["template"]
    with pytest.raises(UserError, match="JSON object"):
        parse_adopt_data("[1]")
    assert adopt_parameters({"environment": {"parameters": {"a": 1, "b": 2}}}, {"b": 3}) == {"a": 1, "b": 3}
    shown = user_environment({"parameter_defaults": {"x": 1}}, {"a": "b"})
    assert shown["parameter_defaults"] == {"x": 1}
    assert shown["parameters"] == {"a": "b"}
    assert shown["event_sinks"] == []
