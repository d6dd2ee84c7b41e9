"""Helpers shared by the commands: key=value pairs, Heat error bodies, signal data, sorting, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from heatclient import exc  # type: ignore[import-untyped]
from keystoneauth1 import exceptions as auth_exceptions

from calor.cli.commands import api_message, key_values
from calor.cli.errors import CommandError, UsageError
from calor.cli.main import describe_error
from calor.cli.resources import signal_data
from calor.cli.stacks import sort_items


def heat_error(error_class: type, message: str) -> exc.HTTPException:
    body = {
        "code": error_class.code,
        "title": "x",
        "error": {"message": message, "type": "StackValidationFailed"},
    }
    return error_class(json.dumps(body))


def test_key_values() -> None:
    assert key_values(["a=1", "b=x=y", "c="], "parameter") == {"a": "1", "b": "x=y", "c": ""}
    with pytest.raises(CommandError, match=r"Malformed parameter \(oops\)") as error:
        key_values(["oops"], "parameter")
    assert error.value.exit_status == 2


def test_api_message_is_heats_message_on_one_line() -> None:
    assert (
        api_message(heat_error(exc.HTTPBadRequest, "resources.web: bad\nthing")) == "resources.web: bad thing"
    )
    assert api_message(heat_error(exc.HTTPInternalServerError, "boom")) == "boom (HTTP 500)"
    assert api_message(exc.HTTPNotFound("not json")) == "not json"


def test_describe_error_gives_one_line_and_a_status() -> None:
    assert describe_error(UsageError("bad")) == ("bad", 2)
    assert describe_error(heat_error(exc.HTTPConflict, "busy")) == ("busy", 1)
    assert describe_error(exc.CommandError("ERROR: Stack not found")) == ("Stack not found", 1)
    refused = auth_exceptions.ConnectFailure(
        "Unable to establish connection to http://127.0.0.1:9/v3/auth/tokens: "
        "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded (Caused by "
        "NewConnectionError(\"HTTPConnection(host='127.0.0.1', port=9): "
        'Failed to establish a new connection: [Errno 111] Connection refused"))'
    )
    assert describe_error(refused) == (
        "Unable to establish connection to http://127.0.0.1:9/v3/auth/tokens (Connection refused)",
        1,
    )
    assert describe_error(ZeroDivisionError()) == (None, 1)


def test_signal_data(tmp_path: Path) -> None:
    assert signal_data('{"status": "SUCCESS"}', None) == {"status": "SUCCESS"}
    assert signal_data(None, None) is None
    data_file = tmp_path / "data.json"
    data_file.write_text('{"id": 1}')
    assert signal_data(None, str(data_file)) == {"id": 1}
    with pytest.raises(CommandError, match="Data should be a JSON dict"):
        signal_data("[1]", None)
    with pytest.raises(CommandError, match="only specify one"):
        signal_data("{}", str(data_file))


def test_sort_items_applies_keys_and_directions() -> None:
    items = [{"name": "b", "time": "2"}, {"name": "a", "time": "2"}, {"name": "c", "time": "1"}]
    assert [item["name"] for item in sort_items(items, "time:desc,name")] == ["a", "b", "c"]
    assert [item["name"] for item in sort_items(items, "name:desc")] == ["c", "b", "a"]
    with pytest.raises(CommandError):
        sort_items(items, "name:sideways")
