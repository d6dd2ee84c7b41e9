"""No cloud object left behind by a create that stopped inside handle_create.

The sandbox holds the create requests (latency), so the create is inside ``handle_create``
with no physical id stored when it stops: (a) a sibling fails and the held creates are
aborted, then rolled back; (b) the engine is killed, an operator resets the stuck stack
(``heat-manage reset_stack_status``) and the user deletes it. Either way the objects the
held requests made are found under the create's start marker and deleted.
"""

from __future__ import annotations

import pathlib
import signal
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import pytest
from engine_deployment import Deployment, template
from sandbox_engines import IMAGE, RecordedCalls, engine_process, objects_named, stop, wait_for_stack

from calor.clouds.testing import SandboxCloud, sandbox_cloud
from calor.engine.config import EngineConfig
from calor.engine.service import RequestContext
from calor.engine.worker import Worker
from calor.sandbox.framework.faults import parse_rules

HELD_SECONDS = 1.5
HELD = ("network.network.create", "volume.volume.create", "compute.server.create")
RESOURCES: dict[str, Any] = {
    "network": {"type": "OS::Neutron::Net"},
    "volume": {"type": "OS::Cinder::Volume", "properties": {"size": 1}},
    "server": {
        "type": "OS::Nova::Server",
        "properties": {"image": IMAGE, "flavor": "m1.tiny", "networks": [{"network": "shared-net"}]},
    },
}


@pytest.fixture
def cloud(tmp_path: pathlib.Path) -> Iterator[SandboxCloud]:
    with sandbox_cloud(tmp_path / "sandbox") as running:
        connection = running.connection()
        shared = connection.network.create_network(name="shared-net")
        connection.network.create_subnet(network_id=shared.id, cidr="10.41.0.0/24", ip_version=4)
        yield running


def hold_creates(cloud: SandboxCloud) -> RecordedCalls:
    calls = RecordedCalls(cloud)
    cloud.running.context.faults.replace(
        parse_rules([f"{operation}=latency:{HELD_SECONDS}" for operation in HELD]), {}
    )
    return calls


