"""Server actions (``POST /servers/{id}/action``): reboot, resize and its confirmation,
rebuild, stop/start, pause, suspend, lock, console output, snapshots and consoles.

Each action checks the server's state as Nova does (409 ``Cannot '<action>' instance ...
while it is in vm_state ...``), sets the transient status and schedules the final one.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from calor.sandbox.compute.models import ComputeBackend
from calor.sandbox.framework.auth import Caller
from calor.sandbox.framework.errors import BadRequest, Conflict, SandboxError
from calor.sandbox.framework.ids import timestamp
from calor.sandbox.framework.store import Document

VM_STATES = {
    "ACTIVE": "active",
    "BUILD": "building",
    "REBOOT": "active",
    "HARD_REBOOT": "active",
    "RESIZE": "active",
    "REVERT_RESIZE": "resized",
    "VERIFY_RESIZE": "resized",
    "REBUILD": "active",
    "SHUTOFF": "stopped",
    "PAUSED": "paused",
    "SUSPENDED": "suspended",
    "ERROR": "error",
    "SHELVED_OFFLOADED": "shelved_offloaded",
}
RUNNING = ("ACTIVE",)


class ServerActions:
    """The actions of one backend; :meth:`run` dispatches the action body's single key."""

    def __init__(self, backend: ComputeBackend) -> None:
        self.backend = backend
        self.table: dict[str, Callable[[Document, Any, Caller, bool], dict[str, Any] | None]] = {
            "reboot": self.reboot,
            "resize": self.resize,
            "confirmResize": self.confirm_resize,
            "revertResize": self.revert_resize,
            "rebuild": self.rebuild,
            "os-stop": self.stop,
            "os-start": self.start,
            "pause": self.simple("pause", ("ACTIVE",), "pausing", "PAUSED"),
            "unpause": self.simple("unpause", ("PAUSED",), "unpausing", "ACTIVE"),
            "suspend": self.simple("suspend", ("ACTIVE", "SHUTOFF"), "suspending", "SUSPENDED"),
            "resume": self.simple("resume", ("SUSPENDED",), "resuming", "ACTIVE"),
            "lock": self.lock,
            "unlock": self.unlock,
            "changePassword": self.change_password,
            "os-getConsoleOutput": self.console_output,
            "createImage": self.create_image,
            "addSecurityGroup": self.add_security_group,
            "removeSecurityGroup": self.remove_security_group,
            "os-getVNCConsole": self.vnc_console,
            "os-resetState": self.reset_state,
        }

    def run(
        self, server_id: str, body: dict[str, Any], caller: Caller, error_state: bool
    ) -> dict[str, Any] | None:
        if len(body) != 1:
            raise BadRequest(
                "There is no such action: " + ", ".join(body) if body else "Malformed request body"
            )
        name, argument = next(iter(body.items()))
        action = self.table.get(name)
        if action is None:
            raise BadRequest(f"There is no such action: {name}")
        with self.backend.context.store.lock:
            server = self.backend.get_server(server_id, caller)
            if server["locked"] and not caller.is_admin and name not in ("unlock", "os-getConsoleOutput"):
                raise Conflict(f"Instance {server_id} is locked")
            result = action(server, argument, caller, error_state)
            server["updated"] = timestamp()
            self.backend.servers.put(server)
            return result

    # -- helpers -------------------------------------------------------------------------------

    @staticmethod
    def check_state(server: Document, action: str, allowed: tuple[str, ...]) -> None:
        if server["task_state"] is not None:
            raise Conflict(
                f"Cannot '{action}' instance {server['id']} while it is in task_state {server['task_state']}"
            )
        if server["status"] not in allowed:
            raise Conflict(
                f"Cannot '{action}' instance {server['id']} while it is in vm_state "
                f"{VM_STATES.get(server['status'], server['status'].lower())}"
            )

    def transition(
        self,
        server: Document,
        operation: str,
        transient: str | None,
        task_state: str,
        final_status: str,
        error_state: bool,
        extra: dict[str, Any] | None = None,
    ) -> None:
        if transient is not None:
            server["status"] = transient
        server["task_state"] = task_state
        self.backend.settle_later(
            server, f"compute.server.{operation}", final_status, error_state, extra=extra
        )

    def simple(
        self, action: str, allowed: tuple[str, ...], task_state: str, final_status: str
    ) -> Callable[[Document, Any, Caller, bool], None]:
        def run(server: Document, _argument: Any, _caller: Caller, error_state: bool) -> None:
            self.check_state(server, action, allowed)
            self.transition(server, action, None, task_state, final_status, error_state)

        run.__name__ = action
        return run

    # -- actions -------------------------------------------------------------------------------

    def reboot(self, server: Document, argument: Any, _caller: Caller, error_state: bool) -> None:
        kind = str((argument or {}).get("type", "")).upper()
        if kind not in ("SOFT", "HARD"):
            raise BadRequest("Invalid input for field/attribute type.")
        allowed = ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "ERROR") if kind == "HARD" else ("ACTIVE",)
        self.check_state(server, "reboot", allowed)
        transient, task = (
            ("HARD_REBOOT", "reboot_started_hard") if kind == "HARD" else ("REBOOT", "reboot_started")
        )
        self.transition(server, "reboot", transient, task, "ACTIVE", error_state, {"fault": None})

    def resize(self, server: Document, argument: Any, caller: Caller, error_state: bool) -> None:
        if not isinstance(argument, dict) or "flavorRef" not in argument:
            raise BadRequest("Invalid input for field/attribute resize.")
        self.check_state(server, "resize", ("ACTIVE", "SHUTOFF"))
        flavor = self.backend.flavor_for_request(argument["flavorRef"])
        current = server["flavor"]
        if flavor["id"] == current["id"]:
            raise BadRequest("When resizing, instances must change flavor!")
        self.backend.check_quota(
            server["project_id"],
            instances=0,
            cores=flavor["vcpus"] - current["vcpus"],
            ram=flavor["ram"] - current["ram"],
        )
        server["old_flavor"] = current
        server["flavor"] = flavor
        server["resized_from"] = server["status"]
        self.transition(server, "resize", "RESIZE", "resize_prep", "VERIFY_RESIZE", error_state)

    def confirm_resize(self, server: Document, _argument: Any, _caller: Caller, _error_state: bool) -> None:
        if server["status"] != "VERIFY_RESIZE":
            raise Conflict(
                f"Cannot 'confirmResize' instance {server['id']} while it is in vm_state "
                f"{VM_STATES.get(server['status'], server['status'].lower())}"
            )
        server["old_flavor"] = None
        server["status"] = "SHUTOFF" if server.pop("resized_from", "ACTIVE") == "SHUTOFF" else "ACTIVE"
        server["task_state"] = None

    def revert_resize(self, server: Document, _argument: Any, _caller: Caller, error_state: bool) -> None:
        if server["status"] != "VERIFY_RESIZE":
            raise Conflict(
                f"Cannot 'revertResize' instance {server['id']} while it is in vm_state "
                f"{VM_STATES.get(server['status'], server['status'].lower())}"
            )
        final = "SHUTOFF" if server.pop("resized_from", "ACTIVE") == "SHUTOFF" else "ACTIVE"
        server["flavor"], server["old_flavor"] = server["old_flavor"], None
        self.transition(server, "revert_resize", "REVERT_RESIZE", "resize_reverting", final, error_state)

    def rebuild(self, server: Document, argument: Any, caller: Caller, error_state: bool) -> dict[str, Any]:
        if not isinstance(argument, dict) or "imageRef" not in argument:
            raise BadRequest("Invalid input for field/attribute rebuild.")
        self.check_state(server, "rebuild", ("ACTIVE", "SHUTOFF", "ERROR"))
        image_id = str(argument["imageRef"]).rstrip("/").rsplit("/", 1)[-1]
        self.backend.image(image_id, caller)
        server["image_id"] = image_id
        for key, target in (("name", "name"), ("description", "description"), ("accessIPv4", "access_ipv4")):
            if key in argument:
                server[target] = argument[key]
        if "metadata" in argument:
            server["metadata"] = self.backend._metadata(argument["metadata"], server["project_id"])
        if "key_name" in argument:
            server["key_name"] = argument["key_name"]
        if "user_data" in argument:
            server["user_data"] = argument["user_data"]
        server["admin_password"] = argument.get("adminPass") or secrets.token_urlsafe(9)
        final = "SHUTOFF" if server["status"] == "SHUTOFF" else "ACTIVE"
        self.transition(server, "rebuild", "REBUILD", "rebuilding", final, error_state, {"fault": None})
        return {"admin_password": server["admin_password"]}

    def stop(self, server: Document, _argument: Any, _caller: Caller, error_state: bool) -> None:
        self.check_state(server, "stop", ("ACTIVE", "ERROR"))
        self.transition(server, "stop", None, "powering-off", "SHUTOFF", error_state)

    def start(self, server: Document, _argument: Any, _caller: Caller, error_state: bool) -> None:
        self.check_state(server, "start", ("SHUTOFF",))
        self.transition(server, "start", None, "powering-on", "ACTIVE", error_state)

    def lock(self, server: Document, argument: Any, _caller: Caller, _error_state: bool) -> None:
        server["locked"] = True
        server["locked_reason"] = (
            (argument or {}).get("locked_reason") if isinstance(argument, dict) else None
        )

    def unlock(self, server: Document, _argument: Any, _caller: Caller, _error_state: bool) -> None:
        server["locked"] = False
        server["locked_reason"] = None

    def change_password(self, server: Document, argument: Any, _caller: Caller, _error_state: bool) -> None:
        if not isinstance(argument, dict) or not isinstance(argument.get("adminPass"), str):
            raise BadRequest("Invalid input for field/attribute adminPass.")
        self.check_state(server, "changePassword", ("ACTIVE",))
        server["admin_password"] = argument["adminPass"]

    def console_output(
        self, server: Document, argument: Any, _caller: Caller, _error_state: bool
    ) -> dict[str, Any]:
        self.check_state(server, "get_console_output", ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "ERROR"))
        lines = [
            f"[    0.000000] Linux version 5.15.0 (sandbox) #1 SMP {server['created']}",
            f"Starting {server['name']} ({server['id']}) on the Calor sandbox cloud",
            "cloud-init: network up: "
            + ", ".join(
                fixed["ip_address"] for interface in server["interfaces"] for fixed in interface["fixed_ips"]
            ),
            f"{server['name']} login: ",
        ]
        length = (argument or {}).get("length") if isinstance(argument, dict) else None
        if length is not None:
            try:
                count = int(length)
            except (TypeError, ValueError) as error:
                raise BadRequest("Invalid input for field/attribute length.") from error
            lines = lines[-count:] if count > 0 else []
        return {"output": "\n".join(lines) + "\n"}

    def create_image(
        self, server: Document, argument: Any, caller: Caller, _error_state: bool
    ) -> dict[str, Any]:
        if not isinstance(argument, dict) or not isinstance(argument.get("name"), str):
            raise BadRequest("Invalid input for field/attribute name.")
        self.check_state(server, "createImage", ("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED"))
        images = self.backend.context.backend("image")
        if images is None:
            raise SandboxError("The image service is not available.", status=503)
        image: Document = images.create_snapshot(  # type: ignore[attr-defined]
            caller,
            name=argument["name"],
            metadata=argument.get("metadata") or {},
            server=server,
        )
        return {"image_id": image["id"]}

    def add_security_group(
        self, server: Document, argument: Any, _caller: Caller, _error_state: bool
    ) -> None:
        name = (argument or {}).get("name") if isinstance(argument, dict) else None
        if not isinstance(name, str) or not name:
            raise BadRequest("Security group name cannot be empty")
        if name not in server["security_groups"]:
            server["security_groups"].append(name)

    def remove_security_group(
        self, server: Document, argument: Any, _caller: Caller, _error_state: bool
    ) -> None:
        name = (argument or {}).get("name") if isinstance(argument, dict) else None
        if name not in server["security_groups"]:
            raise BadRequest(f"Security group {name} not associated with the instance")
        server["security_groups"].remove(name)

    def vnc_console(
        self, server: Document, argument: Any, _caller: Caller, _error_state: bool
    ) -> dict[str, Any]:
        kind = (argument or {}).get("type", "novnc") if isinstance(argument, dict) else "novnc"
        self.check_state(server, "get_vnc_console", ("ACTIVE",))
        return {"console": {"type": kind, "url": console_url(server, "vnc", kind)}}

    def reset_state(self, server: Document, argument: Any, caller: Caller, _error_state: bool) -> None:
        if not caller.is_admin:
            raise SandboxError("Policy doesn't allow os_compute_api:os-admin-actions:reset_state", status=403)
        state = (argument or {}).get("state") if isinstance(argument, dict) else None
        if state not in ("active", "error"):
            raise BadRequest("Invalid input for field/attribute state.")
        server["status"], server["task_state"] = state.upper(), None
        server.pop("_pending", None)


CONSOLE_PATHS = {"novnc": "vnc_auto.html", "xvpvnc": "console", "spice-html5": "spice_auto.html"}


def console_url(server: Document, protocol: str, kind: str) -> str:
    token = secrets.token_hex(16)
    path = CONSOLE_PATHS.get(kind, "console")
    return f"http://127.0.0.1:6080/{path}?path=%3Ftoken%3D{token}&protocol={protocol}&server={server['id']}"
