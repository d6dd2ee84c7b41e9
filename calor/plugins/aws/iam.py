"""AWS::IAM::User and AWS::IAM::AccessKey on Keystone.

A user is a Keystone user created in the stack's project (with the ``member`` role there),
named after the resource (``Ref`` gives that name). Heat creates such users in a separate
stack domain project; Calor does the same once stack domain users exist (a later issue).
An access key is an EC2 credential of that user for the stack's project: ``Ref`` is the
access key id, the ``SecretAccessKey`` attribute its secret (kept redacted).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any, ClassVar

from keystoneauth1 import exceptions as auth_exceptions
from openstack import exceptions as sdk_exceptions

from calor.clouds.errors import CloudNotFound, is_not_found, translate_errors
from calor.errors import PropertyError
from calor.plugins.aws.common import checked
from calor.plugins.base import ResourcePlugin
from calor.schema.constraints import AllowedValues
from calor.schema.properties import INTEGER, LIST, MAP, STRING, AttributeSchema, PropertySchema, SupportStatus
from calor.template import paths

MEMBER_ROLE = "member"
CloudErrors = (sdk_exceptions.SDKException, auth_exceptions.ClientException)


def identity_admin(context: Any) -> Any:
    """The identity proxy to manage users with.

    Managing users needs an administrator's scope, which a connection scoped to the stack's
    project lacks; an engine context offering ``service_cloud()`` (the service user's own
    connection) gives it, otherwise the project's connection is used.
    """
    service_cloud = getattr(context, "service_cloud", None)
    connection = service_cloud() if callable(service_cloud) else context.cloud()
    return connection.identity


def _ec2_path(user_id: str, access: str | None = None) -> str:
    path = f"/users/{user_id}/credentials/OS-EC2"
    return path if access is None else f"{path}/{access}"


class User(ResourcePlugin):
    """An AWS IAM user: a Keystone user in the stack's project."""

    type_name: ClassVar[str] = "AWS::IAM::User"
    required_service: ClassVar[str | None] = "identity"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "Path": PropertySchema(STRING, "Not Implemented."),
        "Groups": PropertySchema(LIST, "Not Implemented."),
        "LoginProfile": PropertySchema(
            MAP,
            "A login profile for the user.",
            schema={"Password": PropertySchema(STRING)},
        ),
        "Policies": PropertySchema(LIST, "Access policies to apply to the user."),
    }

    def validate(self) -> None:
        for index, policy in enumerate(self.properties.get("Policies") or []):
            if not isinstance(policy, str | Mapping):
                raise PropertyError(
                    "A policy is the name of an AWS::IAM::AccessPolicy resource or an inline policy.",
                    path=paths.join(paths.join(self.properties_path, "Policies"), index),
                )

    def reference_id(self) -> str:
        return self.context.physical_resource_name()

    @translate_errors()
    def handle_create(self) -> Any:
        identity = identity_admin(self.context)
        profile = self.properties.get("LoginProfile") or {}
        password = profile.get("Password") or secrets.token_urlsafe(24)
        project = identity.get_project(self.context.project_id)
        user = identity.create_user(
            name=self.context.physical_resource_name(),
            password=password,
            domain_id=project.domain_id,
            default_project_id=project.id,
        )
        self.context.set_resource_id(str(user.id))
        role = identity.find_role(MEMBER_ROLE, ignore_missing=True)
        if role is not None:
            identity.assign_project_role_to_user(project.id, user.id, role.id)
        return None

    def _set_enabled(self, enabled: bool) -> None:
        if self.resource_id is None:
            return
        with translate_errors():
            identity_admin(self.context).update_user(str(self.resource_id), is_enabled=enabled)

    def handle_suspend(self) -> Any:
        self._set_enabled(False)
        return None

    def handle_resume(self) -> Any:
        self._set_enabled(True)
        return None

    @translate_errors()
    def handle_delete(self) -> Any:
        if self.resource_id is not None:
            identity_admin(self.context).delete_user(str(self.resource_id), ignore_missing=True)
        return None


class AccessKey(ResourcePlugin):
    """An AWS access key: an EC2 credential of a user for the stack's project."""

    type_name: ClassVar[str] = "AWS::IAM::AccessKey"
    required_service: ClassVar[str | None] = "identity"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "Serial": PropertySchema(INTEGER, "Not Implemented."),
        "UserName": PropertySchema(
            STRING,
            "The name of the user that the new key will belong to.",
            required=True,
        ),
        "Status": PropertySchema(
            STRING,
            "Not Implemented.",
            default="Active",
            constraints=(AllowedValues(values=("Active", "Inactive")),),
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "UserName": AttributeSchema("Username associated with the AccessKey.", STRING),
        "SecretAccessKey": AttributeSchema("Keypair secret key.", STRING),
    }

    def _user_id(self) -> str:
        identity = identity_admin(self.context)
        name = str(self.properties["UserName"])
        project = identity.get_project(self.context.project_id)
        user = identity.find_user(name, ignore_missing=True, domain_id=project.domain_id)
        if user is None:
            raise CloudNotFound(f"The User ({name}) could not be found.")
        return str(user.id)

    @translate_errors()
    def handle_create(self) -> Any:
        identity = identity_admin(self.context)
        user_id = self._user_id()
        response = checked(identity.post(_ec2_path(user_id), json={"tenant_id": self.context.project_id}))
        credential = response.json()["credential"]
        self.context.data_set("user_id", user_id)
        self.context.data_set("secret_key", str(credential["secret"]), redact=True)
        self.context.set_resource_id(str(credential["access"]))
        return None

    @translate_errors()
    def handle_delete(self) -> Any:
        user_id = self.context.data().get("user_id")
        if self.resource_id is None or not user_id:
            return None
        try:
            checked(identity_admin(self.context).delete(_ec2_path(user_id, str(self.resource_id))))
        except CloudErrors as error:
            if not is_not_found(error):
                raise
        return None

    def reference_id(self) -> str:
        return str(self.resource_id) if self.resource_id is not None else self.name

    def resolve_attribute(self, name: str) -> Any:
        if name == "UserName":
            return self.properties.get("UserName")
        if name == "SecretAccessKey":
            stored = self.context.data().get("secret_key")
            if stored or self.resource_id is None:
                return stored
            user_id = self.context.data().get("user_id")
            if not user_id:
                return None
            with translate_errors():
                response = checked(
                    identity_admin(self.context).get(_ec2_path(user_id, str(self.resource_id)))
                )
            secret = response.json()["credential"]["secret"]
            self.context.data_set("secret_key", str(secret), redact=True)
            return secret
        return None
