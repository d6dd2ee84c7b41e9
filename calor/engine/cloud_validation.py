"""What the API process checks against the cloud before queueing an operation.

Resource types whose service is missing from the cloud's catalog are refused (Heat's
HEAT-E99001) and cloud-backed custom constraints (``nova.flavor``, ``neutron.network``,
...) get a connection in the stack's project. Without a configured cloud nothing is
checked, so templates validate offline.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from calor.clouds import ConnectionFactory, catalog_service_types
from calor.errors import CalorError
from calor.plugins.availability import check_available
from calor.plugins.base import ResourcePlugin

LOG = logging.getLogger(__name__)


class CloudValidation:
    """The cloud checks of one service; ``connections`` ``None`` checks nothing."""

    def __init__(self, connections: ConnectionFactory | None = None) -> None:
        self.connections = connections
        self._lock = threading.Lock()
        self._catalog: set[str] | None = None

    def catalog(self) -> set[str] | None:
        """The service types of the cloud's catalog (read once); ``None`` when unknown."""
        if self.connections is None:
            return None
        with self._lock:
            if self._catalog is None:
                try:
                    self._catalog = catalog_service_types(self.connections.service_connection())
                except CalorError:
                    LOG.warning("the cloud's service catalog could not be read", exc_info=True)
                    return None
            return self._catalog

    def connection(self, project_id: str) -> Any:
        """A connection in ``project_id`` for constraint checks, or ``None`` (no cloud, or unreachable)."""
        if self.connections is None:
            return None
        try:
            return self.connections.for_project(project_id)
        except CalorError:
            LOG.warning("no cloud connection for project %s", project_id, exc_info=True)
            return None

    def check_type(self, plugin: type[ResourcePlugin], path: str | None = None) -> None:
        """Raise ``ResourceTypeUnavailable`` when the type's service is not in the catalog."""
        catalog = self.catalog()
        if catalog is not None:
            check_available(plugin, catalog, path=path)

    def available(self, plugin: type[ResourcePlugin]) -> bool:
        """Whether the cloud serves ``plugin``'s type (``True`` when there is no catalog to ask)."""
        try:
            self.check_type(plugin)
        except CalorError:
            return False
        return True


def register_cloud_constraints() -> list[str]:
    """Register the cloud-backed custom constraints (idempotent); gives their names.

    Called when the service and the engine start: ``nova.flavor``, ``glance.image``,
    ``neutron.network``, ... then check values against the cloud of the plugin context.
    """
    from calor.plugins import constraints, neutron_constraints

    return sorted({*constraints.register(), *neutron_constraints.register()})
