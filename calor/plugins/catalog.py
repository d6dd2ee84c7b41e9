"""The table of Calor's own resource types; :func:`calor.plugins.registry.default_registry` reads it.

Add a new plugin class here (one line) to make its type available.
"""

from __future__ import annotations

from calor.plugins.base import ResourcePlugin
from calor.plugins.heat.delay import Delay
from calor.plugins.heat.none import NoneResource
from calor.plugins.heat.random_string import RandomString
from calor.plugins.heat.test_resource import TestResource
from calor.plugins.heat.value import Value

PLUGINS: tuple[type[ResourcePlugin], ...] = (
    NoneResource,
    Value,
    RandomString,
    Delay,
    TestResource,
)
