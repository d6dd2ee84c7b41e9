"""Engine service rows: registration, heartbeats, ``heat-manage service list``."""

from __future__ import annotations

from sqlalchemy import delete, select, update

from calor.db.engine import read_session, write_session
from calor.db.records import ServiceRecord
from calor.db.repository.base import RepositoryBase, rowcount
from calor.db.tables import Service
from calor.db.types import utc_now


def _service_record(row: Service) -> ServiceRecord:
    return ServiceRecord(
        engine_id=row.engine_id,
        hostname=row.hostname,
        binary=row.binary,
        topic=row.topic,
        started_at=row.started_at,
        heartbeat_at=row.heartbeat_at,
        stopped_at=row.stopped_at,
    )


class ServiceQueries(RepositoryBase):
    """The engines that run (or ran) against this database."""

    def register_service(
        self, engine_id: str, hostname: str, *, binary: str = "heat-engine", topic: str = "engine"
    ) -> ServiceRecord:
        """Record an engine starting (again, when the id is known)."""
        now = utc_now()
        with write_session(self.engine) as session:
            row = session.get(Service, engine_id)
            if row is None:
                row = Service(engine_id=engine_id, hostname=hostname, binary=binary, topic=topic)
                session.add(row)
            row.hostname = hostname
            row.binary = binary
            row.topic = topic
            row.started_at = now
            row.heartbeat_at = now
            row.stopped_at = None
            session.flush()
            return _service_record(row)

    def heartbeat(self, engine_id: str) -> bool:
        """Tell that the engine is alive; ``False`` when it is not registered."""
        with write_session(self.engine) as session:
            result = session.execute(
                update(Service).where(Service.engine_id == engine_id).values(heartbeat_at=utc_now())
            )
            return bool(rowcount(result))

    def stop_service(self, engine_id: str) -> bool:
        """Record a clean shutdown."""
        with write_session(self.engine) as session:
            result = session.execute(
                update(Service).where(Service.engine_id == engine_id).values(stopped_at=utc_now())
            )
            return bool(rowcount(result))

    def delete_service(self, engine_id: str) -> bool:
        with write_session(self.engine) as session:
            return bool(rowcount(session.execute(delete(Service).where(Service.engine_id == engine_id))))

    def list_services(self) -> list[ServiceRecord]:
        with read_session(self.engine) as session:
            rows = session.scalars(select(Service).order_by(Service.hostname, Service.engine_id))
            return [_service_record(row) for row in rows]
