"""OS::Swift::Container (``conn.object_store``)."""

from __future__ import annotations

from calor.plugins.swift.container import SwiftContainer

PLUGINS = (SwiftContainer,)

__all__ = ["PLUGINS", "SwiftContainer"]
