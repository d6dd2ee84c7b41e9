"""``heat-engine``: run one worker against a database until stopped (SIGTERM / SIGINT)."""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from oslo_config import cfg

from calor.clouds import ConnectionFactory
from calor.clouds import options as cloud_options
from calor.config import configure_repository, load_config
from calor.db.engine import default_url, make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.worker import Worker
from calor.plugins.base import ResourcePlugin
from calor.plugins.registry import default_registry
from calor.security.deferred_auth import deferred_auth_from_config


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
    parser.add_argument("--config-file", action="append", default=[], help="heat.conf (repeatable)")
    parser.add_argument(
        "--cloud", default=None, help="the clouds.yaml cloud of the service user (default: [clouds] cloud)"
    )
    parser.add_argument("--clouds-file", default=None, help="the clouds.yaml to read")
    parser.add_argument(
        "--max-concurrent-jobs", type=int, default=EngineConfig.max_concurrent_jobs, help="stacks run at once"
    )
    parser.add_argument("--cfn-url", default=None, help="heat-api-cfn's base URL (wait condition handles)")
    parser.add_argument("--heat-url", default=None, help="heat-api's base URL (HEAT_SIGNAL handles)")
    parser.add_argument(
        "--identity-url",
        default=None,
        help="Keystone's unversioned URL (default: [clients_keystone] auth_uri); stack domain users are "
        "made there",
    )
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(arguments)


def connection_factory(options: argparse.Namespace, conf: cfg.ConfigOpts) -> ConnectionFactory | None:
    """The cloud of ``--cloud`` (or ``[clouds] cloud`` of heat.conf); ``None``: no cloud."""
    cloud_options.register(conf)
    if options.cloud:
        conf.set_override("cloud", options.cloud, group=cloud_options.GROUP)
    if options.clouds_file:
        conf.set_override("clouds_file", options.clouds_file, group=cloud_options.GROUP)
    return cloud_options.factory_from_config(conf)


def configure_signals(options: argparse.Namespace, repository: Repository, conf: cfg.ConfigOpts) -> None:
    """Wire wait conditions and signals for the plugins this engine runs (as heat-api-cfn does):
    stack domain users as heat.conf's ``stack_user_domain_*`` and ``stack_domain_admin*`` say."""
    if options.cfn_url is None:
        return
    from calor.api.cfn.signalling import read_resource_data
    from calor.plugins.signals import wiring
    from calor.security.keystone_trusts import versioned
    from calor.stack_domain import stack_credentials

    # Where stack users authenticate (HEAT_SIGNAL, POLL_SERVER_HEAT): the Keystone they are made in.
    unversioned = options.identity_url or str(conf.clients_keystone.auth_uri or "") or None
    identity_url = versioned(unversioned) if unversioned else None
    wiring.configure(
        wiring.SignalWiring(
            cfn_url=options.cfn_url.rstrip("/"),
            credentials=stack_credentials(conf, repository, identity_url=options.identity_url),
            reader=read_resource_data(repository),
            heat_url=options.heat_url,
            identity_url=identity_url,
        )
    )


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
    conf = load_config(config_files=options.config_file)
    database = make_engine(options.database_url or default_url())
    if options.upgrade:
        upgrade(database)
    repository = configure_repository(Repository(database), conf)
    registry = default_registry(entry_points=True)
    for reference in options.plugin:
        registry.register(load_plugin(reference), replace=True)
    config = EngineConfig(
        max_parallel=options.max_parallel,
        thread_pool_size=options.threads,
        lease_seconds=options.lease_seconds,
        heartbeat_seconds=options.heartbeat_seconds,
        poll_max=options.poll_max,
        max_concurrent_jobs=options.max_concurrent_jobs,
    )
    configure_signals(options, repository, conf)
    worker = Worker(
        repository,
        repository.queue,
        options.engine_id,
        plugin_types=registry.get,
        config=config,
        connections=connection_factory(options, conf),
        deferred_auth=deferred_auth_from_config(conf),
    )

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
