"""One output of a template: its value snippet, description and whether its condition holds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from calor.errors import UserError
from calor.template import function
from calor.template.functions.common import resolve


@dataclass(frozen=True, eq=False)
class OutputDefinition:
    """An output; when its condition is false it exists but has no value (as in Heat)."""

    name: str
    value: Any
    description: str | None = None
    condition: Any = None
    enabled: bool = True
    path: str = ""

    def resolve(self) -> Any:
        """The output's value now (``None`` when disabled); errors carry the output's path."""
        if not self.enabled:
            return None
        try:
            return resolve(self.value)
        except UserError as error:
            if error.path is None:
                error.path = self.path
            raise

    def dependencies(self) -> frozenset[str]:
        """The resources whose state the value reads."""
        if not self.enabled:
            return frozenset()
        return frozenset(function.dependencies(self.value))
