"""The network backend without HTTP: allocation, in-use rules, the compute service's port API,
and state that survives a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from calor.sandbox.framework import Conflict, NotFound, Quotas, StateStore
from calor.sandbox.framework.errors import BadRequest
from calor.sandbox.network.models import NetworkBackend, Scope


@pytest.fixture
def store(tmp_path: Path) -> StateStore:
    return StateStore.open(tmp_path)


@pytest.fixture
def backend(store: StateStore) -> NetworkBackend:
    backend = NetworkBackend(Quotas(store, {}), store=store)
    backend.bootstrap("admin-project")
    return backend


def test_bootstrap_is_idempotent(backend: NetworkBackend) -> None:
    again = backend.bootstrap("admin-project")
    assert again.id == backend.public_network_id
    assert [net.name for net in backend.list_networks()] == ["public"]


def test_explicit_pools_gateway_and_ipv6(backend: NetworkBackend) -> None:
    network = backend.create_network("p1", name="net")
    subnet = backend.subnets.create_subnet(
        "p1",
        network.id,
        "192.168.5.0/24",
        allocation_pools=[{"start": "192.168.5.100", "end": "192.168.5.101"}],
    )
    assert subnet.gateway_ip == "192.168.5.1"
    with pytest.raises(Conflict):
        backend.subnets.create_subnet(
            "p1",
            network.id,
            "10.1.0.0/24",
            gateway_ip="10.1.0.5",
            allocation_pools=[{"start": "10.1.0.2", "end": "10.1.0.9"}],
        )
    with pytest.raises(BadRequest, match="overlaps"):
        backend.subnets.create_subnet("p1", network.id, "192.168.5.128/25")
    v6 = backend.subnets.create_subnet("p1", network.id, "fd00::/64", ip_version=6)
    port = backend.create_port("p1", network.id)
    assert [fixed.ip_address for fixed in port.fixed_ips] == ["192.168.5.100", "fd00::2"]
    assert v6.gateway_ip == "fd00::1"
    backend.create_port("p1", network.id)
    with pytest.raises(Conflict, match="No more IP addresses"):
        backend.create_port("p1", network.id)


def test_compute_port_api(backend: NetworkBackend) -> None:
    network = backend.create_network("p1", name="net")
    backend.subnets.create_subnet("p1", network.id, "10.0.0.0/24")
    port = backend.create_port("p1", network.id, device_id="server-1", device_owner="compute:nova")
    assert port.status == "ACTIVE"
    assert port.binding_vif_type == "ovs"
    assert backend.ports_of_device("server-1") == [port]
    user_port = backend.create_port("p1", network.id)
    backend.bind_port(user_port.id, device_id="server-2")
    with pytest.raises(Conflict, match="attached device"):
        backend.bind_port(user_port.id, device_id="server-3")
    assert backend.unbind_port(user_port.id).device_id == ""
    backend.delete_port(port.id)
    with pytest.raises(NotFound):
        backend.get_port(port.id)


def test_scopes_hide_other_projects(backend: NetworkBackend) -> None:
    network = backend.create_network("p1", name="mine")
    with pytest.raises(NotFound):
        backend.get_network(network.id, Scope("p2"))
    assert backend.get_network(network.id, Scope("p2", is_admin=True)) is network
    public = backend.get_network(str(backend.public_network_id), Scope("p2"))
    assert public.external


def test_quota_counts_per_project(store: StateStore) -> None:
    backend = NetworkBackend(Quotas(store, {"network.network": 1}))
    backend.create_network("p1")
    backend.create_network("p2")
    with pytest.raises(Conflict, match="Quota exceeded"):
        backend.create_network("p1")


def test_state_survives_a_restart(store: StateStore, backend: NetworkBackend) -> None:
    network = backend.create_network("p1", name="kept")
    subnet = backend.subnets.create_subnet("p1", network.id, "10.0.0.0/24")
    port = backend.create_port("p1", network.id)
    router = backend.routers.create_router(
        "p1", external_gateway_info={"network_id": backend.public_network_id}
    )
    backend.routers.add_interface(router.id, subnet_id=subnet.id)

    reopened = NetworkBackend(Quotas(store, {}), store=store)
    assert reopened.get_port(port.id).fixed_ips == port.fixed_ips
    assert reopened.subnets.get_subnet(subnet.id).allocated == {"10.0.0.1", "10.0.0.2"}
    assert reopened.routers.get_router(router.id).external_gateway is not None
    with pytest.raises(Conflict):
        reopened.delete_network(network.id)


def test_update_port_reallocates_and_checks_port_security(backend: NetworkBackend) -> None:
    network = backend.create_network("p1")
    subnet = backend.subnets.create_subnet("p1", network.id, "10.0.0.0/24")
    port = backend.create_port("p1", network.id, allowed_address_pairs=[{"ip_address": "10.0.0.200"}])
    first_address = port.fixed_ips[0].ip_address
    backend.update_port(port.id, fixed_ips=[{"subnet_id": subnet.id, "ip_address": "10.0.0.77"}])
    assert [fixed.ip_address for fixed in port.fixed_ips] == ["10.0.0.77"]
    assert first_address not in subnet.allocated
    other = backend.create_port("p1", network.id)
    with pytest.raises(Conflict, match="already allocated"):
        backend.update_port(other.id, fixed_ips=[{"ip_address": "10.0.0.77"}])
    assert other.fixed_ips[0].ip_address in subnet.allocated
    with pytest.raises(BadRequest, match="security group"):
        backend.update_port(port.id, port_security_enabled=False, allowed_address_pairs=[])
    backend.update_port(port.id, port_security_enabled=False, security_groups=[], allowed_address_pairs=[])
    assert not port.port_security_enabled
