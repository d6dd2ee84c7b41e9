"""Fixtures: identity and the sandbox cloud (network, volume, object store) served on
127.0.0.1 with ephemeral ports in threads, and openstacksdk connections as admin and demo."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openstack
import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from calor.sandbox import cloud
from calor.sandbox.framework import IdentityAuthenticator, SandboxConfig, SandboxContext
from calor.sandbox.identity import IdentityBackend, IdentityConfig, bootstrap, create_app

SERVICES = ("calor.sandbox.network", "calor.sandbox.volume", "calor.sandbox.object_store")
PASSWORDS = {"admin": "admin-secret", "demo": "demo-secret"}


@dataclass
class SandboxCloud:
    identity_url: str
    url: str
    context: SandboxContext
    servers: list[BaseWSGIServer]
    threads: list[threading.Thread]
    identity: IdentityBackend

    def connect(self, user: str) -> openstack.connection.Connection:
        return openstack.connection.Connection(
            auth_url=self.identity_url + "/v3",
            username=user,
            password=PASSWORDS[user],
            project_name=user,
            user_domain_id="default",
            project_domain_id="default",
            region_name="RegionOne",
        )

    def project_id(self, name: str) -> str:
        return self.identity.find_project(name, "default").id

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()
        for thread in self.threads:
            thread.join(timeout=5)
        self.context.store.close()
        self.identity.close()


def _serve(app: object) -> tuple[BaseWSGIServer, threading.Thread]:
    server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    return server, thread


def start_cloud(state_dir: Path, *, extra_services: tuple[str, ...] = (), **options: object) -> SandboxCloud:
    identity = IdentityBackend.open(state_dir / "identity", password_rounds=10)
    bootstrap(identity, admin_password=PASSWORDS["admin"], demo_password=PASSWORDS["demo"])
    specs = [importlib.import_module(name).SERVICE for name in (*extra_services, *SERVICES)]
    config = SandboxConfig(state_dir=state_dir / "sandbox", status_delay_seconds=0, **options)  # type: ignore[arg-type]
    app = cloud.create_app(config, authenticator=IdentityAuthenticator(identity), services=specs)
    server, thread = _serve(app)
    url = f"http://127.0.0.1:{server.server_port}"
    identity_config = IdentityConfig(
        state_dir=state_dir / "identity", endpoints=cloud.catalog_endpoints(url, specs), password_rounds=10
    )
    identity_server, identity_thread = _serve(create_app(identity_config, backend=identity))
    identity_url = f"http://127.0.0.1:{identity_server.server_port}"
    return SandboxCloud(
        identity_url,
        url,
        cloud.context_of(app),
        [server, identity_server],
        [thread, identity_thread],
        identity,
    )


@pytest.fixture
def cloud_factory(tmp_path: Path) -> Iterator[Callable[..., SandboxCloud]]:
    """Start a separate cloud with other options (``status_delays=...``); stopped afterwards."""
    started: list[SandboxCloud] = []

    def start(**options: object) -> SandboxCloud:
        started.append(start_cloud(tmp_path / f"cloud-{len(started)}", **options))
        return started[-1]

    yield start
    for running in started:
        running.stop()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCloud]:
    running = start_cloud(tmp_path_factory.mktemp("sandbox"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def admin(sandbox: SandboxCloud) -> openstack.connection.Connection:
    return sandbox.connect("admin")


@pytest.fixture(scope="module")
def demo(sandbox: SandboxCloud) -> openstack.connection.Connection:
    return sandbox.connect("demo")
