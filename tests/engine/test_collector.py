"""The heap is frozen for the collector while operations run, and unfrozen after the last one."""

from __future__ import annotations

import gc

from calor.engine import collector


def test_the_heap_is_frozen_while_any_operation_runs() -> None:
    assert collector.operations_running() == 0
    with collector.long_lived_frozen():
        frozen = gc.get_freeze_count()
        assert frozen > 0
        with collector.long_lived_frozen():  # a second operation at the same time
            assert collector.operations_running() == 2
        assert gc.get_freeze_count() == frozen  # still frozen for the first one
    assert collector.operations_running() == 0
    assert gc.get_freeze_count() == 0


def test_an_operation_that_fails_still_unfreezes() -> None:
    try:
        with collector.long_lived_frozen():
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert gc.get_freeze_count() == 0
