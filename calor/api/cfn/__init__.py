"""heat-api-cfn: the AWS CloudFormation Query API (version 2010-05-15) on the orchestration service.

``create_app`` (also ``create_cfn_app``) builds the WSGI app; see :mod:`calor.api.cfn.app`.
"""

from calor.api.cfn.app import create_app

create_cfn_app = create_app

__all__ = ["create_app", "create_cfn_app"]
