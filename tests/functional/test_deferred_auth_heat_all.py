"""Deferred auth in heat-all (this process): trusts in the embedded identity, as in Keystone mode,
and the stored-password method, through python-heatclient and the REST API."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from keystoneauth1 import session as keystone_session
from keystoneauth1.identity import v3
from sqlalchemy import func, select

from calor.cmd.all import AllInOne, AllOptions
from calor.config import load_config
from calor.db.engine import read_session
from calor.db.tables import UserCredentials
from calor.sandbox.identity import tables as identity_tables
from calor.security.options import KEY_FILE

heat_client = pytest.importorskip("heatclient.client")
heat_exceptions = pytest.importorskip("heatclient.exc")

NETWORK = {
    "heat_template_version": "2018-08-31",
    "resources": {"net": {"type": "OS::Neutron::Net", "properties": {"name": "trusted-net"}}},
}
WORD = {"heat_template_version": "2018-08-31", "resources": {"word": {"type": "OS::Heat::RandomString"}}}


def start(state_dir: Path, heat_conf: str = "", *, with_cloud: bool = True) -> AllInOne:
    path = state_dir / "heat.conf"
    state_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(heat_conf + "\n[sandbox]\nstatus_delay_seconds = 0\n")
    options = AllOptions(
        state_dir=state_dir,
        api_port=0,
        cfn_port=0,
        identity_port=0,
        cloud_port=0,
        with_cloud=with_cloud,
        with_cfn=False,
    )
    heat_all = AllInOne(options, load_config(config_files=[str(path)]))
    heat_all.start()
    return heat_all


def demo_session(running: AllInOne) -> keystone_session.Session:
    auth = v3.Password(
        auth_url=running.url("identity") + "/v3",
        username="demo",
        password=running.credentials["demo"],
        project_name="demo",
        user_domain_name="Default",
        project_domain_name="Default",
    )
    return keystone_session.Session(auth=auth)


def wait(client: Any, stack_id: str, timeout: float = 30) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        stack = client.stacks.get(stack_id)
        if not stack.stack_status.endswith("IN_PROGRESS") or time.monotonic() > deadline:
            return stack
        time.sleep(0.1)


def demo_trusts(running: AllInOne) -> list[Any]:
    identity = running.identity_backend
    assert identity is not None
    return identity.list_trusts(trustor_user_id=identity.find_user("demo", "default").id)  # type: ignore[no-any-return]


def trust_tokens(running: AllInOne, trust_id: str) -> int:
    identity = running.identity_backend
    assert identity is not None
    table = identity_tables.token_trusts
    with identity.engine.connect() as connection:
        query = select(func.count()).select_from(table).where(table.c.trust_id == trust_id)
        return int(connection.scalar(query) or 0)


@pytest.fixture(scope="module")
def trusting(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AllInOne]:
    running = start(tmp_path_factory.mktemp("heat-all-trusts"))
    yield running
    running.stop()


def test_a_stack_acts_through_its_owners_trust(trusting: AllInOne) -> None:
    client = heat_client.Client("1", session=demo_session(trusting), service_type="orchestration")
    stack_id = client.stacks.create(stack_name="trusted", template=NETWORK)["stack"]["id"]
    stack = wait(client, stack_id)
    assert stack.stack_status == "CREATE_COMPLETE", stack.stack_status_reason
    (trust,) = demo_trusts(trusting)
    assert trust.project_id == trusting.projects["demo"] and trust.impersonation
    # The engine authenticated with the trust: the embedded identity scoped tokens to it.
    assert trust_tokens(trusting, trust.id) >= 1
    key_file = trusting.state_dir / KEY_FILE
    assert key_file.stat().st_mode & 0o777 == 0o600

    with pytest.raises(heat_exceptions.HTTPConflict):  # the same name again: nothing is stored ...
        client.stacks.create(stack_name="trusted", template=NETWORK)
    assert len(demo_trusts(trusting)) == 1  # ... and the trust made for it is gone again

    client.stacks.delete(stack_id)
    assert wait(client, stack_id).stack_status == "DELETE_COMPLETE"
    deadline = time.monotonic() + 10
    while demo_trusts(trusting) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert demo_trusts(trusting) == []


def test_the_password_method_needs_x_auth_user(tmp_path: Path) -> None:
    running = start(tmp_path / "state", "[DEFAULT]\ndeferred_auth_method = password\n", with_cloud=False)
    try:
        session = demo_session(running)
        url = f"{running.url('api')}/v1/{running.projects['demo']}/stacks"
        token = session.get_token()
        refused = requests.post(
            url, json={"stack_name": "plain", "template": WORD}, headers={"X-Auth-Token": token}, timeout=30
        )
        assert refused.status_code == 400
        error = refused.json()["error"]
        assert (error["type"], error["message"]) == (
            "MissingCredentialError",
            "Missing required credential: X-Auth-User",
        )
        headers = {"X-Auth-Token": token, "X-Auth-User": "demo", "X-Auth-Key": running.credentials["demo"]}
        created = requests.post(
            url, json={"stack_name": "remembered", "template": WORD}, headers=headers, timeout=30
        )
        assert created.status_code == 201, created.text
        application = running.servers["api"].application
        repository = application.extensions["calor.api.native"].service.repository  # type: ignore[union-attr]
        with read_session(repository.engine) as database:
            stored = database.scalars(select(UserCredentials.password)).one()
        assert stored is not None and running.credentials["demo"] not in stored
        assert demo_trusts(running) == []
    finally:
        running.stop()


def test_abandoning_a_stack_deletes_its_trust(trusting: AllInOne) -> None:
    client = heat_client.Client("1", session=demo_session(trusting), service_type="orchestration")
    stack_id = client.stacks.create(stack_name="left-behind", template=WORD)["stack"]["id"]
    assert wait(client, stack_id).stack_status == "CREATE_COMPLETE"
    assert len(demo_trusts(trusting)) == 1
    client.stacks.abandon(stack_id)
    deadline = time.monotonic() + 10
    while demo_trusts(trusting) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert demo_trusts(trusting) == []
