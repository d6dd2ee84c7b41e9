"""Deferred authentication: acting for a stack's owner after their token expired.

- ``options``: heat.conf's ``deferred_auth_method``, ``trusts_delegated_roles``,
  ``auth_encryption_key`` and the ``[trustee]`` section;
- ``encryption``: secrets at rest (Fernet, key derived from ``auth_encryption_key``);
- ``trustee``: the user trusts are delegated to (``[trustee]``, else ``[keystone_authtoken]``);
- ``keystone_trusts``: Keystone's ``OS-TRUST`` API over HTTP;
- ``deferred_auth``: :class:`~calor.security.deferred_auth.DeferredAuth`, what the
  orchestration service calls to make a stack's credentials (a trust, or the stored password).
"""
