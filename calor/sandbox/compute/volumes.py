"""A server's volumes through the volume service when it is served, else recorded as given."""

from __future__ import annotations

from calor.sandbox.framework.errors import BadRequest, SandboxError
from calor.sandbox.framework.ids import new_uuid
from calor.sandbox.framework.interop import VolumeProvider
from calor.sandbox.framework.service import SandboxContext


class ServerVolumes:
    def __init__(self, context: SandboxContext) -> None:
        self.context = context

    def _provider(self) -> VolumeProvider | None:
        backend = self.context.backend("volume")
        return backend if isinstance(backend, VolumeProvider) else None

    def attach(self, project_id: str, volume_id: str, server_id: str, device: str) -> None:
        provider = self._provider()
        if provider is None:
            return
        try:
            provider.describe_volume(project_id, volume_id)
        except SandboxError as error:
            raise BadRequest(f"Volume {volume_id} could not be found.") from error
        provider.attach_volume(project_id, volume_id, server_id=server_id, device=device)

    def detach(self, project_id: str, volume_id: str, server_id: str) -> None:
        provider = self._provider()
        if provider is not None:
            try:
                provider.detach_volume(project_id, volume_id, server_id=server_id)
            except SandboxError:
                return

    def create(self, project_id: str, size_gigabytes: int, image_id: str | None, name: str) -> str:
        """A new volume's id for boot from volume (an invented id without the volume service)."""
        provider = self._provider()
        if provider is None:
            return new_uuid()
        volume = provider.create_volume(
            project_id, size_gigabytes=size_gigabytes, image_id=image_id, name=name
        )
        return volume.volume_id

    def delete(self, project_id: str, volume_id: str) -> None:
        provider = self._provider()
        if provider is not None:
            try:
                provider.delete_volume(project_id, volume_id)
            except SandboxError:
                return
