"""What a server needs for software deployments: the os-collect-config metadata Heat writes.

For ``user_data_format: SOFTWARE_CONFIG`` Heat gives the server's agent (os-collect-config)
where to poll for its deployments and the credentials to do it with, in the server's
metadata under ``os-collect-config``. With ``POLL_SERVER_CFN`` that is heat-api-cfn's
metadata URL and an EC2 key pair of a stack domain user, with ``POLL_SERVER_HEAT`` heat-api
and the user's password and project (the stack's stack user project). The credentials come
from the process's signal wiring (:mod:`calor.plugins.signals.wiring`); without it the
metadata carries the URLs only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from calor.errors import ResourceFailure
from calor.plugins.context import PluginContext
from calor.plugins.nova.user_data import cfn_metadata_server_url
from calor.plugins.signals import wiring

ACCESS = "access_key"
SECRET = "secret_key"
USER_ID = "user_id"
PROJECT_ID = "project_id"
PASSWORD = "password"


def current_wiring() -> wiring.SignalWiring | None:
    try:
        return wiring.current()
    except ResourceFailure:
        return None


def metadata_server_url(connection: Any) -> str | None:
    """heat-api-cfn's ``/v1/`` URL: from the signal wiring, else from the cloud's catalog."""
    configured = current_wiring()
    if configured is not None:
        return configured.cfn_url.rstrip("/") + "/v1/"
    return cfn_metadata_server_url(connection)


def _credentials(context: PluginContext) -> dict[str, str]:
    """The stored credentials of the server's agent, created (and stored) on first use."""
    stored = context.data()
    if ACCESS in stored:
        return stored
    configured = current_wiring()
    if configured is None:
        return stored
    # Named after the physical name: a replacement server gets a user of its own, which
    # deleting the replaced server's user leaves alone (as Heat names stack users).
    credential = configured.credentials.create(
        context.project_id, context.stack_id, context.physical_resource_name()
    )
    context.data_set(ACCESS, credential.access)
    context.data_set(SECRET, credential.secret, redact=True)
    context.data_set(USER_ID, credential.user_id)
    context.data_set(PROJECT_ID, credential.project_id)
    if credential.password:
        context.data_set(PASSWORD, credential.password, redact=True)
    return context.data()


def collect_config(
    context: PluginContext, resource_name: str, transport: str, connection: Any
) -> dict[str, Any]:
    """The ``os-collect-config`` value for ``transport`` (credentials created when wired)."""
    if transport == "POLL_SERVER_CFN":
        credentials = _credentials(context)
        cfn: dict[str, Any] = {
            "metadata_url": metadata_server_url(connection),
            "stack_name": f"{context.stack_name}/{context.stack_id}",
            "path": f"{resource_name}.Metadata",
        }
        if ACCESS in credentials:
            cfn["access_key_id"] = credentials[ACCESS]
            cfn["secret_access_key"] = credentials.get(SECRET, "")
        return {"collectors": ["ec2", "cfn", "local"], "cfn": cfn}
    if transport == "POLL_SERVER_HEAT":
        credentials = _credentials(context)
        configured = current_wiring()
        heat: dict[str, Any] = {
            "project_id": credentials.get(PROJECT_ID) or context.project_id,
            "stack_id": context.stack_id,
            "resource_name": resource_name,
            "auth_url": configured.identity_url if configured is not None else None,
        }
        if USER_ID in credentials:
            heat["user_id"] = credentials[USER_ID]
            heat["password"] = credentials.get(PASSWORD, "")
        return {"collectors": ["ec2", "heat", "local"], "heat": heat}
    return {"collectors": ["ec2", "local"]}


def prepare_metadata(context: PluginContext, resource_name: str, transport: str, connection: Any) -> Any:
    """Store ``os-collect-config`` and an empty ``deployments`` list in the metadata; give it."""
    current = context.metadata()
    metadata: dict[str, Any] = dict(current) if isinstance(current, Mapping) else {}
    metadata["os-collect-config"] = collect_config(context, resource_name, transport, connection)
    metadata.setdefault("deployments", [])
    context.metadata_set(metadata)
    return metadata


def forget_credentials(context: PluginContext) -> None:
    """Remove the agent's credentials (the server is gone)."""
    user_id = context.data().get(USER_ID)
    configured = current_wiring()
    if user_id and configured is not None:
        configured.credentials.delete(user_id)
    for key in (ACCESS, SECRET, USER_ID, PROJECT_ID, PASSWORD):
        context.data_delete(key)
