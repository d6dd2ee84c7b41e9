"""The table of Calor's own resource types; :func:`calor.plugins.registry.default_registry` reads it.

Add a new plugin class here (one line) to make its type available.
"""

from __future__ import annotations

from calor.plugins.aws import AWS_PLUGINS
from calor.plugins.aws.cloudformation_stack import CloudFormationStack
from calor.plugins.base import ResourcePlugin
from calor.plugins.cinder import PLUGINS as CINDER_PLUGINS
from calor.plugins.glance import PLUGINS as GLANCE_PLUGINS
from calor.plugins.heat.delay import Delay
from calor.plugins.heat.none import NoneResource
from calor.plugins.heat.random_string import RandomString
from calor.plugins.heat.resource_chain import ResourceChain
from calor.plugins.heat.resource_group import ResourceGroup
from calor.plugins.heat.stack import StackResource
from calor.plugins.heat.test_resource import TestResource
from calor.plugins.heat.value import Value
from calor.plugins.keystone import PLUGINS as KEYSTONE_PLUGINS
from calor.plugins.neutron import NEUTRON_PLUGINS
from calor.plugins.nova import PLUGINS as NOVA_PLUGINS
from calor.plugins.signals.types import SIGNAL_PLUGINS
from calor.plugins.swift import PLUGINS as SWIFT_PLUGINS

PLUGINS: tuple[type[ResourcePlugin], ...] = (
    NoneResource,
    Value,
    RandomString,
    Delay,
    TestResource,
    StackResource,
    ResourceGroup,
    ResourceChain,
    CloudFormationStack,
    *NEUTRON_PLUGINS,
    *AWS_PLUGINS,
    *NOVA_PLUGINS,
    *CINDER_PLUGINS,
    *SWIFT_PLUGINS,
    *KEYSTONE_PLUGINS,
    *GLANCE_PLUGINS,
    *SIGNAL_PLUGINS,
)
