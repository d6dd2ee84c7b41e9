"""A database, an OrchestrationService and engine workers, for functional tests through the queue."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import time
from collections.abc import Iterable
from typing import Any

from counted_plugin import Counted
from sqlalchemy import Engine

from calor.db.engine import make_engine, upgrade
from calor.db.queue import ACTIVE_STATUSES
from calor.db.records import JobRecord
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.service import OrchestrationService, RequestContext
from calor.engine.worker import Worker
from calor.plugins.registry import PluginRegistry, default_registry

ROOT = pathlib.Path(__file__).resolve().parents[2]
HERE = pathlib.Path(__file__).resolve().parent

FAST = EngineConfig(
    poll_initial=0.01,
    poll_max=0.05,
    lease_seconds=2.0,
    heartbeat_seconds=0.5,
    idle_poll_seconds=0.05,
    cancel_check_seconds=0.05,
)
PROJECT = RequestContext(project_id="project-1", user_id="user-1")


def registry() -> PluginRegistry:
    plugins = default_registry()
    plugins.register(Counted)
    return plugins


class Deployment:
    """One database with a service and any number of in-process workers."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.engine: Engine = make_engine(url)
        if migrate:
            upgrade(self.engine)
        self.repository = Repository(self.engine)
        self.plugins = registry()
        self.service = OrchestrationService(self.repository, self.plugins.get)
        self.workers: list[Worker] = []

    def worker(self, engine_id: str, config: EngineConfig = FAST, *, start: bool = True) -> Worker:
        worker = Worker(
            Repository(self.engine),
            self.repository.queue,
            engine_id,
            plugin_types=self.plugins.get,
            config=config,
        )
        self.workers.append(worker)
        if start:
            worker.start()
        return worker

    def create(self, name: str, template: dict[str, Any], **options: Any) -> str:
        return self.service.create_stack(PROJECT, name, template, **options)

    def wait(
        self, stack_id: str, statuses: Iterable[str] | None = None, timeout: float = 20.0
    ) -> dict[str, Any]:
        """Wait until the stack leaves IN_PROGRESS (or reaches one of ``statuses``); its body."""
        wanted = set(statuses or ())
        deadline = time.monotonic() + timeout
        while True:
            body = self.service.show_stack(PROJECT, stack_id)
            status = body["stack_status"]
            if (status in wanted) if wanted else not status.endswith("IN_PROGRESS"):
                return body
            if time.monotonic() > deadline:
                raise AssertionError(f"stack still {status}: {body['stack_status_reason']}")
            time.sleep(0.02)

    def last_job(self, stack_id: str, timeout: float = 10.0) -> JobRecord:
        """The stack's last job once it finished: its engine marks it just after the stack's
        final state, so a worker stopped in between would give it back to the queue."""
        deadline = time.monotonic() + timeout
        while (job := self.repository.queue.list_jobs(stack_id=stack_id)[-1]).status in ACTIVE_STATUSES:
            assert time.monotonic() < deadline, f"job {job.operation} still {job.status}"
            time.sleep(0.02)
        return job

    def resources(self, stack_id: str) -> dict[str, dict[str, Any]]:
        return {body["resource_name"]: body for body in self.service.list_resources(PROJECT, stack_id)}

    def events(self, stack_id: str) -> list[tuple[str, str, str]]:
        return [
            (event["resource_name"], event["resource_status"], event["resource_status_reason"])
            for event in self.service.list_events(PROJECT, stack_id)
        ]

    def close(self) -> None:
        for worker in self.workers:
            worker.stop(timeout=10)
        self.engine.dispose()


def template(resources: dict[str, Any], outputs: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"heat_template_version": "2018-08-31", "resources": resources}
    if outputs:
        body["outputs"] = outputs
    return body


def engine_process(
    url: str, engine_id: str, plugins: Iterable[str] = ("counted_plugin:Counted",)
) -> subprocess.Popen[bytes]:
    """A ``heat-engine`` process on ``url`` (lease 2 s) with the test plugins (``module:Class``)."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(HERE), environment.get("PYTHONPATH", "")])
    command = [sys.executable, "-m", "calor.cmd.engine", "--database-url", url, "--engine-id", engine_id]
    for plugin in plugins:
        command += ["--plugin", plugin]
    command += [
        "--lease-seconds",
        "2",
        "--heartbeat-seconds",
        "1",
        "--poll-max",
        "0.2",
        "--log-level",
        "WARNING",
    ]
    return subprocess.Popen(command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
