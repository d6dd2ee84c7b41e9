"""ConnectionFactory.for_delegation: acting for a stack's owner with a trust or a stored password."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from calor.clouds import CloudAuthenticationFailed, ConnectionFactory, Delegation
from calor.clouds.testing import DEMO_PASSWORD, SandboxCloud
from calor.sandbox.identity.records import Trust


@pytest.fixture
def refusing(cloud: SandboxCloud) -> Iterator[ConnectionFactory]:
    """A factory that never grants itself a role: only a delegation reaches demo's project."""
    factory = ConnectionFactory(cloud.settings.with_options(project_role=None))
    yield factory
    factory.close()


def demo_trust(cloud: SandboxCloud, trustee: str = "admin") -> Trust:
    identity = cloud.running.identity
    demo = identity.find_user("demo", "default")
    member = identity.find_role("member")
    return identity.create_trust(  # type: ignore[no-any-return]
        demo.id,
        identity.find_user(trustee, "default").id,
        project_id=cloud.demo_project_id,
        role_ids=[member.id],
        impersonation=True,
    )


def test_a_trust_acts_as_its_trustor_in_the_project(cloud: SandboxCloud, refusing: ConnectionFactory) -> None:
    project = cloud.running.identity.create_project("trusting", "default")
    identity = cloud.running.identity
    demo = identity.find_user("demo", "default")
    identity.grant_role(demo.id, project.id, identity.find_role("member").id)
    trust = identity.create_trust(
        demo.id,
        identity.find_user("admin", "default").id,
        project_id=project.id,
        role_ids=[identity.find_role("member").id],
        impersonation=True,
    )
    with pytest.raises(CloudAuthenticationFailed):
        refusing.for_project(project.id)  # the service user has no role there
    connection = refusing.for_delegation(Delegation(project.id, trust_id=trust.id))
    assert connection.current_project_id == project.id
    assert connection.current_user_id == demo.id  # impersonation
    keypair = connection.compute.create_keypair(name="trusted-key")
    try:
        assert refusing.for_delegation(Delegation(project.id, trust_id=trust.id)) is connection
        assert refusing.for_project(project.id, trust_id=trust.id) is connection
    finally:
        connection.compute.delete_keypair(keypair)
    admin = identity.find_user("admin", "default")
    assert identity.assigned_roles(admin.id, project.id) == []


def test_only_the_recently_used_delegations_stay_cached(cloud: SandboxCloud) -> None:
    """One trust per stack: an engine keeps connections for the stacks it serves now, not for
    every stack it ever served."""
    factory = ConnectionFactory(cloud.settings.with_options(project_role=None), max_delegations=2)
    first, second, third = (
        Delegation(cloud.demo_project_id, trust_id=demo_trust(cloud).id) for _ in range(3)
    )
    try:
        kept = factory.for_delegation(first)
        dropped = factory.for_delegation(second)
        assert factory.for_delegation(first) is kept  # used again: the most recent
        factory.for_delegation(third)  # second, the least recently used, goes
        assert factory.for_delegation(first) is kept
        assert factory.for_delegation(second) is not dropped
    finally:
        factory.close()


def test_a_deleted_trust_no_longer_authenticates(cloud: SandboxCloud, refusing: ConnectionFactory) -> None:
    trust = demo_trust(cloud)
    cloud.running.identity.delete_trust(trust.id)
    with pytest.raises(CloudAuthenticationFailed):
        refusing.for_delegation(Delegation(cloud.demo_project_id, trust_id=trust.id))


def test_the_trustee_uses_the_trust_not_the_service_user(cloud: SandboxCloud) -> None:
    identity = cloud.running.identity
    robot = identity.create_user("robot", "default", "robot-secret")
    trust = demo_trust(cloud, trustee="robot")
    service_only = ConnectionFactory(cloud.settings.with_options(project_role=None))
    with_trustee = ConnectionFactory(
        cloud.settings.with_options(project_role=None),
        trustee=cloud.settings.with_options(
            username="robot",
            password="robot-secret",
            project_name=None,
            project_domain_id=None,
            project_role=None,
        ),
    )
    try:
        with pytest.raises(CloudAuthenticationFailed):  # admin is not the trustee
            service_only.for_delegation(Delegation(cloud.demo_project_id, trust_id=trust.id))
        connection = with_trustee.for_delegation(Delegation(cloud.demo_project_id, trust_id=trust.id))
        assert connection.current_project_id == cloud.demo_project_id
        assert connection.current_user_id != robot.id  # demo, impersonated
    finally:
        service_only.close()
        with_trustee.close()


def test_a_stored_password_acts_as_its_owner(cloud: SandboxCloud, refusing: ConnectionFactory) -> None:
    demo = cloud.running.identity.find_user("demo", "default")
    delegation = Delegation(cloud.demo_project_id, user_id=demo.id, username="demo", password=DEMO_PASSWORD)
    connection = refusing.for_delegation(delegation)
    assert connection.current_project_id == cloud.demo_project_id
    assert connection.current_user_id == demo.id
    wrong = Delegation(cloud.demo_project_id, user_id=demo.id, password="not-it")
    with pytest.raises(CloudAuthenticationFailed):
        refusing.for_delegation(wrong)


def test_a_delegation_needs_a_trust_or_a_password() -> None:
    with pytest.raises(ValueError, match="trust id or a password"):
        Delegation("project")
    assert "secret" not in repr(Delegation("project", password="secret"))
