"""Parent updates reach nested stacks whose inputs changed, even with the same properties.

Heat updates every nested stack on a parent update. Calor updates a child when what it
is built from changed (its provider template, a file it reads, the environment flowing
into it) and leaves one where nothing changed untouched: no events, no update.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from engine_deployment import PROJECT, Deployment, template

THING = {
    "heat_template_version": "2018-08-31",
    "parameters": {"word": {"type": "string", "default": "plain"}},
    "resources": {"value": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "word"}}}},
    "outputs": {"echo": {"value": {"get_attr": ["value", "value"]}}},
}
READER = json.dumps(
    {
        "heat_template_version": "2018-08-31",
        "resources": {"content": {"type": "OS::Heat::Value", "properties": {"value": {"get_file": "text"}}}},
        "outputs": {"echo": {"value": {"get_attr": ["content", "value"]}}},
    }
)
MEMBER = {
    "heat_template_version": "2018-08-31",
    "parameters": {"index": {"type": "string"}},
    "resources": {"value": {"type": "OS::Heat::Value", "properties": {"value": {"get_param": "index"}}}},
    "outputs": {"echo": {"value": {"get_attr": ["value", "value"]}}},
}
REGISTRY = {"resource_registry": {"My::Thing": "thing.yaml", "My::Member": "member.yaml"}}


def _thing(suffix: str) -> str:
    """``thing.yaml``: the child's value is the word with ``suffix`` (a different template)."""
    changed = json.loads(json.dumps(THING))
    if suffix:
        changed["resources"]["value"]["properties"]["value"] = {
            "str_replace": {"template": f"WORD{suffix}", "params": {"WORD": {"get_param": "word"}}}
        }
    return json.dumps(changed)


def _member(prefix: str) -> str:
    changed = json.loads(json.dumps(MEMBER))
    changed["resources"]["value"]["properties"]["value"] = {
        "str_replace": {"template": f"{prefix}INDEX", "params": {"INDEX": {"get_param": "index"}}}
    }
    return json.dumps(changed)


def _body() -> dict[str, Any]:
    return template(
        {
            "thing": {"type": "My::Thing", "properties": {"word": "same"}},
            "reader": {"type": "OS::Heat::Stack", "properties": {"template": READER}},
            "group": {
                "type": "OS::Heat::ResourceGroup",
                "properties": {
                    "count": 2,
                    "resource_def": {"type": "My::Member", "properties": {"index": "%index%"}},
                },
            },
            "plain": {"type": "OS::Heat::Value", "properties": {"value": "plain"}},
        },
        outputs={
            "thing": {"value": {"get_attr": ["thing", "echo"]}},
            "reader": {"value": {"get_attr": ["reader", "outputs", "echo"]}},
            "group": {"value": {"get_attr": ["group", "echo"]}},
        },
    )


def _files(thing: str = "", text: str = "first", member: str = "m-", notes: str = "a") -> dict[str, str]:
    return {"thing.yaml": _thing(thing), "member.yaml": _member(member), "text": text, "notes.txt": notes}


@pytest.fixture
def engine(deployment: Deployment) -> Deployment:
    deployment.worker("engine-1")
    return deployment


def _created(engine: Deployment) -> str:
    stack_id = engine.create("nesting", _body(), files=_files(), environment=REGISTRY)
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    assert _outputs(shown) == {"thing": "same", "reader": "first", "group": ["m-0", "m-1"]}
    return stack_id


def _outputs(shown: dict[str, Any]) -> dict[str, Any]:
    return {output["output_key"]: output["output_value"] for output in shown["outputs"]}


def _updated(engine: Deployment, stack_id: str, files: dict[str, str]) -> dict[str, Any]:
    engine.service.update_stack(PROJECT, stack_id, _body(), files=files, environment=REGISTRY)
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "UPDATE_COMPLETE", shown["stack_status_reason"]
    return shown


def _since_last_update(engine: Deployment, stack_id: str) -> list[tuple[str, str]]:
    """The stack's events (the parent's own and its children's) since its last UPDATE_IN_PROGRESS."""
    events = [(name, status) for name, status, _reason in engine.events(stack_id)]
    started = len(events) - 1 - events[::-1].index(("nesting", "UPDATE_IN_PROGRESS"))
    return events[started + 1 :]


def _child(engine: Deployment, stack_id: str, owner: str) -> Any:
    [child] = [
        child for child in engine.repository.get_child_stacks(stack_id) if child.owner_resource_name == owner
    ]
    return child


def _child_events(engine: Deployment, stack_id: str) -> list[tuple[str, str]]:
    return [(name, status) for name, status, _reason in engine.events(stack_id)]


