"""``heat-api``: serve Heat's v1 REST API alone, against the configured database.

Engines run separately (``heat-engine``). Tokens are validated by keystonemiddleware with
the ``[keystone_authtoken]`` section of the configuration file.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from flask import Flask
from oslo_config import cfg

from calor.api.native import create_app
from calor.api.serving import ServedApp, serve_until_signalled
from calor.config import api_config, configure_repository, database_url, enable_portability, load_config
from calor.db.engine import make_engine
from calor.db.repository import Repository
from calor.engine.admission import Admission
from calor.engine.service import OrchestrationService
from calor.plugins.registry import default_registry
from calor.security.deferred_auth import deferred_auth_from_config


def build_app(conf: cfg.ConfigOpts) -> Flask:
    """The WSGI application ``heat-api`` serves (usable under any WSGI server)."""
    state_dir = Path(conf.state_dir).expanduser()
    repository = configure_repository(Repository(make_engine(database_url(conf, state_dir))), conf)
    registry = default_registry(entry_points=True)
    settings = api_config(conf)
    service = OrchestrationService(
        repository,
        registry.get,
        deferred_auth=deferred_auth_from_config(conf),
        admission=Admission.from_config(settings),
    )
    enable_portability(service, conf, standalone=False)
    return create_app(
        settings,
        service,
        registry=registry,
        keystone={"oslo_config_config": conf},
        software_store_path=state_dir / "software.json",
    )


def main(arguments: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="heat-api", description="Serve Heat's v1 REST API.")
    parser.add_argument("--config-file", action="append", default=[], help="heat.conf (repeatable)")
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None)
    parsed = parser.parse_args(arguments)
    conf = load_config(config_files=parsed.config_file)
    logging.basicConfig(
        level=logging.DEBUG if conf.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    host = parsed.host or conf.host
    port = conf.api_port if parsed.port is None else parsed.port
    server = ServedApp("api", host, port, threads=conf.workers)
    server.application = build_app(conf)
    return serve_until_signalled(server, "heat-api")


if __name__ == "__main__":
    sys.exit(main())
