"""Fixtures: the identity app served on 127.0.0.1 with an ephemeral port, in a thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from calor.sandbox.identity import Endpoint, IdentityBackend, IdentityConfig, backend_of, create_app

ADMIN_PASSWORD = "admin-secret"
DEMO_PASSWORD = "demo-secret"
STACK_DOMAIN_ADMIN_PASSWORD = "heat-domain-secret"


@dataclass
class RunningIdentity:
    server: BaseWSGIServer
    thread: threading.Thread
    url: str
    backend: IdentityBackend
    admin_password: str = ADMIN_PASSWORD
    demo_password: str = DEMO_PASSWORD

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
        self.backend.close()


def start_identity(
    state_dir: Path, *, token_lifetime_seconds: int = 3600, endpoints: Sequence[Endpoint] = ()
) -> RunningIdentity:
    config = IdentityConfig(
        state_dir=state_dir,
        endpoints=tuple(endpoints),
        token_lifetime_seconds=token_lifetime_seconds,
        password_rounds=10,
        admin_password=ADMIN_PASSWORD,
        demo_password=DEMO_PASSWORD,
        stack_domain_admin_password=STACK_DOMAIN_ADMIN_PASSWORD,
    )
    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return RunningIdentity(server, thread, f"http://127.0.0.1:{server.server_port}", backend_of(app))


IdentityFactory = Callable[..., RunningIdentity]


@pytest.fixture
def identity_factory() -> Iterator[IdentityFactory]:
    """Start servers with :func:`start_identity`; running ones are stopped afterwards."""
    started: list[RunningIdentity] = []

    def start(state_dir: Path, **options: object) -> RunningIdentity:
        running = start_identity(state_dir, **options)  # type: ignore[arg-type]
        started.append(running)
        return running

    yield start
    for running in started:
        if running.thread.is_alive():
            running.stop()


@pytest.fixture
def identity(tmp_path: Path) -> Iterator[RunningIdentity]:
    running = start_identity(
        tmp_path / "state",
        endpoints=[Endpoint("orchestration", "heat", "http://127.0.0.1:8004/v1/%(tenant_id)s")],
    )
    yield running
    running.stop()
