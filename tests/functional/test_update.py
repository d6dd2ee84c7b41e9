"""Stack updates through the service, the work queue and an engine worker (SQLite)."""

from __future__ import annotations

from typing import Any

import pytest
from engine_deployment import PROJECT, Deployment, template

from calor.errors import Conflict, ParameterError, UserError


def _value(value: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "OS::Heat::Value", "properties": {"value": value, **extra}}


def _test(value: str, **extra: Any) -> dict[str, Any]:
    return {"type": "OS::Heat::TestResource", "properties": {"value": value, **extra}}


def _since(events: list[tuple[str, str, str]], marker: tuple[str, str, str]) -> list[tuple[str, str, str]]:
    """The events after the last ``marker``."""
    index = len(events) - 1 - events[::-1].index(marker)
    return events[index + 1 :]


def _created(deployment: Deployment, name: str, body: dict[str, Any], **options: Any) -> str:
    stack_id = deployment.create(name, body, **options)
    shown = deployment.wait(stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    return stack_id


def test_update_in_place_add_remove_and_unchanged(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = _created(
        deployment,
        "web",
        template(
            {"kept": _value("same"), "changed": _test("one"), "removed": _value("bye")},
            {"out": {"value": {"get_attr": ["changed", "output"]}}},
        ),
    )
    before = deployment.resources(stack_id)
    deployment.service.update_stack(
        PROJECT,
        stack_id,
        template(
            {"kept": _value("same"), "changed": _test("two"), "added": _value("hi")},
            {"out": {"value": {"get_attr": ["changed", "output"]}}},
        ),
    )
    body = deployment.wait(stack_id)
    assert body["stack_status"] == "UPDATE_COMPLETE", body["stack_status_reason"]
    assert body["stack_status_reason"] == "Stack UPDATE completed successfully"
    outputs = {output["output_key"]: output["output_value"] for output in body["outputs"]}
    assert outputs["out"] == "two"
    resources = deployment.resources(stack_id)
    assert set(resources) == {"kept", "changed", "added"}
    assert resources["changed"]["resource_status"] == "UPDATE_COMPLETE"
    assert resources["changed"]["physical_resource_id"] == before["changed"]["physical_resource_id"]
    assert resources["kept"]["resource_status"] == "CREATE_COMPLETE"
    events = _since(deployment.events(stack_id), ("web", "UPDATE_IN_PROGRESS", "Stack UPDATE started"))
    touched = {name for name, _status, _reason in events if name != "web"}
    assert touched == {"changed", "added", "removed"}
    assert ("removed", "DELETE_COMPLETE", "state changed") in events
    assert events[-1] == ("web", "UPDATE_COMPLETE", "Stack UPDATE completed successfully")


def test_replacement_creates_first_and_deletes_the_old_one_after(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = _created(
        deployment,
        "swap",
        template(
            {
                "secret": {"type": "OS::Heat::RandomString", "properties": {"length": 8}},
                "holder": _value({"get_attr": ["secret", "value"]}),
            },
            {"secret": {"value": {"get_attr": ["secret", "value"]}}},
        ),
    )
    first = deployment.service.show_stack(PROJECT, stack_id)["outputs"][0]["output_value"]
    deployment.service.update_stack(
        PROJECT,
        stack_id,
        template(
            {
                "secret": {"type": "OS::Heat::RandomString", "properties": {"length": 12}},
                "holder": _value({"get_attr": ["secret", "value"]}),
            },
            {"secret": {"value": {"get_attr": ["secret", "value"]}}},
        ),
    )
    body = deployment.wait(stack_id)
    assert body["stack_status"] == "UPDATE_COMPLETE", body["stack_status_reason"]
    second = body["outputs"][0]["output_value"]
    assert len(first) == 8 and len(second) == 12
    events = _since(deployment.events(stack_id), ("swap", "UPDATE_IN_PROGRESS", "Stack UPDATE started"))
    statuses = [(name, status) for name, status, _reason in events]
    assert statuses.index(("secret", "CREATE_COMPLETE")) < statuses.index(("holder", "UPDATE_COMPLETE"))
    assert statuses.index(("holder", "UPDATE_COMPLETE")) < statuses.index(("secret", "DELETE_COMPLETE"))
    assert len(deployment.repository.get_resources(stack_id)) == 2  # the old copy is gone


def test_patch_update_reuses_template_and_parameters(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    body = {
        "heat_template_version": "2018-08-31",
        "parameters": {"first": {"type": "string"}, "second": {"type": "string", "default": "b"}},
        "resources": {
            "one": _value({"get_param": "first"}),
            "two": _value({"get_param": "second"}),
        },
        "outputs": {
            "both": {
                "value": {
                    "list_join": ["-", [{"get_attr": ["one", "value"]}, {"get_attr": ["two", "value"]}]]
                }
            }
        },
    }
    stack_id = _created(deployment, "patched", body, parameters={"first": "a", "second": "x"})
    deployment.service.update_stack(
        PROJECT, stack_id, None, parameters={"first": "c"}, existing=True, clear_parameters=["second"]
    )
    shown = deployment.wait(stack_id)
    assert shown["stack_status"] == "UPDATE_COMPLETE", shown["stack_status_reason"]
    assert shown["outputs"][0]["output_value"] == "c-b"


def test_immutable_parameter_is_refused(deployment: Deployment) -> None:
    body = {
        "heat_template_version": "2018-08-31",
        "parameters": {"fixed": {"type": "string", "immutable": True}},
        "resources": {"one": _value({"get_param": "fixed"})},
    }
    deployment.worker("engine-1")
    stack_id = _created(deployment, "fixed", body, parameters={"fixed": "a"})
    with pytest.raises(ParameterError, match="immutable and may not be updated: fixed"):
        deployment.service.update_stack(PROJECT, stack_id, body, parameters={"fixed": "b"})


def test_update_while_in_progress_is_a_conflict(deployment: Deployment) -> None:
    stack_id = deployment.create("busy", template({"one": _value("x")}))
    with pytest.raises(Conflict):
        deployment.service.update_stack(PROJECT, stack_id, template({"one": _value("y")}))


def test_failed_update_rolls_back_to_the_previous_template(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = _created(
        deployment,
        "back",
        template(
            {"kept": _test("one"), "swapped": {"type": "OS::Heat::RandomString", "properties": {"length": 8}}}
        ),
        disable_rollback=False,
    )
    before = deployment.resources(stack_id)
    deployment.service.update_stack(
        PROJECT,
        stack_id,
        template(
            {
                "kept": _test("two"),
                "swapped": {"type": "OS::Heat::RandomString", "properties": {"length": 10}},
                "broken": {
                    "type": "OS::Heat::TestResource",
                    "properties": {"fail": True},
                    "depends_on": ["kept", "swapped"],
                },
            }
        ),
    )
    body = deployment.wait(stack_id)
    assert body["stack_status"] == "ROLLBACK_COMPLETE", body["stack_status_reason"]
    resources = deployment.resources(stack_id)
    assert set(resources) == {"kept", "swapped"}
    assert resources["swapped"]["physical_resource_id"] == before["swapped"]["physical_resource_id"]
    assert deployment.service.show_resource(PROJECT, stack_id, "kept")["attributes"]["output"] == "one"
    failed = [
        reason
        for name, status, reason in deployment.events(stack_id)
        if (name, status) == ("back", "UPDATE_FAILED")
    ]
    assert failed and "Test Resource failed broken" in failed[0]
    assert len(deployment.repository.get_resources(stack_id)) == 2
    stack = deployment.repository.get_stack(stack_id)
    assert stack is not None and stack.raw_template_id is not None
    raw = deployment.repository.get_raw_template(stack.raw_template_id)
    assert raw is not None and "broken" not in raw.template["resources"]
    shown = deployment.service.show_stack(PROJECT, stack_id)
    assert shown["stack_status"] == "ROLLBACK_COMPLETE"


def test_failed_update_without_rollback(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = _created(deployment, "stay", template({"one": _test("one")}))
    deployment.service.update_stack(
        PROJECT, stack_id, template({"one": _test("one"), "two": _test("x", fail=True)})
    )
    body = deployment.wait(stack_id)
    assert body["stack_status"] == "UPDATE_FAILED"
    assert "Test Resource failed two" in body["stack_status_reason"]
    assert deployment.resources(stack_id)["two"]["resource_status"] == "CREATE_FAILED"


def test_restricted_replace_fails_the_update(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    environment = {"resource_registry": {"resources": {"secret": {"restricted_actions": ["replace"]}}}}
    stack_id = _created(
        deployment,
        "guarded",
        template({"secret": {"type": "OS::Heat::RandomString", "properties": {"length": 8}}}),
        environment=environment,
    )
    deployment.service.update_stack(
        PROJECT,
        stack_id,
        template({"secret": {"type": "OS::Heat::RandomString", "properties": {"length": 9}}}),
        environment=environment,
    )
    body = deployment.wait(stack_id)
    assert body["stack_status"] == "UPDATE_FAILED"
    assert "replace is restricted for resource secret" in body["stack_status_reason"]


def test_replaced_resource_gets_a_new_physical_resource(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = _created(deployment, "renamed", template({"thing": _test("a", update_replace=True)}))
    before = deployment.resources(stack_id)["thing"]["physical_resource_id"]
    deployment.service.update_stack(PROJECT, stack_id, template({"thing": _test("b", update_replace=True)}))
    body = deployment.wait(stack_id)
    assert body["stack_status"] == "UPDATE_COMPLETE", body["stack_status_reason"]
    after = deployment.resources(stack_id)["thing"]["physical_resource_id"]
    assert after and after != before
    events = [
        (event["resource_status"], event["physical_resource_id"])
        for event in deployment.service.list_events(PROJECT, stack_id, resource_name="thing")
    ]
    assert events[-4:] == [
        ("CREATE_IN_PROGRESS", ""),
        ("CREATE_COMPLETE", after),
        ("DELETE_IN_PROGRESS", before),
        ("DELETE_COMPLETE", before),
    ]


def test_suspended_stack_is_not_updated(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = _created(deployment, "asleep", template({"one": _test("a")}))
    deployment.service.stack_action(PROJECT, stack_id, "suspend")
    assert deployment.wait(stack_id)["stack_status"] == "SUSPEND_COMPLETE"
    with pytest.raises(UserError, match="Updating a stack when it is suspended"):
        deployment.service.update_stack(PROJECT, stack_id, template({"one": _test("b")}))


def test_failed_replacement_leaves_the_original_intact(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = _created(
        deployment, "kept", template({"thing": _test("a", update_replace=True)}), disable_rollback=False
    )
    before = deployment.resources(stack_id)["thing"]
    deployment.service.update_stack(
        PROJECT, stack_id, template({"thing": _test("b", update_replace=True, fail=True)})
    )
    body = deployment.wait(stack_id)
    assert body["stack_status"] == "ROLLBACK_COMPLETE", body["stack_status_reason"]
    after = deployment.resources(stack_id)["thing"]
    assert after["physical_resource_id"] == before["physical_resource_id"]
    assert after["resource_status"] == "CREATE_COMPLETE"
    assert deployment.service.show_resource(PROJECT, stack_id, "thing")["attributes"]["output"] == "a"
    assert len(deployment.repository.get_resources(stack_id)) == 1
