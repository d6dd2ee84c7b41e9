"""The served compute and image sandbox fixtures (defined once in ``tests/sandbox/served_sandbox.py``)."""

from served_sandbox import admin, connect_to, demo, sandbox, sandbox_factory

__all__ = ["admin", "connect_to", "demo", "sandbox", "sandbox_factory"]
