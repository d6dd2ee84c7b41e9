"""Heat-engine processes on the sandbox cloud, for tests that kill an engine inside a cloud request."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import threading
import time
from typing import Any

from engine_deployment import Deployment

from calor.clouds.testing import ADMIN_PASSWORD, SandboxCloud

ROOT = pathlib.Path(__file__).resolve().parents[2]
CREATES = (
    "network.network.create",
    "network.router.create",
    "network.security_group.create",
    "network.port.create",
    "volume.volume.create",
    "compute.server.create",
)
IMAGE = "cirros-0.6.2-x86_64-disk"


class RecordedCalls:
    """Counts the sandbox's calls per operation (wrapping its fault injector)."""

    def __init__(self, cloud: SandboxCloud) -> None:
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()
        faults = cloud.running.context.faults
        apply = faults.apply

        def recording(operation: str, *arguments: Any) -> Any:
            with self.lock:
                self.counts[operation] = self.counts.get(operation, 0) + 1
            return apply(operation, *arguments)

        faults.apply = recording  # type: ignore[method-assign]

    def count(self, operation: str) -> int:
        with self.lock:
            return self.counts.get(operation, 0)


def engine_process(
    url: str, engine_id: str, cloud: SandboxCloud, directory: pathlib.Path
) -> subprocess.Popen[bytes]:
    clouds = directory / "clouds.yaml"
    clouds.write_text(
        "clouds:\n"
        "  sandbox:\n"
        f"    auth: {{auth_url: '{cloud.settings.auth_url}', username: admin, password: {ADMIN_PASSWORD},"
        " project_name: admin, user_domain_name: Default, project_domain_name: Default}\n"
        f"    region_name: {cloud.settings.region_name}\n",
        encoding="utf-8",
    )
    configuration = directory / "heat.conf"
    configuration.write_text(
        f"[clouds]\ncloud = sandbox\nclouds_file = {clouds}\nproject_role = member\n", encoding="utf-8"
    )
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), environment.get("PYTHONPATH", "")])
    command = [
        sys.executable,
        "-m",
        "calor.cmd.engine",
        "--database-url",
        url,
        "--engine-id",
        engine_id,
        "--config-file",
        str(configuration),
        "--lease-seconds",
        "2",
        "--heartbeat-seconds",
        "1",
        "--poll-max",
        "0.2",
        "--log-level",
        "WARNING",
    ]
    return subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def wait_for_stack(deployment: Deployment, stack_id: str, timeout: float = 60) -> Any:
    """The stack's record once it leaves IN_PROGRESS."""
    deadline = time.monotonic() + timeout
    while True:
        stack = deployment.repository.get_stack(stack_id, show_deleted=True)
        assert stack is not None
        if not stack.stack_status.endswith("IN_PROGRESS"):
            return stack
        assert time.monotonic() < deadline, f"stack still {stack.stack_status}"
        time.sleep(0.05)


def objects_named(connection: Any, type_name: str, name: str) -> list[Any]:
    listers = {
        "OS::Neutron::Net": lambda: connection.network.networks(name=name),
        "OS::Neutron::Router": lambda: connection.network.routers(name=name),
        "OS::Neutron::SecurityGroup": lambda: connection.network.security_groups(name=name),
        "OS::Neutron::Port": lambda: connection.network.ports(name=name),
        "OS::Cinder::Volume": lambda: connection.block_storage.volumes(name=name),
        "OS::Nova::Server": lambda: connection.compute.servers(name=f"^{name}$"),
    }
    return [item for item in listers[type_name]() if item.name == name]
