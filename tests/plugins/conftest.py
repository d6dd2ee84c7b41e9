"""Fixtures of the OpenStack plugin tests: identity and the sandbox cloud on loopback (one per
test module), and plugin contexts acting in project demo. The Neutron and AWS tests override
``cloud`` with fixtures of their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from calor.clouds.testing import CloudPluginContext, SandboxCloud, sandbox_cloud
from calor.plugins import constraints

SERVICES = (
    "calor.sandbox.compute",
    "calor.sandbox.image",
    "calor.sandbox.network",
    "calor.sandbox.volume",
)


@pytest.fixture(scope="session", autouse=True)
def cloud_constraints() -> None:
    """Register nova.flavor, glance.image, ... (what the service does at start)."""
    constraints.register()


@pytest.fixture(scope="module")
def sandbox_services() -> tuple[str, ...]:
    """The services the module's sandbox serves (a directory's conftest may name others)."""
    return SERVICES


@pytest.fixture(scope="module")
def cloud(
    tmp_path_factory: pytest.TempPathFactory, sandbox_services: tuple[str, ...]
) -> Iterator[SandboxCloud]:
    with sandbox_cloud(tmp_path_factory.mktemp("plugin-sandbox"), services=sandbox_services) as running:
        yield running


@pytest.fixture
def connection(cloud: SandboxCloud) -> Any:
    return cloud.connection()


@pytest.fixture
def make_plugin(cloud: SandboxCloud) -> Callable[..., Any]:
    """``make_plugin(PluginClass, properties, name="resource", **context_options)``."""

    def make(
        plugin_class: Any, raw: dict[str, Any], name: str = "resource", *, admin: bool = False, **options: Any
    ) -> Any:
        project = cloud.admin_project_id if admin else cloud.demo_project_id
        context = CloudPluginContext(
            name,
            cloud_factory=cloud.factory.bound(project),
            stack_name="stack",
            project_id=project,
            **options,
        )
        properties = plugin_class.validate_properties(raw, f"resources.{name}.properties")
        plugin = plugin_class(name, properties, context)
        plugin.validate()
        return plugin

    return make
