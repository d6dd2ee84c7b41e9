"""ConnectionFactory against the sandbox: per-project scoping, caching, the catalog."""

from __future__ import annotations

import pytest

from calor.clouds import (
    CloudAuthenticationFailed,
    CloudSettings,
    ConnectionFactory,
    catalog_service_types,
    service_available,
)
from calor.clouds.testing import SandboxCloud


def test_service_connection_is_scoped_to_its_project(cloud: SandboxCloud) -> None:
    connection = cloud.factory.service_connection()
    assert connection.current_project_id == cloud.admin_project_id
    assert cloud.factory.for_project(cloud.admin_project_id) is connection


def test_for_project_reaches_another_project_and_is_cached(cloud: SandboxCloud) -> None:
    connection = cloud.factory.for_project(cloud.demo_project_id)
    assert connection.current_project_id == cloud.demo_project_id
    keypair = connection.compute.create_keypair(name="factory-test")
    try:
        admin_user = cloud.running.identity.find_user("admin", "default")
        roles = cloud.running.identity.assigned_roles(admin_user.id, cloud.demo_project_id)
        assert [role.name for role in roles] == ["member"]
        assert cloud.factory.for_project(cloud.demo_project_id) is connection
        assert cloud.factory.bound(cloud.demo_project_id)() is connection
    finally:
        connection.compute.delete_keypair(keypair)


def test_a_new_project_needs_the_role_grant(cloud: SandboxCloud) -> None:
    project = cloud.running.identity.create_project("fresh", "default")
    refusing = ConnectionFactory(cloud.settings.with_options(project_role=None))
    assert CloudSettings(auth_url="http://x/v3").project_role is None
    try:
        with pytest.raises(CloudAuthenticationFailed):
            refusing.for_project(project.id)
    finally:
        refusing.close()
    connection = cloud.factory.for_project(project.id)
    assert connection.current_project_id == project.id
    assert list(connection.compute.servers()) == []


def test_wrong_password_fails_clearly(cloud: SandboxCloud) -> None:
    factory = ConnectionFactory(cloud.settings.with_options(password="wrong"))
    try:
        with pytest.raises(CloudAuthenticationFailed):
            factory.service_connection()
    finally:
        factory.close()


def test_service_available_reads_the_catalog(cloud: SandboxCloud) -> None:
    connection = cloud.factory.service_connection()
    assert service_available(connection, "compute")
    assert service_available(connection, "volume")
    assert service_available(connection, "block-storage")
    assert service_available(connection, "identity")
    assert not service_available(connection, "object-store")
    assert "image" in catalog_service_types(connection)
