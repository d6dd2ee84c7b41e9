"""The engine acting for stack owners with stored credentials, against the sandbox cloud.

The connection factory grants itself no role (``project_role`` unset), so the service user
cannot act in demo's project: only a stored trust or password can. Stacks are created
through OrchestrationService with a DeferredAuth on the embedded identity, then run by a
Worker, as heat-api and heat-engine do.
"""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import requests

from calor.clouds import ConnectionFactory
from calor.clouds.testing import ADMIN_PASSWORD, DEMO_PASSWORD, SandboxCloud, sandbox_cloud
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.config import EngineConfig
from calor.engine.service import OrchestrationService, RequestContext
from calor.engine.worker import Worker
from calor.plugins.registry import default_registry
from calor.security.deferred_auth import DeferredAuth, DeferredAuthSettings
from calor.security.encryption import SecretEncryption
from calor.security.options import PASSWORD
from calor.security.trustee import TrusteeSettings

CONFIG = EngineConfig(poll_initial=0.01, poll_max=0.05, idle_poll_seconds=0.05)
KEY = "the engine tests' encryption key"
NETWORK = {
    "heat_template_version": "2018-08-31",
    "resources": {"net": {"type": "OS::Neutron::Net", "properties": {"name": "owned"}}},
}


@pytest.fixture(scope="module")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCloud]:
    with sandbox_cloud(tmp_path_factory.mktemp("sandbox"), services=("calor.sandbox.network",)) as running:
        yield running


@pytest.fixture
def repository(tmp_path: pathlib.Path) -> Iterator[Repository]:
    engine = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(engine)
    repository = Repository(engine)
    repository.encryption = SecretEncryption(KEY)
    yield repository
    engine.dispose()


@pytest.fixture
def deferred_auth(cloud: SandboxCloud) -> DeferredAuth:
    url = cloud.running.identity_url + "/v3"
    trustee = TrusteeSettings(auth_url=url, username="admin", password=ADMIN_PASSWORD)
    return DeferredAuth(DeferredAuthSettings(identity_url=url, trustee=trustee))


@pytest.fixture
def connections(cloud: SandboxCloud) -> Iterator[ConnectionFactory]:
    factory = ConnectionFactory(cloud.settings.with_options(project_role=None))
    yield factory
    factory.close()


def demo_context(cloud: SandboxCloud, **extra: Any) -> RequestContext:
    auth = {
        "identity": {
            "methods": ["password"],
            "password": {"user": {"name": "demo", "domain": {"id": "default"}, "password": DEMO_PASSWORD}},
        },
        "scope": {"project": {"id": cloud.demo_project_id}},
    }
    response = requests.post(f"{cloud.running.identity_url}/v3/auth/tokens", json={"auth": auth}, timeout=10)
    response.raise_for_status()
    token = response.json()["token"]
    return RequestContext(
        project_id=cloud.demo_project_id,
        user_id=token["user"]["id"],
        roles=tuple(role["name"] for role in token["roles"]),
        extra={"auth_token": response.headers["X-Subject-Token"], **extra},
    )


def engine_worker(
    repository: Repository, connections: ConnectionFactory, deferred_auth: DeferredAuth | None = None
) -> Worker:
    """An engine acting through ``connections`` (deleting trusts with ``deferred_auth``)."""
    return Worker(
        repository,
        repository.queue,
        plugin_types=default_registry().get,
        config=CONFIG,
        connections=connections,
        deferred_auth=deferred_auth,
    )


def run_all(worker: Worker) -> None:
    while worker.run_once():
        pass


def demo_trusts(cloud: SandboxCloud) -> list[Any]:
    identity = cloud.running.identity
    return identity.list_trusts(trustor_user_id=identity.find_user("demo", "default").id)  # type: ignore[no-any-return]


def network_project(cloud: SandboxCloud, repository: Repository, stack_id: str) -> str:
    resource = repository.find_resource(stack_id, "net")
    assert resource is not None and resource.physical_resource_id is not None
    network = cloud.factory.service_connection().network.get_network(resource.physical_resource_id)
    return str(network.project_id)


def test_a_trust_runs_the_stack_in_its_owners_project_and_goes_with_it(
    cloud: SandboxCloud, repository: Repository, deferred_auth: DeferredAuth, connections: ConnectionFactory
) -> None:
    service = OrchestrationService(repository, default_registry().get, deferred_auth=deferred_auth)
    worker = engine_worker(repository, connections, deferred_auth)
    context = demo_context(cloud)
    stack_id = service.create_stack(context, "trusted", NETWORK)
    run_all(worker)
    shown = service.show_stack(context, stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    assert network_project(cloud, repository, stack_id) == cloud.demo_project_id
    (trust,) = demo_trusts(cloud)
    stack = repository.get_stack(stack_id)
    assert stack is not None and stack.user_credentials_id is not None
    stored = repository.get_user_credentials(stack.user_credentials_id)
    assert stored is not None and stored.trust_id == trust.id

    service.delete_stack(context, stack_id)
    run_all(worker)
    assert repository.get_stack(stack_id) is None
    assert demo_trusts(cloud) == []
    assert repository.get_user_credentials(stack.user_credentials_id) is None


def test_a_stored_password_runs_the_stack_as_its_owner(
    cloud: SandboxCloud, repository: Repository, deferred_auth: DeferredAuth, connections: ConnectionFactory
) -> None:
    passwords = DeferredAuth(replace(deferred_auth.settings, method=PASSWORD))
    service = OrchestrationService(repository, default_registry().get, deferred_auth=passwords)
    worker = engine_worker(repository, connections)
    context = demo_context(cloud, auth_user="demo", auth_key=DEMO_PASSWORD)
    stack_id = service.create_stack(context, "remembered", NETWORK)
    run_all(worker)
    shown = service.show_stack(context, stack_id)
    assert shown["stack_status"] == "CREATE_COMPLETE", shown["stack_status_reason"]
    assert network_project(cloud, repository, stack_id) == cloud.demo_project_id
    assert demo_trusts(cloud) == []


def test_without_credentials_the_service_user_acts_as_before(
    cloud: SandboxCloud, repository: Repository, connections: ConnectionFactory
) -> None:
    service = OrchestrationService(repository, default_registry().get)
    worker = engine_worker(repository, connections)
    context = demo_context(cloud)
    stack_id = service.create_stack(context, "untrusted", NETWORK)
    run_all(worker)
    shown = service.show_stack(context, stack_id)
    # No role on demo's project and none granted: the service user cannot act there.
    assert shown["stack_status"] == "CREATE_FAILED"
    assert "authenticating in project" in shown["stack_status_reason"]


def test_a_wrong_encryption_key_fails_the_job_clearly(
    cloud: SandboxCloud, repository: Repository, deferred_auth: DeferredAuth, connections: ConnectionFactory
) -> None:
    service = OrchestrationService(repository, default_registry().get, deferred_auth=deferred_auth)
    worker = engine_worker(repository, connections, deferred_auth)
    context = demo_context(cloud)
    stack_id = service.create_stack(context, "locked", NETWORK)
    repository.encryption = SecretEncryption("an engine configured with another key")
    run_all(worker)
    shown = service.show_stack(context, stack_id)
    assert shown["stack_status"] == "CREATE_FAILED"
    assert shown["stack_status_reason"] == (
        "The stored credentials cannot be decrypted with the configured auth_encryption_key "
        "(it is not the key they were encrypted with)."
    )
    repository.encryption = SecretEncryption(KEY)
    service.delete_stack(context, stack_id)
    run_all(worker)
    assert demo_trusts(cloud) == []
