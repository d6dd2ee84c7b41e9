"""Alembic environment: runs Calor's migrations on the connection ``calor.db.engine.upgrade`` passes.

From the command line (``alembic -c calor/db/migrations/alembic.ini ...``) the URL comes
from ``-x url=...``, else ``$CALOR_DATABASE_URL``, else the embedded SQLite default.
"""

from __future__ import annotations

from alembic import context

from calor.db.engine import default_url, make_engine
from calor.db.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    url = context.get_x_argument(as_dictionary=True).get("url") or default_url()
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or default_url()
    engine = make_engine(url)
    try:
        with engine.begin() as own_connection:
            context.configure(
                connection=own_connection, target_metadata=target_metadata, render_as_batch=True
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
