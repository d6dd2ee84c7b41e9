"""Resources, resource data and events in the repository, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from calor.db.records import NewEvent, NewResource, ResourceChange
from calor.db.repository import Repository
from calor.errors import NotFound

TEMPLATE = {"heat_template_version": "2018-08-31"}


@pytest.fixture
def stack_id(repository: Repository) -> str:
    return repository.create_stack(name="web", project_id="project", template=TEMPLATE).id


def test_create_or_get_resource_returns_the_existing_row(repository: Repository, stack_id: str) -> None:
    created = repository.create_or_get_resource(
        stack_id, "server", "OS::Nova::Server", requires=["port"], properties_data={"flavor": "m1"}
    )
    assert created.state == ("INIT", "COMPLETE")
    assert created.requires == ("port",) and created.properties_data == {"flavor": "m1"}
    again = repository.create_or_get_resource(stack_id, "server", "OS::Nova::Server", requires=[])
    assert again == created
    with pytest.raises(ValueError, match="colour"):
        repository.create_or_get_resource(stack_id, "x", "T", colour="red")


def test_create_resources_in_bulk_keeps_order(repository: Repository, stack_id: str) -> None:
    records = repository.create_resources(
        stack_id,
        [
            NewResource(name=f"r{index}", type_name="OS::Heat::None", requires=(f"r{index - 1}",))
            for index in range(50)
        ],
    )
    assert [record.name for record in records] == [f"r{index}" for index in range(50)]
    assert records[3].requires == ("r2",)
    assert [record.id for record in repository.get_resources(stack_id)] == [record.id for record in records]
    assert repository.create_resources(stack_id, []) == []


def test_update_resource_and_guards(repository: Repository, stack_id: str) -> None:
    resource = repository.create_or_get_resource(stack_id, "server", "OS::Nova::Server")
    assert repository.update_resource(
        resource.id, action="CREATE", status="IN_PROGRESS", handle_token={"server": "abc", "step": 1}
    )
    assert not repository.update_resource(resource.id, expected_status="COMPLETE", status="FAILED")
    assert repository.set_physical_id(resource.id, "abc")
    assert repository.update_resource(
        resource.id,
        expected_action="CREATE",
        expected_status="IN_PROGRESS",
        status="COMPLETE",
        status_reason="state changed",
        attribute_data={"first_address": "10.0.0.4"},
        metadata={"key": "value"},
        handle_token=None,
    )
    stored = repository.get_resource(resource.id)
    assert stored is not None
    assert stored.state == ("CREATE", "COMPLETE")
    assert stored.physical_resource_id == "abc"
    assert stored.attribute_data == {"first_address": "10.0.0.4"}
    assert stored.metadata == {"key": "value"}
    assert stored.handle_token is None
    assert stored.updated_at is not None
    assert not repository.update_resource(999999, status="FAILED")


def test_handle_token_keeps_any_json_value(repository: Repository, stack_id: str) -> None:
    resource = repository.create_or_get_resource(stack_id, "wait", "OS::Heat::WaitCondition")
    for token in ["plain", 3, [1, "two"], {"nested": {"list": [True, None]}}]:
        repository.update_resource(resource.id, handle_token=token)
        stored = repository.get_resource(resource.id)
        assert stored is not None and stored.handle_token == token


def test_save_resource_inserts_then_updates(repository: Repository, stack_id: str) -> None:
    first = repository.save_resource(
        stack_id, "server", "OS::Nova::Server", action="CREATE", status="IN_PROGRESS"
    )
    second = repository.save_resource(
        stack_id, "server", "OS::Nova::Server", status="COMPLETE", physical_resource_id="p-1"
    )
    assert first == second
    found = repository.find_resource(stack_id, "server")
    assert found is not None and found.state == ("CREATE", "COMPLETE") and found.physical_resource_id == "p-1"


def test_replacement_links_both_rows(repository: Repository, stack_id: str) -> None:
    old = repository.create_or_get_resource(
        stack_id, "server", "OS::Nova::Server", physical_resource_id="old"
    )
    new = repository.create_replacement(old.id, action="CREATE", status="IN_PROGRESS")
    assert new.replaces == old.id and new.name == "server"
    old_now = repository.get_resource(old.id)
    assert old_now is not None and old_now.replaced_by == new.id
    current = repository.find_resource(stack_id, "server")
    assert current is not None and current.id == new.id
    assert len(repository.get_resources(stack_id)) == 2
    assert [record.id for record in repository.get_resources(stack_id, include_replaced=False)] == [new.id]
    # Rolling back: the new row goes, the old one is current again.
    assert repository.delete_resource(new.id)
    current = repository.find_resource(stack_id, "server")
    assert current is not None and current.id == old.id and current.replaced_by is None


def test_resource_data(repository: Repository, stack_id: str) -> None:
    resource = repository.create_or_get_resource(stack_id, "secret", "OS::Heat::RandomString")
    repository.set_resource_data(resource.id, "value", "s3cret", redact=True)
    repository.set_resource_data_many(resource.id, {"value": "changed", "length": "6"})
    assert repository.get_resource_data(resource.id) == {"value": "changed", "length": "6"}
    assert repository.get_redacted_keys(resource.id) == set()
    repository.set_resource_data(resource.id, "value", "again", redact=True)
    assert repository.get_redacted_keys(resource.id) == {"value"}
    assert repository.get_stack_resource_data(stack_id) == {resource.id: {"value": "again", "length": "6"}}
    assert repository.delete_resource_data(resource.id, "length")
    assert not repository.delete_resource_data(resource.id, "length")
    assert repository.delete_resource(resource.id)
    assert repository.get_resource_data(resource.id) == {}


def test_find_resources_by_physical_id(repository: Repository, stack_id: str) -> None:
    resource = repository.create_or_get_resource(stack_id, "server", "T", physical_resource_id="phys")
    other_stack = repository.create_stack(name="other", project_id="elsewhere", template=TEMPLATE).id
    repository.create_or_get_resource(other_stack, "server", "T", physical_resource_id="phys")
    assert [found.id for found in repository.find_resources_by_physical_id("phys", "project")] == [
        resource.id
    ]
    assert len(repository.find_resources_by_physical_id("phys")) == 2
    repository.soft_delete_stack(stack_id)
    assert repository.find_resources_by_physical_id("phys", "project") == []


def test_resources_of_several_stacks(repository: Repository, stack_id: str) -> None:
    nested = repository.create_stack(
        name="nested", project_id="project", template=TEMPLATE, parent_id=stack_id
    ).id
    repository.create_or_get_resource(stack_id, "a", "T")
    repository.create_or_get_resource(nested, "b", "T")
    found = repository.get_resources_of_stacks([stack_id, nested, "empty"])
    assert [record.name for record in found[stack_id]] == ["a"]
    assert [record.name for record in found[nested]] == ["b"]
    assert found["empty"] == []


def event(stack_id: str, name: str, status: str, **fields: object) -> NewEvent:
    return NewEvent(
        stack_id=stack_id,
        resource_name=name,
        resource_type="OS::Heat::None",
        resource_action="CREATE",
        resource_status=status,
        resource_status_reason="state changed",
        **fields,  # type: ignore[arg-type]
    )


def test_events_keep_order_and_microseconds(repository: Repository, stack_id: str) -> None:
    repository.add_events([event(stack_id, f"r{index}", "IN_PROGRESS") for index in range(20)])
    single = repository.add_event(event(stack_id, "web", "COMPLETE", resource_properties={"a": 1}))
    events = repository.list_events(stack_id)
    assert [record.resource_name for record in events] == [f"r{index}" for index in range(20)] + ["web"]
    assert events[-1] == single and single.resource_properties == {"a": 1}
    assert len({record.uuid for record in events}) == 21
    assert any(record.created_at.microsecond for record in events)
    assert repository.get_event(stack_id, single.uuid) == single
    assert repository.count_events(stack_id) == 21


def test_update_resource_with_event_is_one_step(repository: Repository, stack_id: str) -> None:
    resource = repository.create_or_get_resource(stack_id, "server", "T")
    repository.update_resource_with_event(
        resource.id, event(stack_id, "server", "IN_PROGRESS"), action="CREATE", status="IN_PROGRESS"
    )
    stored = repository.get_resource(resource.id)
    assert stored is not None and stored.state == ("CREATE", "IN_PROGRESS")
    assert [record.resource_status for record in repository.list_events(stack_id)] == ["IN_PROGRESS"]


def test_list_events_filters_and_pages(repository: Repository, stack_id: str) -> None:
    nested = repository.create_stack(
        name="nested", project_id="project", template=TEMPLATE, parent_id=stack_id
    ).id
    repository.add_events(
        [
            event(stack_id, "a", "IN_PROGRESS"),
            event(stack_id, "a", "COMPLETE"),
            event(stack_id, "b", "IN_PROGRESS"),
            event(nested, "c", "IN_PROGRESS"),
            event(stack_id, "b", "FAILED"),
        ]
    )
    assert [record.resource_status for record in repository.list_events(stack_id, resource_name="a")] == [
        "IN_PROGRESS",
        "COMPLETE",
    ]
    failed = repository.list_events(stack_id, filters={"resource_status": ["FAILED", "COMPLETE"]})
    assert [record.resource_name for record in failed] == ["a", "b"]
    assert [record.resource_name for record in repository.list_events([stack_id, nested])] == [
        "a",
        "a",
        "b",
        "c",
        "b",
    ]
    newest = repository.list_events(stack_id, sort_dir="desc", limit=2)
    assert [record.resource_status for record in newest] == ["FAILED", "IN_PROGRESS"]
    rest = repository.list_events(stack_id, sort_dir="desc", marker=newest[-1].uuid)
    assert [record.resource_status for record in rest] == ["COMPLETE", "IN_PROGRESS"]
    forward = repository.list_events(stack_id, limit=1)
    assert [
        record.resource_status for record in repository.list_events(stack_id, marker=forward[0].uuid, limit=1)
    ] == ["COMPLETE"]
    with pytest.raises(NotFound):
        repository.list_events(stack_id, marker="missing")
    with pytest.raises(ValueError):
        repository.list_events(stack_id, filters={"secret": 1})


def test_save_resources_in_one_transaction(repository: Repository, stack_id: str) -> None:
    existing = repository.save_resource(stack_id, "a", "T", action="CREATE", status="IN_PROGRESS")
    ids = repository.save_resources(
        stack_id,
        [
            ResourceChange("a", "T", {"status": "COMPLETE", "metadata": {"m": 1}}),
            ResourceChange("b", "T", {"action": "CREATE", "status": "IN_PROGRESS", "metadata": {"n": 2}}),
            ResourceChange("b", "T", {"status": "COMPLETE"}),
        ],
    )
    assert ids[0] == existing and ids[1] == ids[2] != existing
    records = {record.name: record for record in repository.get_resources(stack_id)}
    assert records["a"].state == ("CREATE", "COMPLETE") and records["a"].metadata == {"m": 1}
    assert records["b"].state == ("CREATE", "COMPLETE") and records["b"].metadata == {"n": 2}
    assert repository.save_resources(stack_id, []) == []
    with pytest.raises(ValueError):
        repository.save_resources(stack_id, [ResourceChange("c", "T", {"colour": "red"})])


def test_save_resources_writes_their_events_in_the_same_transaction(
    repository: Repository, stack_id: str
) -> None:
    repository.max_events_per_stack = 3
    repository.event_purge_batch_size = 2
    repository.save_resources(
        stack_id,
        [ResourceChange("a", "T", {"action": "CREATE", "status": "IN_PROGRESS"})],
        events=[event(stack_id, "a", "IN_PROGRESS")],
    )
    assert [
        (record.resource_name, record.resource_status) for record in repository.list_events(stack_id)
    ] == [("a", "IN_PROGRESS")]
    # A failing change stores neither the states nor the events.
    with pytest.raises(ValueError):
        repository.save_resources(
            stack_id, [ResourceChange("b", "T", {"colour": "red"})], events=[event(stack_id, "b", "COMPLETE")]
        )
    assert len(repository.list_events(stack_id)) == 1
    # Events alone are written too, and the stack's oldest events are purged past the limit.
    repository.save_resources(stack_id, [], events=[event(stack_id, "x", "COMPLETE") for _ in range(2)])
    assert len(repository.list_events(stack_id)) == 1


def test_redacted_keys_of_a_stack(repository: Repository, stack_id: str) -> None:
    first = repository.create_or_get_resource(stack_id, "a", "T")
    second = repository.create_or_get_resource(stack_id, "b", "T")
    repository.set_resource_data_many(first.id, {"password": "x", "user": "y"})
    repository.set_resource_data(first.id, "password", "x", redact=True)
    repository.set_resource_data(second.id, "plain", "z")
    assert repository.get_stack_redacted_keys(stack_id) == {first.id: frozenset({"password"})}


def test_old_events_are_purged_in_batches_past_the_limit(repository: Repository, stack_id: str) -> None:
    repository.max_events_per_stack = 10
    repository.event_purge_batch_size = 4
    repository.add_events([event(stack_id, f"r{index}", "IN_PROGRESS") for index in range(9)])
    assert len(repository.list_events(stack_id)) == 9
    repository.add_event(event(stack_id, "r9", "COMPLETE"))
    # Ten events reach the limit: the four oldest go, the newest stay in order.
    assert [record.resource_name for record in repository.list_events(stack_id)] == [
        f"r{index}" for index in range(4, 10)
    ]
    other = repository.create_stack(name="other", project_id="project", template={}).id
    repository.add_events([event(other, "x", "COMPLETE")])
    assert len(repository.list_events(other)) == 1


def test_events_are_kept_without_a_limit(repository: Repository, stack_id: str) -> None:
    repository.add_events([event(stack_id, f"r{index}", "IN_PROGRESS") for index in range(50)])
    assert len(repository.list_events(stack_id)) == 50
