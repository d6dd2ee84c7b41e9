"""Fixtures of the compute and image tests: identity and the sandbox cloud (compute and image)
served on loopback in threads, and openstacksdk connections as ``demo`` (member) and ``admin``.

Their ``conftest.py`` files import these fixtures, so both directories share one definition.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openstack
import pytest

from calor.sandbox.framework import SandboxConfig
from calor.sandbox.framework.serving import RunningSandbox, serve_sandbox

PASSWORDS = {"admin": "admin-secret", "demo": "demo-secret"}
SERVICES = ("calor.sandbox.compute", "calor.sandbox.image")


def connect(sandbox: RunningSandbox, user: str = "demo") -> Any:
    return openstack.connection.Connection(
        auth_url=sandbox.identity_url + "/v3",
        username=user,
        password=PASSWORDS[user],
        project_name=user,
        user_domain_id="default",
        project_domain_id="default",
        region_name="RegionOne",
    )


SandboxFactory = Callable[..., RunningSandbox]


@pytest.fixture
def sandbox_factory(tmp_path: Path) -> Iterator[SandboxFactory]:
    """Start sandboxes (status delays 0 unless given); all are stopped afterwards."""
    started: list[RunningSandbox] = []

    def start(state_dir: Path | None = None, **options: Any) -> RunningSandbox:
        options.setdefault("status_delay_seconds", 0.0)
        config = SandboxConfig(state_dir=state_dir or tmp_path / "state", **options)
        running = serve_sandbox(config, services=SERVICES, password_rounds=4)
        started.append(running)
        return running

    yield start
    for running in started:
        if running.threads[0].is_alive():
            running.stop()


@pytest.fixture
def sandbox(sandbox_factory: SandboxFactory) -> RunningSandbox:
    return sandbox_factory()


@pytest.fixture
def demo(sandbox: RunningSandbox) -> Any:
    return connect(sandbox, "demo")


@pytest.fixture
def admin(sandbox: RunningSandbox) -> Any:
    return connect(sandbox, "admin")


@pytest.fixture
def connect_to() -> Callable[..., Any]:
    """``connect_to(sandbox, user="demo")``: an openstacksdk connection to a started sandbox."""
    return connect
