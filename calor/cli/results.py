"""What a command hands back to be printed: a listing, a record, or nothing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Listing:
    """Rows under named columns (``stack list``); formats table, json, yaml, value, csv."""

    columns: Sequence[str]
    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True)
class Record:
    """Named fields of one object (``stack show``); formats table, json, yaml, value, shell."""

    fields: Sequence[tuple[str, Any]] = field(default_factory=tuple)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], columns: Iterable[str] | None = None) -> Record:
        """Fields from ``data``; only ``columns`` (in that order) when given, missing ones as None."""
        if columns is None:
            return cls(tuple(data.items()))
        return cls(tuple((name, data.get(name)) for name in columns))

    def as_dict(self) -> dict[str, Any]:
        return dict(self.fields)


Result = Listing | Record | None


def attribute_key(column: str) -> str:
    """The attribute a column shows: ``Stack Name`` → ``stack_name``, ``ID`` → ``id``."""
    return column.lower().replace(" ", "_")


def row_from(item: Any, columns: Sequence[str]) -> list[Any]:
    """One row of ``columns`` read from a heatclient resource object or a mapping."""
    data = item if isinstance(item, Mapping) else as_mapping(item)
    return [data.get(attribute_key(column), data.get(column, "")) for column in columns]


def as_mapping(item: Any) -> dict[str, Any]:
    """The fields of a heatclient resource object (never triggering its lazy reload) or a mapping."""
    if isinstance(item, Mapping):
        return dict(item)
    information = getattr(item, "_info", None)
    fields = dict(information) if isinstance(information, Mapping) else {}
    fields.update(
        (key, value) for key, value in vars(item).items() if not key.startswith("_") and key != "manager"
    )
    return fields
