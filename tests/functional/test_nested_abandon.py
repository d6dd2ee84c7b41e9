"""Abandon, export and adopt of a stack with nested stacks, through the service and the queue,
on the sandbox cloud: the children's abandon data nests in their owners' entries, abandon removes
the whole tree from the database leaving every network, adopt takes them all back creating none."""

from __future__ import annotations

import json
import pathlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from calor.clouds.testing import SandboxCloud, sandbox_cloud
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.service import OrchestrationService, RequestContext
from calor.engine.worker import Worker
from calor.errors import StackNotFound
from calor.plugins import constraints
from calor.plugins.registry import default_registry

NETWORK_TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "parameters": {"label": {"type": "string"}},
    "resources": {
        "network": {"type": "OS::Neutron::Net", "properties": {"name": {"get_param": "label"}}},
        "note": {"type": "OS::Heat::TestResource", "properties": {"value": {"get_param": "label"}}},
    },
    "outputs": {"network_id": {"value": {"get_resource": "network"}}},
}
TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "provided": {"type": "network.yaml", "properties": {"label": "provided"}},
        "group": {
            "type": "OS::Heat::ResourceGroup",
            "properties": {
                "count": 2,
                "removal_policies": [{"resource_list": ["0"]}],
                "resource_def": {"type": "OS::Neutron::Net", "properties": {"name": "member-%index%"}},
            },
        },
        "top": {"type": "OS::Neutron::Net", "properties": {"name": "top"}},
    },
    "outputs": {
        "provided": {"value": {"get_attr": ["provided", "network_id"]}},
        "members": {"value": {"get_attr": ["group", "refs"]}},
    },
}
FILES = {"network.yaml": json.dumps(NETWORK_TEMPLATE)}
STACK_KEYS = {
    "name",
    "id",
    "action",
    "status",
    "template",
    "environment",
    "files",
    "resources",
    "project_id",
    "stack_user_project_id",
    "tags",
}
RESOURCE_KEYS = {"name", "resource_id", "type", "action", "status", "metadata", "resource_data"}


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCloud]:
    constraints.register()
    with sandbox_cloud(tmp_path_factory.mktemp("sandbox"), services=("calor.sandbox.network",)) as running:
        yield running


@dataclass
class Setup:
    service: OrchestrationService
    worker: Worker
    repository: Repository
    caller: RequestContext
    connection: Any

    def run_jobs(self) -> None:
        while self.worker.run_once():
            pass

    def networks(self) -> dict[str, str]:
        return {network.id: network.name for network in self.connection.network.networks()}

    def tree(self, stack_id: str, *, show_deleted: bool = False) -> list[Any]:
        found = []
        for child in self.repository.get_child_stacks(stack_id, show_deleted=show_deleted):
            found.append(child)
            found.extend(self.tree(child.id, show_deleted=show_deleted))
        return found


@pytest.fixture
def setup(cloud: SandboxCloud, tmp_path: pathlib.Path) -> Iterator[Setup]:
    engine = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(engine)
    repository = Repository(engine)
    registry = default_registry()
    worker = Worker(
        repository,
        repository.queue,
        "engine-1",
        plugin_types=registry.get,
        config=EngineConfig(poll_initial=0.01, poll_max=0.05),
        cloud_factory=cloud.factory.bound(cloud.demo_project_id),
    )
    service = OrchestrationService(repository, registry.get)
    service.enable_stack_abandon = True
    service.enable_stack_adopt = True
    caller = RequestContext(project_id=cloud.demo_project_id)
    yield Setup(service, worker, repository, caller, cloud.connection())
    engine.dispose()


def physical_ids(setup: Setup, stack_id: str) -> dict[str, str | None]:
    """Every leaf resource of the tree (nested stack resources left out), by stack name / resource."""
    found: dict[str, str | None] = {}
    stacks = [(stack_id, "")] + [
        (child.id, child.owner_resource_name or "") for child in setup.tree(stack_id)
    ]
    children = {child.id for child in setup.tree(stack_id)}
    for each, owner in stacks:
        for resource in setup.repository.get_resources(each, include_replaced=False):
            if resource.physical_resource_id not in children:
                found[f"{owner}/{resource.name}"] = resource.physical_resource_id
    return found


