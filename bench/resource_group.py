"""Benchmark: an OS::Heat::ResourceGroup of N OS::Heat::None created and deleted through the queue.

One in-process worker on SQLite; the group's members live in a nested stack that the
worker runs inline. Wall time is from the job being queued to CREATE_COMPLETE (and
likewise for delete). ``max_resources_per_stack`` is raised to N + 1 for the run (the
group itself counts, as in Heat). Target: N = 1000 created in under 5 s.

    python bench/resource_group.py [--count 1000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from typing import Any


def group_template(count: int) -> dict[str, Any]:
    return {
        "heat_template_version": "2018-08-31",
        "resources": {
            "group": {
                "type": "OS::Heat::ResourceGroup",
                "properties": {"count": count, "resource_def": {"type": "OS::Heat::None"}},
            }
        },
        "outputs": {"refs": {"value": {"get_attr": ["group", "refs"]}}},
    }


def run(count: int) -> dict[str, Any]:
    from calor.db.engine import make_engine, upgrade
    from calor.db.repository import Repository
    from calor.engine import nested
    from calor.engine.service import OrchestrationService, RequestContext
    from calor.engine.worker import Worker
    from calor.plugins.registry import default_registry

    nested.LIMITS = nested.NestedLimits(max_resources_per_stack=count + 1)
    directory = tempfile.mkdtemp(prefix="calor-bench-")
    engine = make_engine(f"sqlite:///{directory}/bench.sqlite")
    upgrade(engine)
    repository = Repository(engine)
    registry = default_registry()
    service = OrchestrationService(repository, registry.get)
    worker = Worker(repository, repository.queue, "bench-engine", plugin_types=registry.get)
    context = RequestContext(project_id="bench")

    stack_id = service.create_stack(context, "bench", group_template(count))
    started = time.perf_counter()
    worker.run_once()
    created = time.perf_counter() - started
    stack = repository.get_stack(stack_id)
    assert stack is not None
    refs = next(output for output in stack.outputs or [] if output["output_key"] == "refs")["output_value"]

    service.delete_stack(context, stack_id)
    started = time.perf_counter()
    worker.run_once()
    deleted = time.perf_counter() - started
    after = repository.get_stack(stack_id, show_deleted=True)
    assert after is not None
    return {
        "count": count,
        "create_seconds": created,
        "create_status": stack.stack_status,
        "members": len(refs or []),
        "delete_seconds": deleted,
        "delete_status": after.stack_status,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    options = parser.parse_args()
    row = run(options.count)
    print("| N | create (s) | status | members | delete (s) | status |")
    print("|---:|---:|---|---:|---:|---|")
    print(
        f"| {row['count']} | {row['create_seconds']:.2f} | {row['create_status']} | {row['members']} "
        f"| {row['delete_seconds']:.2f} | {row['delete_status']} |"
    )


if __name__ == "__main__":
    main()
