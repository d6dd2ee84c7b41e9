"""OS::Cinder::* resource types: Volume and VolumeAttachment (``conn.block_storage``, ``conn.compute``)."""

from __future__ import annotations

from calor.plugins.cinder.attachment import VolumeAttachment
from calor.plugins.cinder.volume import Volume

PLUGINS = (Volume, VolumeAttachment)

__all__ = ["PLUGINS", "Volume", "VolumeAttachment"]
