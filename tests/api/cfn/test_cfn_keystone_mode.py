"""Keystone mode: signatures verified through the identity service's /v3/ec2tokens over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from calor.api.cfn import create_app
from calor.api.serving import ServedApp
from calor.config import ApiConfig
from calor.db.engine import make_engine, upgrade
from calor.db.repository import Repository
from calor.engine.service import OrchestrationService
from calor.plugins.registry import default_registry
from calor.sandbox.identity import IdentityConfig, backend_of
from calor.sandbox.identity import create_app as create_identity_app


@pytest.fixture
def keystone_cfn(tmp_path: Path) -> Iterator[tuple[str, str, str, str]]:
    identity_server = ServedApp("identity", "127.0.0.1", 0, threads=2)
    identity_app = create_identity_app(
        IdentityConfig(
            state_dir=tmp_path / "identity",
            public_url=identity_server.url,
            password_rounds=1000,
            admin_password="admin-secret",
            demo_password="demo-secret",
        )
    )
    identity_server.application = identity_app
    identity_server.start()
    backend = backend_of(identity_app)
    demo = backend.find_user("demo", "default")
    (key,) = backend.list_ec2_credentials(demo.id)
    database = make_engine(f"sqlite:///{tmp_path / 'calor.sqlite'}")
    upgrade(database)
    registry = default_registry()
    service = OrchestrationService(Repository(database), registry.get)
    server = ServedApp("cfn", "127.0.0.1", 0, threads=2)
    server.application = create_app(
        ApiConfig(), service, registry=registry, identity_url=identity_server.url, configure_signals=False
    )
    server.start()
    yield server.url + "/v1", key.access, key.secret, key.project_id
    server.stop()
    identity_server.stop()


def test_keystone_mode_verifies_through_ec2tokens(keystone_cfn: tuple[str, str, str, str]) -> None:
    endpoint, access, secret, project = keystone_cfn

    def client(secret_key: str) -> object:
        return boto3.client(
            "cloudformation",
            endpoint_url=endpoint,
            region_name="RegionOne",
            aws_access_key_id=access,
            aws_secret_access_key=secret_key,
            config=Config(retries={"max_attempts": 1}),
        )

    good = client(secret)
    assert good.list_stacks()["StackSummaries"] == []  # type: ignore[attr-defined]
    created = good.create_stack(  # type: ignore[attr-defined]
        StackName="remote", TemplateBody='{"heat_template_version": "2018-08-31", "resources": {}}'
    )
    assert created["StackId"].startswith(f"arn:openstack:heat::{project}:stacks/remote/")
    with pytest.raises(ClientError) as error:
        client("wrong").list_stacks()  # type: ignore[attr-defined]
    assert error.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
