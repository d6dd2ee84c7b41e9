"""OS::Heat::Delay: waits by polling a deadline, only during the chosen actions."""

from __future__ import annotations

import json
from typing import Any

import pytest

from calor.errors import PropertyError
from calor.plugins.context import MemoryPluginContext
from calor.plugins.heat.delay import Delay

PATH = "resources.pause.properties"


class Clock:
    def __init__(self) -> None:
        self.time = 1000.0

    def __call__(self) -> float:
        return self.time


def make(properties: dict[str, Any], clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Delay:
    plugin = Delay("pause", Delay.validate_properties(properties, PATH), MemoryPluginContext("pause"))
    monkeypatch.setattr(plugin, "now", clock)
    return plugin


def test_defaults() -> None:
    assert Delay.validate_properties({}, PATH) == {
        "min_wait": 0,
        "max_jitter": 0,
        "jitter_multiplier": 1.0,
        "actions": ["CREATE"],
    }


def test_create_waits_until_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    plugin = make({"min_wait": 5}, clock, monkeypatch)
    token = plugin.handle_create()
    assert json.loads(json.dumps(token)) == token
    assert not plugin.check_create_complete(token)
    clock.time += 4.9
    assert not plugin.check_create_complete(token)
    clock.time += 0.2
    assert plugin.check_create_complete(token)


def test_a_new_instance_resumes_from_the_token(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    token = make({"min_wait": 5}, clock, monkeypatch).handle_create()
    clock.time += 6
    assert make({"min_wait": 5}, clock, monkeypatch).check_create_complete(token)


def test_actions_not_listed_do_not_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    plugin = make({"min_wait": 5, "actions": ["DELETE", "SUSPEND"]}, clock, monkeypatch)
    assert plugin.check_create_complete(plugin.handle_create())
    assert plugin.check_resume_complete(plugin.handle_resume())
    assert not plugin.check_delete_complete(plugin.handle_delete())
    assert not plugin.check_suspend_complete(plugin.handle_suspend())


def test_jitter_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock()
    plugin = make({"min_wait": 1, "max_jitter": 2, "jitter_multiplier": 3}, clock, monkeypatch)
    assert plugin.maximum_wait() == 7
    for _ in range(50):
        assert 1 <= plugin.wait_seconds("CREATE") <= 7
    assert plugin.wait_seconds("DELETE") == 0


def test_invalid_properties() -> None:
    with pytest.raises(PropertyError) as caught:
        Delay.validate_properties({"actions": ["CREATE", "UPDATE"]}, PATH)
    assert caught.value.path == f"{PATH}.actions"
    with pytest.raises(PropertyError) as caught:
        Delay.validate_properties({"min_wait": -1}, PATH)
    assert caught.value.path == f"{PATH}.min_wait"


def test_property_changes_update_in_place(monkeypatch: pytest.MonkeyPatch) -> None:
    plugin = make({"min_wait": 1}, Clock(), monkeypatch)
    assert not plugin.needs_replace({"min_wait": 2}, {"min_wait": 2})
