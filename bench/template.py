"""Benchmark: a 1000-resource HOT template and a 1000-resource CFN template, end to end.

Each run loads the text, parses the template, builds the stack definition (parameters,
conditions, resource and output definitions, reference checks), computes the
dependencies and runs the validate API on the same template. Best of five runs, printed as a Markdown table.

    python bench/template.py [--resources 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import yaml

from calor.definition.stack import StackDefinition
from calor.template import parse_template
from calor.template.context import StackContext
from calor.template.validation import validate_template


def hot_template(count: int) -> str:
    resources: dict[str, Any] = {"network": {"type": "OS::Neutron::Net", "properties": {"name": "net"}}}
    for index in range(count - 1):
        previous = f"server{index - 1}" if index else "network"
        resources[f"server{index}"] = {
            "type": "OS::Nova::Server",
            "properties": {
                "flavor": {"get_param": "flavor"},
                "image": {"get_param": "image"},
                "name": {
                    "str_replace": {
                        "template": "web-$index-$stack",
                        "params": {"$index": str(index), "$stack": {"get_param": "OS::stack_name"}},
                    }
                },
                "networks": [{"network": {"get_resource": "network"}}],
                "metadata": {"peer": {"get_attr": [previous, "name"]}},
            },
            "depends_on": ["network"],
        }
    template = {
        "heat_template_version": "2018-08-31",
        "description": "benchmark",
        "parameters": {
            "flavor": {"type": "string", "default": "m1.small"},
            "image": {"type": "string", "default": "cirros"},
        },
        "resources": resources,
        "outputs": {"last": {"value": {"get_attr": [f"server{count - 2}", "name"]}}},
    }
    return yaml.safe_dump(template, sort_keys=False)


def cfn_template(count: int) -> str:
    resources: dict[str, Any] = {"Network": {"Type": "OS::Neutron::Net", "Properties": {"name": "net"}}}
    for index in range(count - 1):
        previous = f"Server{index - 1}" if index else "Network"
        resources[f"Server{index}"] = {
            "Type": "AWS::EC2::Instance",
            "Properties": {
                "InstanceType": {"Ref": "InstanceType"},
                "ImageId": {"Ref": "ImageId"},
                "UserData": {"Fn::Join": ["-", ["web", str(index), {"Ref": "AWS::StackName"}]]},
                "SubnetId": {"Ref": "Network"},
                "Tags": [{"Key": "peer", "Value": {"Fn::GetAtt": [previous, "name"]}}],
            },
            "DependsOn": "Network",
        }
    template = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "benchmark",
        "Parameters": {
            "InstanceType": {"Type": "String", "Default": "m1.small"},
            "ImageId": {"Type": "String", "Default": "cirros"},
        },
        "Resources": resources,
        "Outputs": {"Last": {"Value": {"Fn::GetAtt": [f"Server{count - 2}", "name"]}}},
    }
    return json.dumps(template, indent=1)


def run_once(text: str) -> dict[str, float]:
    """Seconds per phase for one run."""
    timings: dict[str, float] = {}
    start = time.perf_counter()
    template = parse_template(text, max_size=len(text) + 1)
    timings["load"] = time.perf_counter() - start
    mark = time.perf_counter()
    definition = StackDefinition.build(template, StackContext(stack_name="bench"))
    timings["parse + definitions"] = time.perf_counter() - mark
    mark = time.perf_counter()
    graph = definition.dependencies()
    assert len(graph) == len(definition.resources)
    timings["dependencies"] = time.perf_counter() - mark
    mark = time.perf_counter()
    validate_template(template)
    timings["validate"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - start
    return timings


def best_of(runs: int, text: str) -> dict[str, float]:
    results = [run_once(text) for _ in range(runs)]
    return min(results, key=lambda timings: timings["total"])


def main(argv: list[str] | None = None) -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--resources", type=int, default=1000)
    arguments.add_argument("--runs", type=int, default=5)
    options = arguments.parse_args(argv)
    makers: dict[str, Callable[[int], str]] = {"HOT": hot_template, "CFN": cfn_template}
    rows = []
    for name, make in makers.items():
        text = make(options.resources)
        rows.append((name, len(text), best_of(options.runs, text)))
    phases = list(rows[0][2])
    print(f"{options.resources} resources, best of {options.runs} runs (seconds)\n")
    print("| template | size (KiB) | " + " | ".join(phases) + " |")
    print("|---|---:|" + "---:|" * len(phases))
    for name, size, timings in rows:
        cells = " | ".join(f"{timings[phase]:.3f}" for phase in phases)
        print(f"| {name} | {size / 1024:.0f} | {cells} |")


if __name__ == "__main__":
    main()
