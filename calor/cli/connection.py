"""Reaching the orchestration API: clouds.yaml, ``OS_*`` variables and ``--os-*`` options.

openstacksdk's configuration loader reads them exactly as every OpenStack command does; the
keystoneauth session it builds carries python-heatclient's v1 client.
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Sequence
from typing import Any

from openstack import config as openstack_config

from calor.cli.errors import CommandError

SERVICE_TYPE = "orchestration"


def register_arguments(parser: argparse.ArgumentParser, argv: Sequence[str]) -> None:
    """Add ``--os-cloud``, ``--os-auth-url``, ``--os-project-name``, ... (defaults from ``OS_*``)."""
    with warnings.catch_warnings():
        _quiet_deprecations()
        configuration = openstack_config.OpenStackConfig()
        configuration.register_argparse_arguments(parser, list(argv), service_keys=[SERVICE_TYPE])


def _quiet_deprecations() -> None:
    """openstacksdk warns about its own future; users of ``heat`` cannot act on it."""
    warnings.simplefilter("ignore", DeprecationWarning)
    warnings.simplefilter("ignore", PendingDeprecationWarning)


class Connection:
    """The heatclient ``Client`` for the options given, built on first use."""

    def __init__(self, options: argparse.Namespace) -> None:
        self.options = options
        self._client: Any = None

    @property
    def client(self) -> Any:
        """A ``heatclient.v1.client.Client`` over a keystoneauth session."""
        if self._client is None:
            self._client = make_client(self.options)
        return self._client


def connection_options(options: argparse.Namespace) -> argparse.Namespace:
    """Only the connection options of a command line, for openstacksdk.

    openstacksdk formats every string option it is given (``str.format``), so a command's
    own argument such as ``--data '{"status": "SUCCESS"}'`` must not reach it.
    """
    parser = argparse.ArgumentParser(add_help=False)
    register_arguments(parser, [])
    known = {action.dest for action in parser._actions}
    kept = {key: value for key, value in vars(options).items() if key in known or key.startswith("os_")}
    return argparse.Namespace(**kept)


def make_client(options: argparse.Namespace) -> Any:
    from heatclient.v1 import client as heat_client  # type: ignore[import-untyped]
    from openstack import exceptions as sdk_exceptions

    try:
        with warnings.catch_warnings():
            _quiet_deprecations()
            region = openstack_config.OpenStackConfig().get_one(argparse=connection_options(options))
    except sdk_exceptions.ConfigException as error:
        raise CommandError(f"Configuration error: {error}") from None
    except KeyError as error:
        raise CommandError(f"Configuration error: missing {error}") from None
    session = region.get_session()
    arguments: dict[str, Any] = {
        "session": session,
        "service_type": SERVICE_TYPE,
        "interface": region.get_interface(SERVICE_TYPE),
    }
    region_name = region.get_region_name(SERVICE_TYPE)
    if region_name:
        arguments["region_name"] = region_name
    endpoint = region.get_endpoint(SERVICE_TYPE)
    if endpoint:
        arguments["endpoint_override"] = endpoint
    return heat_client.Client(**arguments)
