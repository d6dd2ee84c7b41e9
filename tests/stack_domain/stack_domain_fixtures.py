"""Fixtures: the embedded identity service served on loopback (with its stack domain ``heat`` and
``heat_domain_admin``), a database holding one stack, and the stack domain credentials on both."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from calor.api.serving import ServedApp
from calor.db.engine import make_engine, upgrade
from calor.db.records import StackRecord
from calor.db.repository import Repository
from calor.sandbox.identity import BootstrapResult, IdentityBackend, IdentityConfig, bootstrap, create_app
from calor.stack_domain import StackDomainCredentials, StackDomainIdentity, StackDomainSettings

STACK_DOMAIN_ADMIN_PASSWORD = "heat-domain-secret"
TEMPLATE = {"heat_template_version": "2018-08-31", "resources": {}}


def domain_settings(url: str, **changes: str) -> StackDomainSettings:
    values = {
        "auth_url": url,
        "admin_user": "heat_domain_admin",
        "admin_password": STACK_DOMAIN_ADMIN_PASSWORD,
        "domain_name": "heat",
        **changes,
    }
    return StackDomainSettings(**values)


@dataclass
class StackDomainWorld:
    url: str
    backend: IdentityBackend
    principals: BootstrapResult
    repository: Repository
    stack: StackRecord
    credentials: StackDomainCredentials

    def settings(self, **changes: str) -> StackDomainSettings:
        return domain_settings(self.url, **changes)


@pytest.fixture
def world(tmp_path: Path) -> Iterator[StackDomainWorld]:
    backend = IdentityBackend.open(tmp_path / "identity", password_rounds=4)
    principals = bootstrap(
        backend,
        admin_password="admin-secret",
        demo_password="demo-secret",
        stack_domain_admin_password=STACK_DOMAIN_ADMIN_PASSWORD,
    )
    served = ServedApp("identity", "127.0.0.1", 0, threads=4)
    served.application = create_app(IdentityConfig(tmp_path / "identity"), backend)
    served.start()
    database = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(database)
    repository = Repository(database)
    stack = repository.create_stack(name="web", project_id=principals.demo_project.id, template=TEMPLATE)
    credentials = StackDomainCredentials(StackDomainIdentity(domain_settings(served.url)), repository)
    yield StackDomainWorld(served.url, backend, principals, repository, stack, credentials)
    served.stop()
    backend.close()
