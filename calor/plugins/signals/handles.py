"""AWS::CloudFormation::WaitConditionHandle and OS::Heat::WaitConditionHandle.

On create a handle gets a stack domain user of its own, in the stack's stack user project,
with a password and an EC2 key pair (see :mod:`calor.plugins.signals.wiring` and
:mod:`calor.stack_domain`), and its physical id, the resource's ARN. The
CloudFormation handle's reference (``Ref``) is a URL of heat-api-cfn pre-signed for
``PUT`` — what ``cfn-signal`` posts to; the Heat handle offers ``endpoint``,
``curl_cli``, ``token`` and ``signal`` for its ``signal_transport``. Signals are stored
as resource data by :meth:`handle_signal`; the wait condition reads them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

from calor.errors import ResourceFailure
from calor.plugins.base import ResourcePlugin
from calor.plugins.signals import presign, signals, wiring
from calor.plugins.signals.arn import StackArn
from calor.schema.constraints import AllowedValues
from calor.schema.properties import MAP, STRING, AttributeSchema, PropertySchema, SupportStatus

ACCESS = "access_key"
SECRET = "secret_key"
USER_ID = "user_id"
PROJECT_ID = "project_id"
"""The stack user project the handle's user belongs to (heat-api URLs of the user name it)."""
URL = "url"
TOKEN = "token"
PASSWORD = "password"
LOG = logging.getLogger(__name__)


class SignalHandle(ResourcePlugin):
    """What both handles share: credentials, the resource ARN, storing signals."""

    signal_prefix: ClassVar[str] = presign.WAIT_CONDITION_PATH
    signal_method: ClassVar[str] = "PUT"

    def arn(self) -> StackArn:
        project = self.context.project_id
        return StackArn(project, self.context.stack_name, self.context.stack_id, self.name)

    def _issue_credentials(self) -> wiring.StackCredential:
        settings = wiring.current()
        # Named by the physical name, as Heat names stack users: a replacement (created before
        # the handle it replaces is deleted) gets a user of its own, not the old handle's.
        credential = settings.credentials.create(
            self.context.project_id, self.context.stack_id, self.context.physical_resource_name()
        )
        self.context.data_set(ACCESS, credential.access)
        self.context.data_set(SECRET, credential.secret, redact=True)
        self.context.data_set(USER_ID, credential.user_id)
        self.context.data_set(PROJECT_ID, credential.project_id)
        if credential.password:
            self.context.data_set(PASSWORD, credential.password, redact=True)
        return credential

    def _signed_url(self, credential: wiring.StackCredential) -> str:
        settings = wiring.current()
        path = presign.resource_path(self.signal_prefix, str(self.arn()))
        return presign.presigned_url(
            settings.cfn_url,
            path,
            access=credential.access,
            secret=credential.secret,
            method=self.signal_method,
        )

    def handle_create(self) -> Any:
        credential = self._issue_credentials()
        self.context.data_set(URL, self._signed_url(credential))
        self.context.set_resource_id(str(self.arn()))
        return None

    def handle_delete(self) -> Any:
        user_id = self.context.data().get(USER_ID)
        if user_id:
            try:
                wiring.current().credentials.delete(user_id)
            except ResourceFailure as error:  # the handle goes; its user is left, and said so
                LOG.warning("%s: its stack user %s is left in place: %s", self.name, user_id, error)
        return None

    def parse_signal(self, details: Any) -> signals.Signal:
        return signals.parse_cfn_signal(details)

    def handle_signal(self, details: Any) -> Any:
        signal = self.parse_signal(details)
        self.context.data_set(signals.KEY_PREFIX + signal.unique_id, signal.to_json())
        return None

    def signals(self) -> list[signals.Signal]:
        return signals.stored_signals(self.context.data())


class CfnWaitConditionHandle(SignalHandle):
    """AWS CloudFormation's wait condition handle: its reference is a pre-signed signal URL.

    Give the URL to an instance (user data) and call ``cfn-signal`` with it, or ``PUT``
    ``{"Status": "SUCCESS", "Reason": ..., "UniqueId": ..., "Data": ...}`` to it.
    """

    type_name: ClassVar[str] = "AWS::CloudFormation::WaitConditionHandle"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.1")

    def reference_id(self) -> str:
        return self.context.data().get(URL) or self.name


CFN_SIGNAL = "CFN_SIGNAL"
TEMP_URL_SIGNAL = "TEMP_URL_SIGNAL"
HEAT_SIGNAL = "HEAT_SIGNAL"
NO_SIGNAL = "NO_SIGNAL"
ZAQAR_SIGNAL = "ZAQAR_SIGNAL"
TOKEN_SIGNAL = "TOKEN_SIGNAL"
TRANSPORTS = (CFN_SIGNAL, TEMP_URL_SIGNAL, HEAT_SIGNAL, NO_SIGNAL, ZAQAR_SIGNAL, TOKEN_SIGNAL)
SUPPORTED_TRANSPORTS = (CFN_SIGNAL, HEAT_SIGNAL, NO_SIGNAL, TOKEN_SIGNAL)


