"""Identifiers and timestamps as OpenStack services show them."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime


def new_uuid() -> str:
    """A dashed UUID4, the id of Nova, Neutron, Cinder and Glance resources."""
    return str(uuid.uuid4())


def new_request_id() -> str:
    return f"req-{uuid.uuid4()}"


def timestamp() -> str:
    """``2026-11-24T22:02:13Z``, the ``created``/``updated`` format of Nova and Glance."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mac_address() -> str:
    """A locally administered MAC in OpenStack's default ``fa:16:3e`` prefix."""
    return "fa:16:3e:" + ":".join(f"{random.randint(0, 255):02x}" for _ in range(3))
