"""heat-api-cfn's fixtures (defined in cfn_fixtures, which the tests also import types from)."""

from cfn_fixtures import cfn, cfn_factory

__all__ = ["cfn", "cfn_factory"]
