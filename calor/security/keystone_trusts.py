"""Keystone's ``OS-TRUST`` API over HTTP (keystoneauth sessions): create and delete trusts.

A trust is created with the *trustor's* own token (Keystone requires the caller to be the
trustor) and deleted with a token scoped to the trust itself, which impersonates the
trustor, so no administrator is needed at either end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from calor.security.errors import DeferredAuthFailure


def versioned(identity_url: str) -> str:
    """``http://keystone:5000`` or ``.../v3`` → ``.../v3``."""
    url = identity_url.rstrip("/")
    return url if url.endswith("/v3") else url + "/v3"


def _reason(error: Exception) -> str:
    """Keystone's own message of an HTTP error, else the error's text."""
    response = getattr(error, "response", None)
    if response is not None:
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = None
        if message:
            return str(message)
    return str(error) or type(error).__name__


class KeystoneTrusts:
    """``POST`` / ``DELETE`` on ``{identity}/v3/OS-TRUST/trusts``."""

    def __init__(self, identity_url: str, *, verify: bool | str = True, timeout: float = 30.0) -> None:
        self.url = versioned(identity_url)
        self.verify = verify
        self.timeout = timeout

    def create(
        self,
        token: str,
        *,
        trustor_user_id: str,
        trustee_user_id: str,
        project_id: str,
        role_names: Sequence[str],
        impersonation: bool = True,
    ) -> str:
        """A new trust's id; :class:`DeferredAuthFailure` when Keystone refuses or cannot be reached."""
        from keystoneauth1 import exceptions, session

        body = {
            "trust": {
                "trustor_user_id": trustor_user_id,
                "trustee_user_id": trustee_user_id,
                "project_id": project_id,
                "impersonation": impersonation,
                "roles": [{"name": name} for name in role_names],
            }
        }
        caller = session.Session(verify=self.verify, timeout=self.timeout)
        what = f"Could not create a trust for user {trustor_user_id} on project {project_id}"
        try:
            response = caller.post(
                self.url + "/OS-TRUST/trusts",
                json=body,
                headers={"X-Auth-Token": token, "Accept": "application/json"},
                authenticated=False,
            )
            trust: dict[str, Any] = response.json()["trust"]
        except exceptions.HttpError as error:
            status = 503 if (error.http_status or 500) >= 500 else 403
            raise DeferredAuthFailure(f"{what}: {_reason(error)}", http_status=status) from error
        except (exceptions.ClientException, ValueError, KeyError) as error:
            raise DeferredAuthFailure(f"{what}: {_reason(error)}", http_status=503) from error
        return str(trust["id"])

    def delete(self, trust_session: Any, trust_id: str) -> bool:
        """Delete ``trust_id`` with a session scoped to it; ``False`` when it was already gone.

        Raises the keystoneauth error of any other failure.
        """
        from keystoneauth1 import exceptions

        try:
            trust_session.delete(
                self.url + f"/OS-TRUST/trusts/{trust_id}", headers={"Accept": "application/json"}
            )
        except (exceptions.NotFound, exceptions.Unauthorized):
            # A trust that no longer exists cannot scope a token: Keystone answers 401 (or 404).
            return False
        return True