def test_a_changed_provider_template_updates_the_child(engine: Deployment) -> None:
    stack_id = _created(engine)
    before = _child(engine, stack_id, "thing")
    shown = _updated(engine, stack_id, _files(thing="-v2"))
    assert _outputs(shown)["thing"] == "same-v2"
    events = _since_last_update(engine, stack_id)
    assert ("thing", "UPDATE_IN_PROGRESS") in events and ("thing", "UPDATE_COMPLETE") in events
    assert {name for name, _status in events} == {"thing", "nesting"}  # reader, group, plain untouched
    after = _child(engine, stack_id, "thing")
    assert after.id == before.id  # updated in place, not replaced
    assert after.stack_status == "UPDATE_COMPLETE"
    assert ("value", "UPDATE_COMPLETE") in _child_events(engine, after.id)
    [value] = engine.repository.get_resources(after.id)
    assert value.properties_data["value"] == "same-v2"


def test_a_changed_file_read_inside_a_stack_template_updates_the_child(engine: Deployment) -> None:
    """The ``template`` property is the same string; the file its ``get_file`` reads changed."""
    stack_id = _created(engine)
    shown = _updated(engine, stack_id, _files(text="second"))
    assert _outputs(shown)["reader"] == "second"
    events = _since_last_update(engine, stack_id)
    assert {name for name, _status in events} == {"reader", "nesting"}
    child = _child(engine, stack_id, "reader")
    assert child.stack_status == "UPDATE_COMPLETE"
    assert ("content", "UPDATE_COMPLETE") in _child_events(engine, child.id)


def test_a_group_whose_member_type_maps_to_a_changed_template_updates_every_member(
    engine: Deployment,
) -> None:
    stack_id = _created(engine)
    shown = _updated(engine, stack_id, _files(member="n-"))
    assert _outputs(shown)["group"] == ["n-0", "n-1"]
    events = _since_last_update(engine, stack_id)
    assert {name for name, _status in events} == {"group", "nesting"}
    group_child = _child(engine, stack_id, "group")
    assert group_child.stack_status == "UPDATE_COMPLETE"
    member_events = _child_events(engine, group_child.id)
    assert ("0", "UPDATE_COMPLETE") in member_events and ("1", "UPDATE_COMPLETE") in member_events
    for member in ("0", "1"):
        grandchild = _child(engine, group_child.id, member)
        assert grandchild.stack_status == "UPDATE_COMPLETE"
        [value] = engine.repository.get_resources(grandchild.id)
        assert value.properties_data["value"] == f"n-{member}"


def test_an_update_that_changes_nothing_a_child_reads_leaves_the_children_alone(engine: Deployment) -> None:
    """Only a file no template names changed: no resource event, no child updated."""
    stack_id = _created(engine)
    tree = [stack_id]
    for stack in tree:
        tree.extend(child.id for child in engine.repository.get_child_stacks(stack))
    assert len(tree) == 6  # the parent, thing, reader, group and its two members
    before = {stack: (engine.repository.get_stack(stack), _child_events(engine, stack)) for stack in tree[1:]}
    shown = _updated(engine, stack_id, _files(notes="b"))
    assert _outputs(shown) == {"thing": "same", "reader": "first", "group": ["m-0", "m-1"]}
    assert _since_last_update(engine, stack_id) == [("nesting", "UPDATE_COMPLETE")]
    for stack, (record, events) in before.items():
        assert engine.repository.get_stack(stack) == record
        assert _child_events(engine, stack) == events


def test_a_failed_update_rolls_a_changed_child_back(engine: Deployment) -> None:
    """The rollback builds the child from the previous template's files again."""
    stack_id = _created(engine)
    body = _body()
    body["resources"]["bad"] = {
        "type": "OS::Heat::TestResource",
        "properties": {"fail": True},
        "depends_on": ["reader"],
    }
    engine.service.update_stack(
        PROJECT, stack_id, body, files=_files(text="second"), environment=REGISTRY, disable_rollback=False
    )
    shown = engine.wait(stack_id)
    assert shown["stack_status"] == "ROLLBACK_COMPLETE", shown["stack_status_reason"]
    assert _outputs(shown)["reader"] == "first"
    child = _child(engine, stack_id, "reader")
    [content] = engine.repository.get_resources(child.id)
    assert content.properties_data["value"] == "first"
    values = [status for name, status in _child_events(engine, child.id) if name == "content"]
    assert values[-2:] == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE"]  # updated there and back


def test_preview_lists_the_owner_as_updated_and_the_inner_change(engine: Deployment) -> None:
    stack_id = _created(engine)
    changes = engine.service.preview_update(
        PROJECT, stack_id, _body(), files=_files(thing="-v2"), environment=REGISTRY, show_nested=True
    )
    names = {key: sorted(item["resource_name"] for item in items) for key, items in changes.items()}
    assert names["updated"] == ["thing", "value"]
    [inner] = [item for item in changes["updated"] if item["resource_name"] == "value"]
    assert inner["parent_resource"] == "thing"
    assert "reader" in names["unchanged"] and "group" in names["unchanged"]

    unchanged = engine.service.preview_update(
        PROJECT, stack_id, _body(), files=_files(notes="b"), environment=REGISTRY, show_nested=True
    )
    assert unchanged["updated"] == []
    assert sorted(item["resource_name"] for item in unchanged["unchanged"]) == [
        "group",
        "plain",
        "reader",
        "thing",
    ]
