"""Printing results like cliff's formatters: ``-f table|json|yaml|value|shell|csv`` and ``-c COLUMN``.

Tables are drawn with Rich; on a terminal they fit its width, elsewhere they keep their natural width
and plain ASCII borders so that pipes and logs stay readable.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import shutil
from collections.abc import Sequence
from typing import Any, TextIO

import yaml
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from calor.cli.errors import CommandError
from calor.cli.results import Listing, Record, Result

LIST_FORMATS = ("table", "json", "yaml", "value", "csv")
RECORD_FORMATS = ("table", "json", "yaml", "value", "shell")


def add_output_arguments(parser: argparse.ArgumentParser, formats: Sequence[str], default: str) -> None:
    """The output options every listing or showing command takes."""
    group = parser.add_argument_group("output formatters")
    group.add_argument(
        "-f",
        "--format",
        dest="format",
        choices=list(formats),
        default=default,
        help=f"the output format (default: {default})",
    )
    group.add_argument(
        "-c",
        "--column",
        dest="columns",
        action="append",
        default=[],
        metavar="COLUMN",
        help="show only this column (repeatable)",
    )
    group.add_argument("--noindent", action="store_true", help="no indentation in json output")
    if "shell" in formats:
        group.add_argument("--prefix", default="", help="prefix for variable names in shell output")


def select(result: Listing | Record, columns: Sequence[str]) -> Listing | Record:
    """Keep only the requested columns (in the result's order), as ``-c`` does in cliff."""
    if not columns:
        return result
    names = list(result.columns) if isinstance(result, Listing) else [name for name, _ in result.fields]
    kept = [name for name in names if name in columns]
    if not kept:
        raise CommandError(
            f"No recognized column names in {', '.join(columns)}. Recognized columns are {', '.join(names)}."
        )
    if isinstance(result, Record):
        return Record(tuple(field for field in result.fields if field[0] in kept))
    indexes = [names.index(name) for name in kept]
    return Listing(kept, [[row[index] for index in indexes] for row in result.rows])


def emit(result: Result, options: argparse.Namespace, stream: TextIO) -> None:
    """Print ``result`` in the format the options name."""
    if result is None:
        return
    result = select(result, getattr(options, "columns", []) or [])
    output_format = getattr(options, "format", "table")
    indent = None if getattr(options, "noindent", False) else 2
    if isinstance(result, Listing):
        text = render_listing(result, output_format, indent=indent, terminal=_is_terminal(stream))
    else:
        text = render_record(
            result,
            output_format,
            indent=indent,
            prefix=getattr(options, "prefix", ""),
            terminal=_is_terminal(stream),
        )
    if text:
        stream.write(text if text.endswith("\n") else text + "\n")


def render_listing(
    listing: Listing, output_format: str, *, indent: int | None = 2, terminal: bool = False
) -> str:
    columns = list(listing.columns)
    if output_format == "json":
        return json.dumps([dict(zip(columns, row, strict=False)) for row in listing.rows], indent=indent)
    if output_format == "yaml":
        return dump_yaml([dict(zip(columns, row, strict=False)) for row in listing.rows])
    if output_format == "value":
        return "\n".join(" ".join(plain_value(value) for value in row) for row in listing.rows)
    if output_format == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        writer.writerow(columns)
        for row in listing.rows:
            writer.writerow([_csv_value(value) for value in row])
        return buffer.getvalue()
    if output_format == "table":
        if not listing.rows:
            return ""
        table = _table(columns, terminal)
        for row in listing.rows:
            table.add_row(*(Text(cell_value(value, compact=True)) for value in row))
        return draw(table, terminal)
    raise CommandError(f"Unknown output format: {output_format}", exit_status=2)


def render_record(
    record: Record,
    output_format: str,
    *,
    indent: int | None = 2,
    prefix: str = "",
    terminal: bool = False,
) -> str:
    if output_format == "json":
        return json.dumps(record.as_dict(), indent=indent)
    if output_format == "yaml":
        return dump_yaml(record.as_dict())
    if output_format == "value":
        return "\n".join(plain_value(value) for _, value in record.fields)
    if output_format == "shell":
        lines = []
        for name, value in record.fields:
            variable = re.sub(r"[^A-Za-z0-9_]", "_", prefix + name)
            escaped = plain_value(value).replace("\\", "\\\\").replace('"', '\\"')
            lines.append(f'{variable}="{escaped}"')
        return "\n".join(lines)
    if output_format == "table":
        table = _table(["Field", "Value"], terminal)
        for name, value in record.fields:
            table.add_row(Text(name), Text(cell_value(value, compact=False)))
        return draw(table, terminal)
    raise CommandError(f"Unknown output format: {output_format}", exit_status=2)


def dump_yaml(data: Any) -> str:
    return yaml.safe_dump(data, default_flow_style=False, sort_keys=False, allow_unicode=True)


def plain_value(value: Any) -> str:
    """A value on one line: text as is, None as empty, structures as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, dict | list | tuple):
        return json.dumps(value)
    return str(value)


def cell_value(value: Any, *, compact: bool) -> str:
    """A value in a table cell: structures as YAML in a record, JSON in a listing."""
    if value is None:
        return "None"
    if isinstance(value, str):
        return value.rstrip("\n")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dict | list | tuple):
        if not value:
            return json.dumps(value)
        if compact:
            return json.dumps(value)
        return dump_yaml(value if not isinstance(value, tuple) else list(value)).rstrip("\n")
    return str(value)


def _csv_value(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return plain_value(value)
    if isinstance(value, int | float):
        return value
    return plain_value(value)


def _table(columns: Sequence[str], terminal: bool) -> Table:
    table = Table(
        box=box.SQUARE if terminal else box.ASCII,
        show_header=True,
        header_style="bold" if terminal else "",
        show_lines=False,
        pad_edge=True,
    )
    for column in columns:
        table.add_column(Text(column), overflow="fold")
    return table


def draw(table: Table, terminal: bool) -> str:
    """Render a Rich table to text: fitted to the terminal, or at its natural width."""
    buffer = io.StringIO()
    if terminal:
        console = Console(file=buffer, force_terminal=True, width=shutil.get_terminal_size().columns)
    else:
        console = Console(file=buffer, width=100_000, color_system=None, force_terminal=False)
    console.print(table)
    return "\n".join(line.rstrip() for line in buffer.getvalue().splitlines())


def _is_terminal(stream: TextIO) -> bool:
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
