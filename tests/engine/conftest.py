"""Fixtures of the engine tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from engine_harness import CALLS, Harness


@pytest.fixture
def harness() -> Iterator[Harness]:
    CALLS.clear()
    built = Harness()
    yield built
    built.close()
