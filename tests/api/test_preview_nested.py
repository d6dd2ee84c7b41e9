"""Update preview with ``show_nested`` through python-heatclient against heat-all.

Heat lists the changes inside nested stacks in the same five lists after the stack's
own: the children of deleted (or replaced) nested-stack resources as ``deleted``, the
children added ones would make as ``added``, and the child of one updated in place
previewed against its new template. Each nested entry names its stack and parent.
"""

from __future__ import annotations

import contextlib
import io
import json
import pathlib
import time
from typing import Any

import pytest
import yaml
from keystoneauth1 import session as keystone_session
from keystoneauth1.identity import v3

from calor.cli.main import main
from calor.cmd.all import AllInOne

heat_client = pytest.importorskip("heatclient.client")
exc = pytest.importorskip("heatclient.exc")

BOX = json.dumps(
    {
        "heat_template_version": "2018-08-31",
        "resources": {"content": {"type": "OS::Heat::Value", "properties": {"value": "boxed"}}},
    }
)


def _inner(resources: dict[str, Any]) -> str:
    return json.dumps({"heat_template_version": "2018-08-31", "resources": resources})


def _value(value: str) -> dict[str, Any]:
    return {"type": "OS::Heat::Value", "properties": {"value": value}}


def _template(inner: str, count: int, boxes: list[str]) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "inner": {"type": "OS::Heat::Stack", "properties": {"template": inner}},
        "group": {
            "type": "OS::Heat::ResourceGroup",
            "properties": {"count": count, "resource_def": _value("member %index%")},
        },
        "plain": _value("same"),
    }
    for name in boxes:
        resources[name] = {"type": "box.yaml"}
    return {"heat_template_version": "2018-08-31", "resources": resources}


FIRST = _template(_inner({"a": _value("one"), "b": _value("kept"), "gone": _value("bye")}), 2, ["old_box"])
SECOND = _template(_inner({"a": _value("two"), "b": _value("kept"), "new": _value("hi")}), 3, ["fresh"])


@pytest.fixture(scope="module")
def client(heat_all: AllInOne) -> Any:
    auth = v3.Password(
        auth_url=heat_all.url("identity") + "/v3",
        username="demo",
        password=heat_all.credentials["demo"],
        project_name="demo",
        user_domain_name="Default",
        project_domain_name="Default",
    )
    session = keystone_session.Session(auth=auth)
    return heat_client.Client("1", session=session, service_type="orchestration")


