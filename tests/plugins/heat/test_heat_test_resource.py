"""OS::Heat::TestResource: stored value, waits by polling, failure and replacement knobs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from calor.errors import ResourceFailure
from calor.plugins.base import diff_properties
from calor.plugins.context import MemoryPluginContext
from calor.plugins.heat.test_resource import TestResource

PATH = "resources.test.properties"


class Clock:
    def __init__(self) -> None:
        self.time = 1000.0

    def __call__(self) -> float:
        return self.time


def make(
    properties: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    clock: Clock | None = None,
    context: MemoryPluginContext | None = None,
) -> TestResource:
    validated = TestResource.validate_properties(properties, PATH)
    plugin = TestResource("test", validated, context or MemoryPluginContext("test", stack_name="s"))
    monkeypatch.setattr(plugin, "now", clock or Clock())
    return plugin


def test_create_stores_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = make({"value": "hello"}, monkeypatch)
    token = plugin.handle_create()
    assert json.loads(json.dumps(token)) == token
    assert plugin.check_create_complete(token)
    assert plugin.get_attribute("output") == "hello"
    assert plugin.resource_id is not None and plugin.resource_id.startswith("s-test-")
    assert plugin.reference_id() == plugin.resource_id


def test_default_value() -> None:
    assert TestResource.validate_properties({}, PATH)["value"] == "test_string"


def test_waits_are_polled(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    plugin = make({"wait_secs": 3, "action_wait_secs": {"delete": 10}}, monkeypatch, clock)
    token = plugin.handle_create()
    assert not plugin.check_create_complete(token)
    clock.time += 3
    assert plugin.check_create_complete(token)
    token = plugin.handle_delete()
    clock.time += 9
    assert not plugin.check_delete_complete(token)
    clock.time += 1
    assert plugin.check_delete_complete(token)


def test_negative_wait_never_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    plugin = make({"wait_secs": -1}, monkeypatch, clock)
    token = plugin.handle_create()
    clock.time += 10**6
    assert not plugin.check_create_complete(token)


def test_fail_fails_create_and_update_but_not_delete(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    plugin = make({"fail": True, "wait_secs": 1}, monkeypatch, clock)
    token = plugin.handle_create()
    assert plugin.resource_id is None
    assert plugin.context.data() == {}
    assert not plugin.check_create_complete(token)
    clock.time += 1
    with pytest.raises(ResourceFailure, match="Test Resource failed test"):
        plugin.check_create_complete(token)
    token = plugin.handle_delete()
    clock.time += 1
    assert plugin.check_delete_complete(token)
    new = TestResource.validate_properties({"fail": True, "value": "other"}, PATH)
    token = plugin.handle_update(new, diff_properties(plugin.properties, new))
    clock.time += 1
    with pytest.raises(ResourceFailure):
        plugin.check_update_complete(token)


def test_update_in_place_stores_the_new_value(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    plugin = make({"value": "a", "action_wait_secs": {"update": 2}}, monkeypatch, clock)
    plugin.check_create_complete(plugin.handle_create())
    new = TestResource.validate_properties({"value": "b", "action_wait_secs": {"update": 2}}, PATH)
    diff = diff_properties(plugin.properties, new)
    assert diff == {"value": "b"}
    assert not plugin.needs_replace(new, diff)
    token = plugin.handle_update(new, diff)
    assert plugin.get_attribute("output") == "b"
    assert not plugin.check_update_complete(token)
    clock.time += 2
    assert plugin.check_update_complete(token)


def test_replacement_knobs(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = make({"value": "a"}, monkeypatch)
    new = TestResource.validate_properties({"value": "b", "update_replace": True}, PATH)
    assert plugin.needs_replace(new, diff_properties(plugin.properties, new))
    new = TestResource.validate_properties({"value": "a", "update_replace": True}, PATH)
    assert not plugin.needs_replace(new, diff_properties(plugin.properties, new))
    new = TestResource.validate_properties({"value": "a", "update_replace_value": "x"}, PATH)
    assert plugin.needs_replace(new, diff_properties(plugin.properties, new))


def test_client_polling_while_waiting(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Any] = []

    class Proxy:
        def get_server(self, identifier: Any) -> None:
            seen.append(identifier)
            raise RuntimeError("not found")

    class Cloud:
        compute = Proxy()

    clock = Clock()
    context = MemoryPluginContext("test", cloud=Cloud())
    plugin = make(
        {"value": "server-1", "wait_secs": 5, "client_name": "compute", "entity_name": "server"},
        monkeypatch,
        clock,
        context,
    )
    token = plugin.handle_create()
    assert not plugin.check_create_complete(token)
    assert seen == ["server-1"]


def test_resumes_on_a_fresh_instance(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    context = MemoryPluginContext("test")
    token = make({"wait_secs": 2}, monkeypatch, clock, context).handle_create()
    clock.time += 2
    assert make({"wait_secs": 2}, monkeypatch, clock, context).check_create_complete(token)


def test_the_engine_is_told_when_a_wait_ends_and_that_checks_do_not_block(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plugin = make({"wait_secs": 2}, monkeypatch)
    token = plugin.handle_create()
    assert plugin.check_due(token) == 1002.0
    assert plugin.checks_block() is False
    assert TestResource.self_contained is True
    assert make({"wait_secs": -1}, monkeypatch).check_due({"started_at": 1000.0, "wait_secs": -1}) is None
    # Reading the cloud at each poll: the checks block and are polled with backoff.
    polling = make({"wait_secs": 2, "client_name": "compute", "entity_name": "server"}, monkeypatch)
    assert polling.checks_block() is True
    assert polling.check_due(polling.handle_create()) is None
