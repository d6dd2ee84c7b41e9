"""Interfaces (``os-interface``) and volume attachments (``os-volume_attachments``) of a server."""

from __future__ import annotations

from typing import Any

from calor.sandbox.compute.models import ComputeBackend
from calor.sandbox.framework.auth import Caller
from calor.sandbox.framework.errors import BadRequest, Conflict, NotFound
from calor.sandbox.framework.store import Document

ATTACHABLE = ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED")


class ServerAttachments:
    def __init__(self, backend: ComputeBackend) -> None:
        self.backend = backend

    def _attachable(self, server: Document, action: str) -> None:
        if server["status"] not in ATTACHABLE or server["task_state"] is not None:
            raise Conflict(
                f"Cannot '{action}' instance {server['id']} while it is in vm_state "
                f"{server['status'].lower()}"
            )

    # -- interfaces ----------------------------------------------------------------------------

    def attach_interface(self, server_id: str, caller: Caller, request: dict[str, Any]) -> Document:
        with self.backend.context.store.lock:
            server = self.backend.get_server(server_id, caller)
            self._attachable(server, "attach_interface")
            fixed_ips = request.get("fixed_ips") or []
            fixed_ip = (
                fixed_ips[0].get("ip_address") if fixed_ips and isinstance(fixed_ips[0], dict) else None
            )
            interface = self.backend.networking.attach(
                server["project_id"],
                server_id,
                network_id=request.get("net_id"),
                port_id=request.get("port_id"),
                fixed_ip=fixed_ip,
            )
            if request.get("tag"):
                interface["tag"] = request["tag"]
            server["interfaces"].append(interface)
            self.backend.servers.put(server)
            return interface

    def get_interface(self, server_id: str, caller: Caller, port_id: str) -> Document:
        server = self.backend.get_server(server_id, caller)
        for interface in server["interfaces"]:
            if interface["port_id"] == port_id:
                return dict(interface)
        raise NotFound(f"Port {port_id} is not attached")

    def detach_interface(self, server_id: str, caller: Caller, port_id: str) -> None:
        with self.backend.context.store.lock:
            server = self.backend.get_server(server_id, caller)
            self._attachable(server, "detach_interface")
            interface = self.get_interface(server_id, caller, port_id)
            self.backend.networking.release([interface])
            server["interfaces"] = [item for item in server["interfaces"] if item["port_id"] != port_id]
            self.backend.servers.put(server)

    # -- volumes -------------------------------------------------------------------------------

    def attach_volume(self, server_id: str, caller: Caller, request: dict[str, Any]) -> Document:
        volume_id = request.get("volumeId")
        if not isinstance(volume_id, str) or not volume_id:
            raise BadRequest("Invalid input for field/attribute volumeId.")
        with self.backend.context.store.lock:
            server = self.backend.get_server(server_id, caller)
            self._attachable(server, "attach_volume")
            if any(volume["id"] == volume_id for volume in server["volumes"]):
                raise Conflict(f"volume {volume_id} already attached")
            used = {volume["device"] for volume in server["volumes"]}
            device = request.get("device") or next(
                f"/dev/vd{letter}" for letter in "bcdefghijklmnopqrstuvwxyz" if f"/dev/vd{letter}" not in used
            )
            self.backend.volumes.attach(server["project_id"], volume_id, server_id, device)
            volume = {
                "id": volume_id,
                "device": device,
                "delete_on_termination": bool(request.get("delete_on_termination", False)),
                "tag": request.get("tag"),
            }
            server["volumes"].append(volume)
            self.backend.servers.put(server)
            return volume

    def get_volume(self, server_id: str, caller: Caller, volume_id: str) -> Document:
        server = self.backend.get_server(server_id, caller)
        for volume in server["volumes"]:
            if volume["id"] == volume_id:
                return dict(volume)
        raise NotFound(f"Volume {volume_id} is not attached to the instance {server_id}.")

    def detach_volume(self, server_id: str, caller: Caller, volume_id: str) -> None:
        with self.backend.context.store.lock:
            server = self.backend.get_server(server_id, caller)
            self.get_volume(server_id, caller, volume_id)
            self.backend.volumes.detach(server["project_id"], volume_id, server_id)
            server["volumes"] = [volume for volume in server["volumes"] if volume["id"] != volume_id]
            self.backend.servers.put(server)
