"""Updates, replacements and rollbacks on PostgreSQL (skipped when it is unreachable)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from engine_deployment import PROJECT, Deployment, template

pytestmark = pytest.mark.postgresql


@pytest.fixture
def shared(postgresql_url: str) -> Iterator[Deployment]:
    built = Deployment(postgresql_url)
    yield built
    built.close()


def _secret(length: int) -> dict[str, Any]:
    return {"type": "OS::Heat::RandomString", "properties": {"length": length}}


def test_replace_then_failed_update_rolls_back(shared: Deployment) -> None:
    shared.worker("engine-a")
    stack_id = shared.create("pg", template({"secret": _secret(8)}), disable_rollback=False)
    assert shared.wait(stack_id)["stack_status"] == "CREATE_COMPLETE"
    shared.service.update_stack(PROJECT, stack_id, template({"secret": _secret(9)}))
    assert shared.wait(stack_id)["stack_status"] == "UPDATE_COMPLETE"
    kept = shared.resources(stack_id)["secret"]["physical_resource_id"]
    broken = {"type": "OS::Heat::TestResource", "properties": {"fail": True}, "depends_on": ["secret"]}
    shared.service.update_stack(PROJECT, stack_id, template({"secret": _secret(10), "broken": broken}))
    body = shared.wait(stack_id)
    assert body["stack_status"] == "ROLLBACK_COMPLETE", body["stack_status_reason"]
    assert shared.resources(stack_id)["secret"]["physical_resource_id"] == kept
    assert [record.name for record in shared.repository.get_resources(stack_id)] == ["secret"]
