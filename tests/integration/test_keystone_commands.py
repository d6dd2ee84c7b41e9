"""The heat-api and heat-api-cfn commands started on the Keystone tier's heat.conf."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import requests
from keystone_tier import Calor


@pytest.fixture
def served(calor: Calor, tmp_path: Path) -> Iterator[dict[str, str]]:
    """Both commands as processes of their own, on free ports: ``{"api": url, "cfn": url}``."""
    processes: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}
    for name, module in (("api", "calor.cmd.api"), ("cfn", "calor.cmd.api_cfn")):
        output = tmp_path / f"{name}.out"
        with output.open("wb") as handle:
            command = [sys.executable, "-m", module, "--config-file", str(calor.heat_conf), "--port", "0"]
            processes[name] = (subprocess.Popen(command, stdout=handle, stderr=subprocess.STDOUT), output)
    urls: dict[str, str] = {}
    deadline = time.monotonic() + 60
    try:
        while len(urls) < len(processes):
            for name, (process, output) in processes.items():
                for line in output.read_text(errors="replace").splitlines():
                    if " serving on " in line:
                        urls[name] = line.rsplit(" ", 1)[1]
                if name not in urls and (process.poll() is not None or time.monotonic() > deadline):
                    pytest.fail(f"{name} did not start:\n{output.read_text(errors='replace')}")
            time.sleep(0.1)
        yield urls
    finally:
        for process, _output in processes.values():
            process.terminate()
            process.wait(10)


def test_the_commands_serve_keystone_users(calor: Calor, served: dict[str, str]) -> None:
    token, body = calor.keystone.token("demo")
    url = f"{served['api']}/v1/{body['project']['id']}/stacks"
    assert requests.get(url, headers={"X-Auth-Token": token}, timeout=10).status_code == 200
    assert requests.get(url, timeout=10).status_code == 401
    access, secret = calor.keystone.ec2_credentials("demo")
    client = boto3.client(
        "cloudformation",
        endpoint_url=served["cfn"] + "/v1",
        region_name="RegionOne",
        aws_access_key_id=access,
        aws_secret_access_key=secret,
    )
    assert isinstance(client.list_stacks()["StackSummaries"], list)
