"""Create, delete and rollback on an in-memory store with real plugins."""

from __future__ import annotations

import asyncio

from engine_harness import CALLS, Harness


def test_create_in_dependency_order_with_events(harness: Harness) -> None:
    harness.add("first")
    harness.add("second", depends_on=("first",))
    outcome = harness.create()
    assert outcome.stack_status == "CREATE_COMPLETE"
    assert outcome.reason == "Stack CREATE completed successfully"
    assert CALLS["create"] == ["first", "second"]
    assert harness.state("first") == "CREATE_COMPLETE"
    assert harness.events("first") == [
        ("first", "CREATE", "IN_PROGRESS", "state changed"),
        ("first", "CREATE", "COMPLETE", "state changed"),
    ]
    stack_events = harness.events("teststack")
    assert stack_events[0] == ("teststack", "CREATE", "IN_PROGRESS", "Stack CREATE started")
    assert stack_events[-1] == ("teststack", "CREATE", "COMPLETE", "Stack CREATE completed successfully")


def test_polls_until_complete_and_keeps_physical_id(harness: Harness) -> None:
    harness.add("slow", properties={"checks": 3})
    assert harness.create().stack_status == "CREATE_COMPLETE"
    assert CALLS["check"].count("slow") == 4
    stored = harness.store.stacks["stack-1"].resources["slow"]
    assert stored.physical_id == "probe-slow"
    assert stored.token is None


def test_failure_skips_dependants_and_names_the_resource(harness: Harness) -> None:
    harness.add("bad", properties={"fail": True})
    harness.add("after", depends_on=("bad",))
    outcome = harness.create()
    assert outcome.stack_status == "CREATE_FAILED"
    assert outcome.reason == "Resource CREATE failed: ValueError: resources.bad: boom"
    assert harness.reason("bad") == "ValueError: resources.bad: boom"
    assert harness.state("after") == "INIT_COMPLETE"
    assert "after" not in CALLS["create"]


def test_property_error_has_path(harness: Harness) -> None:
    harness.add("bad", properties={"checks": "many"})
    outcome = harness.create()
    assert outcome.stack_status == "CREATE_FAILED"
    assert "resources.bad.properties.checks" in harness.reason("bad")
    assert harness.reason("bad").startswith("StackValidationFailed: ")


def test_cycle_fails_the_stack_with_the_cycle(harness: Harness) -> None:
    harness.add("a", depends_on=("b",))
    harness.add("b", depends_on=("a",))
    outcome = harness.create()
    assert outcome.stack_status == "CREATE_FAILED"
    assert "a -> b -> a" in outcome.reason


def test_rollback_deletes_what_was_created(harness: Harness) -> None:
    harness.add("good")
    harness.add("bad", properties={"fail": True}, depends_on=("good",))
    outcome = harness.create(disable_rollback=False)
    assert outcome.stack_status == "ROLLBACK_COMPLETE"
    assert set(CALLS["delete"]) == {"good", "bad"}
    assert harness.state("good") == "DELETE_COMPLETE"
    statuses = [status for _, action, status, _ in harness.events("teststack")]
    assert statuses == ["IN_PROGRESS", "FAILED", "IN_PROGRESS", "COMPLETE"]


def test_delete_reverse_order_retain_and_not_found(harness: Harness) -> None:
    harness.add("base")
    harness.add("kept", depends_on=("base",), deletion_policy="Retain")
    harness.add("gone", properties={"delete_not_found": True}, depends_on=("base",))
    assert harness.create().stack_status == "CREATE_COMPLETE"
    outcome = harness.delete()
    assert outcome.stack_status == "DELETE_COMPLETE"
    assert CALLS["delete"][-1] == "base"
    assert "kept" not in CALLS["delete"]
    assert harness.state("kept") == "DELETE_COMPLETE"
    assert harness.state("gone") == "DELETE_COMPLETE"


def test_failed_delete_can_be_retried(harness: Harness) -> None:
    from calor.engine.store import ResourceState

    harness.add("stuck", properties={"fail_delete": True})
    assert harness.create().stack_status == "CREATE_COMPLETE"
    outcome = harness.delete()
    assert outcome.stack_status == "DELETE_FAILED"
    assert outcome.reason == "Resource DELETE failed: Error: resources.stuck: cannot delete"
    assert harness.state("stuck") == "DELETE_FAILED"
    # The cloud lets go: the stored properties change as an operator fix would.
    stored = harness.store.stacks["stack-1"].resources["stuck"]
    harness.store.save_resources(
        "stack-1",
        [ResourceState(**{**stored.__dict__, "properties": {**stored.properties, "fail_delete": False}})],
    )
    assert harness.delete().stack_status == "DELETE_COMPLETE"


