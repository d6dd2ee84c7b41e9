"""Test helpers for code that talks to the cloud: the sandbox served on loopback with a factory.

:func:`sandbox_cloud` starts the embedded identity service and the sandbox cloud in threads
(status delays 0 by default) and gives a :class:`SandboxCloud` whose ``factory`` is a real
:class:`~calor.clouds.factory.ConnectionFactory` logged in as the sandbox's admin.
:class:`CloudPluginContext` is a :class:`~calor.plugins.context.MemoryPluginContext` whose
``cloud()`` comes from a factory, and :func:`run_action` drives a plugin's
``handle_<action>`` / ``check_<action>_complete`` pair the way the engine does (polling
without sleeping, up to a number of polls).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from calor.clouds.factory import ConnectionFactory
from calor.clouds.settings import CloudSettings
from calor.plugins.context import MemoryPluginContext

ADMIN_PASSWORD = "admin-secret"
DEMO_PASSWORD = "demo-secret"


@dataclass
class SandboxCloud:
    """A running sandbox with identity, and a connection factory for its admin user."""

    running: Any
    settings: CloudSettings
    factory: ConnectionFactory
    admin_project_id: str
    demo_project_id: str

    def connection(self, project_id: str | None = None) -> Any:
        """The admin's connection (to ``project_id``, default the ``demo`` project)."""
        return self.factory.for_project(project_id or self.demo_project_id)

    def inject_faults(self, rules: Sequence[str]) -> None:
        """Replace the standing fault rules (``["compute.server.create=error"]``)."""
        from calor.sandbox.framework.faults import parse_rules

        self.running.context.faults.replace(parse_rules(list(rules)), {})

    def clear_faults(self) -> None:
        self.running.context.faults.replace([], {})


@contextmanager
def sandbox_cloud(
    state_dir: Path,
    *,
    services: Iterable[str] | None = None,
    status_delay_seconds: float = 0.0,
    **config: Any,
) -> Iterator[SandboxCloud]:
    """Serve identity and the sandbox (``services``: module names, default all) until the block ends."""
    from calor.sandbox.framework import SandboxConfig
    from calor.sandbox.framework.serving import serve_sandbox

    sandbox_config = SandboxConfig(state_dir=state_dir, status_delay_seconds=status_delay_seconds, **config)
    running = serve_sandbox(
        sandbox_config,
        services=services,
        admin_password=ADMIN_PASSWORD,
        demo_password=DEMO_PASSWORD,
        password_rounds=4,
    )
    settings = CloudSettings(
        auth_url=running.identity_url + "/v3",
        username="admin",
        password=ADMIN_PASSWORD,
        project_name="admin",
        region_name=sandbox_config.region,
        project_role="member",
    )
    factory = ConnectionFactory(settings)
    try:
        admin_project = running.identity.find_project("admin", "default").id
        demo_project = running.identity.find_project("demo", "default").id
        yield SandboxCloud(running, settings, factory, admin_project, demo_project)
    finally:
        factory.close()
        running.stop()


class CloudPluginContext(MemoryPluginContext):
    """A memory context whose ``cloud()`` is a connection from ``cloud_factory`` (called each time)."""

    def __init__(
        self, resource_name: str = "resource", *, cloud_factory: Callable[[], Any], **options: Any
    ) -> None:
        super().__init__(resource_name, **options)
        self._cloud_factory = cloud_factory

    def cloud(self) -> Any:
        return self._cloud_factory()


def run_action(plugin: Any, action: str, *arguments: Any, polls: int = 200) -> Any:
    """``handle_<action>(*arguments)`` then ``check_<action>_complete(token)`` until it is done.

    The token goes through JSON between polls, as the engine persists it. Gives the last token.
    """
    handlers: dict[str, tuple[Callable[..., Any], Callable[[Any], bool]]] = {
        "create": (plugin.handle_create, plugin.check_create_complete),
        "update": (plugin.handle_update, plugin.check_update_complete),
        "delete": (plugin.handle_delete, plugin.check_delete_complete),
        "suspend": (plugin.handle_suspend, plugin.check_suspend_complete),
        "resume": (plugin.handle_resume, plugin.check_resume_complete),
        "snapshot": (plugin.handle_snapshot, plugin.check_snapshot_complete),
    }
    handle, check = handlers[action]
    token = json.loads(json.dumps(handle(*arguments)))
    for _ in range(polls):
        if check(token):
            return token
        token = json.loads(json.dumps(token))
    raise AssertionError(f"{action} of {plugin.name} did not complete in {polls} polls")
