"""Stacks created and deleted through the service, the work queue and an engine worker (SQLite)."""

from __future__ import annotations

import time

import pytest
from engine_deployment import PROJECT, Deployment, template

from calor.errors import ParameterError, PropertyError, ResourceTypeNotFound, StackNotFound, UserError


def test_create_outputs_events_and_delete(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = deployment.create(
        "web",
        template(
            {
                "secret": {"type": "OS::Heat::RandomString", "properties": {"length": 10}},
                "holder": {
                    "type": "OS::Heat::Value",
                    "properties": {"value": {"get_attr": ["secret", "value"]}},
                },
                "test": {
                    "type": "OS::Heat::TestResource",
                    "properties": {"value": "hello", "wait_secs": 0.1},
                },
            },
            {
                "secret": {"value": {"get_attr": ["holder", "value"]}, "description": "the secret"},
                "test": {"value": {"get_attr": ["test", "output"]}},
                "broken": {"value": {"get_attr": ["holder", "value", "no", "such"]}},
            },
        ),
    )
    body = deployment.wait(stack_id)
    assert body["stack_status"] == "CREATE_COMPLETE", body["stack_status_reason"]
    assert body["stack_status_reason"] == "Stack CREATE completed successfully"
    outputs = {output["output_key"]: output for output in body["outputs"]}
    assert len(outputs["secret"]["output_value"]) == 10
    assert outputs["secret"]["description"] == "the secret"
    assert outputs["test"]["output_value"] == "hello"
    assert outputs["broken"]["output_value"] is None
    resources = deployment.resources(stack_id)
    assert {name: item["resource_status"] for name, item in resources.items()} == {
        "secret": "CREATE_COMPLETE",
        "holder": "CREATE_COMPLETE",
        "test": "CREATE_COMPLETE",
    }
    assert resources["secret"]["required_by"] == ["holder"]
    shown = deployment.service.show_output(PROJECT, stack_id, "secret")
    assert shown["output_value"] == outputs["secret"]["output_value"]
    events = deployment.events(stack_id)
    assert events[0] == ("web", "CREATE_IN_PROGRESS", "Stack CREATE started")
    assert events[-1] == ("web", "CREATE_COMPLETE", "Stack CREATE completed successfully")
    assert ("holder", "CREATE_COMPLETE", "state changed") in events
    assert events.index(("secret", "CREATE_COMPLETE", "state changed")) < events.index(
        ("holder", "CREATE_IN_PROGRESS", "state changed")
    )

    deployment.service.delete_stack(PROJECT, stack_id)
    deleted = deployment.wait(stack_id, {"DELETE_COMPLETE", "DELETE_FAILED"})
    assert deleted["stack_status"] == "DELETE_COMPLETE"
    # The stack row is soft-deleted just after its status is stored (two transactions).
    deadline = time.monotonic() + 5
    while deployment.service.show_stack(PROJECT, stack_id)["deletion_time"] is None:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    with pytest.raises(StackNotFound):
        deployment.service.find_stack(PROJECT, "web")


def test_failed_create_rolls_back(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = deployment.create(
        "rolled",
        template(
            {
                "good": {"type": "OS::Heat::TestResource", "properties": {"value": "ok"}},
                "bad": {"type": "OS::Heat::TestResource", "properties": {"fail": True}, "depends_on": "good"},
            }
        ),
        disable_rollback=False,
    )
    body = deployment.wait(stack_id)
    assert body["stack_status"] == "ROLLBACK_COMPLETE"
    resources = deployment.resources(stack_id)
    assert resources["good"]["resource_status"] == "DELETE_COMPLETE"
    events = deployment.events(stack_id)
    failed = [event for event in events if event[0] == "rolled" and event[1] == "CREATE_FAILED"]
    assert failed and failed[0][2].startswith("Resource CREATE failed: ")
    assert "resources.bad" in failed[0][2]
    assert ("rolled", "ROLLBACK_COMPLETE", "Stack ROLLBACK completed successfully") in events


def test_failed_create_without_rollback_keeps_resources(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = deployment.create(
        "kept",
        template(
            {
                "good": {"type": "OS::Heat::None"},
                "bad": {"type": "OS::Heat::TestResource", "properties": {"fail": True}},
                "after": {"type": "OS::Heat::None", "depends_on": ["bad"]},
            }
        ),
    )
    body = deployment.wait(stack_id)
    assert body["stack_status"] == "CREATE_FAILED"
    resources = deployment.resources(stack_id)
    assert resources["bad"]["resource_status"] == "CREATE_FAILED"
    assert resources["after"]["resource_status"] == "INIT_COMPLETE"
    # The failed stack can be deleted.
    deployment.service.delete_stack(PROJECT, stack_id)
    assert (
        deployment.wait(stack_id, {"DELETE_COMPLETE", "DELETE_FAILED"})["stack_status"] == "DELETE_COMPLETE"
    )


def test_stack_timeout(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = deployment.create(
        "slow",
        template({"waits": {"type": "OS::Heat::TestResource", "properties": {"wait_secs": 600}}}),
        timeout=0.005,  # minutes: 0.3 s
    )
    body = deployment.wait(stack_id)
    assert body["stack_status"] == "CREATE_FAILED"
    assert body["stack_status_reason"] == "Timed out"
    assert deployment.resources(stack_id)["waits"]["resource_status"] == "CREATE_FAILED"


def test_retain_and_cycle_and_cancel(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = deployment.create(
        "retained",
        template(
            {
                "kept": {"type": "OS::Heat::TestResource", "deletion_policy": "Retain"},
                "plain": {"type": "OS::Heat::None"},
            }
        ),
    )
    assert deployment.wait(stack_id)["stack_status"] == "CREATE_COMPLETE"
    deployment.service.delete_stack(PROJECT, stack_id)
    assert (
        deployment.wait(stack_id, {"DELETE_COMPLETE", "DELETE_FAILED"})["stack_status"] == "DELETE_COMPLETE"
    )
    assert deployment.resources(stack_id)["kept"]["resource_status"] == "DELETE_COMPLETE"

    cycle = deployment.create(
        "cycle",
        template(
            {
                "a": {"type": "OS::Heat::None", "depends_on": "b"},
                "b": {"type": "OS::Heat::None", "depends_on": "a"},
            }
        ),
    )
    body = deployment.wait(cycle)
    assert body["stack_status"] == "CREATE_FAILED"
    assert "a -> b -> a" in body["stack_status_reason"]

    # Deleting a stack while it is being created cancels the create.
    waiting = {"type": "OS::Heat::TestResource", "properties": {"action_wait_secs": {"create": 600}}}
    busy = deployment.create("busy", template({"waits": waiting}))
    deployment.wait(busy, {"CREATE_IN_PROGRESS"})
    deployment.service.delete_stack(PROJECT, busy)
    assert deployment.wait(busy, {"DELETE_COMPLETE", "DELETE_FAILED"})["stack_status"] == "DELETE_COMPLETE"


def test_user_errors_are_raised_before_anything_is_stored(deployment: Deployment) -> None:
    with pytest.raises(ResourceTypeNotFound) as unknown:
        deployment.create("bad-type", template({"x": {"type": "OS::No::Such"}}))
    assert unknown.value.path == "resources.x.type"
    with pytest.raises(PropertyError) as bad_property:
        deployment.create(
            "bad-property",
            template({"x": {"type": "OS::Heat::RandomString", "properties": {"length": "long"}}}),
        )
    assert bad_property.value.path == "resources.x.properties.length"
    with pytest.raises(ParameterError):
        deployment.create(
            "bad-parameter",
            {
                "heat_template_version": "2018-08-31",
                "parameters": {"size": {"type": "number"}},
                "resources": {},
            },
        )
    with pytest.raises(UserError):
        deployment.create("1-bad name", template({}))
    assert deployment.service.list_stacks(PROJECT) == []


def test_environment_aliases_resource_types(deployment: Deployment) -> None:
    deployment.worker("engine-1")
    stack_id = deployment.create(
        "aliased",
        template({"server": {"type": "OS::Nova::Server", "properties": {"flavor": "m1.small"}}}),
        environment={"resource_registry": {"OS::Nova::Server": "OS::Heat::None"}},
    )
    assert deployment.wait(stack_id)["stack_status"] == "CREATE_COMPLETE"
    assert deployment.resources(stack_id)["server"]["resource_type"] == "OS::Nova::Server"


def test_second_worker_takes_over_an_abandoned_job(deployment: Deployment) -> None:
    """A job whose engine stopped renewing its lease is claimed again and finished from stored state."""
    stack_id = deployment.create(
        "taken-over",
        template(
            {f"r{index}": {"type": "Test::Counted", "properties": {"wait_secs": 0.2}} for index in range(5)}
        ),
    )
    # An engine claims the job and dies at once: it never renews the lease.
    job = deployment.repository.queue.claim("dead-engine", lease_seconds=0.3)
    assert job is not None
    deployment.worker("engine-2")
    body = deployment.wait(stack_id)
    assert body["stack_status"] == "CREATE_COMPLETE"
    for resource in deployment.repository.get_resources(stack_id):
        assert deployment.repository.get_resource_data(resource.id)["creates"] == "1"
