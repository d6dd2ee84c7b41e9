"""OS::Keystone::Project, User, Role and UserRoleAssignment against the embedded identity service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from calor.clouds.testing import SandboxCloud, run_action
from calor.errors import PropertyError, ResourceFailure
from calor.plugins.base import diff_properties
from calor.plugins.keystone import KeystoneProject, KeystoneRole, KeystoneUser, KeystoneUserRoleAssignment


def update(plugin: Any, **changes: Any) -> None:
    new = type(plugin).validate_properties({**plugin.properties, **changes}, "resources.x.properties")
    difference = diff_properties(plugin.properties, new)
    assert not plugin.needs_replace(new, difference)
    run_action(plugin, "update", new, difference)
    plugin.properties = new


@pytest.fixture
def admin(cloud: SandboxCloud) -> Any:
    return cloud.factory.service_connection()


def role_names(admin: Any, user_id: str, project_id: str) -> set[str]:
    assignments = admin.identity.role_assignments(user_id=user_id, scope_project_id=project_id)
    names = set()
    for assignment in assignments:
        names.add(admin.identity.get_role(assignment.role["id"]).name)
    return names


def test_project_lifecycle(make_plugin: Callable[..., Any], admin: Any) -> None:
    plugin = make_plugin(KeystoneProject, {"description": "made by a stack"}, name="tenant", admin=True)
    run_action(plugin, "create")
    project = admin.identity.get_project(plugin.resource_id)
    assert project.name.startswith("stack-tenant-")
    assert project.domain_id == "default"
    assert plugin.get_attribute("description") == "made by a stack"
    assert plugin.get_attribute("enabled") is True
    update(plugin, name="renamed-tenant", enabled=False)
    project = admin.identity.get_project(plugin.resource_id)
    assert (project.name, project.is_enabled) == ("renamed-tenant", False)
    run_action(plugin, "delete")
    assert admin.identity.find_project(plugin.resource_id) is None
    run_action(plugin, "delete")


def test_member_cannot_create_projects(make_plugin: Callable[..., Any]) -> None:
    plugin = make_plugin(KeystoneProject, {}, name="tenant")
    with pytest.raises(ResourceFailure):
        plugin.handle_create()


def test_user_with_roles_and_assignment(make_plugin: Callable[..., Any], admin: Any) -> None:
    project = make_plugin(KeystoneProject, {"name": "team"}, name="team", admin=True)
    role = make_plugin(KeystoneRole, {"name": "auditor"}, name="role", admin=True)
    run_action(project, "create")
    run_action(role, "create")
    user = make_plugin(
        KeystoneUser,
        {
            "name": "alice",
            "password": "wonderland",
            "default_project": "team",
            "roles": [{"role": "member", "project": "team"}],
        },
        name="alice",
        admin=True,
    )
    run_action(user, "create")
    try:
        assert user.get_attribute("default_project_id") == project.resource_id
        assert role_names(admin, user.resource_id, project.resource_id) == {"member"}
        update(user, roles=[{"role": "auditor", "project": "team"}], email="alice@example.org")
        assert role_names(admin, user.resource_id, project.resource_id) == {"auditor"}
        assert admin.identity.get_user(user.resource_id).email == "alice@example.org"

        assignment = make_plugin(
            KeystoneUserRoleAssignment,
            {"user": "alice", "roles": [{"role": "reader", "project": project.resource_id}]},
            name="grant",
            admin=True,
        )
        run_action(assignment, "create")
        assert assignment.resource_id is None
        assert assignment.reference_id() == "grant"
        assert assignment.context.data()["user_id"] == user.resource_id
        assert role_names(admin, user.resource_id, project.resource_id) == {"auditor", "reader"}
        update(assignment, roles=[{"role": "admin", "project": "team"}])
        assert role_names(admin, user.resource_id, project.resource_id) == {"auditor", "admin"}
        run_action(assignment, "delete")
        assert role_names(admin, user.resource_id, project.resource_id) == {"auditor"}
    finally:
        run_action(user, "delete")
        run_action(role, "delete")
        run_action(project, "delete")
    assert admin.identity.find_user(user.resource_id) is None
    assert admin.identity.find_role(role.resource_id) is None


def test_roles_need_a_project_or_a_domain(make_plugin: Callable[..., Any]) -> None:
    with pytest.raises(PropertyError, match="Either project or domain"):
        make_plugin(KeystoneUserRoleAssignment, {"user": "demo", "roles": [{"role": "member"}]})
    with pytest.raises(PropertyError, match="at the same time: project, domain"):
        make_plugin(
            KeystoneUserRoleAssignment,
            {"user": "demo", "roles": [{"role": "member", "project": "demo", "domain": "default"}]},
        )
