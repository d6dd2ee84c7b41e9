"""The ``heat`` command against a real ``heat-all`` (ephemeral ports, a temporary state directory)."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from calor.cli.connection import Connection
from calor.cli.events import list_events
from calor.cli.main import main, parse_arguments

ROOT = Path(__file__).resolve().parents[2]
HELLO = ROOT / "examples" / "hello.yaml"
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class Run:
    status: int
    out: str
    err: str


def heat(*arguments: str) -> Run:
    """Run ``heat --os-cloud calor-demo ARGUMENTS`` in this process and capture what it prints."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(["--os-cloud", "calor-demo", *arguments])
    return Run(status, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def heat_all(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    state = tmp_path_factory.mktemp("heat-all")
    command = [
        sys.executable,
        "-m",
        "calor.cmd.all",
        "--state-dir",
        str(state),
        "--no-cloud",
        "--api-port",
        "0",
        "--identity-port",
        "0",
        "--cfn-port",
        "0",
    ]
    log = (state / "heat-all.log").open("w")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                pytest.fail(f"heat-all exited: {(state / 'heat-all.log').read_text()[-2000:]}")
            if line.startswith("Calor is running"):
                break
        else:
            pytest.fail("heat-all did not start")
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("OS_CLIENT_CONFIG_FILE", str(state / "clouds.yaml"))
            for name in ("OS_CLOUD", "OS_AUTH_URL", "OS_PASSWORD", "OS_USERNAME", "OS_PROJECT_NAME"):
                patch.delenv(name, raising=False)
            yield state
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture(scope="module")
def hello(heat_all: Path) -> Run:
    """``heat stack create hello -t examples/hello.yaml --wait``, run once for the module."""
    return heat(
        "stack", "create", "hello", "-t", str(HELLO), "--parameter", "name=Calor", "--wait", "--poll", "0.2"
    )


def test_create_waits_and_shows_each_resource(hello: Run) -> None:
    assert hello.status == 0, hello.err
    assert "[password]: CREATE_COMPLETE" in hello.err
    assert "[settle]: CREATE_COMPLETE" in hello.err
    assert "Stack hello CREATE_COMPLETE after" in hello.err
    assert "| stack_status        | CREATE_COMPLETE" in hello.out


def test_list_shows_the_stack(hello: Run) -> None:
    listed = heat("stack", "list", "-f", "json")
    assert listed.status == 0, listed.err
    stacks = {stack["Stack Name"]: stack for stack in json.loads(listed.out)}
    assert stacks["hello"]["Stack Status"] == "CREATE_COMPLETE"
    values = heat("stack", "list", "-f", "value", "-c", "Stack Name", "-c", "Stack Status")
    assert "hello CREATE_COMPLETE" in values.out.splitlines()


def test_show_has_parameters_and_outputs(hello: Run) -> None:
    shown = heat("stack", "show", "hello", "-f", "json")
    assert shown.status == 0, shown.err
    stack = json.loads(shown.out)
    assert stack["stack_name"] == "hello"
    assert stack["parameters"]["name"] == "Calor"
    assert "greeting" in {output["output_key"] for output in stack["outputs"]}


def test_output_show_prints_the_value(hello: Run) -> None:
    shown = heat("stack", "output", "show", "hello", "greeting", "-f", "value", "-c", "output_value")
    assert (shown.status, shown.out) == (0, "Hello, Calor! Your stack is hello.\n"), shown.err
    listed = heat("output", "list", "hello", "-f", "json")
    assert {"output_key": "greeting", "description": "The greeting"} in json.loads(listed.out)


def test_event_list_in_log_and_json_forms(hello: Run) -> None:
    logged = heat("stack", "event", "list", "hello")
    assert logged.status == 0, logged.err
    lines = logged.out.splitlines()
    assert lines[0].endswith("[hello]: CREATE_IN_PROGRESS  Stack CREATE started")
    assert any("[settle]: CREATE_COMPLETE" in line for line in lines)
    listed = heat("event", "list", "hello", "--resource", "greeting", "-f", "json")
    statuses = [event["resource_status"] for event in json.loads(listed.out)]
    assert statuses == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]


def test_resource_list_and_show(hello: Run) -> None:
    listed = heat("stack", "resource", "list", "hello", "-f", "json")
    assert listed.status == 0, listed.err
    types = {resource["resource_name"]: resource["resource_type"] for resource in json.loads(listed.out)}
    assert types == {
        "password": "OS::Heat::RandomString",
        "greeting": "OS::Heat::Value",
        "settle": "OS::Heat::Delay",
    }
    shown = heat("resource", "show", "hello", "greeting", "-f", "value", "-c", "resource_status")
    assert shown.out == "CREATE_COMPLETE\n"


def test_validate_error_names_the_file_and_line(heat_all: Path, tmp_path: Path) -> None:
    template = tmp_path / "bad.yaml"
    template.write_text(
        "heat_template_version: 2021-04-16\n"
        "resources:\n"
        "  greeting:\n"
        "    type: OS::Heat::Value\n"
        "    properties:\n"
        "      value: {get_attr: [nothing, value]}\n"
    )
    validated = heat("orchestration", "template", "validate", "-t", str(template))
    assert validated.status == 1
    assert validated.out == ""
    assert validated.err.startswith(f"{template}:6: resources.greeting.properties.value")
    assert validated.err.count("\n") == 1
    good = heat("template", "validate", "-t", str(HELLO), "-f", "json")
    assert good.status == 0, good.err
    assert set(json.loads(good.out)["Parameters"]) == {"name", "password_length"}


def test_yaml_syntax_error_is_reported_before_any_request(heat_all: Path, tmp_path: Path) -> None:
    template = tmp_path / "syntax.yaml"
    template.write_text("heat_template_version: 2021-04-16\nresources:\n  a:\n    type: x\n   b: 1\n")
    created = heat("stack", "create", "never", "-t", str(template))
    assert created.status == 1
    assert created.err.startswith(f"{template}:5:4: ")
    assert "never" not in heat("stack", "list", "-f", "value", "-c", "Stack Name").out.split()


def test_failed_create_names_the_failing_resource(heat_all: Path, tmp_path: Path) -> None:
    template = tmp_path / "failing.yaml"
    template.write_text(
        "heat_template_version: 2021-04-16\n"
        "resources:\n"
        "  fine:\n"
        "    type: OS::Heat::RandomString\n"
        "  broken:\n"
        "    type: OS::Heat::TestResource\n"
        "    properties:\n"
        "      fail: true\n"
    )
    created = heat("stack", "create", "failing", "-t", str(template), "--wait", "--poll", "0.2")
    assert created.status == 1
    assert "failing.broken (OS::Heat::TestResource) CREATE_FAILED" in created.err
    assert created.err.splitlines()[-1].startswith("Stack failing CREATE_FAILED")
    failures = heat("stack", "failures", "list", "failing")
    assert failures.out.startswith("failing.broken:\n")


def test_delete_waits_until_the_stack_is_gone(heat_all: Path) -> None:
    created = heat("stack", "create", "goodbye", "-t", str(HELLO), "--wait", "--poll", "0.2")
    assert created.status == 0, created.err
    deleted = heat("stack", "delete", "goodbye", "--yes", "--wait", "--poll", "0.2")
    assert deleted.status == 0, deleted.err
    assert "Stack goodbye DELETE_COMPLETE" in deleted.err
    shown = heat("stack", "show", "goodbye")
    assert shown.status == 1
    assert shown.err.count("\n") == 1 and "goodbye" in shown.err


def test_unknown_stack_is_one_line(heat_all: Path) -> None:
    shown = heat("stack", "resource", "list", "no-such-stack")
    assert shown.status == 1
    assert shown.err.count("\n") == 1 and "no-such-stack" in shown.err
    assert "Traceback" not in shown.err


def test_event_follow_prints_until_interrupted(hello: Run) -> None:
    options = parse_arguments(["--os-cloud", "calor-demo", "stack", "event", "list", "hello", "--follow"])
    polls: list[float] = []

    def interrupt_second_poll(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) == 2:
            raise KeyboardInterrupt

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert list_events(options, Connection(options), sleep=interrupt_second_poll) is None
    lines = out.getvalue().splitlines()
    assert lines[-1].endswith("[hello]: CREATE_COMPLETE  Stack CREATE completed successfully")
    assert len(lines) == len(set(lines))


def skip_if_not_served(run: Run) -> None:
    if "not supported yet" in run.err:
        pytest.skip(f"heat-api does not serve this yet: {run.err.strip()}")


def test_update_existing_waits_for_the_new_greeting(heat_all: Path) -> None:
    created = heat("stack", "create", "changing", "-t", str(HELLO), "--wait", "--poll", "0.2")
    assert created.status == 0, created.err
    updated = heat(
        "stack", "update", "changing", "--existing", "--parameter", "name=World", "--wait", "--poll", "0.2"
    )
    skip_if_not_served(updated)
    assert updated.status == 0, updated.err
    assert "Stack changing UPDATE_COMPLETE" in updated.err
    shown = heat("output", "show", "changing", "greeting", "-f", "value", "-c", "output_value")
    assert shown.out == "Hello, World! Your stack is changing.\n"


def test_suspend_and_resume_wait(heat_all: Path) -> None:
    created = heat("stack", "create", "pausing", "-t", str(HELLO), "--wait", "--poll", "0.2")
    assert created.status == 0, created.err
    suspended = heat(
        "stack", "suspend", "pausing", "--wait", "--poll", "0.2", "-f", "value", "-c", "Stack Status"
    )
    skip_if_not_served(suspended)
    assert (suspended.status, suspended.out) == (0, "SUSPEND_COMPLETE\n"), suspended.err
    resumed = heat(
        "stack", "resume", "pausing", "--wait", "--poll", "0.2", "-f", "value", "-c", "Stack Status"
    )
    assert (resumed.status, resumed.out) == (0, "RESUME_COMPLETE\n"), resumed.err
