"""The resource types of this package, for :mod:`calor.plugins.catalog`."""

from __future__ import annotations

from calor.plugins.base import ResourcePlugin
from calor.plugins.signals.conditions import CfnWaitCondition, HeatWaitCondition
from calor.plugins.signals.handles import CfnWaitConditionHandle, HeatWaitConditionHandle

SIGNAL_PLUGINS: tuple[type[ResourcePlugin], ...] = (
    CfnWaitConditionHandle,
    CfnWaitCondition,
    HeatWaitConditionHandle,
    HeatWaitCondition,
)
