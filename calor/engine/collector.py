"""Keep Python's cyclic garbage collector off the long-lived heap while stack operations run.

An engine process holds a few hundred thousand long-lived objects (modules, SQLAlchemy,
openstacksdk, plugin classes). Every full collection walks all of them and stalls the
operation's event loop for tens of milliseconds, and a big stack allocates enough to
trigger one every second or so. While at least one operation runs, the objects that
existed when the first one started are frozen (:func:`gc.freeze`): collections look only
at newer objects. When the last operation ends they are unfrozen, so garbage among them
is collected again.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_running = 0


@contextlib.contextmanager
def long_lived_frozen() -> Iterator[None]:
    """Freeze the heap for the time of one operation (nested and concurrent uses share it)."""
    global _running
    with _lock:
        if _running == 0:
            gc.freeze()
        _running += 1
    try:
        yield
    finally:
        with _lock:
            _running -= 1
            if _running == 0:
                gc.unfreeze()


def operations_running() -> int:
    """How many operations hold the heap frozen (for tests)."""
    with _lock:
        return _running