class HeatWaitConditionHandle(SignalHandle):
    """Heat's wait condition handle.

    Signal with ``{"status": "SUCCESS" | "FAILURE", "reason": ..., "data": ..., "id": ...}``
    (every key optional): through heat-api's resource signal with ``token`` (TOKEN_SIGNAL)
    or the stack user's password (HEAT_SIGNAL), or ``POST`` to the pre-signed ``endpoint``
    of heat-api-cfn (CFN_SIGNAL). ``curl_cli`` is a ready command line.
    """

    type_name: ClassVar[str] = "OS::Heat::WaitConditionHandle"
    support_status: ClassVar[SupportStatus] = SupportStatus(version="2014.2")
    signal_prefix: ClassVar[str] = presign.SIGNAL_PATH
    signal_method: ClassVar[str] = "POST"
    properties_schema: ClassVar[Mapping[str, PropertySchema]] = {
        "signal_transport": PropertySchema(
            STRING,
            "How the client will signal the wait condition. CFN_SIGNAL will allow an HTTP POST to a "
            "CFN keypair signed URL. TEMP_URL_SIGNAL will create a Swift TempURL to be signaled via "
            "HTTP PUT. HEAT_SIGNAL will allow calls to the Heat API resource-signal using the "
            "provided keystone credentials. ZAQAR_SIGNAL will create a dedicated zaqar queue to be "
            "signaled using the provided keystone credentials. TOKEN_SIGNAL will allow and HTTP POST "
            "to a Heat API endpoint with the provided keystone token. NO_SIGNAL will result in the "
            "resource going to a signaled state without waiting for any signal.",
            default=TOKEN_SIGNAL,
            constraints=(AllowedValues(values=TRANSPORTS),),
        ),
    }
    attributes_schema: ClassVar[Mapping[str, AttributeSchema]] = {
        "token": AttributeSchema("Token for stack-user which can be used for signalling handle.", STRING),
        "endpoint": AttributeSchema("Endpoint/url which can be used for signalling handle.", STRING),
        "curl_cli": AttributeSchema(
            "Convenience attribute, provides curl CLI command prefix, which can be used for "
            "signalling handle completion or failure.",
            STRING,
        ),
        "signal": AttributeSchema(
            "JSON serialized map that includes the endpoint, token and/or other attributes the "
            "client must use for signalling this handle.",
            MAP,
        ),
    }

    @property
    def transport(self) -> str:
        return str(self.properties.get("signal_transport") or TOKEN_SIGNAL)

    def validate(self) -> None:
        if self.transport not in SUPPORTED_TRANSPORTS:
            from calor.errors import PropertyError

            raise PropertyError(
                f"signal_transport {self.transport} is not supported yet "
                f"(supported: {', '.join(SUPPORTED_TRANSPORTS)}).",
                path=f"{self.properties_path}.signal_transport",
            )

    def handle_create(self) -> Any:
        if self.transport == NO_SIGNAL:
            self.context.set_resource_id(str(self.arn()))
            return None
        credential = self._issue_credentials()
        if self.transport == CFN_SIGNAL:
            self.context.data_set(URL, self._signed_url(credential))
        elif self.transport == TOKEN_SIGNAL:
            self.context.data_set(TOKEN, wiring.current().credentials.token(credential), redact=True)
        self.context.set_resource_id(str(self.arn()))
        return None

    def parse_signal(self, details: Any) -> signals.Signal:
        return signals.parse_heat_signal(details, len(self.signals()))

    def _stack_user_project(self) -> str:
        return self.context.data().get(PROJECT_ID) or self.context.project_id

    def _heat_endpoint(self) -> str | None:
        """heat-api's signal URL of the handle, in the stack user's project (as Heat writes it)."""
        heat_url = wiring.current().heat_url
        if not heat_url:
            return None
        arn = self.arn()
        return (
            f"{heat_url.rstrip('/')}/v1/{self._stack_user_project()}/stacks/{arn.stack_name}/{arn.stack_id}"
            f"/resources/{self.name}/signal"
        )

    def resolve_attribute(self, name: str) -> Any:
        if self.resource_id is None:
            return None
        data = self.context.data()
        if self.transport == CFN_SIGNAL:
            url = data.get(URL)
            values: dict[str, Any] = {
                "endpoint": url,
                "token": None,
                "curl_cli": (
                    "curl -i -X POST -H 'Content-Type: application/json' -H 'Accept: application/json' "
                    f"'{url}' --data-binary"
                ),
                "signal": {"alarm_url": url},
            }
            return values.get(name)
        if self.transport == NO_SIGNAL:
            return None
        endpoint = self._heat_endpoint()
        token = data.get(TOKEN)
        if name == "endpoint":
            return endpoint
        if name == "token":
            return token
        if name == "curl_cli":
            return (
                f"curl -i -X POST -H 'X-Auth-Token: {token}' -H 'Content-Type: application/json' "
                f"-H 'Accept: application/json' {endpoint}"
            )
        if name == "signal":
            if self.transport == TOKEN_SIGNAL:
                return {"url": endpoint, "token": token}
            return {
                "auth_url": wiring.current().identity_url,
                "user_id": data.get(USER_ID),
                "password": data.get(PASSWORD),
                "project_id": self._stack_user_project(),
                "stack_id": self.context.stack_id,
                "resource_name": self.name,
            }
        return None
