"""Fixtures: identity and the whole sandbox cloud on loopback (calor.clouds' test harness), and
plugins whose context's ``cloud()`` is the engine's kind of connection: the service user (the
sandbox's admin) scoped to the ``demo`` project."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from calor.clouds.testing import CloudPluginContext, SandboxCloud, sandbox_cloud
from calor.plugins.base import ResourcePlugin


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCloud]:
    with sandbox_cloud(tmp_path_factory.mktemp("aws-sandbox")) as running:
        yield running


@pytest.fixture(scope="module")
def cloud(sandbox: SandboxCloud) -> Any:
    """The connection plugins get (admin scoped to the demo project)."""
    return sandbox.connection()


class ServicePluginContext(CloudPluginContext):
    """A context that also offers the service user's own (administrator) connection."""

    def __init__(self, resource_name: str, *, service_cloud: Callable[[], Any], **options: Any) -> None:
        super().__init__(resource_name, **options)
        self._service_cloud = service_cloud

    def service_cloud(self) -> Any:
        return self._service_cloud()


@pytest.fixture
def make(sandbox: SandboxCloud) -> Callable[..., Any]:
    """``make(PluginClass, properties, name=..., resource_id=..., metadata=...)``: a validated plugin."""

    def build(
        plugin_class: type[ResourcePlugin],
        properties: dict[str, Any] | None = None,
        *,
        name: str = "resource",
        resource_id: str | None = None,
        metadata: Any = None,
        stack_name: str = "stack",
    ) -> Any:
        values = plugin_class.validate_properties(properties or {}, f"resources.{name}.properties")
        context = ServicePluginContext(
            name,
            service_cloud=sandbox.factory.service_connection,
            cloud_factory=sandbox.connection,
            resource_id=resource_id,
            stack_name=stack_name,
            project_id=sandbox.demo_project_id,
            metadata=metadata,
        )
        plugin = plugin_class(name, values, context, metadata)
        plugin.validate()
        return plugin

    return build


@pytest.fixture(autouse=True, scope="session")
def cloud_constraints() -> None:
    """The cloud-backed constraints in the process-wide registry (as the service registers them)."""
    from calor.plugins import constraints, neutron_constraints

    constraints.register()
    neutron_constraints.register()
