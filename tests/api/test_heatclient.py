"""heat-all driven by python-heatclient: every route through keystonemiddleware and the
embedded identity, with Heat's error statuses as the client sees them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from api_harness import TEMPLATE
from keystoneauth1 import session as keystone_session
from keystoneauth1.identity import v3

from calor.cmd.all import AllInOne

heat_client = pytest.importorskip("heatclient.client")
exc = pytest.importorskip("heatclient.exc")
template_utils = pytest.importorskip("heatclient.common.template_utils")

TEMPLATE_TEXT = yaml.safe_dump(
    dict(
        TEMPLATE,
        resources={"word": {"type": "Custom::Word", "properties": {"length": {"get_param": "length"}}}},
        outputs={
            "value": {"value": {"get_attr": ["word", "value"]}},
            "note": {"value": {"get_file": "note.txt"}},
        },
    )
)
ENVIRONMENT_TEXT = "resource_registry:\n  Custom::Word: OS::Heat::RandomString\nparameters:\n  length: 5\n"


def _session(running: AllInOne, user: str) -> keystone_session.Session:
    auth = v3.Password(
        auth_url=running.url("identity") + "/v3",
        username=user,
        password=running.credentials[user],
        project_name=user,
        user_domain_name="Default",
        project_domain_name="Default",
    )
    return keystone_session.Session(auth=auth)


def _client(running: AllInOne, user: str = "demo") -> Any:
    return heat_client.Client("1", session=_session(running, user), service_type="orchestration")


def _wait(client: Any, name: str) -> Any:
    deadline = time.monotonic() + 20
    while True:
        stack = client.stacks.get(name)
        if not stack.stack_status.endswith("IN_PROGRESS") or time.monotonic() > deadline:
            return stack
        time.sleep(0.1)


@pytest.fixture(scope="module")
def created(heat_all: AllInOne, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One stack made from a template file and an environment file, as the CLI sends them."""
    folder = tmp_path_factory.mktemp("templates")
    template_file = folder / "word.yaml"
    template_file.write_text(TEMPLATE_TEXT)
    (folder / "note.txt").write_text("a note")
    environment_file = folder / "env.yaml"
    environment_file.write_text(ENVIRONMENT_TEXT)
    files, template = template_utils.get_template_contents(template_file=str(template_file))
    environment_files, environment = template_utils.process_multiple_environments_and_files(
        env_paths=[str(environment_file)]
    )
    client = _client(heat_all)
    body = client.stacks.create(
        stack_name="client-stack",
        template=template,
        files={**files, **environment_files},
        environment=environment,
        parameters={"length": 8},
        tags="one,two",
    )
    stack = _wait(client, "client-stack")
    assert stack.stack_status == "CREATE_COMPLETE", stack.stack_status_reason
    return {"id": body["stack"]["id"], "client": client, "environment_file": str(environment_file)}


def test_show_by_name_follows_the_redirect_and_by_id(created: dict[str, Any]) -> None:
    client = created["client"]
    by_name = client.stacks.get("client-stack")
    by_id = client.stacks.get(created["id"])
    assert by_name.id == by_id.id == created["id"]
    assert by_name.parameters["length"] == "8"
    assert by_name.parameters["OS::stack_name"] == "client-stack"
    assert by_name.tags == ["one", "two"]
    outputs = {output["output_key"]: output["output_value"] for output in by_name.outputs}
    assert len(outputs["value"]) == 8
    assert outputs["note"] == "a note"


def test_list_with_filters_sort_and_paging(heat_all: AllInOne, created: dict[str, Any]) -> None:
    client = created["client"]
    second = client.stacks.create(stack_name="second-stack", template=TEMPLATE)["stack"]["id"]
    _wait(client, "second-stack")
    names = [stack.stack_name for stack in client.stacks.list(sort_keys=["stack_name"], sort_dir="asc")]
    assert names == ["client-stack", "second-stack"]
    filtered = [stack.stack_name for stack in client.stacks.list(filters={"name": "second-stack"})]
    assert filtered == ["second-stack"]
    page = list(client.stacks.list(limit=1, sort_keys=["stack_name"], sort_dir="asc", marker=created["id"]))
    assert [stack.id for stack in page] == [second]
    tagged = [stack.stack_name for stack in client.stacks.list(tags="one")]
    assert tagged == ["client-stack"]
    client.stacks.delete(second)


def test_resources_events_outputs(created: dict[str, Any]) -> None:
    client = created["client"]
    (resource,) = client.resources.list("client-stack")
    assert resource.resource_name == "word" and resource.resource_type == "Custom::Word"
    shown = client.resources.get("client-stack", "word")
    assert len(shown.attributes["value"]) == 8
    assert client.resources.metadata("client-stack", "word") == {}
    events = client.events.list("client-stack")
    assert {event.resource_status for event in events} >= {"CREATE_IN_PROGRESS", "CREATE_COMPLETE"}
    word_events = client.events.list("client-stack", resource_name="word")
    assert {event.resource_name for event in word_events} == {"word"}
    event = client.events.get("client-stack", "word", word_events[0].id)
    assert event.id == word_events[0].id
    outputs = client.stacks.output_list("client-stack")["outputs"]
    assert sorted(output["output_key"] for output in outputs) == ["note", "value"]
    value = client.stacks.output_show("client-stack", "value")["output"]["output_value"]
    assert len(value) == 8


