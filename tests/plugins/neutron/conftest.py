"""Fixtures: identity and the sandbox cloud's Neutron on loopback (calor.clouds' test harness),
and plugins whose context's ``cloud()`` is the engine's kind of connection: the service user
(the sandbox's admin) scoped to the ``demo`` project."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from calor.clouds.testing import CloudPluginContext, SandboxCloud, sandbox_cloud
from calor.plugins.base import ResourcePlugin

SERVICES = ("calor.sandbox.network",)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCloud]:
    with sandbox_cloud(tmp_path_factory.mktemp("neutron-sandbox"), services=SERVICES) as running:
        yield running


@pytest.fixture(scope="module")
def cloud(sandbox: SandboxCloud) -> Any:
    """The connection plugins get (admin scoped to the demo project)."""
    return sandbox.connection()


PluginFactory = Callable[..., Any]


@pytest.fixture
def make(sandbox: SandboxCloud) -> PluginFactory:
    """``make(PluginClass, properties, name=..., resource_id=...)``: a validated plugin on the sandbox."""

    def build(
        plugin_class: type[ResourcePlugin],
        properties: dict[str, Any] | None = None,
        *,
        name: str = "resource",
        resource_id: str | None = None,
        metadata: Any = None,
    ) -> Any:
        values = plugin_class.validate_properties(properties or {}, f"resources.{name}.properties")
        context = CloudPluginContext(
            name, cloud_factory=sandbox.connection, resource_id=resource_id, stack_name="stack"
        )
        plugin = plugin_class(name, values, context, metadata)
        plugin.validate()
        return plugin

    return build


@pytest.fixture(autouse=True, scope="session")
def neutron_constraints() -> None:
    """The Neutron constraints in the process-wide registry (as the service registers them)."""
    from calor.plugins import neutron_constraints

    neutron_constraints.register()
