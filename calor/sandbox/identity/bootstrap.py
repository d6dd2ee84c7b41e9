"""Create the identity service's starting state when it is absent (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from calor.sandbox.identity.errors import NotFound
from calor.sandbox.identity.models import Domain, Ec2Credential, IdentityBackend, Project, Role, User

DEFAULT_DOMAIN_ID = "default"
DEFAULT_DOMAIN_NAME = "Default"
ROLE_NAMES = ("admin", "member", "reader", "heat_stack_user", "heat_stack_owner", "service")
STACK_DOMAIN_NAME = "heat"
STACK_DOMAIN_ADMIN = "heat_domain_admin"
"""As Heat's ``heat-keystone-setup-domain`` names them: the domain of stack users and its admin."""


@dataclass(frozen=True)
class BootstrapResult:
    """The bootstrapped principals: ``admin`` (admin on project admin), ``demo`` (member on demo),
    and the stack domain ``heat`` with its admin ``heat_domain_admin`` (admin on the domain)."""

    admin_user: User
    admin_project: Project
    admin_credential: Ec2Credential
    demo_user: User
    demo_project: Project
    demo_credential: Ec2Credential
    stack_domain: Domain
    stack_domain_admin: User


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


def _stack_domain(
    backend: IdentityBackend, admin_password: str | None, admin_role: Role
) -> tuple[Domain, User]:
    try:
        domain = backend.find_domain(STACK_DOMAIN_NAME)
    except NotFound:
        domain = backend.create_domain(
            STACK_DOMAIN_NAME, description="Owns users and projects created by heat"
        )
    try:
        user = backend.find_user(STACK_DOMAIN_ADMIN, domain.id)
        if admin_password is not None and not backend.check_password(user.id, admin_password):
            user = backend.update_user(user.id, password=admin_password)
    except NotFound:
        user = backend.create_user(
            STACK_DOMAIN_ADMIN,
            domain.id,
            admin_password,
            description="Manages users and projects created by heat",
        )
    backend.grant_domain_role(user.id, domain.id, admin_role.id)
    return domain, user


def bootstrap(
    backend: IdentityBackend,
    *,
    admin_password: str,
    demo_password: str,
    stack_domain_admin_password: str | None = None,
) -> BootstrapResult:
    """Create what is missing of: domain ``default``, the roles, projects and users
    ``admin`` and ``demo`` with their role assignments and one EC2 credential each, the
    stack domain ``heat`` and its admin ``heat_domain_admin``. Existing users keep their
    passwords, but for the stack domain admin, whose password is set to the one given
    (without one it cannot sign in)."""
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
    stack_domain, stack_domain_admin = _stack_domain(backend, stack_domain_admin_password, roles["admin"])
    return BootstrapResult(
        admin_user=admin_user,
        admin_project=admin_project,
        admin_credential=_credential(backend, admin_user, admin_project),
        demo_user=demo_user,
        demo_project=demo_project,
        demo_credential=_credential(backend, demo_user, demo_project),
        stack_domain=stack_domain,
        stack_domain_admin=stack_domain_admin,
    )
