"""The framework's pieces on their own: fault rules, status transitions, the store, quotas."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from calor.sandbox.framework import (
    BadRequest,
    FaultInjector,
    InjectedFault,
    Quotas,
    StateStore,
    nova_style,
    parse_rules,
    plain_style,
    schedule,
    settle,
)


def test_parse_rules() -> None:
    rules = parse_rules("compute.server.create=error, image.*=fail:503;nth=2 ,x=latency:0.5;fraction=0.1")
    assert [(rule.pattern, rule.effect) for rule in rules] == [
        ("compute.server.create", "error"),
        ("image.*", "fail"),
        ("x", "latency"),
    ]
    assert rules[1].status == 503 and rules[1].nth == 2
    assert rules[2].seconds == 0.5 and rules[2].fraction == 0.1


@pytest.mark.parametrize("text", ["nothing", "a=explode", "a=fail:abc", "a=fail;when=3", "=fail"])
def test_bad_rules_are_refused(text: str) -> None:
    with pytest.raises(BadRequest):
        parse_rules(text)


def test_injector_counts_per_rule_and_operation() -> None:
    injector = FaultInjector(parse_rules("compute.*=fail;nth=2"))
    injector.apply("compute.server.create")
    injector.apply("compute.server.delete")
    with pytest.raises(InjectedFault) as raised:
        injector.apply("compute.server.create")
    assert raised.value.http_status == 500
    injector.apply("compute.server.create")
    assert not injector.apply("image.image.create").error_state


def test_injector_fraction_uses_its_randomness() -> None:
    injector = FaultInjector(parse_rules("op=error;fraction=0.5"), randomness=random.Random(7))
    outcomes = [injector.apply("op").error_state for _ in range(200)]
    assert 60 < sum(outcomes) < 140


def test_status_transitions_settle_when_due() -> None:
    document = {"id": "a", "status": "BUILD"}
    schedule(document, {"status": "ACTIVE"}, 5.0, now=100.0)
    assert not settle(document, now=104.0) and document["status"] == "BUILD"
    assert settle(document, now=105.0) and document["status"] == "ACTIVE"
    schedule(document, {"status": "SHUTOFF"}, 0)
    assert document["status"] == "SHUTOFF" and "_pending" not in document


def test_store_keeps_documents_across_reopening(tmp_path: Path) -> None:
    store = StateStore.open(tmp_path)
    things = store.collection("things")
    things.put({"id": "1", "project_id": "p", "value": 1})
    things.put({"id": "2", "project_id": "q", "value": 2})
    things.put({"id": "1", "project_id": "p", "value": 3})
    store.close()
    reopened = StateStore.open(tmp_path).collection("things")
    assert reopened.get("1") == {"id": "1", "project_id": "p", "value": 3}
    assert [item["id"] for item in reopened.list()] == ["1", "2"]
    assert [item["id"] for item in reopened.list("q")] == ["2"]
    assert reopened.delete("2") and not reopened.delete("2")
    assert reopened.get("2") is None


def test_reads_persist_settled_transitions(tmp_path: Path) -> None:
    store = StateStore.open(tmp_path)
    things = store.collection("things")
    document = {"id": "1", "status": "BUILD"}
    schedule(document, {"status": "ACTIVE"}, 0.0001, now=0.0)
    things.put(document)
    assert things.get("1") == {"id": "1", "status": "ACTIVE"}
    assert store.load("things", "1") == {"id": "1", "status": "ACTIVE"}


def test_quotas_defaults_overrides_and_clearing(tmp_path: Path) -> None:
    quotas = Quotas(StateStore.open(tmp_path), {"compute.instances": 10})
    quotas.register_defaults({"compute.instances": 99, "compute.cores": 20})
    assert quotas.limit("p", "compute.instances") == 10
    quotas.set_limit("p", "compute.cores", 2)
    assert quotas.limits("p", "compute.") == {"cores": 2, "instances": 10}
    assert quotas.allows("p", "compute.cores", 1, 1) and not quotas.allows("p", "compute.cores", 2, 1)
    assert quotas.limit("other", "compute.cores") == 20
    quotas.clear("p", "compute.")
    assert quotas.limit("p", "compute.cores") == 20
    assert quotas.limit("p", "unknown") == -1


def test_error_styles() -> None:
    response = nova_style(BadRequest("wrong"))
    assert response.status_code == 400
    assert response.get_json() == {"badRequest": {"code": 400, "message": "wrong"}}
    assert plain_style(BadRequest("wrong")).get_data(as_text=True).startswith("400 Bad Request")
