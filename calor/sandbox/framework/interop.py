"""What one sandbox service calls on another's backend, in-process.

Compute uses the network backend's ports (the API documented in
:mod:`calor.sandbox.network.models`) and the volume backend's volumes when those services are
served. Each protocol below names the methods compute calls; a backend is used when it has
them (``isinstance`` against the runtime-checkable protocol, at call time), otherwise compute
falls back to its own bookkeeping (addresses from a private range, volumes recorded as given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class NetworkPorts(Protocol):
    """The part of the network backend compute calls (records are duck-typed: a port has
    ``id``, ``network_id``, ``mac_address``, ``fixed_ips`` of ``subnet_id``/``ip_address``;
    a network ``id``, ``name``, ``project_id``, ``shared``, ``external``)."""

    def create_port(
        self,
        project_id: str,
        network_id: str,
        *,
        fixed_ips: Sequence[Mapping[str, Any]] | None = None,
        device_id: str = "",
        device_owner: str = "",
    ) -> Any: ...

    def bind_port(self, port_id: str, *, device_id: str, device_owner: str = "compute:nova") -> Any: ...

    def unbind_port(self, port_id: str) -> Any: ...

    def delete_port(self, port_id: str) -> None: ...

    def get_port(self, port_id: str) -> Any: ...

    def get_network(self, network_id: str) -> Any: ...

    def list_networks(self) -> list[Any]: ...


@dataclass(frozen=True)
class VolumeInfo:
    volume_id: str
    size_gigabytes: int
    status: str


@runtime_checkable
class VolumeProvider(Protocol):
    """What the volume backend offers compute (errors: the framework's NotFound/Conflict)."""

    def describe_volume(self, project_id: str, volume_id: str) -> VolumeInfo:
        """The volume, else NotFound."""
        ...

    def attach_volume(self, project_id: str, volume_id: str, *, server_id: str, device: str) -> None:
        """Mark the volume ``in-use`` attached to the server; Conflict when not ``available``."""
        ...

    def detach_volume(self, project_id: str, volume_id: str, *, server_id: str) -> None:
        """Mark the volume ``available`` again."""
        ...

    def create_volume(
        self, project_id: str, *, size_gigabytes: int, image_id: str | None = None, name: str = ""
    ) -> VolumeInfo:
        """A new volume (from an image when given), for boot from volume; ``available`` at once."""
        ...

    def delete_volume(self, project_id: str, volume_id: str) -> None:
        """Delete a volume Nova created (``delete_on_termination``), detached first."""
        ...
