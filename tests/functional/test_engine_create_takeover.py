"""An engine killed inside handle_create: the engine taking over adopts what the cloud made.

The sandbox holds every create request for a while (latency); the first engine is killed
with SIGKILL while all of them are in flight, so no physical id was stored. The sandbox
still makes the objects. The second engine finds each one by the physical name stored
with the create's start instead of making a second one: one cloud object per template
resource, one create request per object, and the stack ends CREATE_COMPLETE.
"""

from __future__ import annotations

import pathlib
import signal
import subprocess
import time
from collections.abc import Iterator

import pytest
from engine_deployment import PROJECT, Deployment, template
from sandbox_engines import CREATES, IMAGE, RecordedCalls, engine_process, objects_named, stop, wait_for_stack

from calor.clouds.testing import SandboxCloud, sandbox_cloud
from calor.engine.service import RequestContext
from calor.sandbox.framework.faults import parse_rules

HELD_SECONDS = 1.5


@pytest.fixture
def cloud(tmp_path: pathlib.Path) -> Iterator[SandboxCloud]:
    with sandbox_cloud(tmp_path / "sandbox") as running:
        yield running


def test_killed_inside_handle_create_the_next_engine_adopts_the_cloud_objects(
    cloud: SandboxCloud, tmp_path: pathlib.Path
) -> None:
    connection = cloud.connection()
    shared = connection.network.create_network(name="shared-net")
    connection.network.create_subnet(network_id=shared.id, cidr="10.40.0.0/24", ip_version=4)
    url = f"sqlite:///{tmp_path / 'calor.sqlite'}"
    deployment = Deployment(url)
    context = RequestContext(project_id=cloud.demo_project_id, user_id=PROJECT.user_id)
    resources = {
        "network": {"type": "OS::Neutron::Net"},
        "router": {"type": "OS::Neutron::Router"},
        "security_group": {
            "type": "OS::Neutron::SecurityGroup",
            "properties": {"rules": [{"protocol": "tcp", "port_range_min": 22, "port_range_max": 22}]},
        },
        "port": {"type": "OS::Neutron::Port", "properties": {"network": "shared-net"}},
        "volume": {"type": "OS::Cinder::Volume", "properties": {"size": 1}},
        "server": {
            "type": "OS::Nova::Server",
            "properties": {"image": IMAGE, "flavor": "m1.tiny", "networks": [{"network": "shared-net"}]},
        },
    }
    calls = RecordedCalls(cloud)
    cloud.running.context.faults.replace(
        parse_rules([f"{operation}=latency:{HELD_SECONDS}" for operation in CREATES]), {}
    )
    stack_id = deployment.service.create_stack(context, "held", template(resources))
    first = engine_process(url, "engine-doomed", cloud, tmp_path)
    second: subprocess.Popen[bytes] | None = None
    try:
        deadline = time.monotonic() + 30
        while not all(calls.count(operation) for operation in CREATES):
            assert first.poll() is None, (first.stderr.read() if first.stderr else b"").decode()
            assert time.monotonic() < deadline, f"create requests seen: {calls.counts}"
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        at_kill = {record.name: record for record in deployment.repository.get_resources(stack_id)}
        for name, record in at_kill.items():
            # Stored before handle_create ran: the start, no physical id, no poll token.
            assert record.state == ("CREATE", "IN_PROGRESS"), name
            assert record.physical_resource_id is None, name
            assert "create_started" in (record.handle_token or {}), name
        # The held requests still reach the cloud after the engine is gone.
        time.sleep(HELD_SECONDS + 0.5)
        second = engine_process(url, "engine-rescuer", cloud, tmp_path)
        stack = wait_for_stack(deployment, stack_id)
        assert stack.stack_status == "CREATE_COMPLETE", stack.status_reason
    finally:
        stop(first)
        stop(second)
        cloud.clear_faults()

    created = {record.name: record for record in deployment.repository.get_resources(stack_id)}
    for name, record in created.items():
        marker = at_kill[name].handle_token["create_started"]
        found = objects_named(connection, record.type_name, marker["physical_name"])
        assert [item.id for item in found] == [record.physical_resource_id], name
    # One create request per object: the second engine made none of them again.
    for operation in CREATES:
        assert calls.count(operation) == 1, operation
    # The security group's rules, which the killed create never reached, were added once.
    group_id = created["security_group"].physical_resource_id
    rules = connection.network.security_group_rules(security_group_id=group_id)
    assert [rule.port_range_min for rule in rules if rule.direction == "ingress"] == [22]
    jobs = deployment.repository.queue.list_jobs(stack_id=stack_id)
    assert [(job.status, job.engine_id, job.attempts) for job in jobs] == [("done", "engine-rescuer", 2)]
    deployment.close()
