"""SQLite tables of the embedded identity service (its own metadata, apart from Calor's database)."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
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
