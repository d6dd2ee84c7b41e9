"""Snapshots, abandon/adopt/export, signals and mark-unhealthy against heat-all (in this process).

Each behaviour goes through python-heatclient or the ``heat`` CLI → the REST API →
the work queue → the engine, as a user would drive it.
"""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from keystoneauth1 import session as keystone_session
from keystoneauth1.identity import v3

from calor.cli.main import main
from calor.cmd.all import AllInOne, AllOptions
from calor.config import load_config
from calor.engine.service import OrchestrationService

heat_client = pytest.importorskip("heatclient.client")
heat_exceptions = pytest.importorskip("heatclient.exc")

WORDS = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "word": {"type": "OS::Heat::RandomString", "properties": {"length": 8}},
        "echo": {"type": "OS::Heat::Value", "properties": {"value": {"get_attr": ["word", "value"]}}},
    },
    "outputs": {"word": {"value": {"get_attr": ["echo", "value"]}}},
}
WAITING = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "handle": {"type": "OS::Heat::WaitConditionHandle"},
        "waiting": {
            "type": "OS::Heat::WaitCondition",
            "properties": {"handle": {"get_resource": "handle"}, "timeout": 60},
        },
    },
    "outputs": {"data": {"value": {"get_attr": ["waiting", "data"]}}},
}


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AllInOne]:
    state_dir = tmp_path_factory.mktemp("heat-all")
    options = AllOptions(
        state_dir=state_dir, api_port=0, cfn_port=0, identity_port=0, cloud_port=0, with_cloud=False
    )
    heat_all = AllInOne(options, load_config())
    heat_all.start()
    application = heat_all.servers["api"].application
    assert isinstance(application, Flask)
    service = application.extensions["calor.api.native"].service
    assert isinstance(service, OrchestrationService)
    # heat-all runs standalone: abandon and adopt are on by default.
    assert service.enable_stack_abandon and service.enable_stack_adopt
    yield heat_all
    heat_all.stop()


@pytest.fixture(scope="module")
def client(running: AllInOne) -> Any:
    auth = v3.Password(
        auth_url=running.url("identity") + "/v3",
        username="demo",
        password=running.credentials["demo"],
        project_name="demo",
        user_domain_name="Default",
        project_domain_name="Default",
    )
    session = keystone_session.Session(auth=auth)
    return heat_client.Client("1", session=session, service_type="orchestration")


