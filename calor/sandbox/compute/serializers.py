"""Nova's JSON shapes for servers, flavors, key pairs and server groups, by microversion."""

from __future__ import annotations

from typing import Any

from calor.sandbox.compute.models import HOST
from calor.sandbox.compute.server_actions import VM_STATES
from calor.sandbox.compute.versions import Microversion
from calor.sandbox.framework.store import Document

POWER_STATES = {"SHUTOFF": 4, "PAUSED": 3, "SUSPENDED": 7, "BUILD": 0, "ERROR": 0}
TASK_STATE_FOR_STATUS = {"BUILD": "spawning"}


def links(base_url: str, kind: str, identifier: str) -> list[dict[str, str]]:
    """``base_url`` is the compute root (``.../compute``)."""
    return [
        {"rel": "self", "href": f"{base_url}/v2.1/{kind}/{identifier}"},
        {"rel": "bookmark", "href": f"{base_url}/{kind}/{identifier}"},
    ]


def flavor_summary(flavor: Document, base_url: str, version: Microversion) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": flavor["id"],
        "name": flavor["name"],
        "links": links(base_url, "flavors", flavor["id"]),
    }
    if version.at_least("2.55"):
        body["description"] = flavor["description"]
    return body


def flavor_view(flavor: Document, base_url: str, version: Microversion) -> dict[str, Any]:
    body = flavor_summary(flavor, base_url, version)
    body.update(
        {
            "ram": flavor["ram"],
            "disk": flavor["disk"],
            "vcpus": flavor["vcpus"],
            "OS-FLV-EXT-DATA:ephemeral": flavor["ephemeral"],
            "OS-FLV-DISABLED:disabled": flavor["disabled"],
            "swap": flavor["swap"] or (0 if version.at_least("2.75") else ""),
            "rxtx_factor": flavor["rxtx_factor"],
            "os-flavor-access:is_public": flavor["is_public"],
        }
    )
    if version.at_least("2.61"):
        body["extra_specs"] = dict(flavor["extra_specs"])
    return body


def _server_flavor(server: Document, base_url: str, version: Microversion) -> dict[str, Any]:
    flavor = server["flavor"]
    if not version.at_least("2.47"):
        return {"id": flavor["id"], "links": [links(base_url, "flavors", flavor["id"])[1]]}
    return {
        "vcpus": flavor["vcpus"],
        "ram": flavor["ram"],
        "disk": flavor["disk"],
        "ephemeral": flavor["ephemeral"],
        "swap": flavor["swap"],
        "original_name": flavor["name"],
        "extra_specs": dict(flavor["extra_specs"]),
    }


def addresses(server: Document) -> dict[str, list[dict[str, Any]]]:
    result: dict[str, list[dict[str, Any]]] = {}
    for interface in server["interfaces"]:
        entries = result.setdefault(interface["network_name"], [])
        for fixed in interface["fixed_ips"]:
            entries.append(
                {
                    "version": 6 if ":" in fixed["ip_address"] else 4,
                    "addr": fixed["ip_address"],
                    "OS-EXT-IPS:type": "fixed",
                    "OS-EXT-IPS-MAC:mac_addr": interface["mac_addr"],
                }
            )
    return result


def server_summary(server: Document, base_url: str) -> dict[str, Any]:
    return {"id": server["id"], "name": server["name"], "links": links(base_url, "servers", server["id"])}


