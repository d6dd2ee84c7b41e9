"""Deferred authentication and stack domain projects.

``user_credentials`` (Heat's ``user_creds``) holds what the engine needs to act for a
stack's owner after the owner's token has expired: a Keystone trust id (deferred_auth_method
``trusts``) or a user name and password (``password``), both encrypted with
``auth_encryption_key``. A stack points at its row (``user_credentials_id``; nested stacks
share their root's). ``stack_user_project_id`` is the project in the stack domain that holds
the stack's users (wait condition handles, deployments, signals).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from calor.db.types import UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_credentials",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("username", sa.String(255), nullable=True),
        sa.Column("password", sa.Text(), nullable=True),
        sa.Column("trust_id", sa.Text(), nullable=True),
        sa.Column("auth_url", sa.Text(), nullable=True),
        sa.Column("region_name", sa.String(255), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_user_credentials"),
    )
    with op.batch_alter_table("stack") as batch:
        batch.add_column(sa.Column("user_credentials_id", sa.String(36), nullable=True))
        batch.add_column(sa.Column("stack_user_project_id", sa.String(64), nullable=True))
        batch.create_index("ix_stack_stack_user_project_id", ["stack_user_project_id"])


def downgrade() -> None:
    with op.batch_alter_table("stack") as batch:
        batch.drop_index("ix_stack_stack_user_project_id")
        batch.drop_column("stack_user_project_id")
        batch.drop_column("user_credentials_id")
    op.drop_table("user_credentials")
