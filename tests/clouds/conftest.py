"""Fixtures: identity and the sandbox cloud on loopback, with a connection factory as admin."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from calor.clouds.testing import SandboxCloud, sandbox_cloud

SERVICES = ("calor.sandbox.compute", "calor.sandbox.image", "calor.sandbox.volume")


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCloud]:
    state: Path = tmp_path_factory.mktemp("sandbox")
    with sandbox_cloud(state, services=SERVICES) as running:
        yield running
