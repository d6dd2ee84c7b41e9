"""The volume backend without HTTP: the compute service's attach/detach API, quotas and rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from calor.sandbox.framework import (
    BadRequest,
    Conflict,
    NotFound,
    OverLimit,
    Quotas,
    StateStore,
    VolumeProvider,
)
from calor.sandbox.volume.models import Scope, VolumeBackend


@pytest.fixture
def backend(tmp_path: Path) -> VolumeBackend:
    store = StateStore.open(tmp_path)
    return VolumeBackend(store, Quotas(store, {}))


def test_backend_is_a_volume_provider(backend: VolumeBackend) -> None:
    assert isinstance(backend, VolumeProvider)


def test_boot_volume_attach_and_detach(backend: VolumeBackend) -> None:
    info = backend.create_volume("p1", size_gigabytes=2, image_id="image-1", name="root")
    assert (info.size_gigabytes, info.status) == (2, "available")
    assert backend.get(info.volume_id)["bootable"] == "true"
    backend.attach_volume("p1", info.volume_id, server_id="server-1", device="/dev/vda")
    assert backend.describe_volume("p1", info.volume_id).status == "in-use"
    with pytest.raises(Conflict):
        backend.attach_volume("p1", info.volume_id, server_id="server-2", device="/dev/vdb")
    with pytest.raises(BadRequest):
        backend.delete(info.volume_id, Scope("p1"))
    backend.detach_volume("p1", info.volume_id, server_id="server-1")
    assert backend.describe_volume("p1", info.volume_id).status == "available"
    backend.delete_volume("p1", info.volume_id)
    with pytest.raises(NotFound):
        backend.describe_volume("p1", info.volume_id)


def test_other_projects_cannot_see_volumes(backend: VolumeBackend) -> None:
    info = backend.create_volume("p1", size_gigabytes=1)
    with pytest.raises(NotFound):
        backend.describe_volume("p2", info.volume_id)


def test_gigabytes_quota_is_413(tmp_path: Path) -> None:
    store = StateStore.open(tmp_path)
    backend = VolumeBackend(store, Quotas(store, {"volume.gigabytes": 3}))
    backend.create_volume("p1", size_gigabytes=2)
    with pytest.raises(OverLimit, match="gigabytes quota"):
        backend.create_volume("p1", size_gigabytes=2)
    backend.create_volume("p2", size_gigabytes=3)


def test_size_must_be_a_positive_integer(backend: VolumeBackend) -> None:
    for size in (0, -1, "1.5", True):
        with pytest.raises(BadRequest, match="must be an integer"):
            backend.create("p1", {"size": size})


def test_extend_in_use_needs_microversion_3_42(backend: VolumeBackend) -> None:
    info = backend.create_volume("p1", size_gigabytes=1)
    backend.attach_volume("p1", info.volume_id, server_id="server-1", device="/dev/vdb")
    with pytest.raises(BadRequest, match="to extend"):
        backend.extend(info.volume_id, Scope("p1"), 2, microversion=(3, 0))
    backend.extend(info.volume_id, Scope("p1"), 2, microversion=(3, 42))
    volume = backend.get(info.volume_id)
    assert (volume["size"], volume["status"]) == (2, "in-use")
