"""``heat-engine`` as a process: it runs queued stacks and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from calor.cmd.engine import load_plugin, parse_arguments
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.service import OrchestrationService, RequestContext
from calor.plugins.heat.none import NoneResource
from calor.plugins.registry import default_registry

ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_arguments_and_plugin_loading() -> None:
    options = parse_arguments(["--database-url", "sqlite://", "--max-parallel", "8", "--plugin", "x:y"])
    assert options.database_url == "sqlite://"
    assert options.max_parallel == 8
    assert options.plugin == ["x:y"]
    assert load_plugin("calor.plugins.heat.none:NoneResource") is NoneResource
    with pytest.raises(SystemExit):
        load_plugin("calor.engine.config:EngineConfig")


def test_engine_process_creates_a_stack_and_stops_on_sigterm(tmp_path: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path / 'calor.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    repository = Repository(engine)
    service = OrchestrationService(repository, default_registry().get)
    context = RequestContext(project_id="project-1")
    template = {"heat_template_version": "2018-08-31", "resources": {"nothing": {"type": "OS::Heat::None"}}}
    stack_id = service.create_stack(context, "from-process", template)

    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "calor.cmd.engine", "--database-url", url, "--engine-id", "process-1"]
    process = subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while service.show_stack(context, stack_id)["stack_status"] != "CREATE_COMPLETE":
            assert process.poll() is None
            assert time.monotonic() < deadline
            time.sleep(0.05)
        process.send_signal(signal.SIGTERM)
        assert process.wait(15) == 0
    finally:
        if process.poll() is None:
            process.kill()
    services = repository.list_services()
    assert [(item.engine_id, item.stopped_at is not None) for item in services] == [("process-1", True)]
    engine.dispose()
