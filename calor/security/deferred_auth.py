"""What a stack's owner leaves the engine to act with later: :class:`DeferredAuth`.

When a stack is created (or adopted), :meth:`DeferredAuth.delegate` makes its credentials:

- ``trusts`` (Heat's default): the caller's own token creates a Keystone trust from the caller
  (trustor) to the trustee user, on the stack's project, delegating ``trusts_delegated_roles``
  (or every role of the caller's token), with impersonation. A token Keystone does not let
  manage trusts (one made from EC2 credentials, as heat-api-cfn's callers have) creates none:
  such a stack is served by the service user, as stacks from before deferred auth are.
- ``password``: the user name and password the request sent as X-Auth-User / X-Auth-Key,
  checked against Keystone once; without them the create is refused as Heat refuses it.

The credentials are stored encrypted with the stack, in the same transaction; if storing fails
the new trust is deleted again. :meth:`DeferredAuth.release` deletes a trust once its stack is gone.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from oslo_config import cfg

from calor.db.records import NewUserCredentials, UserCredentialsRecord
from calor.security.errors import DeferredAuthFailure, MissingCredentialError
from calor.security.keystone_trusts import KeystoneTrusts, versioned
from calor.security.options import PASSWORD, TRUSTS
from calor.security.options import register as register_options
from calor.security.trustee import TrusteeSettings, trustee_from_config

if TYPE_CHECKING:
    from calor.engine.service import RequestContext

LOG = logging.getLogger(__name__)

DELEGATED_METHODS = frozenset({"ec2credential", "oauth1", "application_credential"})
"""Token methods Keystone refuses trust management to (the token is itself a delegation)."""


@dataclass(frozen=True)
class DeferredAuthSettings:
    """``method`` (``trusts`` or ``password``), Keystone's URL and the trustee."""

    identity_url: str
    method: str = TRUSTS
    trustee: TrusteeSettings | None = None
    delegated_roles: tuple[str, ...] = ()
    region_name: str | None = None
    verify: bool | str = True


