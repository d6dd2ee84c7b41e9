"""Stack domain users against the embedded identity service over HTTP, as against Keystone."""

from __future__ import annotations

import pytest
from stack_domain_fixtures import StackDomainWorld

from calor.config import load_config
from calor.errors import ResourceFailure
from calor.plugins.signals.wiring import StackCredential
from calor.stack_domain import (
    MissingStackDomain,
    StackDomainCredentials,
    StackDomainIdentity,
    settings_from_config,
    stack_credentials,
)
from calor.stack_domain.identity import StackDomainError


def test_a_stack_gets_one_project_and_each_resource_a_user(world: StackDomainWorld) -> None:
    backend, stack = world.backend, world.stack
    handle = world.credentials.create(stack.project_id, stack.id, "handle")
    server = world.credentials.create(stack.project_id, stack.id, "server")
    project_id = world.repository.stack_user_project_id(stack.id)
    assert project_id is not None and handle.project_id == server.project_id == project_id
    project = backend.get_project(project_id)
    assert project.domain_id == world.principals.stack_domain.id
    assert project.name == f"{stack.project_id}-{stack.id}"[:64]
    assert project.description == "Heat stack user project"
    for credential, resource in ((handle, "handle"), (server, "server")):
        user = backend.get_user(credential.user_id)
        assert (user.name, user.domain_id) == (f"{resource}-{stack.id}", project.domain_id)
        assert [role.name for role in backend.assigned_roles(user.id, project_id)] == ["heat_stack_user"]
        key = backend.get_ec2_credential(credential.access)
        assert (key.user_id, key.project_id, key.secret) == (user.id, project_id, credential.secret)
        assert backend.check_password(user.id, credential.password)
    # No role anywhere else: the stack's own project is not the stack user's.
    assert not backend.assigned_roles(handle.user_id, stack.project_id)


def test_the_token_is_scoped_to_the_stack_project(world: StackDomainWorld) -> None:
    credential = world.credentials.create(world.stack.project_id, world.stack.id, "handle")
    token = world.backend.validate_token(world.credentials.token(credential))
    assert (token.user_id, token.project_id) == (credential.user_id, credential.project_id)


def test_deleting_users_and_the_project(world: StackDomainWorld) -> None:
    backend, stack = world.backend, world.stack
    credential = world.credentials.create(stack.project_id, stack.id, "handle")
    world.credentials.delete(credential.user_id)
    assert credential.user_id not in [user.id for user in backend.list_users()]
    assert not backend.list_ec2_credentials(credential.user_id)
    world.credentials.delete(credential.user_id)  # gone already: no error
    world.credentials.delete_project(credential.project_id)
    assert credential.project_id not in [project.id for project in backend.list_projects()]
    world.credentials.delete_project(credential.project_id)


def test_nothing_outside_the_stack_domain_is_deleted(world: StackDomainWorld) -> None:
    demo_user, demo_project = world.principals.demo_user, world.principals.demo_project
    world.credentials.delete(demo_user.id)
    world.credentials.delete_project(demo_project.id)
    assert world.backend.get_user(demo_user.id).name == "demo"
    assert world.backend.get_project(demo_project.id).name == "demo"


def test_a_retried_create_reuses_the_user(world: StackDomainWorld) -> None:
    stack = world.stack
    first = world.credentials.create(stack.project_id, stack.id, "handle")
    second = world.credentials.create(stack.project_id, stack.id, "handle")
    assert second.user_id == first.user_id and second.access != first.access
    assert world.backend.check_password(first.user_id, second.password)


class LateProjects:
    """The repository, as seen by an engine that looked before another recorded the project."""

    def __init__(self, world: StackDomainWorld, recorded: str) -> None:
        self.repository = world.repository
        self.recorded = recorded

    def stack_user_project_id(self, stack_id: str) -> str | None:
        return None

    def claim_stack_user_project(self, stack_id: str, project_id: str) -> str | None:
        self.repository.claim_stack_user_project(stack_id, self.recorded)
        return self.repository.claim_stack_user_project(stack_id, project_id)


def test_the_project_another_engine_recorded_first_wins(world: StackDomainWorld) -> None:
    stack, backend = world.stack, world.backend
    winner = backend.create_project("winner", world.principals.stack_domain.id)
    credentials = StackDomainCredentials(
        StackDomainIdentity(world.settings()), LateProjects(world, winner.id)
    )
    credential = credentials.create(stack.project_id, stack.id, "handle")
    assert credential.project_id == winner.id
    names = [project.name for project in backend.list_projects(domain_id=world.principals.stack_domain.id)]
    assert names == ["winner"]  # the project this engine made is removed


def test_a_wrong_admin_password_says_what_to_check(world: StackDomainWorld) -> None:
    identity = StackDomainIdentity(world.settings(admin_password="wrong"))
    credentials = StackDomainCredentials(identity, world.repository)
    with pytest.raises(StackDomainError, match="stack_domain_admin_password"):
        credentials.create(world.stack.project_id, world.stack.id, "handle")
    assert world.repository.stack_user_project_id(world.stack.id) is None


def test_a_missing_role_is_named(world: StackDomainWorld) -> None:
    identity = StackDomainIdentity(world.settings(stack_user_role="no_such_role"))
    with pytest.raises(StackDomainError, match="Can't find role no_such_role"):
        StackDomainCredentials(identity, world.repository).create(world.stack.project_id, world.stack.id, "h")


def test_a_domain_given_by_id(world: StackDomainWorld) -> None:
    identity = StackDomainIdentity(world.settings(domain_id=world.principals.stack_domain.id, domain_name=""))
    assert identity.domain_id() == world.principals.stack_domain.id
    by_name = StackDomainIdentity(world.settings())
    assert by_name.domain_id() == world.principals.stack_domain.id


def test_the_configuration(world: StackDomainWorld) -> None:
    conf = load_config()
    assert settings_from_config(conf) is None
    assert isinstance(stack_credentials(conf, world.repository), MissingStackDomain)
    conf.set_override("stack_user_domain_name", "heat")
    conf.set_override("stack_domain_admin", "heat_domain_admin")
    conf.set_override("stack_domain_admin_password", "secret")
    assert settings_from_config(conf) is None  # no Keystone URL yet
    conf.set_override("auth_uri", world.url, group="clients_keystone")
    settings = settings_from_config(conf)
    assert settings is not None
    assert (settings.v3_url, settings.domain_name, settings.stack_user_role) == (
        world.url + "/v3",
        "heat",
        "heat_stack_user",
    )
    conf.set_override("stack_user_domain_id", "abc")
    settings = settings_from_config(conf, "http://keystone:5000/v3")
    assert settings is not None
    assert (settings.domain_id, settings.domain_name, settings.v3_url) == (
        "abc",
        None,
        "http://keystone:5000/v3",
    )
    assert isinstance(stack_credentials(conf, world.repository), StackDomainCredentials)


def test_without_a_stack_domain_handles_fail_clearly() -> None:
    missing = MissingStackDomain()
    with pytest.raises(ResourceFailure, match="stack_user_domain_name"):
        missing.create("project", "stack", "handle")
    with pytest.raises(ResourceFailure, match="stack_domain_admin"):
        missing.token(StackCredential("u", "n", "p", "a", "s", "pw"))
    missing.delete("user")
    missing.delete_project("project")
