"""Fixtures of the Keystone tier: one real Keystone and one Calor in Keystone mode per session.

Skipped when ``scripts/keystone-bootstrap`` has not run, unless ``CALOR_REQUIRE_KEYSTONE=1``
(CI), where a missing Keystone fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from keystone_tier import Calor, Keystone, KeystoneMissing, start_calor, start_keystone


@pytest.fixture(scope="session")
def keystone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keystone]:
    try:
        running = start_keystone(tmp_path_factory.mktemp("keystone-tier") / "keystone")
    except KeystoneMissing as error:
        if os.environ.get("CALOR_REQUIRE_KEYSTONE") == "1":
            pytest.fail(f"Keystone is required: {error}")
        pytest.skip(f"Keystone is not bootstrapped: {error}")
    yield running
    running.stop()


@pytest.fixture(scope="session")
def calor(keystone: Keystone, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Calor]:
    running = start_calor(tmp_path_factory.mktemp("calor-keystone"), keystone)
    yield running
    running.stop()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test of this tier is marked ``keystone`` (``-m "not keystone"`` leaves them out)."""
    for item in items:
        if "tests/integration/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.keystone)
