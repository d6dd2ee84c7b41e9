"""Output formats: table, json, yaml, value, shell, csv and column selection."""

from __future__ import annotations

import argparse
import io
import json

import pytest
import yaml

from calor.cli.errors import CommandError
from calor.cli.formatting import emit, render_listing, render_record, select
from calor.cli.results import Listing, Record, row_from

LISTING = Listing(["ID", "Stack Name", "Stack Status"], [["1", "web", "CREATE_COMPLETE"], ["2", "db", None]])
RECORD = Record((("id", "1"), ("parameters", {"name": "world", "sizes": [1, 2]}), ("updated_time", None)))


def options(**values: object) -> argparse.Namespace:
    defaults: dict[str, object] = {"format": "table", "columns": [], "noindent": False, "prefix": ""}
    defaults.update(values)
    return argparse.Namespace(**defaults)


def test_listing_table_has_headers_rows_and_ascii_borders() -> None:
    text = render_listing(LISTING, "table")
    lines = text.splitlines()
    assert lines[0].startswith("+") and lines[-1].startswith("+")
    assert "| ID | Stack Name | Stack Status    |" in lines[1]
    assert any("| 2  | db         | None            |" in line for line in lines)
    assert all(line == line.rstrip() for line in lines)


def test_listing_table_keeps_long_values_on_one_line() -> None:
    identifier = "f" * 150
    text = render_listing(Listing(["ID"], [[identifier]]), "table")
    assert identifier in text


def test_empty_listing_prints_nothing_in_a_table_but_an_empty_list_in_json() -> None:
    assert render_listing(Listing(["ID"], []), "table") == ""
    assert json.loads(render_listing(Listing(["ID"], []), "json")) == []


def test_listing_json_yaml_value_and_csv() -> None:
    assert json.loads(render_listing(LISTING, "json"))[0] == {
        "ID": "1",
        "Stack Name": "web",
        "Stack Status": "CREATE_COMPLETE",
    }
    assert yaml.safe_load(render_listing(LISTING, "yaml"))[1]["Stack Status"] is None
    assert render_listing(LISTING, "value").splitlines() == ["1 web CREATE_COMPLETE", "2 db "]
    assert render_listing(LISTING, "csv").splitlines()[0] == '"ID","Stack Name","Stack Status"'


def test_record_table_shows_structures_as_yaml() -> None:
    text = render_record(RECORD, "table")
    assert "| parameters   | name: world |" in text
    assert "- 1" in text


def test_record_json_keeps_structures() -> None:
    assert json.loads(render_record(RECORD, "json"))["parameters"] == {"name": "world", "sizes": [1, 2]}
    assert "\n" not in render_record(RECORD, "json", indent=None)


def test_record_shell_quotes_and_prefixes() -> None:
    text = render_record(Record((("stack-name", 'say "hi"'), ("id", 3))), "shell", prefix="s_")
    assert text.splitlines() == ['s_stack_name="say \\"hi\\""', 's_id="3"']


def test_record_value_prints_one_value_per_line() -> None:
    assert render_record(RECORD, "value").split("\n") == ["1", '{"name": "world", "sizes": [1, 2]}', ""]


def test_columns_select_in_the_result_order() -> None:
    chosen = select(LISTING, ["Stack Status", "ID"])
    assert isinstance(chosen, Listing)
    assert chosen.columns == ["ID", "Stack Status"]
    assert chosen.rows[1] == ["2", None]


def test_unknown_column_is_an_error_naming_the_columns() -> None:
    with pytest.raises(CommandError, match="Recognized columns are ID, Stack Name, Stack Status"):
        select(LISTING, ["nope"])


def test_emit_applies_format_and_columns() -> None:
    stream = io.StringIO()
    emit(RECORD, options(format="value", columns=["id"]), stream)
    assert stream.getvalue() == "1\n"


def test_row_from_reads_heat_column_names() -> None:
    assert row_from({"stack_name": "web", "id": "7"}, ["ID", "Stack Name", "Missing"]) == ["7", "web", ""]
