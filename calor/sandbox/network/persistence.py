"""The network state as one JSON document of the sandbox's state store, so it survives a restart."""

from __future__ import annotations

import dataclasses
from typing import Any

from calor.sandbox.framework.store import StateStore
from calor.sandbox.network.records import (
    AddressPair,
    AllocationPool,
    ExternalGateway,
    FixedIp,
    FloatingIp,
    HostRoute,
    Network,
    Port,
    Router,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
)

COLLECTION = "network.state"
DOCUMENT_ID = "state"


def _plain(value: Any) -> Any:
    if isinstance(value, set):
        return sorted(value)
    return value


def dump_record(record: Any) -> dict[str, Any]:
    return {key: _plain(value) for key, value in dataclasses.asdict(record).items()}


def load_network(data: dict[str, Any]) -> Network:
    return Network(**data)


def load_subnet(data: dict[str, Any]) -> Subnet:
    values = dict(data)
    values["allocation_pools"] = [AllocationPool(**pool) for pool in values["allocation_pools"]]
    values["host_routes"] = [HostRoute(**route) for route in values["host_routes"]]
    values["allocated"] = set(values["allocated"])
    return Subnet(**values)


def load_port(data: dict[str, Any]) -> Port:
    values = dict(data)
    values["fixed_ips"] = [FixedIp(**fixed) for fixed in values["fixed_ips"]]
    values["allowed_address_pairs"] = [AddressPair(**pair) for pair in values["allowed_address_pairs"]]
    return Port(**values)


def load_router(data: dict[str, Any]) -> Router:
    values = dict(data)
    gateway = values.get("external_gateway")
    values["external_gateway"] = ExternalGateway(**gateway) if gateway else None
    values["routes"] = [HostRoute(**route) for route in values["routes"]]
    return Router(**values)


LOADERS: dict[str, Any] = {
    "networks": load_network,
    "subnets": load_subnet,
    "ports": load_port,
    "routers": load_router,
    "floating_ips": lambda data: FloatingIp(**data),
    "security_groups": lambda data: SecurityGroup(**data),
    "security_group_rules": lambda data: SecurityGroupRule(**data),
}


class StatePersistence:
    """Saves and loads the backend's record dictionaries (``networks``, ``ports``, ...)."""

    def __init__(self, store: StateStore) -> None:
        self.collection = store.collection(COLLECTION)

    def save(self, tables: dict[str, dict[str, Any]]) -> None:
        document: dict[str, Any] = {"id": DOCUMENT_ID}
        for name, records in tables.items():
            document[name] = [dump_record(record) for record in records.values()]
        self.collection.put(document)

    def load(self) -> dict[str, dict[str, Any]] | None:
        document = self.collection.get(DOCUMENT_ID)
        if document is None:
            return None
        tables: dict[str, dict[str, Any]] = {}
        for name, loader in LOADERS.items():
            records = [loader(data) for data in document.get(name, [])]
            tables[name] = {record.id: record for record in records}
        return tables
