"""A test resource type whose creates and deletes are written to a ledger file, an outside record.

Loaded by engine subprocesses too (``heat-engine --plugin ledger_plugin:Ledger``): the
ledger shows every call whichever process made it, as a cloud would. A create is
finished once its ``gate`` file exists (no gate: at once), so a test can stop an engine
while a create is being polled (a delete likewise waits for ``delete_gate``); with
``hold``, ``handle_create`` itself waits (up to a minute) for that file once the object
is made, so a test can kill an engine inside it.
An interrupted create is resumed by finding its object by physical name in the ledger.
"""

from __future__ import annotations

import os
import pathlib
import time
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from calor.plugins.base import ResourcePlugin
from calor.schema.properties import PropertySchema


class Ledger(ResourcePlugin):
    """Writes ``create <name> <id> <physical name> <value>`` and ``delete <name> <id>`` to ``ledger``."""

    type_name: ClassVar[str] = "Test::Ledger"
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "ledger": PropertySchema(type="string", required=True),
        "value": PropertySchema(type="string", default=""),
        "gate": PropertySchema(type="string", default=""),
        "hold": PropertySchema(type="string", default=""),
        "delete_gate": PropertySchema(type="string", default=""),
    }

    def _write(self, line: str) -> None:
        with open(self.properties["ledger"], "a", encoding="utf-8") as ledger:
            ledger.write(line + "\n")
            ledger.flush()
            os.fsync(ledger.fileno())

    def handle_create(self) -> Any:
        physical_id = f"{self.name}-{uuid.uuid4().hex[:8]}"
        name = self.context.physical_resource_name()
        self._write(f"create {self.name} {physical_id} {name} {self.properties['value']}")
        self.context.set_resource_id(physical_id)
        hold = self.properties["hold"]
        deadline = time.monotonic() + 60
        while hold and not pathlib.Path(hold).exists() and time.monotonic() < deadline:
            time.sleep(0.05)  # a test device: real hooks never wait
        return {"gate": self.properties["gate"]}

    def handle_create_resume(self, started_at: float) -> Any:
        """Adopt the object an interrupted create made (found by its physical name), else create."""
        name = self.context.physical_resource_name()
        for entry in entries(pathlib.Path(self.properties["ledger"])):
            if entry[:2] == ["create", self.name] and entry[3] == name:
                self.context.set_resource_id(entry[2])
                return {"gate": self.properties["gate"]}
        return self.handle_create()

    def check_create_complete(self, token: Any) -> bool:
        gate = token.get("gate") if isinstance(token, Mapping) else None
        return not gate or pathlib.Path(gate).exists()

    def handle_delete(self) -> Any:
        if self.resource_id is not None:
            self._write(f"delete {self.name} {self.resource_id}")
        return {"gate": self.properties["delete_gate"]}

    def check_delete_complete(self, token: Any) -> bool:
        gate = token.get("gate") if isinstance(token, Mapping) else None
        return not gate or pathlib.Path(gate).exists()


def entries(ledger: pathlib.Path) -> list[list[str]]:
    """The ledger's lines, split into words."""
    if not ledger.exists():
        return []
    return [line.split() for line in ledger.read_text(encoding="utf-8").splitlines() if line]
