"""The plugin registry: explicit registration, lookups, filters, entry points."""

from __future__ import annotations

from importlib import metadata
from typing import Any, ClassVar

import pytest

from calor.errors import ResourceTypeNotFound
from calor.plugins.base import ResourcePlugin
from calor.plugins.registry import PluginRegistry, default_registry
from calor.schema.properties import DEPRECATED, HIDDEN, SupportStatus


class First(ResourcePlugin):
    type_name: ClassVar[str] = "Test::First"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="1.0")


class Second(ResourcePlugin):
    type_name: ClassVar[str] = "Test::Second"
    support_status: ClassVar[SupportStatus] = SupportStatus(DEPRECATED, version="2.0")


class Hidden(ResourcePlugin):
    type_name: ClassVar[str] = "Other::Hidden"
    support_status: ClassVar[SupportStatus] = SupportStatus(HIDDEN)


class Nameless(ResourcePlugin):
    pass


def test_register_and_get() -> None:
    registry = PluginRegistry([First])
    registry.register(Second)
    assert registry.get("Test::First") is First
    assert "Test::Second" in registry
    assert len(registry) == 2
    assert registry.plugins() == {"Test::First": First, "Test::Second": Second}


def test_unknown_type_names_the_type_and_the_path() -> None:
    with pytest.raises(ResourceTypeNotFound) as caught:
        PluginRegistry().get("OS::Nova::Nothing", path="resources.web")
    assert caught.value.message == "The Resource Type (OS::Nova::Nothing) could not be found."
    assert str(caught.value) == "resources.web: The Resource Type (OS::Nova::Nothing) could not be found."
    assert caught.value.http_status == 404


def test_registration_is_checked() -> None:
    registry = PluginRegistry([First])
    registry.register(First)  # the same class again is harmless

    class Impostor(ResourcePlugin):
        type_name: ClassVar[str] = "Test::First"

    with pytest.raises(ValueError, match="already registered"):
        registry.register(Impostor)
    registry.register(Impostor, replace=True)
    assert registry.get("Test::First") is Impostor
    with pytest.raises(ValueError, match="no type_name"):
        registry.register(Nameless)
    with pytest.raises(TypeError):
        registry.register(object)  # type: ignore[arg-type]


def test_type_filters() -> None:
    registry = PluginRegistry([First, Second, Hidden])
    assert registry.types() == ["Test::First", "Test::Second"]
    assert registry.types(name_filter="Test::F") == ["Test::First"]
    assert registry.types(name_filter=".*Second") == ["Test::Second"]
    assert registry.types(support_status="deprecated") == ["Test::Second"]
    assert registry.types(support_status="HIDDEN") == ["Other::Hidden"]
    assert registry.types(version="1.0") == ["Test::First"]


def test_default_registry_holds_the_heat_types() -> None:
    registry = default_registry()
    assert set(registry.types(name_filter="OS::Heat::")) >= {
        "OS::Heat::None",
        "OS::Heat::Value",
        "OS::Heat::RandomString",
        "OS::Heat::Delay",
        "OS::Heat::TestResource",
    }
    assert default_registry() is not registry


class FakeEntryPoint:
    def __init__(self, loaded: Any) -> None:
        self.loaded = loaded

    def load(self) -> Any:
        return self.loaded


def test_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    def entry_points(*, group: str) -> list[FakeEntryPoint]:
        assert group == "calor.resources"
        return [FakeEntryPoint(First), FakeEntryPoint([Second])]

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    registry = PluginRegistry()
    assert registry.load_entry_points() == ["Test::First", "Test::Second"]
    assert registry.get("Test::Second") is Second
    assert "Test::First" in default_registry(entry_points=True)


def test_real_entry_points_load_without_error() -> None:
    # Whatever is installed in this environment, loading must not fail.
    assert metadata.entry_points(group="calor.resources") is not None
    PluginRegistry().load_entry_points()
