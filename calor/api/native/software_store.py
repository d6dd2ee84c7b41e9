"""Storage of software configs and deployments (kept as given; their behaviour comes later).

Records live in memory and, when a file is given, in a JSON file rewritten on each
change, so ``heat-all`` keeps them across restarts.
"""

from __future__ import annotations

import json
import threading
import uuid
from pathlib import Path
from typing import Any

from calor.db.types import utc_now
from calor.engine import views
from calor.errors import NotFound

CONFIGS = "software_configs"
DEPLOYMENTS = "software_deployments"


class SoftwareStore:
    """Software configs and deployments by id, per project."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._records: dict[str, dict[str, dict[str, Any]]] = {CONFIGS: {}, DEPLOYMENTS: {}}
        if path is not None and path.is_file():
            loaded = json.loads(path.read_text(encoding="utf-8"))
            for kind in (CONFIGS, DEPLOYMENTS):
                self._records[kind] = dict(loaded.get(kind, {}))

    def _save(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self._records), encoding="utf-8")
        temporary.replace(self.path)

    def add(self, kind: str, project_id: str, values: dict[str, Any]) -> dict[str, Any]:
        now = views.heat_time(utc_now())
        record = {**values, "id": str(uuid.uuid4()), "project": project_id, "creation_time": now}
        if kind == DEPLOYMENTS:
            record["updated_time"] = None
        with self._lock:
            self._records[kind][record["id"]] = record
            self._save()
        return dict(record)

    def get(self, kind: str, record_id: str, project_id: str | None) -> dict[str, Any]:
        with self._lock:
            record = self._records[kind].get(record_id)
        if record is None or (project_id is not None and record["project"] != project_id):
            singular = "Software config" if kind == CONFIGS else "Software deployment"
            raise NotFound(f"{singular} with id {record_id} not found")
        return dict(record)

    def update(
        self, kind: str, record_id: str, project_id: str | None, changes: dict[str, Any]
    ) -> dict[str, Any]:
        record = self.get(kind, record_id, project_id)
        record.update(changes)
        record["updated_time"] = views.heat_time(utc_now())
        with self._lock:
            self._records[kind][record_id] = record
            self._save()
        return dict(record)

    def delete(self, kind: str, record_id: str, project_id: str | None) -> None:
        self.get(kind, record_id, project_id)
        with self._lock:
            self._records[kind].pop(record_id, None)
            self._save()

    def list(self, kind: str, project_id: str | None, **equal: Any) -> list[dict[str, Any]]:
        with self._lock:
            records = [dict(record) for record in self._records[kind].values()]
        return [
            record
            for record in records
            if (project_id is None or record["project"] == project_id)
            and all(record.get(key) == value for key, value in equal.items() if value is not None)
        ]
