"""What a child stack is built from, and whether a new set of inputs would change it."""

from __future__ import annotations

import json
from typing import Any

from calor.engine.nested_inputs import ChildInputs, child_environment, inputs_changed, referenced_files

CHILD = {
    "heat_template_version": "2018-08-31",
    "resources": {
        "thing": {"type": "My::Thing"},
        "script": {"type": "OS::Heat::Value", "properties": {"value": {"get_file": "script.sh"}}},
    },
}
ENVIRONMENT = child_environment(
    {"resource_registry": {"My::Thing": "thing.yaml", "My::Other": "other.yaml"}}, "inner", None
)
FILES = {
    "script.sh": "echo one",
    "thing.yaml": "resources: {deep: {type: OS::Heat::Value, properties: {value: {get_file: deep.txt}}}}",
    "deep.txt": "deep",
    "other.yaml": "resources: {}",
    "notes.txt": "unrelated",
}


def _inputs(**changes: Any) -> ChildInputs:
    values: dict[str, Any] = {
        "template": json.dumps(CHILD),
        "parameters": {"word": "a"},
        "files": FILES,
        "environment": ENVIRONMENT,
    }
    values.update(changes)
    return ChildInputs(**values)


def test_files_named_directly_through_files_and_through_the_registry() -> None:
    found = referenced_files(
        [json.dumps(CHILD)], FILES, {"My::Thing": "thing.yaml", "My::Other": "other.yaml"}
    )
    assert found == {"script.sh", "thing.yaml", "deep.txt"}


def test_glob_entries_count_and_file_prefixes_match() -> None:
    files = {"types/server.yaml": "s", "types/volume.yaml": "v", "elsewhere.yaml": "e"}
    assert referenced_files(["nothing"], files, {"Site::*": "types/*"}) == {
        "types/server.yaml",
        "types/volume.yaml",
    }
    assert referenced_files(["A"], {"b.yaml": "b"}, {"A": "B", "B": "b.yaml"}) == {"b.yaml"}  # an alias chain


def test_the_same_inputs_do_not_change_the_child() -> None:
    stored = _inputs(template=CHILD, files={**FILES, "notes.txt": "before"})
    assert not inputs_changed(stored, _inputs())  # text or mapping, an unread file changed


def test_each_input_that_matters_changes_the_child() -> None:
    stored = _inputs()
    assert inputs_changed(stored, _inputs(template=json.dumps({**CHILD, "description": "new"})))
    assert inputs_changed(stored, _inputs(parameters={"word": "b"}))
    assert inputs_changed(stored, _inputs(files={**FILES, "script.sh": "echo two"}))
    assert inputs_changed(stored, _inputs(files={**FILES, "deep.txt": "deeper"}))  # read by a provider
    defaults = child_environment(
        {"resource_registry": {"My::Thing": "thing.yaml"}, "parameter_defaults": {"word": "x"}}, "inner", None
    )
    assert inputs_changed(stored, _inputs(environment=defaults))


def test_a_file_only_another_registry_entry_names_does_not_count() -> None:
    assert not inputs_changed(_inputs(), _inputs(files={**FILES, "other.yaml": "resources: {x: {}}"}))


def test_an_unreadable_template_counts_as_changed() -> None:
    assert inputs_changed(_inputs(), _inputs(template="resources: ["))


def test_the_child_environment_has_no_parameters_and_the_nested_registry() -> None:
    environment = child_environment(
        {
            "parameters": {"top": 1},
            "resource_registry": {
                "My::Thing": "thing.yaml",
                "resources": {"inner": {"x": {"hooks": "pre-create"}}},
            },
        },
        "inner",
        "My::Thing",
    )
    assert environment["parameters"] == {}
    assert environment["resource_registry"] == {"resources": {"x": {"hooks": ["pre-create"]}}}
