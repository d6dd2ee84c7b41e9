"""Fixtures of the API tests: the app on SQLite with a worker, and heat-all on free ports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from api_harness import Api, ApiFactory, build_api

from calor.cmd.all import AllInOne, AllOptions
from calor.config import load_config
from calor.engine.worker import Worker


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    built, worker = build_api(tmp_path)
    yield built
    worker.stop()


@pytest.fixture
def api_factory(tmp_path: Path) -> Iterator[ApiFactory]:
    workers: list[Worker] = []

    def build(**config: Any) -> Api:
        built, worker = build_api(tmp_path / str(len(workers)), **config)
        workers.append(worker)
        return built

    yield build
    for worker in workers:
        worker.stop()


@pytest.fixture(scope="module")
def heat_all(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AllInOne]:
    """heat-all in this process, every service on a free port, without the sandbox cloud."""
    state_dir = tmp_path_factory.mktemp("heat-all")
    options = AllOptions(
        state_dir=state_dir, api_port=0, cfn_port=0, identity_port=0, cloud_port=0, with_cloud=False
    )
    running = AllInOne(options, load_config())
    running.start()
    yield running
    running.stop()
