"""The AWS::* resource types, mapped onto OpenStack services as Heat maps them.

EC2 networking on Neutron (VPC, Subnet, InternetGateway, VPCGatewayAttachment, RouteTable,
SubnetRouteTableAssociation, NetworkInterface, EIP, EIPAssociation, SecurityGroup), EC2
instances on Nova (through OS::Nova::Server), EBS volumes on Cinder, IAM users and access
keys on Keystone and S3 buckets on Swift. :data:`AWS_PLUGINS` is the table
:mod:`calor.plugins.catalog` includes.
"""

from __future__ import annotations

from calor.plugins.aws.eip import ElasticIp, ElasticIpAssociation
from calor.plugins.aws.gateway import InternetGateway, VPCGatewayAttachment
from calor.plugins.aws.iam import AccessKey, User
from calor.plugins.aws.instance import Instance
from calor.plugins.aws.network_interface import NetworkInterface
from calor.plugins.aws.route_table import RouteTable, SubnetRouteTableAssociation
from calor.plugins.aws.s3 import Bucket
from calor.plugins.aws.security_group import SecurityGroup
from calor.plugins.aws.volume import Volume, VolumeAttachment
from calor.plugins.aws.vpc import VPC, Subnet
from calor.plugins.base import ResourcePlugin

AWS_PLUGINS: tuple[type[ResourcePlugin], ...] = (
    Instance,
    ElasticIp,
    ElasticIpAssociation,
    SecurityGroup,
    Volume,
    VolumeAttachment,
    VPC,
    Subnet,
    InternetGateway,
    VPCGatewayAttachment,
    RouteTable,
    SubnetRouteTableAssociation,
    NetworkInterface,
    User,
    AccessKey,
    Bucket,
)

__all__ = ["AWS_PLUGINS"]
