"""Persistent state of the sandbox cloud: JSON documents in collections, in a small SQLite file.

Every service backend keeps its resources as JSON documents (``dict``) in named collections
(``compute.servers``). :class:`Collection` settles pending status transitions
(:mod:`calor.sandbox.framework.status`) whenever a document is read, and writes the result
back, so a ``BUILD`` server becomes ``ACTIVE`` on the first read after its delay. Mutations
that read and then write hold :attr:`StateStore.lock`. State survives a restart.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    select,
)

from calor.sandbox.framework.status import due, settle

DATABASE_FILE_NAME = "sandbox.sqlite"
Document = dict[str, Any]

metadata = MetaData()
documents = Table(
    "document",
    metadata,
    Column("position", Integer, primary_key=True, autoincrement=True),
    Column("collection", String(64), nullable=False, index=True),
    Column("id", String(255), nullable=False),
    Column("project_id", String(64), nullable=True),
    Column("body", Text, nullable=False),
    sqlite_autoincrement=True,
)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


class StateStore:
    """The document store under a state directory; thread safe."""

    def __init__(self, engine: Engine, directory: Path) -> None:
        self.engine = engine
        self.directory = directory
        self.lock = threading.RLock()
        metadata.create_all(engine)

    @classmethod
    def open(cls, state_dir: str | Path) -> StateStore:
        """A store on ``<state_dir>/sandbox.sqlite``, created when absent."""
        directory = Path(state_dir)
        directory.mkdir(parents=True, exist_ok=True)
        engine = create_engine(f"sqlite:///{directory / DATABASE_FILE_NAME}")
        event.listen(engine, "connect", _configure_sqlite_connection)
        return cls(engine, directory)

    def close(self) -> None:
        self.engine.dispose()

    def collection(self, name: str) -> Collection:
        return Collection(self, name)

    def data_directory(self, name: str) -> Path:
        """A directory under the state directory for binary data (image files, objects)."""
        path = self.directory / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self.lock:
            yield

    # -- raw access ----------------------------------------------------------------------------

    def load(self, collection: str, document_id: str) -> Document | None:
        query = select(documents.c.body).where(
            documents.c.collection == collection, documents.c.id == document_id
        )
        with self.engine.connect() as connection:
            body = connection.execute(query).scalar()
        return None if body is None else dict(json.loads(body))

    def load_all(self, collection: str, project_id: str | None = None) -> list[Document]:
        query = select(documents.c.body).where(documents.c.collection == collection)
        if project_id is not None:
            query = query.where(documents.c.project_id == project_id)
        with self.engine.connect() as connection:
            bodies = connection.execute(query.order_by(documents.c.position)).scalars().all()
        return [dict(json.loads(body)) for body in bodies]

    def save(self, collection: str, document: Document) -> None:
        """Insert or replace by ``document["id"]``; ``project_id`` is indexed when present."""
        document_id = str(document["id"])
        body = json.dumps(document, sort_keys=True)
        project_id = document.get("project_id")
        with self.lock, self.engine.begin() as connection:
            existing = connection.execute(
                select(documents.c.position).where(
                    documents.c.collection == collection, documents.c.id == document_id
                )
            ).scalar()
            if existing is None:
                connection.execute(
                    documents.insert().values(
                        collection=collection, id=document_id, project_id=project_id, body=body
                    )
                )
            else:
                connection.execute(
                    documents.update()
                    .where(documents.c.position == existing)
                    .values(project_id=project_id, body=body)
                )

    def remove(self, collection: str, document_id: str) -> bool:
        with self.lock, self.engine.begin() as connection:
            result = connection.execute(
                delete(documents).where(documents.c.collection == collection, documents.c.id == document_id)
            )
            return bool(result.rowcount)


class Collection:
    """One named collection of documents; reads settle due status transitions."""

    def __init__(self, store: StateStore, name: str) -> None:
        self.store = store
        self.name = name

    def _settled(self, document: Document) -> Document:
        if not due(document):
            return document
        with self.store.lock:  # reload: a writer holding the lock may have changed it meanwhile
            fresh = self.store.load(self.name, str(document["id"]))
            if fresh is None:
                return document
            if settle(fresh):
                self.store.save(self.name, fresh)
            return fresh

    def get(self, document_id: str) -> Document | None:
        document = self.store.load(self.name, document_id)
        return None if document is None else self._settled(document)

    def list(self, project_id: str | None = None) -> list[Document]:
        return [self._settled(document) for document in self.store.load_all(self.name, project_id)]

    def put(self, document: Document) -> Document:
        self.store.save(self.name, document)
        return document

    def delete(self, document_id: str) -> bool:
        return self.store.remove(self.name, document_id)

    def count(self, project_id: str | None = None) -> int:
        return len(self.store.load_all(self.name, project_id))
