"""OS::Keystone::* resource types: Project, User, Role, UserRoleAssignment (``conn.identity``)."""

from __future__ import annotations

from calor.plugins.keystone.project import KeystoneProject
from calor.plugins.keystone.role import KeystoneRole
from calor.plugins.keystone.role_assignment import KeystoneUserRoleAssignment
from calor.plugins.keystone.user import KeystoneUser

PLUGINS = (KeystoneProject, KeystoneUser, KeystoneRole, KeystoneUserRoleAssignment)

__all__ = ["PLUGINS", "KeystoneProject", "KeystoneRole", "KeystoneUser", "KeystoneUserRoleAssignment"]