def _wait(client: Any, identity: str, *, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        stack = client.stacks.get(identity)
        if not stack.stack_status.endswith("IN_PROGRESS") or time.monotonic() > deadline:
            return stack
        time.sleep(0.1)


def _create(client: Any, name: str, template: dict[str, Any] = WORDS) -> str:
    created = client.stacks.create(stack_name=name, template=template)
    stack_id: str = created["stack"]["id"]
    assert _wait(client, stack_id).stack_status == "CREATE_COMPLETE"
    return stack_id


def _resource_status(client: Any, stack_id: str, name: str) -> str | None:
    try:
        return str(client.resources.get(stack_id, name).resource_status)
    except heat_exceptions.HTTPNotFound:  # not stored until the engine takes the stack up
        return None


def heat(running: AllInOne, *arguments: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OS_CLIENT_CONFIG_FILE", str(running.clouds_file))
        for name in ("OS_CLOUD", "OS_AUTH_URL", "OS_PASSWORD", "OS_USERNAME", "OS_PROJECT_NAME"):
            patch.delenv(name, raising=False)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(["--os-cloud", "calor-demo", *arguments])
    return status, out.getvalue(), err.getvalue()


def test_signal_reaches_a_wait_condition_during_create(client: Any) -> None:
    created = client.stacks.create(stack_name="waiting", template=WAITING)
    stack_id = created["stack"]["id"]
    deadline = time.monotonic() + 20
    while _resource_status(client, stack_id, "handle") != "CREATE_COMPLETE":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    client.resources.signal(stack_id, "handle", data={"status": "SUCCESS", "data": "ready", "id": "1"})
    stack = _wait(client, stack_id)
    assert stack.stack_status == "CREATE_COMPLETE", stack.stack_status_reason
    data = client.stacks.output_show(stack_id, "data")["output"]["output_value"]
    assert json.loads(data) == {"1": "ready"}
    with pytest.raises(heat_exceptions.HTTPBadRequest):  # a RandomString takes no signals
        client.resources.signal(_create(client, "unsignalled"), "word")


def test_mark_unhealthy_with_heatclient_and_cli(client: Any, running: AllInOne) -> None:
    stack_id = _create(client, "healthy")
    client.resources.mark_unhealthy(stack_id, "word", True, "it broke")
    resource = client.resources.get(stack_id, "word")
    assert (resource.resource_status, resource.resource_status_reason) == ("CHECK_FAILED", "it broke")
    status, _out, err = heat(running, "stack", "resource", "mark", "unhealthy", "healthy", "word", "--reset")
    assert status == 0, err
    assert client.resources.get(stack_id, "word").resource_status == "CHECK_COMPLETE"
    with pytest.raises(heat_exceptions.HTTPNotFound):
        client.resources.mark_unhealthy(stack_id, "nothing", True, "")


def test_export_abandon_and_adopt_with_heatclient(client: Any) -> None:
    stack_id = _create(client, "leaving")
    word = client.stacks.output_show(stack_id, "word")["output"]["output_value"]
    exported = client.stacks.export(stack_id)
    assert exported["resources"]["word"]["resource_data"]["value"] == word
    abandoned = client.stacks.abandon(stack_id)
    assert abandoned["id"] == stack_id
    assert abandoned["template"] == WORDS
    deadline = time.monotonic() + 20
    while any(stack.id == stack_id for stack in client.stacks.list()):
        assert time.monotonic() < deadline
        time.sleep(0.1)

    created = client.stacks.create(stack_name="arrived", adopt_stack_data=json.dumps(abandoned))
    adopted = _wait(client, created["stack"]["id"])
    assert adopted.stack_status == "ADOPT_COMPLETE", adopted.stack_status_reason
    assert client.stacks.output_show(adopted.id, "word")["output"]["output_value"] == word


def test_abandon_and_adopt_with_the_cli(client: Any, running: AllInOne, tmp_path: Path) -> None:
    _create(client, "cli-leaving")
    data_file = tmp_path / "abandoned.json"
    status, _out, err = heat(running, "stack", "export", "cli-leaving", "--output-file", str(data_file))
    assert status == 0, err
    assert json.loads(data_file.read_text())["name"] == "cli-leaving"
    status, _out, err = heat(running, "stack", "abandon", "cli-leaving", "--output-file", str(data_file))
    assert status == 0, err
    status, out, err = heat(
        running, "stack", "adopt", "cli-arrived", "--adopt-file", str(data_file), "--wait"
    )
    assert status == 0, err
    assert "ADOPT_COMPLETE" in out + err


def test_snapshots_with_heatclient(client: Any) -> None:
    stack_id = _create(client, "snapped")
    word = client.stacks.output_show(stack_id, "word")["output"]["output_value"]
    snapshot = client.stacks.snapshot(stack_id, "first")
    assert (snapshot["name"], snapshot["status"]) == ("first", "IN_PROGRESS")
    assert _wait(client, stack_id).stack_status == "SNAPSHOT_COMPLETE"
    listed = client.stacks.snapshot_list(stack_id)["snapshots"]
    assert [entry["id"] for entry in listed] == [snapshot["id"]]
    shown = client.stacks.snapshot_show(stack_id, snapshot["id"])["snapshot"]
    assert shown["status"] == "COMPLETE"
    assert shown["data"]["resources"]["word"]["resource_data"]["value"] == word

    client.stacks.restore(stack_id, snapshot["id"])
    restored = _wait(client, stack_id)
    assert restored.stack_status == "RESTORE_COMPLETE", restored.stack_status_reason

    client.stacks.snapshot_delete(stack_id, snapshot["id"])
    deadline = time.monotonic() + 20
    while client.stacks.snapshot_list(stack_id)["snapshots"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    with pytest.raises(heat_exceptions.HTTPNotFound):
        client.stacks.snapshot_show(stack_id, snapshot["id"])


def test_snapshots_with_the_cli(client: Any, running: AllInOne) -> None:
    stack_id = _create(client, "cli-snapped")
    status, out, err = heat(
        running, "stack", "snapshot", "create", "cli-snapped", "--name", "one", "-f", "yaml"
    )
    assert status == 0, err
    snapshot_id = yaml.safe_load(out)["id"]
    assert _wait(client, stack_id).stack_status == "SNAPSHOT_COMPLETE"
    status, out, err = heat(running, "stack", "snapshot", "list", "cli-snapped")
    assert status == 0, err
    assert snapshot_id in out
    status, out, err = heat(running, "stack", "snapshot", "show", "cli-snapped", snapshot_id)
    assert status == 0, err
    assert "COMPLETE" in out
    status, _out, err = heat(running, "stack", "snapshot", "restore", "cli-snapped", snapshot_id)
    assert status == 0, err
    assert _wait(client, stack_id).stack_status == "RESTORE_COMPLETE"
    status, _out, err = heat(running, "stack", "snapshot", "delete", "cli-snapped", snapshot_id, "--yes")
    assert status == 0, err
    deadline = time.monotonic() + 20
    while client.stacks.snapshot_list(stack_id)["snapshots"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_signal_with_the_cli(client: Any, running: AllInOne) -> None:
    created = client.stacks.create(stack_name="cli-waiting", template=WAITING)
    stack_id = created["stack"]["id"]
    deadline = time.monotonic() + 20
    while _resource_status(client, stack_id, "handle") != "CREATE_COMPLETE":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    data = json.dumps({"status": "SUCCESS", "data": "done", "id": "a"})
    status, _out, err = heat(running, "stack", "resource", "signal", "cli-waiting", "handle", "--data", data)
    assert status == 0, err
    assert _wait(client, stack_id).stack_status == "CREATE_COMPLETE"
    status, _out, err = heat(running, "stack", "resource", "signal", "cli-waiting", "nothing")
    assert status != 0
    assert "could not be found" in err


def test_template_environment_and_files_are_what_was_given(client: Any) -> None:
    template = {
        "heat_template_version": "2018-08-31",
        "parameters": {"length": {"type": "number"}, "note": {"type": "string", "default": ""}},
        "resources": {"word": {"type": "My::Word", "properties": {"length": {"get_param": "length"}}}},
    }
    environment = {
        "parameters": {"note": "from the environment"},
        "resource_registry": {"My::Word": "OS::Heat::RandomString"},
    }
    created = client.stacks.create(
        stack_name="given",
        template=template,
        environment=environment,
        parameters={"length": 5},
        files={"note.txt": "a note"},
    )
    stack_id = created["stack"]["id"]
    assert _wait(client, stack_id).stack_status == "CREATE_COMPLETE"
    assert client.stacks.template(stack_id) == template
    shown = client.stacks.environment(stack_id)
    assert shown["parameters"] == {"note": "from the environment", "length": 5}
    assert shown["resource_registry"]["My::Word"] == "OS::Heat::RandomString"
    assert shown["parameter_defaults"] == {} and shown["event_sinks"] == []
    assert client.stacks.files(stack_id) == {"note.txt": "a note"}


def test_errors_as_heatclient_sees_them(client: Any, running: AllInOne) -> None:
    stack_id = _create(client, "erring")
    application = running.servers["api"].application
    assert isinstance(application, Flask)
    service = application.extensions["calor.api.native"].service
    service.enable_stack_abandon = False
    try:
        with pytest.raises(heat_exceptions.HTTPBadRequest, match="Stack Abandon is not supported"):
            client.stacks.export(stack_id)
    finally:
        service.enable_stack_abandon = True
    with pytest.raises(heat_exceptions.HTTPNotFound, match="The Snapshot"):
        client.stacks.snapshot_show(stack_id, "missing")
    with pytest.raises(heat_exceptions.HTTPBadRequest, match="hook is not defined"):
        client.resources.signal(stack_id, "word", data={"unset_hook": "pre-create"})
    with pytest.raises(heat_exceptions.HTTPNotFound):
        client.resources.signal(stack_id, "nothing")


WORD_TEMPLATE = {
    "heat_template_version": "2018-08-31",
    "resources": {"word": {"type": "OS::Heat::RandomString", "properties": {"length": 6}}},
    "outputs": {"word": {"value": {"get_attr": ["word", "value"]}}},
}
NESTED = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "provided": {"type": "word.yaml"},
        "group": {
            "type": "OS::Heat::ResourceGroup",
            "properties": {"count": 2, "resource_def": {"type": "OS::Heat::TestResource"}},
        },
    },
    "outputs": {
        "word": {"value": {"get_attr": ["provided", "word"]}},
        "members": {"value": {"get_attr": ["group", "refs"]}},
    },
}


def _leaves(client: Any, stack_id: str) -> dict[str, str]:
    """The physical ids of every resource of the tree that is not itself a nested stack."""
    resources = client.resources.list(stack_id, nested_depth=2)
    return {
        f"{resource.parent_resource or ''}/{resource.resource_name}": resource.physical_resource_id
        for resource in resources
        if resource.resource_type in ("OS::Heat::RandomString", "OS::Heat::TestResource")
    }


def test_export_abandon_and_adopt_nested_stacks_with_heatclient(client: Any) -> None:
    created = client.stacks.create(
        stack_name="nested-leaving", template=NESTED, files={"word.yaml": json.dumps(WORD_TEMPLATE)}
    )
    stack_id = created["stack"]["id"]
    assert _wait(client, stack_id).stack_status == "CREATE_COMPLETE"
    leaves = _leaves(client, stack_id)
    assert len(leaves) == 3
    outputs = {output["output_key"]: output["output_value"] for output in client.stacks.get(stack_id).outputs}
    nested_ids = {stack.id for stack in client.stacks.list(show_nested=True) if stack.parent == stack_id}
    assert len(nested_ids) == 2

    exported = client.stacks.export(stack_id)
    provided = exported["resources"]["provided"]
    assert provided["id"] in nested_ids and provided["template"] == WORD_TEMPLATE
    assert provided["resources"]["word"]["resource_data"]["value"] == outputs["word"]
    assert sorted(exported["resources"]["group"]["resources"]) == ["0", "1"]

    abandoned = client.stacks.abandon(stack_id)
    assert abandoned["resources"] == exported["resources"]
    deadline = time.monotonic() + 20
    while any(stack.id in nested_ids | {stack_id} for stack in client.stacks.list(show_nested=True)):
        assert time.monotonic() < deadline
        time.sleep(0.1)

    created = client.stacks.create(stack_name="nested-arrived", adopt_stack_data=json.dumps(abandoned))
    adopted = _wait(client, created["stack"]["id"])
    assert adopted.stack_status == "ADOPT_COMPLETE", adopted.stack_status_reason
    assert {output["output_key"]: output["output_value"] for output in adopted.outputs} == outputs
    children = [stack for stack in client.stacks.list(show_nested=True) if stack.parent == adopted.id]
    assert sorted(stack.stack_status for stack in children) == ["ADOPT_COMPLETE", "ADOPT_COMPLETE"]
    assert _leaves(client, adopted.id) == leaves
    assert {resource.resource_status for resource in client.resources.list(adopted.id, nested_depth=2)} == {
        "ADOPT_COMPLETE"
    }
    client.stacks.delete(adopted.id)
    deleted = _wait(client, adopted.id)
    assert deleted.stack_status == "DELETE_COMPLETE", deleted.stack_status_reason