def test_template_environment_and_files(created: dict[str, Any]) -> None:
    client = created["client"]
    template = client.stacks.template("client-stack")
    assert template["resources"] == yaml.safe_load(TEMPLATE_TEXT)["resources"]
    environment = client.stacks.environment("client-stack")
    assert environment["resource_registry"]["Custom::Word"] == "OS::Heat::RandomString"
    files = client.stacks.files("client-stack")
    assert [content for name, content in files.items() if name.endswith("note.txt")] == ["a note"]


def test_validate_resource_types_template_versions_build_info(created: dict[str, Any]) -> None:
    client = created["client"]
    validated = client.stacks.validate(template=TEMPLATE)
    assert validated["Description"] == "A random string"
    types = [str(item) for item in client.resource_types.list()]
    assert any("OS::Heat::RandomString" in item for item in types)
    schema = client.resource_types.get("OS::Heat::RandomString")
    assert schema["resource_type"] == "OS::Heat::RandomString"
    generated = client.resource_types.generate_template("OS::Heat::RandomString", template_type="hot")
    assert generated["heat_template_version"] == "2016-10-14"
    versions = [version.version for version in client.template_versions.list()]
    assert "heat_template_version.2018-08-31" in versions
    functions = client.template_versions.get("heat_template_version.2018-08-31")
    assert "get_attr" in {function.functions for function in functions}
    assert set(client.build_info.build_info()) == {"api", "engine"}


def test_services_are_for_admins(heat_all: AllInOne, created: dict[str, Any]) -> None:
    with pytest.raises(exc.HTTPForbidden):
        created["client"].services.list()
    services = _client(heat_all, "admin").services.list()
    assert services and services[0].status == "up"


def test_errors_as_the_client_sees_them(heat_all: AllInOne, created: dict[str, Any]) -> None:
    client = created["client"]
    with pytest.raises(exc.HTTPNotFound):
        client.stacks.get("no-such-stack")
    admin = _client(heat_all, "admin")
    admin_stack = admin.stacks.create(stack_name="admin-stack", template=TEMPLATE)["stack"]["id"]
    with pytest.raises(exc.HTTPNotFound):
        client.stacks.get(admin_stack)
    bad = dict(
        TEMPLATE, resources={"word": {"type": "OS::Heat::RandomString", "properties": {"length": "x"}}}
    )
    with pytest.raises(exc.HTTPBadRequest, match=r"resources\.word\.properties\.length"):
        client.stacks.create(stack_name="bad-stack", template=bad)
    admin.stacks.delete(admin_stack)


def _raw(heat_all: AllInOne, method: str, path: str, **options: Any) -> requests.Response:
    token = _session(heat_all, "demo").get_token()
    project = heat_all.projects["demo"]
    headers = {"X-Auth-Token": token, "Content-Type": "application/json"}
    return requests.request(
        method, f"{heat_all.url('api')}/v1/{project}/{path}", headers=headers, timeout=10, **options
    )


def test_bad_json_and_oversized_bodies(heat_all: AllInOne) -> None:
    response = _raw(heat_all, "POST", "stacks", data="{nope")
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("The request body is not valid JSON")
    oversized = json.dumps({"stack_name": "big", "template": TEMPLATE, "pad": "x" * (1024 * 1024 + 1)})
    response = _raw(heat_all, "POST", "stacks", data=oversized)
    assert response.status_code == 413
    assert response.json()["title"] == "Request Entity Too Large"


def test_unauthenticated_and_wrong_project(heat_all: AllInOne) -> None:
    project = heat_all.projects["demo"]
    response = requests.get(f"{heat_all.url('api')}/v1/{project}/stacks", timeout=10)
    assert response.status_code == 401
    assert response.json()["code"] == 401
    assert "WWW-Authenticate" in response.headers
    refused = requests.get(
        f"{heat_all.url('api')}/v1/{project}/stacks", headers={"X-Auth-Token": "forged"}, timeout=10
    )
    assert refused.status_code == 401
    admin_project = heat_all.projects["admin"]
    response = _raw(heat_all, "GET", f"../{admin_project}/stacks")
    assert response.status_code == 403


def test_delete(created: dict[str, Any]) -> None:
    client = created["client"]
    client.stacks.delete("client-stack")
    deadline = time.monotonic() + 20
    stack = client.stacks.get(created["id"])
    while stack.stack_status != "DELETE_COMPLETE" and time.monotonic() < deadline:
        time.sleep(0.1)
        stack = client.stacks.get(created["id"])
    assert stack.stack_status == "DELETE_COMPLETE"
    assert [stack.stack_name for stack in client.stacks.list()] == []
    with pytest.raises(exc.HTTPNotFound):
        client.stacks.get("client-stack")


def test_heat_all_wrote_clouds_yaml(heat_all: AllInOne, tmp_path: Path) -> None:
    clouds = yaml.safe_load(heat_all.clouds_file.read_text())["clouds"]
    assert set(clouds) == {"calor-admin", "calor-demo"}
    assert clouds["calor-demo"]["auth"]["password"] == heat_all.credentials["demo"]
