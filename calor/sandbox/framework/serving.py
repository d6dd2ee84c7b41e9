"""Serve the identity service and the sandbox cloud on loopback, each in a thread.

For tests and for one-process setups: :func:`serve_sandbox` starts both on ephemeral (or
given) ports with the catalog pointing at the sandbox, and returns a :class:`RunningSandbox`
to stop them.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from calor.sandbox.framework.auth import IdentityAuthenticator
from calor.sandbox.framework.config import SandboxConfig
from calor.sandbox.framework.service import SandboxContext
from calor.sandbox.identity import IdentityBackend, IdentityConfig
from calor.sandbox.identity import create_app as create_identity_app

LOOPBACK = "127.0.0.1"


@dataclass
class RunningSandbox:
    identity_url: str
    """The identity root (``http://127.0.0.1:<port>``); ``/v3`` is below it."""
    url: str
    """The sandbox cloud's root; services are below it (``/compute/v2.1``)."""
    app: Flask
    context: SandboxContext
    identity: IdentityBackend
    servers: list[BaseWSGIServer]
    threads: list[threading.Thread]

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)
        self.context.store.close()
        self.identity.close()


def _start(app: Any, port: int) -> tuple[BaseWSGIServer, threading.Thread]:
    server = make_server(LOOPBACK, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


def serve_sandbox(
    config: SandboxConfig,
    *,
    services: Iterable[str] | None = None,
    sandbox_port: int = 0,
    identity_port: int = 0,
    admin_password: str = "admin-secret",
    demo_password: str = "demo-secret",
    password_rounds: int | None = None,
    single_port: bool = False,
) -> RunningSandbox:
    """Start identity (on ``config.identity_state_dir`` or the state dir) and the sandbox cloud
    with the services of ``services`` (module names; default: the registration table).
    With ``single_port`` identity is served at ``/identity`` on the sandbox's port."""
    from calor.sandbox import cloud

    identity_dir = Path(config.identity_state_dir or config.state_dir)
    options: dict[str, Any] = {} if password_rounds is None else {"password_rounds": password_rounds}
    identity = IdentityBackend.open(identity_dir, **options)
    specs = cloud.load_services(cloud.SERVICE_MODULES if services is None else services)
    app = cloud.create_app(config, authenticator=IdentityAuthenticator(identity), services=specs)
    sandbox_server, sandbox_thread = _start(app, sandbox_port)
    url = f"http://{LOOPBACK}:{sandbox_server.server_port}"
    identity_config = IdentityConfig(
        state_dir=identity_dir,
        endpoints=tuple(cloud.catalog_endpoints(url, specs)),
        region=config.region,
        admin_password=admin_password,
        demo_password=demo_password,
        **options,
    )
    identity_app = create_identity_app(replace(identity_config), identity)
    servers, threads = [sandbox_server], [sandbox_thread]
    if single_port:
        cloud.mount_identity(app, identity_app)
        identity_url = url + cloud.IDENTITY_PREFIX
    else:
        identity_server, identity_thread = _start(identity_app, identity_port)
        servers.append(identity_server)
        threads.append(identity_thread)
        identity_url = f"http://{LOOPBACK}:{identity_server.server_port}"
    return RunningSandbox(
        identity_url=identity_url,
        url=url,
        app=app,
        context=cloud.context_of(app),
        identity=identity,
        servers=servers,
        threads=threads,
    )
