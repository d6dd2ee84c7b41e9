"""Fixtures of heat-api-cfn's tests: the app served on a free port over a SQLite database, an
engine worker in-process, and the embedded identity service (served too) with the ``admin`` and
``demo`` principals and their EC2 key pairs, and the stack domain ``heat`` whose admin makes
the stack users of wait condition handles, as heat-all wires them."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from calor.api.cfn import create_app
from calor.api.serving import ServedApp
from calor.config import ApiConfig
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.admission import Admission
from calor.engine.config import EngineConfig
from calor.engine.service import OrchestrationService
from calor.engine.worker import Worker
from calor.plugins.registry import default_registry
from calor.plugins.signals import wiring
from calor.sandbox.identity import BootstrapResult, IdentityBackend, IdentityConfig, bootstrap
from calor.sandbox.identity import create_app as create_identity_app
from calor.stack_domain import StackDomainCredentials, StackDomainIdentity, StackDomainSettings

STACK_DOMAIN_ADMIN_PASSWORD = "heat-domain-secret"


@dataclass
class CfnService:
    url: str
    identity: IdentityBackend
    principals: BootstrapResult
    repository: Repository
    service: OrchestrationService
    served: ServedApp
    identity_served: ServedApp

    @property
    def endpoint(self) -> str:
        return self.url + "/v1"

    def client(self, access: str | None = None, secret: str | None = None, **config: Any) -> Any:
        credential = self.principals.demo_credential
        return boto3.client(
            "cloudformation",
            endpoint_url=self.endpoint,
            region_name="RegionOne",
            aws_access_key_id=access or credential.access,
            aws_secret_access_key=secret or credential.secret,
            config=Config(retries={"max_attempts": 1}, **config),
        )

    def wait(self, client: Any, name: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            stack: dict[str, Any] = client.describe_stacks(StackName=name)["Stacks"][0]
            if not stack["StackStatus"].endswith("IN_PROGRESS") or time.monotonic() > deadline:
                return stack
            time.sleep(0.05)


WORKERS = 3
"""A worker runs one stack operation at a time; a stack waiting on a signal holds one."""


def build(
    tmp_path: Path, *, config: ApiConfig | None = None, **options: Any
) -> tuple[CfnService, list[Worker]]:
    database = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(database)
    repository = Repository(database)
    registry = default_registry()
    settings = config or ApiConfig()
    service = OrchestrationService(repository, registry.get, admission=Admission.from_config(settings))
    identity = IdentityBackend.open(tmp_path / "identity", password_rounds=1000)
    principals = bootstrap(
        identity,
        admin_password="admin-secret",
        demo_password="demo-secret",
        stack_domain_admin_password=STACK_DOMAIN_ADMIN_PASSWORD,
    )
    identity_served = ServedApp("identity", "127.0.0.1", 0, threads=4)
    identity_served.application = create_identity_app(IdentityConfig(tmp_path / "identity"), identity)
    identity_served.start()
    stack_domain = StackDomainSettings(
        auth_url=identity_served.url,
        admin_user="heat_domain_admin",
        admin_password=STACK_DOMAIN_ADMIN_PASSWORD,
        domain_name="heat",
    )
    served = ServedApp("cfn", "127.0.0.1", 0, threads=4)
    app = create_app(
        settings,
        service,
        registry=registry,
        identity_backend=identity,
        public_url=served.url,
        stack_credentials=StackDomainCredentials(StackDomainIdentity(stack_domain), repository),
        **options,
    )
    served.application = app
    served.start()
    workers = [
        Worker(
            repository,
            repository.queue,
            plugin_types=registry.get,
            config=EngineConfig(idle_poll_seconds=0.05, poll_initial=0.02, poll_max=0.1),
        )
        for _ in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    return CfnService(served.url, identity, principals, repository, service, served, identity_served), workers


def stop(workers: list[Worker]) -> None:
    for worker in workers:
        worker.stop(timeout=0)
    for worker in workers:
        worker.join(10.0)


@pytest.fixture
def cfn(tmp_path: Path) -> Iterator[CfnService]:
    built, workers = build(tmp_path)
    yield built
    stop(workers)
    built.served.stop()
    built.identity_served.stop()
    wiring.configure(None)


CfnFactory = Callable[..., CfnService]


@pytest.fixture
def cfn_factory(tmp_path: Path) -> Iterator[CfnFactory]:
    running: list[tuple[CfnService, list[Worker]]] = []

    def make(**options: Any) -> CfnService:
        built = build(tmp_path / str(len(running)), **options)
        running.append(built)
        return built[0]

    yield make
    for built, workers in running:
        stop(workers)
        built.served.stop()
        built.identity_served.stop()
    wiring.configure(None)