def server_view(server: Document, base_url: str, version: Microversion, *, is_admin: bool) -> dict[str, Any]:
    status = server["status"]
    image: Any = ""
    if server["image_id"]:
        image = {"id": server["image_id"], "links": [links(base_url, "images", server["image_id"])[1]]}
    body: dict[str, Any] = {
        **server_summary(server, base_url),
        "status": status,
        "tenant_id": server["project_id"],
        "user_id": server["user_id"],
        "metadata": dict(server["metadata"]),
        "hostId": "" if status == "BUILD" else f"sandbox-{server['project_id'][:12]}",
        "image": image,
        "flavor": _server_flavor(server, base_url, version),
        "created": server["created"],
        "updated": server["updated"],
        "addresses": addresses(server),
        "accessIPv4": server["access_ipv4"],
        "accessIPv6": server["access_ipv6"],
        "OS-DCF:diskConfig": "MANUAL",
        "progress": 100 if status == "ACTIVE" else 0,
        "OS-EXT-AZ:availability_zone": server["availability_zone"],
        "config_drive": server["config_drive"],
        "key_name": server["key_name"],
        "OS-SRV-USG:launched_at": server["launched_at"],
        "OS-SRV-USG:terminated_at": None,
        "OS-EXT-STS:task_state": server["task_state"],
        "OS-EXT-STS:vm_state": VM_STATES.get(status, status.lower()),
        "OS-EXT-STS:power_state": POWER_STATES.get(status, 1),
        "os-extended-volumes:volumes_attached": [
            {"id": volume["id"], "delete_on_termination": volume["delete_on_termination"]}
            if version.at_least("2.3")
            else {"id": volume["id"]}
            for volume in server["volumes"]
        ],
        "security_groups": [{"name": name} for name in server["security_groups"]],
    }
    if is_admin:
        body.update(
            {
                "OS-EXT-SRV-ATTR:host": HOST,
                "OS-EXT-SRV-ATTR:hypervisor_hostname": HOST,
                "OS-EXT-SRV-ATTR:instance_name": f"instance-{server['id'][:8]}",
            }
        )
        if version.at_least("2.3"):
            body["OS-EXT-SRV-ATTR:user_data"] = server["user_data"]
            body["OS-EXT-SRV-ATTR:hostname"] = server["name"]
    if server.get("fault") and status == "ERROR":
        body["fault"] = dict(server["fault"])
    if version.at_least("2.9"):
        body["locked"] = server["locked"]
    if version.at_least("2.19"):
        body["description"] = server["description"]
    if version.at_least("2.26"):
        body["tags"] = list(server["tags"])
    if version.at_least("2.63"):
        body["trusted_image_certificates"] = None
    if version.at_least("2.71"):
        body["server_groups"] = [server["hints"]["group"]] if server["hints"].get("group") else []
    if version.at_least("2.73"):
        body["locked_reason"] = server.get("locked_reason")
    return body


def keypair_view(keypair: Document, version: Microversion, *, full: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": keypair["name"],
        "public_key": keypair["public_key"],
        "fingerprint": keypair["fingerprint"],
    }
    if version.at_least("2.2"):
        body["type"] = keypair["type"]
    if full:
        body.update(
            {
                "user_id": keypair["user_id"],
                "id": keypair["number"],
                "created_at": keypair["created_at"],
                "deleted": False,
                "deleted_at": None,
                "updated_at": None,
            }
        )
    return body


def server_group_view(group: Document, version: Microversion) -> dict[str, Any]:
    body: dict[str, Any] = {"id": group["id"], "name": group["name"], "members": list(group["members"])}
    if version.at_least("2.64"):
        body["policy"] = group["policy"]
        body["rules"] = dict(group["rules"])
    else:
        body["policies"] = [group["policy"]]
        body["metadata"] = dict(group["metadata"])
    if version.at_least("2.13"):
        body["project_id"] = group["project_id"]
        body["user_id"] = group["user_id"]
    return body


def interface_view(interface: Document, version: Microversion) -> dict[str, Any]:
    body: dict[str, Any] = {
        "port_id": interface["port_id"],
        "net_id": interface["net_id"],
        "mac_addr": interface["mac_addr"],
        "port_state": "ACTIVE",
        "fixed_ips": [dict(fixed) for fixed in interface["fixed_ips"]],
    }
    if version.at_least("2.70"):
        body["tag"] = interface.get("tag")
    return body


def volume_attachment_view(server_id: str, volume: Document, version: Microversion) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": volume["id"],
        "serverId": server_id,
        "volumeId": volume["id"],
        "device": volume["device"],
    }
    if version.at_least("2.70"):
        body["tag"] = volume.get("tag")
    if version.at_least("2.79"):
        body["delete_on_termination"] = volume["delete_on_termination"]
    return body
