"""``heat-engine``: run one worker against a database until stopped (SIGTERM / SIGINT)."""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from calor.db.engine import default_url, make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.worker import Worker
from calor.plugins.base import ResourcePlugin
from calor.plugins.registry import default_registry


def parse_arguments(arguments: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="heat-engine", description="Run stack operations from the work queue."
    )
    parser.add_argument(
        "--database-url", default=None, help="SQLAlchemy URL (default: $CALOR_DATABASE_URL or SQLite)"
    )
    parser.add_argument("--engine-id", default=None, help="this engine's id (default: a new UUID)")
    parser.add_argument("--max-parallel", type=int, default=EngineConfig.max_parallel)
    parser.add_argument("--threads", type=int, default=EngineConfig.thread_pool_size)
    parser.add_argument("--lease-seconds", type=float, default=EngineConfig.lease_seconds)
    parser.add_argument("--heartbeat-seconds", type=float, default=EngineConfig.heartbeat_seconds)
    parser.add_argument("--poll-max", type=float, default=EngineConfig.poll_max)
    parser.add_argument("--upgrade", action="store_true", help="bring the database schema up to date first")
    parser.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="MODULE:CLASS",
        help="register an extra resource plugin class (repeatable)",
    )
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(arguments)


def load_plugin(reference: str) -> type[ResourcePlugin]:
    module_name, _, attribute = reference.partition(":")
    plugin = getattr(importlib.import_module(module_name), attribute)
    if not (isinstance(plugin, type) and issubclass(plugin, ResourcePlugin)):
        raise SystemExit(f"{reference} is not a ResourcePlugin class")
    return plugin


def main(arguments: Sequence[str] | None = None) -> int:
    options = parse_arguments(arguments)
    logging.basicConfig(
        level=options.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    database = make_engine(options.database_url or default_url())
    if options.upgrade:
        upgrade(database)
    repository = Repository(database)
    registry = default_registry(entry_points=True)
    for reference in options.plugin:
        registry.register(load_plugin(reference), replace=True)
    config = EngineConfig(
        max_parallel=options.max_parallel,
        thread_pool_size=options.threads,
        lease_seconds=options.lease_seconds,
        heartbeat_seconds=options.heartbeat_seconds,
        poll_max=options.poll_max,
    )
    worker = Worker(repository, repository.queue, options.engine_id, plugin_types=registry.get, config=config)

    def stop(signal_number: int, _frame: FrameType | None) -> None:
        logging.getLogger(__name__).info("signal %s: stopping", signal_number)
        worker.stop(timeout=None)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.start()
    while worker.thread_alive():
        worker.join(1.0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
