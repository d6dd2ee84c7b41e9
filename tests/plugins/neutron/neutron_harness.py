"""Helpers driving a plugin's hooks to completion, as the engine would (tokens through JSON)."""

from __future__ import annotations

from typing import Any

from calor.clouds.testing import run_action
from calor.plugins.base import diff_properties


def run_create(plugin: Any) -> Any:
    return run_action(plugin, "create")


def run_delete(plugin: Any) -> Any:
    return run_action(plugin, "delete")


def run_update(plugin: Any, new_properties: dict[str, Any]) -> dict[str, Any]:
    """Update ``plugin`` in place to ``new_properties`` (raw); gives the new validated properties."""
    values = type(plugin).validate_properties(new_properties, f"resources.{plugin.name}.properties")
    difference = diff_properties(plugin.properties, values)
    assert not plugin.needs_replace(values, difference), f"{sorted(difference)} would replace"
    run_action(plugin, "update", values, difference)
    plugin.properties = values
    return values
