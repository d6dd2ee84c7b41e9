"""SQLite tables of the embedded identity service (its own metadata, apart from Calor's database)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

domains = Table(
    "domain",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
    Column("enabled", Boolean, nullable=False, default=True),
)

projects = Table(
    "project",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("domain_id", String(64), ForeignKey("domain.id"), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("enabled", Boolean, nullable=False, default=True),
    UniqueConstraint("domain_id", "name"),
)

users = Table(
    "user",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("domain_id", String(64), ForeignKey("domain.id"), nullable=False),
    Column("password_hash", String(512), nullable=True),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("default_project_id", String(64), nullable=True),
    Column("email", String(255), nullable=True),
    Column("description", Text, nullable=False, default=""),
    UniqueConstraint("domain_id", "name"),
)

roles = Table(
    "role",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(255), nullable=False, unique=True),
    Column("description", Text, nullable=False, default=""),
)

role_assignments = Table(
    "role_assignment",
    metadata,
    Column("user_id", String(64), ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
    Column("project_id", String(64), ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
    Column("role_id", String(64), ForeignKey("role.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("user_id", "project_id", "role_id"),
)

domain_role_assignments = Table(
    "domain_role_assignment",
    metadata,
    Column("user_id", String(64), ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
    Column("domain_id", String(64), ForeignKey("domain.id", ondelete="CASCADE"), nullable=False),
    Column("role_id", String(64), ForeignKey("role.id", ondelete="CASCADE"), nullable=False),
    PrimaryKeyConstraint("user_id", "domain_id", "role_id"),
)

ec2_credentials = Table(
    "ec2_credential",
    metadata,
    Column("access", String(64), primary_key=True),
    Column("secret", String(64), nullable=False),
    Column("user_id", String(64), ForeignKey("user.id", ondelete="CASCADE"), nullable=False),
    Column("project_id", String(64), ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
)

tokens = Table(
    "token",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", String(64), nullable=False),
    Column("project_id", String(64), nullable=True),
    Column("domain_id", String(64), nullable=True),
    Column("methods", String(255), nullable=False),
    Column("audit_id", String(64), nullable=False),
    Column("parent_audit_id", String(64), nullable=True),
    Column("issued_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False, index=True),
    Column("revoked", Boolean, nullable=False, default=False),
)

trusts = Table(
    "trust",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("trustor_user_id", String(64), nullable=False, index=True),
    Column("trustee_user_id", String(64), nullable=False, index=True),
    Column("project_id", String(64), nullable=True),
    Column("impersonation", Boolean, nullable=False),
    Column("expires_at", DateTime, nullable=True),
    Column("remaining_uses", Integer, nullable=True),
    Column("deleted_at", DateTime, nullable=True),
)

trust_roles = Table(
    "trust_role",
    metadata,
    Column("trust_id", String(64), ForeignKey("trust.id", ondelete="CASCADE"), nullable=False),
    Column("role_id", String(64), nullable=False),
    PrimaryKeyConstraint("trust_id", "role_id"),
)

# Tokens scoped to a trust (kept apart from ``token`` so state files made before trusts open as they are).
token_trusts = Table(
    "token_trust",
    metadata,
    Column("token_id", String(64), primary_key=True),
    Column("trust_id", String(64), nullable=False, index=True),
)