def wait_until_sent(calls: RecordedCalls, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + 30
    while not all(calls.count(operation) for operation in HELD):
        if process is not None:
            assert process.poll() is None, (process.stderr.read() if process.stderr else b"").decode()
        assert time.monotonic() < deadline, f"create requests seen: {calls.counts}"
        time.sleep(0.01)


def left_in_cloud(cloud: SandboxCloud, names: dict[str, tuple[str, str]]) -> dict[str, list[str]]:
    """Resource → ids of the objects still named as its create named them."""
    connection = cloud.connection()
    return {
        resource: [item.id for item in objects_named(connection, type_name, name)]
        for resource, (type_name, name) in names.items()
    }


def started_names(deployment: Deployment, stack_id: str) -> dict[str, tuple[str, str]]:
    """Resource → (type, physical name of its create), from the stored start markers."""
    names = {}
    for record in deployment.repository.get_resources(stack_id):
        marker = (record.handle_token or {}).get("create_started")
        if marker is not None:
            names[record.name] = (record.type_name, marker["physical_name"])
    return names


def test_a_create_aborted_by_a_failing_sibling_rolls_back_what_its_held_requests_made(
    cloud: SandboxCloud, tmp_path: pathlib.Path
) -> None:
    deployment = Deployment(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    worker = Worker(
        deployment.repository,
        deployment.repository.queue,
        "engine-1",
        plugin_types=deployment.plugins.get,
        # The held creates are aborted at once after the sibling fails, inside handle_create.
        config=EngineConfig(poll_initial=0.01, poll_max=0.05, error_wait_seconds=0.05),
        cloud_factory=cloud.connection,
    )
    context = RequestContext(project_id=cloud.demo_project_id, user_id="demo")
    resources = {
        **RESOURCES,
        # Fails once every held request is on its way.
        "broken": {"type": "OS::Heat::TestResource", "properties": {"fail": True, "wait_secs": 0.6}},
    }
    calls = hold_creates(cloud)
    stack_id = deployment.service.create_stack(
        context, "aborted", template(resources), disable_rollback=False
    )
    worker.start()
    try:
        wait_until_sent(calls)
        names = {
            name: started for name, started in started_names(deployment, stack_id).items() if name != "broken"
        }
        assert set(names) == set(RESOURCES)
        stack = wait_for_stack(deployment, stack_id)
        assert stack.stack_status == "ROLLBACK_COMPLETE", stack.status_reason
        events = deployment.service.list_events(context, stack_id)
        aborted = {
            event["resource_name"]
            for event in events
            if event["resource_status_reason"].startswith("CREATE aborted")
        }
        assert aborted == set(RESOURCES)
        # Every held request has reached the cloud by now; nothing it made is left.
        time.sleep(HELD_SECONDS + 0.5)
        assert left_in_cloud(cloud, names) == {name: [] for name in RESOURCES}
        assert all(calls.count(operation) == 1 for operation in HELD)
    finally:
        worker.stop(timeout=10)
        cloud.clear_faults()
        deployment.close()


def test_b_a_stack_whose_engine_died_inside_handle_create_is_deleted_with_what_it_made(
    cloud: SandboxCloud, tmp_path: pathlib.Path
) -> None:
    url = f"sqlite:///{tmp_path / 'calor.sqlite'}"
    deployment = Deployment(url)
    context = RequestContext(project_id=cloud.demo_project_id, user_id="demo")
    calls = hold_creates(cloud)
    stack_id = deployment.service.create_stack(context, "doomed", template(RESOURCES))
    first = engine_process(url, "engine-doomed", cloud, tmp_path)
    second: subprocess.Popen[bytes] | None = None
    try:
        wait_until_sent(calls, first)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        names = started_names(deployment, stack_id)
        assert set(names) == set(RESOURCES)
        # The held requests still reach the cloud after the engine is gone.
        time.sleep(HELD_SECONDS + 0.5)
        assert all(len(ids) == 1 for ids in left_in_cloud(cloud, names).values())
        # The operator fails the stuck stack (its create job with it); the user deletes it.
        deployment.repository.reset_stack_status(stack_id)
        for record in deployment.repository.get_resources(stack_id):
            assert record.state == ("CREATE", "FAILED"), record.name
            assert record.physical_resource_id is None, record.name
        deployment.service.delete_stack(context, stack_id)
        second = engine_process(url, "engine-cleaner", cloud, tmp_path)
        stack = wait_for_stack(deployment, stack_id)
        assert stack.stack_status == "DELETE_COMPLETE", stack.status_reason
    finally:
        stop(first)
        stop(second)
        cloud.clear_faults()
    assert left_in_cloud(cloud, names) == {name: [] for name in RESOURCES}
    deployment.close()


def test_c_a_delete_that_cancels_a_create_waits_for_its_held_requests_and_deletes_what_they_made(
    cloud: SandboxCloud, tmp_path: pathlib.Path
) -> None:
    deployment = Deployment(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    worker = Worker(
        deployment.repository,
        deployment.repository.queue,
        "engine-1",
        plugin_types=deployment.plugins.get,
        config=EngineConfig(poll_initial=0.01, poll_max=0.05, cancel_check_seconds=0.05),
        cloud_factory=cloud.connection,
    )
    context = RequestContext(project_id=cloud.demo_project_id, user_id="demo")
    calls = hold_creates(cloud)
    stack_id = deployment.service.create_stack(context, "deleted-early", template(RESOURCES))
    worker.start()
    try:
        wait_until_sent(calls)
        names = started_names(deployment, stack_id)
        assert set(names) == set(RESOURCES)
        deployment.service.delete_stack(context, stack_id)  # cancels the create inside handle_create
        stack = wait_for_stack(deployment, stack_id)
        assert stack.stack_status == "DELETE_COMPLETE", stack.status_reason
        jobs = deployment.repository.queue.list_jobs(stack_id=stack_id)
        assert [(job.operation, job.status, job.error) for job in jobs] == [
            ("create", "failed", "Operation cancelled"),
            ("delete", "done", None),
        ]
        time.sleep(HELD_SECONDS + 0.5)  # anything still on its way has landed by now
        assert left_in_cloud(cloud, names) == {name: [] for name in RESOURCES}
    finally:
        worker.stop(timeout=10)
        cloud.clear_faults()
        deployment.close()
