"""The OrchestrationService's reads and synchronous validation (a worker runs the jobs)."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator

import pytest

from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.service import OrchestrationService, RequestContext
from calor.engine.worker import Worker
from calor.errors import Conflict, NotFound, StackNotFound, TemplateError
from calor.plugins.registry import default_registry

PROJECT = RequestContext(project_id="project-1", user_id="user-1")
OTHER = RequestContext(project_id="project-2")
TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "description": "A small stack",
    "parameters": {
        "length": {"type": "number", "default": 6},
        "password": {"type": "string", "hidden": True, "default": "secret"},
    },
    "resources": {
        "word": {"type": "OS::Heat::RandomString", "properties": {"length": {"get_param": "length"}}},
        "echo": {"type": "OS::Heat::Value", "properties": {"value": {"get_attr": ["word", "value"]}}},
    },
    "outputs": {"word": {"value": {"get_attr": ["echo", "value"]}, "description": "The word"}},
}


@pytest.fixture
def service(tmp_path: pathlib.Path) -> Iterator[tuple[OrchestrationService, Worker]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(engine)
    repository = Repository(engine)
    registry = default_registry()
    worker = Worker(
        repository, repository.queue, "engine-1", plugin_types=registry.get, config=EngineConfig()
    )
    yield OrchestrationService(repository, registry.get), worker
    engine.dispose()


def test_show_list_resources_and_outputs(service: tuple[OrchestrationService, Worker]) -> None:
    orchestration, worker = service
    stack_id = orchestration.create_stack(
        PROJECT, "small", TEMPLATE, parameters={"length": 9}, tags=["a", "b"]
    )
    assert worker.run_once()
    body = orchestration.show_stack(PROJECT, "small")
    assert body["id"] == stack_id
    assert body["stack_status"] == "CREATE_COMPLETE"
    assert body["description"] == "A small stack"
    assert body["parameters"]["length"] == "9"
    assert body["parameters"]["password"] == "******"
    assert body["parameters"]["OS::stack_id"] == stack_id
    assert body["tags"] == ["a", "b"]
    listed = orchestration.list_stacks(PROJECT)
    assert [(item["stack_name"], item["stack_status"]) for item in listed] == [("small", "CREATE_COMPLETE")]
    assert orchestration.list_stacks(OTHER) == []
    with pytest.raises(StackNotFound):
        orchestration.show_stack(OTHER, stack_id)

    word = orchestration.show_resource(PROJECT, stack_id, "word")
    assert word["resource_status"] == "CREATE_COMPLETE"
    assert len(word["attributes"]["value"]) == 9
    assert word["required_by"] == ["echo"]
    with pytest.raises(NotFound):
        orchestration.show_resource(PROJECT, stack_id, "missing")

    assert orchestration.list_outputs(PROJECT, stack_id) == [
        {"output_key": "word", "description": "The word"}
    ]
    assert orchestration.show_output(PROJECT, stack_id, "word")["output_value"] == word["attributes"]["value"]
    with pytest.raises(NotFound):
        orchestration.show_output(PROJECT, stack_id, "nothing")
    events = orchestration.list_events(PROJECT, stack_id, resource_name="echo")
    assert [event["resource_status"] for event in events] == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]


def test_names_conflicts_and_unsupported(service: tuple[OrchestrationService, Worker]) -> None:
    orchestration, _ = service
    orchestration.create_stack(PROJECT, "taken", TEMPLATE)
    with pytest.raises(Conflict):
        orchestration.create_stack(PROJECT, "taken", TEMPLATE)
    orchestration.create_stack(OTHER, "taken", TEMPLATE)  # names are per project
    with pytest.raises(StackNotFound):
        orchestration.delete_stack(PROJECT, "never-made")
    with pytest.raises(Conflict):  # still being created
        orchestration.update_stack(PROJECT, "taken", TEMPLATE)


def test_validate_template(service: tuple[OrchestrationService, Worker]) -> None:
    orchestration, _ = service
    body = orchestration.validate_template(PROJECT, TEMPLATE)
    assert body["Description"] == "A small stack"
    assert set(body["Parameters"]) == {"length", "password"}
    broken = {
        **TEMPLATE,
        "resources": {"x": {"type": "OS::Heat::Value", "properties": {"value": {"get_attr": ["y", "z"]}}}},
    }
    with pytest.raises(TemplateError):
        orchestration.validate_template(PROJECT, broken)