class DeferredAuth:
    """Makes and releases the credentials the engine acts with for stack owners."""

    def __init__(self, settings: DeferredAuthSettings) -> None:
        if settings.method not in (TRUSTS, PASSWORD):
            raise ValueError(f"deferred_auth_method must be trusts or password, not {settings.method}")
        self.settings = settings
        self.trusts = KeystoneTrusts(settings.identity_url, verify=settings.verify)
        self._trustee_user_id: str | None = None
        self._lock = threading.Lock()

    @property
    def method(self) -> str:
        return self.settings.method

    @contextmanager
    def delegate(self, context: RequestContext) -> Iterator[NewUserCredentials | None]:
        """The new stack's credentials (``None``: none to store); a trust made for a stack
        that is then not stored (the block raises) is deleted again."""
        credentials = self.credentials_for(context)
        try:
            yield credentials
        except BaseException:
            if credentials is not None and credentials.trust_id is not None:
                self.delete_trust(credentials.trust_id)
            raise

    def credentials_for(self, context: RequestContext) -> NewUserCredentials | None:
        """Make the caller's credentials: :class:`MissingCredentialError` or
        :class:`DeferredAuthFailure` when that is impossible."""
        if self.method == PASSWORD:
            return self._password(context)
        return self._trust(context)

    # --- trusts ---------------------------------------------------------------------------

    def _trust(self, context: RequestContext) -> NewUserCredentials | None:
        token = context.extra.get("auth_token")
        methods = set(context.extra.get("auth_methods") or ())
        if not token or context.user_id is None:
            LOG.info("no token to create a trust with: the stack is served by the service user")
            return None
        if methods & DELEGATED_METHODS:
            LOG.info(
                "the caller's token comes from %s, which Keystone lets create no trust: "
                "the stack is served by the service user",
                ", ".join(sorted(methods & DELEGATED_METHODS)),
            )
            return None
        roles = self._roles(context.roles)
        trust_id = self.trusts.create(
            str(token),
            trustor_user_id=context.user_id,
            trustee_user_id=self.trustee_user_id(),
            project_id=context.project_id,
            role_names=roles,
        )
        LOG.info(
            "trust %s: user %s delegates %s on project %s",
            trust_id,
            context.user_id,
            roles,
            context.project_id,
        )
        return NewUserCredentials(
            project_id=context.project_id,
            user_id=context.user_id,
            username=context.username,
            trust_id=trust_id,
            auth_url=self.trusts.url,
            region_name=self.settings.region_name,
        )

    def _roles(self, caller_roles: Sequence[str]) -> list[str]:
        roles = list(self.settings.delegated_roles) or list(dict.fromkeys(caller_roles))
        if not roles:
            raise DeferredAuthFailure("Could not create a trust: the caller has no role to delegate.")
        return roles

    def trustee_user_id(self) -> str:
        """The trustee's user id (asked of Keystone once when only its name is configured)."""
        trustee = self._trustee()
        with self._lock:
            if self._trustee_user_id is None:
                try:
                    self._trustee_user_id = trustee.resolved_user_id()
                except Exception as error:  # keystoneauth: refused or unreachable
                    raise DeferredAuthFailure(
                        f"The trustee user cannot authenticate to Keystone: {error}", http_status=503
                    ) from error
            return self._trustee_user_id

    def _trustee(self) -> TrusteeSettings:
        if self.settings.trustee is None:
            raise DeferredAuthFailure(
                "deferred_auth_method is trusts but neither [trustee] nor [keystone_authtoken] "
                "names the trustee user.",
                http_status=503,
            )
        return self.settings.trustee

    def delete_trust(self, trust_id: str) -> bool:
        """Delete a trust with a token scoped to it (best effort: failures are logged)."""
        try:
            trustee = self._trustee()
            deleted = self.trusts.delete(trustee.session(trust_id=trust_id), trust_id)
        except Exception as error:  # Keystone away or refusing: the trust outlives its stack
            LOG.warning("could not delete trust %s: %s", trust_id, error)
            return False
        if deleted:
            LOG.info("trust %s deleted", trust_id)
        else:
            LOG.info("trust %s was already gone", trust_id)
        return deleted

    def release(self, credentials: UserCredentialsRecord) -> None:
        """What goes with a deleted stack: its trust (best effort)."""
        if credentials.trust_id is not None:
            self.delete_trust(credentials.trust_id)

    # --- password -------------------------------------------------------------------------

    def _password(self, context: RequestContext) -> NewUserCredentials:
        username = context.extra.get("auth_user")
        password = context.extra.get("auth_key")
        if not username:
            raise MissingCredentialError("X-Auth-User")
        if not password:
            raise MissingCredentialError("X-Auth-Key")
        user_id = self._check_password(
            str(username), str(password), context.project_id, context.extra.get("user_domain_id")
        )
        if context.user_id is not None and user_id != context.user_id:
            raise DeferredAuthFailure("X-Auth-User names another user than the request's token.")
        return NewUserCredentials(
            project_id=context.project_id,
            user_id=user_id,
            username=str(username),
            password=str(password),
            auth_url=self.trusts.url,
            region_name=self.settings.region_name,
        )

    def _check_password(self, username: str, password: str, project_id: str, domain_id: Any) -> str:
        """The user id, once Keystone accepted the password in the project."""
        from keystoneauth1 import exceptions, session
        from keystoneauth1.identity import generic

        plugin = generic.Password(
            auth_url=self.trusts.url,
            username=username,
            password=password,
            user_domain_id=str(domain_id or "default"),
            project_id=project_id,
        )
        checking = session.Session(auth=plugin, verify=self.settings.verify)
        try:
            return str(checking.get_user_id())
        except exceptions.Unauthorized as error:
            raise DeferredAuthFailure(
                f"Keystone refused the X-Auth-User / X-Auth-Key credentials in project {project_id}."
            ) from error
        except exceptions.ClientException as error:
            raise DeferredAuthFailure(
                f"Keystone cannot check the credentials: {error}", http_status=503
            ) from error


def identity_url_from_config(conf: cfg.ConfigOpts, trustee: TrusteeSettings | None) -> str | None:
    """Keystone's URL: ``[clients_keystone] auth_uri``, else the trustee's ``auth_url``."""
    configured = str(conf.clients_keystone.auth_uri or "") if "clients_keystone" in conf else ""
    if configured:
        return versioned(configured)
    return versioned(trustee.auth_url) if trustee is not None else None


def deferred_auth_from_config(conf: cfg.ConfigOpts) -> DeferredAuth | None:
    """heat.conf's deferred auth; ``None`` with ``auth_strategy = noauth`` or no Keystone configured."""
    from calor.config import keystone_verify

    register_options(conf)
    if conf.auth_strategy == "noauth":
        return None
    verify = keystone_verify(conf)
    trustee = trustee_from_config(conf)
    if trustee is not None:
        trustee = dataclasses.replace(trustee, verify=verify)
    identity_url = identity_url_from_config(conf, trustee)
    if identity_url is None:
        LOG.info("no Keystone URL is configured: stacks store no credentials (deferred auth is off)")
        return None
    return DeferredAuth(
        DeferredAuthSettings(
            identity_url=identity_url,
            method=str(conf.deferred_auth_method),
            trustee=trustee,
            delegated_roles=tuple(conf.trusts_delegated_roles),
            verify=verify,
        )
    )
