"""Fixtures: the embedded identity service on loopback (it answers Keystone's trust and token
APIs), and a DeferredAuth using it with ``admin`` as the trustee."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from calor.clouds.testing import ADMIN_PASSWORD, SandboxCloud, sandbox_cloud
from calor.security.deferred_auth import DeferredAuth, DeferredAuthSettings
from calor.security.trustee import TrusteeSettings


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxCloud]:
    state: Path = tmp_path_factory.mktemp("identity")
    with sandbox_cloud(state, services=()) as running:
        yield running


def admin_trustee(identity: SandboxCloud) -> TrusteeSettings:
    return TrusteeSettings(
        auth_url=identity.running.identity_url + "/v3", username="admin", password=ADMIN_PASSWORD
    )


@pytest.fixture
def trusts(identity: SandboxCloud) -> DeferredAuth:
    return DeferredAuth(
        DeferredAuthSettings(identity_url=identity.running.identity_url, trustee=admin_trustee(identity))
    )
