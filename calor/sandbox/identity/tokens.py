"""Token rows: opaque random ids with expiry, audit ids, a revoked flag and, for trust-scoped
tokens, their trust (``token_trust``)."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import Engine, delete, select, update

from calor.sandbox.identity import tables
from calor.sandbox.identity.records import Token, now


def store_token(
    engine: Engine,
    user_id: str,
    *,
    methods: tuple[str, ...],
    project_id: str | None,
    domain_id: str | None,
    expires_at: datetime,
    parent_audit_id: str | None,
    trust_id: str | None = None,
) -> Token:
    issued_at = now()
    audit_id = secrets.token_urlsafe(16)
    token = Token(
        id="gAAAA" + secrets.token_urlsafe(48),
        user_id=user_id,
        project_id=project_id,
        domain_id=domain_id,
        methods=methods,
        audit_ids=(audit_id,) if parent_audit_id is None else (audit_id, parent_audit_id),
        issued_at=issued_at,
        expires_at=expires_at,
        revoked=False,
        trust_id=trust_id,
    )
    with engine.begin() as connection:
        if trust_id is not None:
            connection.execute(tables.token_trusts.insert().values(token_id=token.id, trust_id=trust_id))
        connection.execute(
            tables.tokens.insert().values(
                id=token.id,
                user_id=user_id,
                project_id=project_id,
                domain_id=domain_id,
                methods=",".join(methods),
                audit_id=audit_id,
                parent_audit_id=parent_audit_id,
                issued_at=issued_at,
                expires_at=expires_at,
                revoked=False,
            )
        )
    return token


def load_token(engine: Engine, token_id: str) -> Token | None:
    token_trusts = tables.token_trusts
    query = (
        select(tables.tokens, token_trusts.c.trust_id)
        .outerjoin(token_trusts, token_trusts.c.token_id == tables.tokens.c.id)
        .where(tables.tokens.c.id == token_id)
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    audit_ids = (row.audit_id,) if row.parent_audit_id is None else (row.audit_id, row.parent_audit_id)
    return Token(
        id=row.id,
        user_id=row.user_id,
        project_id=row.project_id,
        domain_id=row.domain_id,
        methods=tuple(method for method in row.methods.split(",") if method),
        audit_ids=audit_ids,
        issued_at=row.issued_at,
        expires_at=row.expires_at,
        revoked=row.revoked,
        trust_id=row.trust_id,
    )


def revoke_token(engine: Engine, token_id: str) -> None:
    with engine.begin() as connection:
        connection.execute(update(tables.tokens).where(tables.tokens.c.id == token_id).values(revoked=True))


def revoke_tokens_of_user(engine: Engine, user_id: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(tables.tokens).where(tables.tokens.c.user_id == user_id).values(revoked=True)
        )


def revoke_tokens_of_trust(engine: Engine, trust_id: str) -> None:
    """Revoke every token scoped to the trust (it was deleted)."""
    scoped = select(tables.token_trusts.c.token_id).where(tables.token_trusts.c.trust_id == trust_id)
    with engine.begin() as connection:
        connection.execute(update(tables.tokens).where(tables.tokens.c.id.in_(scoped)).values(revoked=True))


def purge_expired_tokens(engine: Engine) -> int:
    """Delete tokens past their expiry; returns how many."""
    expired = select(tables.tokens.c.id).where(tables.tokens.c.expires_at <= now())
    with engine.begin() as connection:
        connection.execute(delete(tables.token_trusts).where(tables.token_trusts.c.token_id.in_(expired)))
        result = connection.execute(delete(tables.tokens).where(tables.tokens.c.expires_at <= now()))
        return result.rowcount
