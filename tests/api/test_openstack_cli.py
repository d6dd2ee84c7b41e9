"""The ``openstack stack ...`` command line against heat-all, configured by its clouds.yaml."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from calor.cmd.all import AllInOne

pytestmark = [
    pytest.mark.skipif(shutil.which("openstack") is None, reason="python-openstackclient is not installed"),
    pytest.mark.slow,
]


def _status(heat_all: AllInOne, name: str, wanted: str) -> str:
    """Wait in-process (the CLI's --wait polls every few seconds)."""
    repository = heat_all.worker.repository if heat_all.worker else None
    assert repository is not None
    deadline = time.monotonic() + 30
    while True:
        stack = repository.find_stack(name, heat_all.projects["demo"], show_deleted=True)
        status = stack.stack_status if stack else "MISSING"
        if status == wanted or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def _openstack(heat_all: AllInOne, *arguments: str, output: bool = True) -> Any:
    environment = dict(os.environ)
    for name in [name for name in os.environ if name.startswith("OS_")]:
        environment.pop(name, None)
    environment.update(OS_CLIENT_CONFIG_FILE=str(heat_all.clouds_file), OS_CLOUD="calor-demo")
    completed = subprocess.run(
        ["openstack", *arguments, *(["-f", "json"] if output else [])],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    # --wait prints event lines before the JSON document.
    lines = completed.stdout.splitlines()
    start = next((index for index, line in enumerate(lines) if line[:1] in ("{", "[")), None)
    return None if start is None else json.loads("\n".join(lines[start:]))


def test_stack_create_list_show_delete(heat_all: AllInOne, tmp_path: Path) -> None:
    template = tmp_path / "word.yaml"
    template.write_text(
        "heat_template_version: 2018-08-31\n"
        "resources:\n  word: {type: OS::Heat::RandomString, properties: {length: 4}}\n"
        "outputs:\n  value: {value: {get_attr: [word, value]}}\n"
    )
    created = _openstack(heat_all, "stack", "create", "-t", str(template), "cli-stack")
    assert created["stack_status"] == "CREATE_IN_PROGRESS"
    assert _status(heat_all, "cli-stack", "CREATE_COMPLETE") == "CREATE_COMPLETE"
    listed = _openstack(heat_all, "stack", "list")
    assert [stack["Stack Name"] for stack in listed] == ["cli-stack"]
    shown = _openstack(heat_all, "stack", "show", "cli-stack")
    assert shown["id"] == created["id"]
    assert len(shown["outputs"][0]["output_value"]) == 4
    _openstack(heat_all, "stack", "delete", "--yes", "cli-stack", output=False)
    assert _status(heat_all, "cli-stack", "DELETE_COMPLETE") == "DELETE_COMPLETE"
    assert _openstack(heat_all, "stack", "list") == []
