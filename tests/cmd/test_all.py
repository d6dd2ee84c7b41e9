"""``heat-all`` as a process: it prints its endpoints, writes clouds.yaml, serves, stops
cleanly on SIGTERM / SIGINT, and keeps its state across restarts."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from keystoneauth1 import session as keystone_session
from keystoneauth1.identity import v3

from calor.cmd.all import AllOptions, clouds_document, load_credentials, options_from, parse_arguments
from calor.config import load_config

TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {"word": {"type": "OS::Heat::RandomString"}},
}


class HeatAll:
    """A heat-all subprocess on free ports; reads its banner."""

    def __init__(self, state_dir: Path) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "calor.cmd.all",
                "--state-dir",
                str(state_dir),
                "--api-port",
                "0",
                "--cfn-port",
                "0",
                "--identity-port",
                "0",
                "--cloud-port",
                "0",
                "--no-cloud",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.banner: list[str] = []
        assert self.process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.banner.append(line.rstrip("\n"))
            if line.startswith("  export OS_CLOUD="):
                break
        assert any("export OS_CLOUD=calor-demo" in line for line in self.banner), self.banner

    def url(self, label: str) -> str:
        for line in self.banner:
            if line.strip().startswith(label):
                found = re.search(r"http://\S+", line)
                assert found is not None
                return found.group(0)
        raise AssertionError(f"{label} not in {self.banner}")

    def stop(self, signal_number: int = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(signal_number)
        output, _ = self.process.communicate(timeout=30)
        return self.process.returncode, output


@pytest.fixture
def state_dir(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "state"


def _token_session(clouds_file: Path, cloud: str) -> tuple[keystone_session.Session, dict[str, Any]]:
    config = yaml.safe_load(clouds_file.read_text())["clouds"][cloud]
    auth = config["auth"]
    password = v3.Password(
        auth_url=auth["auth_url"],
        username=auth["username"],
        password=auth["password"],
        project_name=auth["project_name"],
        user_domain_name=auth["user_domain_name"],
        project_domain_name=auth["project_domain_name"],
    )
    return keystone_session.Session(auth=password), config


@pytest.mark.slow
def test_runs_serves_stops_and_keeps_state(state_dir: Path) -> None:
    first = HeatAll(state_dir)
    try:
        clouds_file = state_dir / "clouds.yaml"
        assert f"  export OS_CLIENT_CONFIG_FILE={clouds_file}" in first.banner
        assert (clouds_file.stat().st_mode & 0o777) == 0o600
        versions = requests.get(first.url("heat-api"), timeout=10)
        assert versions.status_code == 300
        session, config = _token_session(clouds_file, "calor-demo")
        stacks_url = config["orchestration_endpoint_override"] + "/stacks"
        created = session.post(stacks_url, json={"stack_name": "kept", "template": TEMPLATE})
        assert created.status_code == 201, created.text
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            listed = session.get(stacks_url).json()["stacks"]
            if listed[0]["stack_status"] == "CREATE_COMPLETE":
                break
            time.sleep(0.1)
        assert listed[0]["stack_status"] == "CREATE_COMPLETE"
    finally:
        code, output = first.stop(signal.SIGTERM)
    assert code == 0
    assert "Calor stopped." in output
    passwords = json.loads((state_dir / "credentials.json").read_text())

    second = HeatAll(state_dir)
    try:
        assert json.loads((state_dir / "credentials.json").read_text()) == passwords
        session, config = _token_session(state_dir / "clouds.yaml", "calor-demo")
        listed = session.get(config["orchestration_endpoint_override"] + "/stacks").json()["stacks"]
        assert [(stack["stack_name"], stack["stack_status"]) for stack in listed] == [
            ("kept", "CREATE_COMPLETE")
        ]
    finally:
        code, output = second.stop(signal.SIGINT)
    assert code == 0 and "Calor stopped." in output


def test_credentials_are_generated_once(tmp_path: Path) -> None:
    first = load_credentials(tmp_path)
    assert set(first) == {"admin", "demo", "heat_domain_admin"} and len(set(first.values())) == 3
    assert load_credentials(tmp_path) == first
    assert ((tmp_path / "credentials.json").stat().st_mode & 0o777) == 0o600


def test_credentials_of_an_older_state_dir_are_kept_and_completed(tmp_path: Path) -> None:
    (tmp_path / "credentials.json").write_text('{"admin": "a-secret", "demo": "d-secret"}', encoding="utf-8")
    completed = load_credentials(tmp_path)
    assert (completed["admin"], completed["demo"]) == ("a-secret", "d-secret")
    assert completed["heat_domain_admin"] and load_credentials(tmp_path) == completed


def test_clouds_document_names_both_clouds() -> None:
    document = clouds_document(
        "http://127.0.0.1:5000",
        "http://127.0.0.1:8004",
        {"admin": "a", "demo": "d"},
        {"admin": "p-admin", "demo": "p-demo"},
        "RegionOne",
    )
    demo = document["clouds"]["calor-demo"]
    assert demo["auth"]["auth_url"] == "http://127.0.0.1:5000/v3"
    assert demo["auth"]["project_name"] == "demo" and demo["auth"]["password"] == "d"
    assert demo["orchestration_endpoint_override"] == "http://127.0.0.1:8004/v1/p-demo"
    assert document["clouds"]["calor-admin"]["auth"]["username"] == "admin"


def test_flags_override_the_configuration_file(tmp_path: Path) -> None:
    config_file = tmp_path / "heat.conf"
    config_file.write_text("[DEFAULT]\napi_port = 9004\nhost = 0.0.0.0\nstate_dir = /srv/calor\n")
    conf = load_config(config_files=[str(config_file)])
    arguments = parse_arguments(
        ["--config-file", str(config_file), "--host", "127.0.0.2", "--cfn-port", "9000"]
    )
    options = options_from(arguments, conf)
    assert options == AllOptions(
        state_dir=Path("/srv/calor"),
        host="127.0.0.2",
        api_port=9004,
        cfn_port=9000,
        identity_port=5000,
        cloud_port=8774,
        config_files=(str(config_file),),
    )


def test_sandbox_faults_and_latency_come_from_heat_conf(tmp_path: Path) -> None:
    from calor.cmd.all import AllInOne
    from calor.sandbox.cloud import context_of

    config_file = tmp_path / "heat.conf"
    config_file.write_text(
        "[sandbox]\n"
        "status_delay_seconds = 0.25\n"
        "faults = compute.server.create=error;nth=2,image.*=fail:503\n"
        "latency = network.*:0.01\n"
    )
    options = AllOptions(
        state_dir=tmp_path / "state", api_port=0, cfn_port=0, identity_port=0, cloud_port=0, with_cfn=False
    )
    heat_all = AllInOne(options, load_config(config_files=[str(config_file)]))
    heat_all.start()
    try:
        context = context_of(heat_all.servers["cloud"].application)
        assert [rule.text for rule in context.faults.rules] == [
            "compute.server.create=error;nth=2",
            "image.*=fail:503",
        ]
        assert dict(context.faults.latency) == {"network.*": 0.01}
        assert context.config.status_delay("compute.server.create") == 0.25
    finally:
        heat_all.stop()


def test_a_wrong_heat_conf_value_is_one_line_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from calor.cmd.all import main

    config_file = tmp_path / "heat.conf"
    config_file.write_text("[sandbox]\nfaults = nonsense\n")
    ports = ["--api-port", "0", "--cfn-port", "0", "--identity-port", "0", "--cloud-port", "0"]
    arguments = ["--config-file", str(config_file), "--state-dir", str(tmp_path / "state"), *ports]
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert "heat-all: configuration: Fault rule 'nonsense'" in error
    assert "Traceback" not in error
