"""Calor's embedded identity service: a Keystone v3 subset (tokens, catalog, projects, users,
roles, EC2 credentials and ``/v3/ec2tokens``, OS-TRUST trusts) served by a Flask WSGI app on a
SQLite state file.

Layout like moto: ``models`` (backend state and rules, no HTTP; ``trusts`` its trust part),
``responses``, ``admin_responses`` and ``trust_responses`` (request parsing and
serialisation), ``routes`` (the URL table), ``app`` (the WSGI app factory), ``config`` and
``bootstrap``.
"""

from calor.sandbox.identity.app import backend_of, create_app
from calor.sandbox.identity.bootstrap import BootstrapResult, bootstrap
from calor.sandbox.identity.catalog import Endpoint
from calor.sandbox.identity.config import IdentityConfig
from calor.sandbox.identity.models import IdentityBackend

__all__ = [
    "BootstrapResult",
    "Endpoint",
    "IdentityBackend",
    "IdentityConfig",
    "backend_of",
    "bootstrap",
    "create_app",
]
