"""Quota limits per project: defaults by name (``compute.instances``), overrides stored per project.

A limit of -1 is unlimited. Services count their own usage and call :meth:`Quotas.allows`.
"""

from __future__ import annotations

from collections.abc import Mapping

from calor.sandbox.framework.store import StateStore

COLLECTION = "quotas"


class Quotas:
    def __init__(self, store: StateStore, defaults: Mapping[str, int]) -> None:
        self.collection = store.collection(COLLECTION)
        self.defaults = dict(defaults)

    def register_defaults(self, defaults: Mapping[str, int]) -> None:
        """A service's default limits, unless the configuration already set them."""
        for name, value in defaults.items():
            self.defaults.setdefault(name, value)

    def limit(self, project_id: str, name: str) -> int:
        document = self.collection.get(project_id) or {}
        overrides = document.get("limits", {})
        return int(overrides.get(name, self.defaults.get(name, -1)))

    def limits(self, project_id: str, prefix: str) -> dict[str, int]:
        """Every limit whose name starts with ``prefix`` (``compute.``), keyed by the rest."""
        names = set(self.defaults) | set((self.collection.get(project_id) or {}).get("limits", {}))
        return {
            name[len(prefix) :]: self.limit(project_id, name)
            for name in sorted(names)
            if name.startswith(prefix)
        }

    def set_limit(self, project_id: str, name: str, value: int) -> None:
        with self.collection.store.lock:
            document = self.collection.get(project_id) or {"id": project_id, "limits": {}}
            document["limits"][name] = int(value)
            self.collection.put(document)

    def allows(self, project_id: str, name: str, in_use: int, requested: int) -> bool:
        limit = self.limit(project_id, name)
        return limit < 0 or in_use + requested <= limit

    def clear(self, project_id: str, prefix: str) -> None:
        """Drop the project's overrides of limits starting with ``prefix``: back to defaults."""
        with self.collection.store.lock:
            document = self.collection.get(project_id)
            if document is not None:
                document["limits"] = {
                    name: value for name, value in document["limits"].items() if not name.startswith(prefix)
                }
                self.collection.put(document)
