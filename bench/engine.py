"""Benchmark: the engine creating and deleting stacks through the work queue on SQLite.

Families, each at N = 10, 100, 1000:

- ``independent``: N ``OS::Heat::None`` with no dependencies;
- ``chain``: N ``OS::Heat::RandomString``, each referring to the previous one;
- ``fan``: one ``OS::Heat::TestResource`` and N-1 TestResources depending on it;
- ``fan-wait``: the fan with ``wait_secs: 1`` (critical path 2 s).

Each case runs in a subprocess of its own (so peak RSS is that case's), with one
in-process worker: create wall time is from the job being queued to CREATE_COMPLETE,
delete likewise. Printed as a Markdown table.

    python bench/engine.py [--sizes 10,100,1000] [--families independent,chain,fan,fan-wait]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

FAMILIES = ("independent", "chain", "fan", "fan-wait")


def build_template(family: str, count: int) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    if family == "independent":
        for index in range(count):
            resources[f"r{index}"] = {"type": "OS::Heat::None"}
    elif family == "chain":
        for index in range(count):
            properties: dict[str, Any] = {"length": 8}
            if index:
                properties["salt"] = {"get_resource": f"r{index - 1}"}
            resources[f"r{index}"] = {"type": "OS::Heat::RandomString", "properties": properties}
    else:
        wait = 1 if family == "fan-wait" else 0
        resources["root"] = {"type": "OS::Heat::TestResource", "properties": {"wait_secs": wait}}
        for index in range(count - 1):
            resources[f"r{index}"] = {
                "type": "OS::Heat::TestResource",
                "properties": {"wait_secs": wait, "value": {"get_attr": ["root", "output"]}},
            }
    return {"heat_template_version": "2018-08-31", "resources": resources}


def run_case(family: str, count: int) -> dict[str, Any]:
    """Create and delete one stack; runs inside the case's subprocess."""
    from calor.db.engine import make_engine, upgrade
    from calor.db.repository import Repository
    from calor.engine.service import OrchestrationService, RequestContext
    from calor.engine.worker import Worker
    from calor.plugins.registry import default_registry

    directory = tempfile.mkdtemp(prefix="calor-bench-")
    engine = make_engine(f"sqlite:///{directory}/bench.sqlite")
    upgrade(engine)
    repository = Repository(engine)
    registry = default_registry()
    service = OrchestrationService(repository, registry.get)
    worker = Worker(repository, repository.queue, "bench-engine", plugin_types=registry.get)
    context = RequestContext(project_id="bench")

    stack_id = service.create_stack(context, "bench", build_template(family, count))
    started = time.perf_counter()
    worker.run_once()
    created = time.perf_counter() - started
    create_status = repository.get_stack(stack_id)
    assert create_status is not None

    service.delete_stack(context, stack_id)
    started = time.perf_counter()
    worker.run_once()
    deleted = time.perf_counter() - started
    delete_status = repository.get_stack(stack_id, show_deleted=True)
    assert delete_status is not None
    return {
        "family": family,
        "count": count,
        "create_seconds": created,
        "create_status": create_status.stack_status,
        "delete_seconds": deleted,
        "delete_status": delete_status.stack_status,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure(family: str, count: int) -> dict[str, Any]:
    root = pathlib.Path(__file__).resolve().parents[1]
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join([str(root), environment.get("PYTHONPATH", "")])
    completed = subprocess.run(
        [sys.executable, __file__, "--case", f"{family}:{count}"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000")
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--case", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.case:
        family, _, count = options.case.partition(":")
        print(json.dumps(run_case(family, int(count))))
        return
    print("| family | N | create (s) | status | delete (s) | status | peak RSS (MB) |")
    print("|---|---:|---:|---|---:|---|---:|")
    for family in options.families.split(","):
        for size in options.sizes.split(","):
            row = measure(family, int(size))
            print(
                f"| {row['family']} | {row['count']} | {row['create_seconds']:.2f} | {row['create_status']} "
                f"| {row['delete_seconds']:.2f} | {row['delete_status']} | {row['peak_rss_mb']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