def test_random_string_attribute_flows_into_dependant_and_output(harness: Harness) -> None:
    harness.add("secret", "OS::Heat::RandomString", {"length": 12})
    harness.add("holder", properties={"value": harness.get_attr("secret", "value")})
    harness.output("value", harness.get_attr("holder", "output"))
    harness.output("reference", harness.get_resource("secret"))
    assert harness.create().stack_status == "CREATE_COMPLETE"
    outputs = {output.key: output for output in harness.store.stacks["stack-1"].outputs}
    value = outputs["value"].value
    assert isinstance(value, str) and len(value) == 12
    assert outputs["reference"].value == value  # RandomString's reference is its value
    assert harness.store.stacks["stack-1"].resources["holder"].properties["value"] == value


def test_output_error_is_reported_per_output(harness: Harness) -> None:
    harness.add("one")
    harness.output("good", harness.get_resource("one"))
    harness.output("bad", harness.get_attr("missing", "x"))
    assert harness.create().stack_status == "CREATE_COMPLETE"
    outputs = {output.key: output for output in harness.store.stacks["stack-1"].outputs}
    assert outputs["good"].value == "probe-one"
    assert outputs["bad"].error is not None and "missing" in outputs["bad"].error
    assert "output_error" in outputs["bad"].to_mapping()


def test_stack_timeout_fails_with_timed_out(harness: Harness) -> None:
    harness.add("forever", properties={"checks": 10_000})
    outcome = harness.create(timeout_seconds=0.2)
    assert outcome.stack_status == "CREATE_FAILED"
    assert outcome.reason == "Timed out"
    assert harness.state("forever") == "CREATE_FAILED"
    assert "Timed out" in harness.reason("forever")


def test_resume_polls_stored_token_without_second_create(harness: Harness) -> None:
    from calor.engine.store import CREATE, IN_PROGRESS, ResourceState

    harness.add("resumed")
    harness.store.save_resources(
        "stack-1",
        [
            ResourceState(
                name="resumed",
                type_name="Test::Probe",
                action=CREATE,
                status=IN_PROGRESS,
                physical_id="probe-resumed",
                token={"token": {"remaining": 1}},
                properties={"checks": 1, "fail": False, "fail_delete": False, "delete_not_found": False},
            )
        ],
    )
    harness.add("done")
    harness.store.save_resources(
        "stack-1", [ResourceState(name="done", type_name="Test::Probe", action=CREATE, status="COMPLETE")]
    )
    assert harness.create().stack_status == "CREATE_COMPLETE"
    assert "create" not in CALLS
    assert CALLS["check"].count("resumed") == 2


def test_resource_timeout_fails_the_resource(harness: Harness) -> None:
    from calor.engine.config import EngineConfig

    harness.add("slow", properties={"checks": 10_000})
    operation = harness.operation(
        config=EngineConfig(poll_initial=0.001, poll_max=0.01, resource_timeout=0.1)
    )
    outcome = asyncio.run(operation.create(harness.parts(), disable_rollback=True))
    assert outcome.stack_status == "CREATE_FAILED"
    assert harness.reason("slow") == "Error: resources.slow: CREATE timed out"
    assert outcome.reason == "Resource CREATE failed: Error: resources.slow: CREATE timed out"


def test_unknown_type_fails_the_resource(harness: Harness) -> None:
    harness.add("odd", type_name="OS::No::Such")
    outcome = harness.create()
    assert outcome.stack_status == "CREATE_FAILED"
    assert "The Resource Type (OS::No::Such) could not be found." in harness.reason("odd")


def test_delete_of_never_created_resources_calls_no_plugin(harness: Harness) -> None:
    harness.add("bad", properties={"fail": True})
    harness.add("never", depends_on=("bad",))
    assert harness.create().stack_status == "CREATE_FAILED"
    assert harness.delete().stack_status == "DELETE_COMPLETE"
    # "bad" had a physical id (its create began), so its delete ran; "never" never existed.
    assert CALLS["delete"] == ["bad"]
    assert harness.state("never") == "DELETE_COMPLETE"


def test_siblings_of_a_failure_get_a_grace_then_are_aborted(harness: Harness) -> None:
    from calor.engine.config import EngineConfig

    harness.add("bad", properties={"fail": True})
    harness.add("forever", properties={"checks": 10_000})
    config = EngineConfig(poll_initial=0.001, poll_max=0.01, error_wait_seconds=0.1)
    outcome = asyncio.run(harness.operation(config=config).create(harness.parts(), disable_rollback=True))
    assert outcome.reason == "Resource CREATE failed: ValueError: resources.bad: boom"
    assert harness.state("forever") == "CREATE_FAILED"
    assert harness.reason("forever") == "CREATE aborted"
