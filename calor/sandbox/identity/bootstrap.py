"""Create the identity service's starting state when it is absent (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from calor.sandbox.identity.errors import NotFound
from calor.sandbox.identity.models import Ec2Credential, IdentityBackend, Project, Role, User

DEFAULT_DOMAIN_ID = "default"
DEFAULT_DOMAIN_NAME = "Default"
ROLE_NAMES = ("admin", "member", "reader", "heat_stack_user", "heat_stack_owner", "service")


@dataclass(frozen=True)
class BootstrapResult:
    """The bootstrapped principals: ``admin`` (admin on project admin), ``demo`` (member on demo)."""

    admin_user: User
    admin_project: Project
    admin_credential: Ec2Credential
    demo_user: User
    demo_project: Project
    demo_credential: Ec2Credential


def _role(backend: IdentityBackend, name: str) -> Role:
    try:
        return backend.find_role(name)
    except NotFound:
        return backend.create_role(name)


def _project(backend: IdentityBackend, name: str, description: str) -> Project:
    try:
        return backend.find_project(name, DEFAULT_DOMAIN_ID)
    except NotFound:
        return backend.create_project(name, DEFAULT_DOMAIN_ID, description=description)


def _user(backend: IdentityBackend, name: str, password: str, project: Project) -> User:
    try:
        return backend.find_user(name, DEFAULT_DOMAIN_ID)
    except NotFound:
        return backend.create_user(name, DEFAULT_DOMAIN_ID, password, default_project_id=project.id)


def _credential(backend: IdentityBackend, user: User, project: Project) -> Ec2Credential:
    for credential in backend.list_ec2_credentials(user.id):
        if credential.project_id == project.id:
            return credential
    return backend.create_ec2_credential(user.id, project.id)


def bootstrap(backend: IdentityBackend, *, admin_password: str, demo_password: str) -> BootstrapResult:
    """Create what is missing of: domain ``default``, the roles, projects and users
    ``admin`` and ``demo`` with their role assignments and one EC2 credential each.
    Existing users keep their passwords."""
    try:
        backend.get_domain(DEFAULT_DOMAIN_ID)
    except NotFound:
        backend.create_domain(
            DEFAULT_DOMAIN_NAME, domain_id=DEFAULT_DOMAIN_ID, description="The default domain"
        )
    roles = {name: _role(backend, name) for name in ROLE_NAMES}
    admin_project = _project(backend, "admin", "Bootstrap project for the administrator")
    demo_project = _project(backend, "demo", "Demonstration project")
    admin_user = _user(backend, "admin", admin_password, admin_project)
    demo_user = _user(backend, "demo", demo_password, demo_project)
    backend.grant_role(admin_user.id, admin_project.id, roles["admin"].id)
    backend.grant_role(demo_user.id, demo_project.id, roles["member"].id)
    return BootstrapResult(
        admin_user=admin_user,
        admin_project=admin_project,
        admin_credential=_credential(backend, admin_user, admin_project),
        demo_user=demo_user,
        demo_project=demo_project,
        demo_credential=_credential(backend, demo_user, demo_project),
    )
