"""The Swift plugin tests need the object store in the sandbox (the other fixtures are shared)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def sandbox_services() -> tuple[str, ...]:
    return (
        "calor.sandbox.compute",
        "calor.sandbox.image",
        "calor.sandbox.network",
        "calor.sandbox.object_store",
    )