@pytest.fixture(scope="module")
def stack(client: Any) -> dict[str, Any]:
    created = client.stacks.create(stack_name="nesting", template=FIRST, files={"box.yaml": BOX})
    stack_id = created["stack"]["id"]
    deadline = time.monotonic() + 30
    while (shown := client.stacks.get(stack_id)).stack_status.endswith("IN_PROGRESS"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert shown.stack_status == "CREATE_COMPLETE", shown.stack_status_reason
    children = {
        resource.resource_name: resource.physical_resource_id for resource in client.resources.list(stack_id)
    }
    names = {name: client.stacks.get(children[name]).stack_name for name in ("inner", "group", "old_box")}
    return {"id": stack_id, "children": children, "names": names}


def _names(changes: dict[str, list[dict[str, Any]]]) -> dict[str, list[tuple[str | None, str]]]:
    return {
        key: [(entry.get("parent_resource"), entry["resource_name"]) for entry in entries]
        for key, entries in changes.items()
    }


def test_preview_without_show_nested_lists_the_stack_alone(client: Any, stack: dict[str, Any]) -> None:
    changes = client.stacks.preview_update(stack["id"], template=SECOND, files={"box.yaml": BOX})
    assert _names(changes["resource_changes"]) == {
        "added": [(None, "fresh")],
        "deleted": [(None, "old_box")],
        "replaced": [],
        "updated": [(None, "inner"), (None, "group")],
        "unchanged": [(None, "plain")],
    }


def test_preview_with_show_nested_lists_the_changes_inside_children(
    client: Any, stack: dict[str, Any]
) -> None:
    events = len(client.events.list(stack["id"]))
    changes = client.stacks.preview_update(
        stack["id"], template=SECOND, files={"box.yaml": BOX}, show_nested=True
    )["resource_changes"]
    assert _names(changes) == {
        # The stack's own, then the new box's child, then the children updated in place.
        "added": [(None, "fresh"), ("fresh", "content"), ("inner", "new"), ("group", "2")],
        "deleted": [(None, "old_box"), ("old_box", "content"), ("inner", "gone")],
        "replaced": [],
        "updated": [(None, "inner"), (None, "group"), ("inner", "a")],
        "unchanged": [(None, "plain"), ("inner", "b"), ("group", "0"), ("group", "1")],
    }
    by_name = {
        (entry.get("parent_resource"), entry["resource_name"]): entry
        for key in changes
        for entry in changes[key]
    }
    updated = by_name[("inner", "a")]
    assert updated["stack_name"] == stack["names"]["inner"]
    assert updated["stack_identity"]["stack_id"] == stack["children"]["inner"]
    assert updated["physical_resource_id"]
    assert (updated["resource_action"], updated["resource_status"]) == ("CREATE", "COMPLETE")
    gone = by_name[("old_box", "content")]
    assert (gone["stack_name"], gone["stack_identity"]["stack_id"]) == (
        stack["names"]["old_box"],
        stack["children"]["old_box"],
    )
    new = by_name[("fresh", "content")]
    assert new["stack_identity"]["stack_id"] is None  # that child does not exist yet
    assert (new["physical_resource_id"], new["resource_action"]) == ("", "INIT")
    assert by_name[("group", "2")]["stack_identity"]["stack_id"] == stack["children"]["group"]
    # Nothing was touched.
    assert len(client.events.list(stack["id"])) == events
    assert client.stacks.get(stack["id"]).stack_status == "CREATE_COMPLETE"


def test_show_nested_must_be_a_boolean(heat_all: AllInOne, client: Any, stack: dict[str, Any]) -> None:
    with pytest.raises(exc.HTTPBadRequest, match="show_nested"):
        client.http_client.put(
            f"/stacks/nesting/{stack['id']}/preview?show_nested=maybe",
            data={"template": SECOND, "files": {"box.yaml": BOX}},
        )


def test_a_replaced_nested_resource_lists_its_old_and_new_children(
    client: Any, stack: dict[str, Any]
) -> None:
    crate = json.dumps(
        {
            "heat_template_version": "2018-08-31",
            "resources": {"slat": _value("wood"), "nail": _value("iron")},
        }
    )
    changed = json.loads(json.dumps(FIRST))
    changed["resources"]["old_box"]["type"] = "crate.yaml"
    changes = client.stacks.preview_update(
        stack["id"], existing=True, template=changed, files={"crate.yaml": crate}, show_nested=True
    )["resource_changes"]
    assert _names(changes) == {
        "added": [("old_box", "slat"), ("old_box", "nail")],
        "deleted": [("old_box", "content")],
        "replaced": [(None, "old_box")],
        "updated": [],
        "unchanged": [(None, "inner"), (None, "group"), (None, "plain")],
    }


def test_the_cli_dry_run_with_show_nested(
    heat_all: AllInOne, stack: dict[str, Any], tmp_path: pathlib.Path
) -> None:
    template_file = tmp_path / "second.yaml"
    template_file.write_text(yaml.safe_dump(SECOND, sort_keys=False))
    (tmp_path / "box.yaml").write_text(BOX)
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OS_CLIENT_CONFIG_FILE", str(heat_all.clouds_file))
        for name in ("OS_CLOUD", "OS_AUTH_URL", "OS_PASSWORD", "OS_USERNAME", "OS_PROJECT_NAME"):
            patch.delenv(name, raising=False)
        with contextlib.redirect_stdout(out):
            arguments = ["stack", "update", "nesting", "-t", str(template_file), "--dry-run", "--show-nested"]
            status = main(["--os-cloud", "calor-demo", *arguments, "-f", "json"])
    assert status == 0
    changes = json.loads(out.getvalue())
    assert [entry["resource_name"] for entry in changes["added"]] == ["fresh", "content", "new", "2"]