def test_abandon_and_adopt_a_stack_with_nested_stacks(setup: Setup) -> None:
    before = setup.networks()
    setup.service.create_stack(setup.caller, "original", TEMPLATE, files=FILES)
    setup.run_jobs()
    shown = setup.service.show_stack(setup.caller, "original")
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    original_id = shown["id"]
    created = {network_id: name for network_id, name in setup.networks().items() if network_id not in before}
    assert sorted(created.values()) == ["member-1", "member-2", "provided", "top"]
    leaves = physical_ids(setup, original_id)
    owned = {child.owner_resource_name: child for child in setup.tree(original_id)}
    assert sorted(owned) == ["group", "provided"]
    provided_child = owned["provided"]

    # Export: each nested stack's own abandon data is its owner's entry (Heat's shape).
    exported = setup.service.export_stack(setup.caller, "original")
    provided = exported["resources"]["provided"]
    assert set(provided) == STACK_KEYS
    assert provided["id"] == provided_child.id
    assert provided["name"] == provided_child.name
    assert (provided["action"], provided["status"]) == ("CREATE", "COMPLETE")
    assert provided["template"] == NETWORK_TEMPLATE
    assert provided["environment"]["parameters"] == {"label": "provided"}
    assert set(provided["resources"]["network"]) == RESOURCE_KEYS
    assert provided["resources"]["network"]["resource_id"] == leaves["provided/network"]
    assert provided["resources"]["note"]["resource_data"] == {"value": "provided"}
    group = exported["resources"]["group"]
    assert set(group) == STACK_KEYS
    assert sorted(group["resources"]) == ["1", "2"]
    assert group["resources"]["1"]["type"] == "OS::Neutron::Net"
    assert group["resources"]["2"]["resource_id"] == leaves["group/2"]
    assert set(exported["resources"]["top"]) == RESOURCE_KEYS
    assert setup.service.show_stack(setup.caller, "original")["stack_status"] == "CREATE_COMPLETE"

    # Abandon: the whole tree leaves the database; every network stays in the cloud.
    data = setup.service.abandon_stack(setup.caller, "original")
    assert data["resources"]["group"]["resources"] == group["resources"]
    setup.run_jobs()
    with pytest.raises(StackNotFound):
        setup.service.find_stack(setup.caller, "original")
    assert setup.tree(original_id) == []
    abandoned = setup.tree(original_id, show_deleted=True)
    assert len(abandoned) == 2
    assert all(child.deleted_at is not None for child in abandoned)
    for child in abandoned:
        events = setup.service.list_events(setup.caller, child.id)
        assert events[-1]["resource_status"] == "DELETE_COMPLETE"
    assert setup.networks() == {**before, **created}

    # Adopt it back under a new name: every resource takes over its network, none is created.
    stack_id = setup.service.adopt_stack(setup.caller, "adopted", json.dumps(data))
    setup.run_jobs()
    shown = setup.service.show_stack(setup.caller, stack_id)
    assert shown["stack_status"] == "ADOPT_COMPLETE", shown["stack_status_reason"]
    outputs = {output["output_key"]: output["output_value"] for output in shown["outputs"]}
    assert outputs == {
        "provided": leaves["provided/network"],
        "members": [leaves["group/1"], leaves["group/2"]],
    }
    children = setup.tree(stack_id)
    assert len(children) == 2
    assert {child.stack_status for child in children} == {"ADOPT_COMPLETE"}
    for each in [stack_id, *(child.id for child in children)]:
        statuses = {resource.status for resource in setup.repository.get_resources(each)}
        assert statuses == {"COMPLETE"}
        assert {resource.action for resource in setup.repository.get_resources(each)} == {"ADOPT"}
    assert physical_ids(setup, stack_id) == leaves
    assert setup.networks() == {**before, **created}

    # Deleting the adopted stack deletes what it adopted.
    setup.service.delete_stack(setup.caller, stack_id)
    setup.run_jobs()
    assert setup.service.show_stack(setup.caller, stack_id)["stack_status"] == "DELETE_COMPLETE"
    assert setup.networks() == before
