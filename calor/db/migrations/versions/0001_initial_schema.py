"""The initial schema: stacks, raw templates, resources, resource data, events, jobs, services.

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from calor.db.types import UtcDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _big_id() -> sa.types.TypeEngine[int]:
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _json() -> sa.JSON:
    return sa.JSON(none_as_null=True)


def upgrade() -> None:
    op.create_table(
        "raw_template",
        sa.Column("id", _big_id(), autoincrement=True, nullable=False),
        sa.Column("template", _json(), nullable=False),
        sa.Column("files", _json(), nullable=False),
        sa.Column("environment", _json(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_raw_template"),
    )
    op.create_table(
        "stack",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("project_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.String(36), nullable=True),
        sa.Column("nested_depth", sa.Integer(), nullable=False),
        sa.Column("owner_resource_name", sa.String(255), nullable=True),
        sa.Column("raw_template_id", _big_id(), nullable=True),
        sa.Column("previous_raw_template_id", _big_id(), nullable=True),
        sa.Column("timeout_minutes", sa.Integer(), nullable=True),
        sa.Column("disable_rollback", sa.Boolean(), nullable=False),
        sa.Column("tags", _json(), nullable=False),
        sa.Column("parameters", _json(), nullable=False),
        sa.Column("outputs", _json(), nullable=True),
        sa.Column("current_traversal", sa.String(36), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=True),
        sa.Column("deleted_at", UtcDateTime(), nullable=True),
        sa.Column("deleted_marker", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["raw_template_id"], ["raw_template.id"], name="fk_stack_raw_template_id_raw_template"
        ),
        sa.ForeignKeyConstraint(
            ["previous_raw_template_id"],
            ["raw_template.id"],
            name="fk_stack_previous_raw_template_id_raw_template",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_stack"),
        sa.UniqueConstraint(
            "project_id", "name", "deleted_marker", name="uq_stack_project_id_name_deleted_marker"
        ),
    )
    op.create_index(
        "ix_stack_project_id_deleted_at_created_at", "stack", ["project_id", "deleted_at", "created_at"]
    )
    op.create_index("ix_stack_parent_id", "stack", ["parent_id"])
    op.create_index("ix_stack_deleted_at", "stack", ["deleted_at"])
    op.create_table(
        "stack_tag",
        sa.Column("stack_id", sa.String(36), nullable=False),
        sa.Column("tag", sa.String(255), nullable=False),
        sa.ForeignKeyConstraint(
            ["stack_id"], ["stack.id"], name="fk_stack_tag_stack_id_stack", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("stack_id", "tag", name="pk_stack_tag"),
    )
    op.create_index("ix_stack_tag_tag", "stack_tag", ["tag"])
    op.create_table(
        "resource",
        sa.Column("id", _big_id(), autoincrement=True, nullable=False),
        sa.Column("stack_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("type_name", sa.String(255), nullable=False),
        sa.Column("physical_resource_id", sa.String(255), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("properties_data", _json(), nullable=False),
        sa.Column("attribute_data", _json(), nullable=False),
        sa.Column("metadata", _json(), nullable=False),
        sa.Column("requires", _json(), nullable=False),
        sa.Column("needed_by", _json(), nullable=False),
        sa.Column("replaces", _big_id(), nullable=True),
        sa.Column("replaced_by", _big_id(), nullable=True),
        sa.Column("handle_token", _json(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["stack_id"], ["stack.id"], name="fk_resource_stack_id_stack", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_resource"),
    )
    op.create_index("ix_resource_stack_id_name", "resource", ["stack_id", "name"])
    op.create_table(
        "resource_data",
        sa.Column("resource_id", _big_id(), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("redact", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["resource_id"], ["resource.id"], name="fk_resource_data_resource_id_resource", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("resource_id", "key", name="pk_resource_data"),
    )
    op.create_table(
        "event",
        sa.Column("id", _big_id(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(36), nullable=False),
        sa.Column("stack_id", sa.String(36), nullable=False),
        sa.Column("resource_name", sa.String(255), nullable=False),
        sa.Column("physical_resource_id", sa.String(255), nullable=True),
        sa.Column("resource_type", sa.String(255), nullable=False),
        sa.Column("resource_action", sa.String(32), nullable=False),
        sa.Column("resource_status", sa.String(32), nullable=False),
        sa.Column("resource_status_reason", sa.Text(), nullable=False),
        sa.Column("resource_properties", _json(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["stack_id"], ["stack.id"], name="fk_event_stack_id_stack", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_event"),
        sa.UniqueConstraint("uuid", name="uq_event_uuid"),
    )
    op.create_index("ix_event_stack_id_id", "event", ["stack_id", "id"])
    op.create_table(
        "job",
        sa.Column("id", _big_id(), autoincrement=True, nullable=False),
        sa.Column("stack_id", sa.String(36), nullable=False),
        sa.Column("operation", sa.String(64), nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("engine_id", sa.String(64), nullable=True),
        sa.Column("lease_expires_at", UtcDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_job"),
    )
    op.create_index("ix_job_status_id", "job", ["status", "id"])
    op.create_index("ix_job_stack_id_status", "job", ["stack_id", "status"])
    op.create_table(
        "service",
        sa.Column("engine_id", sa.String(64), nullable=False),
        sa.Column("hostname", sa.String(255), nullable=False),
        sa.Column("binary", sa.String(255), nullable=False),
        sa.Column("topic", sa.String(255), nullable=False),
        sa.Column("started_at", UtcDateTime(), nullable=False),
        sa.Column("heartbeat_at", UtcDateTime(), nullable=False),
        sa.Column("stopped_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("engine_id", name="pk_service"),
    )


def downgrade() -> None:
    for table in (
        "service",
        "job",
        "event",
        "resource_data",
        "resource",
        "stack_tag",
        "stack",
        "raw_template",
    ):
        op.drop_table(table)
