"""``heat-api-cfn``: serve the CloudFormation Query API alone, against the configured database.

Signatures are checked by Keystone's ``/v3/ec2tokens`` (``--identity-url``, else
``[ec2authtoken] auth_uri`` or ``[clients_keystone] auth_uri`` of heat.conf), or in-process
against the embedded identity service's state (``--identity-state-dir``, by default
``<state_dir>/identity`` when it exists). Engines run separately
(``heat-engine``); the wait condition wiring is set for engines in this process only, with
the stack domain users of heat.conf's ``stack_user_domain_*`` and ``stack_domain_admin*``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from flask import Flask
from oslo_config import cfg

from calor.api.auth import service_token_source
from calor.api.cfn import create_app
from calor.api.cfn.app import STATE_EXTENSION
from calor.api.cfn.signatures import KeystoneVerifier
from calor.api.serving import ServedApp, serve_until_signalled
from calor.config import (
    api_config,
    configure_repository,
    database_url,
    ec2_auth_url,
    enable_portability,
    keystone_verify,
    load_config,
)
from calor.db.engine import make_engine
from calor.db.repository import Repository
from calor.engine.admission import Admission
from calor.engine.service import OrchestrationService
from calor.plugins.registry import default_registry
from calor.security.deferred_auth import deferred_auth_from_config
from calor.stack_domain import stack_credentials


def build_app(
    conf: cfg.ConfigOpts,
    *,
    identity_url: str | None = None,
    identity_state_dir: Path | None = None,
    public_url: str | None = None,
) -> Flask:
    """The WSGI application ``heat-api-cfn`` serves (usable under any WSGI server)."""
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
    if identity_url is None and identity_state_dir is None:
        identity_url = ec2_auth_url(conf)
    if identity_url is None and identity_state_dir is None and (state_dir / "identity").is_dir():
        identity_state_dir = state_dir / "identity"
    app = create_app(
        settings,
        service,
        registry=registry,
        identity_url=identity_url,
        identity_state_dir=identity_state_dir,
        public_url=public_url,
        stack_credentials=stack_credentials(conf, repository, identity_url=identity_url),
    )
    state = app.extensions[STATE_EXTENSION]
    if identity_url is not None and isinstance(state.verifier, KeystoneVerifier):
        # Keystone answers /v3/ec2tokens to service users only: send heat-api-cfn's own token.
        state.verifier = KeystoneVerifier(
            identity_url,
            service_token=service_token_source(conf),
            verify=keystone_verify(conf, "ec2authtoken"),
        )
    return app


def main(arguments: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="heat-api-cfn", description="Serve the CloudFormation Query API.")
    parser.add_argument("--config-file", action="append", default=[], help="heat.conf (repeatable)")
    parser.add_argument("--host", default=None)
    parser.add_argument("--port", type=int, default=None)
    parser.add_argument("--identity-url", default=None, help="Keystone's URL: verify with /v3/ec2tokens")
    parser.add_argument("--identity-state-dir", default=None, help="the embedded identity's state")
    parser.add_argument("--public-url", default=None, help="this API's URL, as instances reach it")
    parsed = parser.parse_args(arguments)
    conf = load_config(config_files=parsed.config_file)
    logging.basicConfig(
        level=logging.DEBUG if conf.debug else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    host = parsed.host or conf.host
    port = conf.cfn_port if parsed.port is None else parsed.port
    server = ServedApp("cfn", host, port, threads=conf.workers)
    try:
        server.application = build_app(
            conf,
            identity_url=parsed.identity_url,
            identity_state_dir=Path(parsed.identity_state_dir) if parsed.identity_state_dir else None,
            public_url=parsed.public_url or server.url,
        )
    except ValueError as error:
        print(f"heat-api-cfn: {error}", file=sys.stderr)
        server.stop()
        return 2
    return serve_until_signalled(server, "heat-api-cfn")


if __name__ == "__main__":
    sys.exit(main())
