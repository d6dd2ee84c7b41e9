"""Benchmark: stack updates of large stacks through the work queue on SQLite (target: under 1 s).

Cases, each on a stack of N resources (default 1000) created first:

- ``no-op``: the same template again (every resource examined, none touched);
- ``one-change``: one ``OS::Heat::TestResource`` of N changes its value (updated in
  place), the other N-1 ``OS::Heat::None`` stay;
- ``chain-one-change``: a chain of N ``OS::Heat::Value`` each reading the previous one's
  value; the last one changes;
- ``group-no-op``: an ``OS::Heat::ResourceGroup`` of N-1 ``OS::Heat::None`` (N resources in
  the tree) updated with the same template: the group's child stack is compared with what
  it was built from and left alone.

Wall time is from the update job being claimed to UPDATE_COMPLETE, with one in-process
worker. Printed as a Markdown table.

    python bench/update.py [--sizes 1000] [--cases no-op,one-change,chain-one-change]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from typing import Any

CASES = ("no-op", "one-change", "chain-one-change", "group-no-op")


def build_template(case: str, count: int, value: str) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    if case == "group-no-op":
        resources["group"] = {
            "type": "OS::Heat::ResourceGroup",
            "properties": {"count": count - 1, "resource_def": {"type": "OS::Heat::None"}},
        }
    elif case == "chain-one-change":
        for index in range(count):
            previous = {"get_attr": [f"r{index - 1}", "value"]} if index else "start"
            resources[f"r{index}"] = {"type": "OS::Heat::Value", "properties": {"value": previous}}
        resources[f"r{count - 1}"]["properties"]["value"] = value
    else:
        for index in range(count - 1):
            resources[f"r{index}"] = {"type": "OS::Heat::None"}
        resources["target"] = {"type": "OS::Heat::TestResource", "properties": {"value": value}}
    return {"heat_template_version": "2018-08-31", "resources": resources}


def run_case(case: str, count: int) -> dict[str, Any]:
    from calor.db.engine import make_engine, upgrade
    from calor.db.repository import Repository
    from calor.engine import nested
    from calor.engine.config import EngineConfig
    from calor.engine.service import OrchestrationService, RequestContext
    from calor.engine.worker import Worker
    from calor.plugins.registry import default_registry

    nested.LIMITS = nested.NestedLimits(max_resources_per_stack=count + 1)
    directory = tempfile.mkdtemp(prefix="calor-bench-update-")
    engine = make_engine(f"sqlite:///{directory}/bench.sqlite")
    upgrade(engine)
    repository = Repository(engine)
    registry = default_registry()
    service = OrchestrationService(repository, registry.get)
    worker = Worker(
        repository, repository.queue, "bench-engine", plugin_types=registry.get, config=EngineConfig()
    )
    context = RequestContext(project_id="bench")
    stack_id = service.create_stack(context, "bench", build_template(case, count, "before"))
    worker.run_once()
    changed = "before" if case.endswith("no-op") else "after"
    requested = time.perf_counter()
    service.update_stack(context, stack_id, build_template(case, count, changed))
    accepted = time.perf_counter() - requested
    started = time.perf_counter()
    worker.run_once()
    seconds = time.perf_counter() - started
    stack = repository.get_stack(stack_id)
    assert stack is not None
    tree = [stack_id]
    for parent in tree:
        tree.extend(child.id for child in repository.get_child_stacks(parent))
    touched = {
        (event.stack_id, event.resource_name)
        for stack in tree
        for event in repository.list_events(stack)
        if event.resource_name != "bench" and event.resource_action == "UPDATE"
    }
    return {
        "case": case,
        "count": count,
        "accept_seconds": accepted,
        "update_seconds": seconds,
        "status": stack.stack_status,
        "touched": len(touched),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--cases", default=",".join(CASES))
    options = parser.parse_args()
    print("| case | N | API accepts (s) | update (s) | status | resources updated |")
    print("|---|---:|---:|---:|---|---:|")
    for case in options.cases.split(","):
        for size in options.sizes.split(","):
            row = run_case(case, int(size))
            cells = [
                row["case"],
                str(row["count"]),
                f"{row['accept_seconds']:.2f}",
                f"{row['update_seconds']:.2f}",
                row["status"],
                str(row["touched"]),
            ]
            print("| " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
