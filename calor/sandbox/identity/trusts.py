"""Trusts (Keystone's ``OS-TRUST``): a trustor delegates roles on a project to a trustee.

The trustee asks for a token scoped ``{"OS-TRUST:trust": {"id": ...}}``; it carries the
trust's roles on the trust's project and, with impersonation, the trustor as its user. A
deleted, expired or used-up trust cannot scope tokens any more (Keystone's 401 when asked,
404 "Could not find trust" when a token made with it is validated), and deleting a trust
revokes the tokens it scoped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, Row, select, update

from calor.sandbox.identity import tables, tokens
from calor.sandbox.identity.errors import Forbidden, NotFound, ValidationError
from calor.sandbox.identity.records import Project, Role, Token, Trust, User, new_id, now


class Trusts:
    """Trusts of :class:`~calor.sandbox.identity.models.IdentityBackend`."""

    engine: Engine

    if TYPE_CHECKING:  # given by IdentityBackend

        def get_user(self, user_id: str) -> User: ...

        def get_project(self, project_id: str) -> Project: ...

        def get_role(self, role_id: str) -> Role: ...

        def effective_roles(self, user_id: str, project_id: str) -> list[Role]: ...

        def implied_roles(self, roles: list[Role]) -> list[Role]: ...

    def create_trust(
        self,
        trustor_user_id: str,
        trustee_user_id: str,
        *,
        project_id: str | None,
        role_ids: Sequence[str],
        impersonation: bool,
        expires_at: datetime | None = None,
        remaining_uses: int | None = None,
    ) -> Trust:
        """Store a trust; the trustor must hold every delegated role on the project."""
        self.get_user(trustor_user_id)
        self.get_user(trustee_user_id)
        if project_id is not None:
            self.get_project(project_id)
            if not role_ids:
                raise Forbidden(
                    "You are not authorized to perform the requested action: "
                    "At least one role should be specified."
                )
            held = {role.id for role in self.effective_roles(trustor_user_id, project_id)}
            for role_id in role_ids:
                if role_id not in held:
                    role = self.get_role(role_id)
                    raise Forbidden(
                        f"You are not authorized to perform the requested action: the trustor does "
                        f"not have the role {role.name} on project {project_id}."
                    )
        if expires_at is not None and expires_at <= now():
            raise ValidationError("The trust's expires_at is in the past.")
        if remaining_uses is not None and remaining_uses <= 0:
            raise ValidationError("remaining_uses must be a positive integer or null.")
        trust = Trust(
            id=new_id(),
            trustor_user_id=trustor_user_id,
            trustee_user_id=trustee_user_id,
            project_id=project_id,
            impersonation=impersonation,
            expires_at=expires_at,
            remaining_uses=remaining_uses,
            role_ids=tuple(dict.fromkeys(role_ids)),
        )
        with self.engine.begin() as connection:
            values = {key: value for key, value in vars(trust).items() if key != "role_ids"}
            connection.execute(tables.trusts.insert().values(**values))
            for role_id in trust.role_ids:
                connection.execute(tables.trust_roles.insert().values(trust_id=trust.id, role_id=role_id))
        return trust

    def _trust(self, row: Row[Any]) -> Trust:
        with self.engine.connect() as connection:
            role_ids = tuple(
                connection.scalars(
                    select(tables.trust_roles.c.role_id)
                    .where(tables.trust_roles.c.trust_id == row.id)
                    .order_by(tables.trust_roles.c.role_id)
                )
            )
        return Trust(
            id=row.id,
            trustor_user_id=row.trustor_user_id,
            trustee_user_id=row.trustee_user_id,
            project_id=row.project_id,
            impersonation=row.impersonation,
            expires_at=row.expires_at,
            remaining_uses=row.remaining_uses,
            role_ids=role_ids,
        )

    def get_trust(self, trust_id: str, *, counting_uses: bool = True) -> Trust:
        """A live trust (not deleted, not expired and, ``counting_uses``, with uses left);
        else :class:`NotFound`."""
        with self.engine.connect() as connection:
            row = connection.execute(
                select(tables.trusts).where(
                    tables.trusts.c.id == trust_id, tables.trusts.c.deleted_at.is_(None)
                )
            ).first()
        if row is None or (row.expires_at is not None and row.expires_at <= now()):
            raise NotFound(f"Could not find trust: {trust_id}.")
        if counting_uses and row.remaining_uses is not None and row.remaining_uses <= 0:
            raise NotFound(f"Could not find trust: {trust_id}.")
        return self._trust(row)

    def list_trusts(
        self, *, trustor_user_id: str | None = None, trustee_user_id: str | None = None
    ) -> list[Trust]:
        """Usable trusts, optionally of one trustor or trustee."""
        query = select(tables.trusts).where(tables.trusts.c.deleted_at.is_(None)).order_by(tables.trusts.c.id)
        if trustor_user_id is not None:
            query = query.where(tables.trusts.c.trustor_user_id == trustor_user_id)
        if trustee_user_id is not None:
            query = query.where(tables.trusts.c.trustee_user_id == trustee_user_id)
        moment = now()
        with self.engine.connect() as connection:
            rows = list(connection.execute(query))
        return [
            self._trust(row)
            for row in rows
            if (row.expires_at is None or row.expires_at > moment)
            and (row.remaining_uses is None or row.remaining_uses > 0)
        ]

    def delete_trust(self, trust_id: str) -> None:
        """Delete the trust (kept as deleted) and revoke the tokens it scoped."""
        self.get_trust(trust_id, counting_uses=False)
        with self.engine.begin() as connection:
            connection.execute(
                update(tables.trusts).where(tables.trusts.c.id == trust_id).values(deleted_at=now())
            )
        tokens.revoke_tokens_of_trust(self.engine, trust_id)

    def consume_trust(self, trust_id: str) -> Trust:
        """The trust, one of its uses taken when they are counted (a token is being scoped to it)."""
        trust = self.get_trust(trust_id)
        if trust.remaining_uses is not None:
            with self.engine.begin() as connection:
                connection.execute(
                    update(tables.trusts)
                    .where(tables.trusts.c.id == trust_id)
                    .values(remaining_uses=tables.trusts.c.remaining_uses - 1)
                )
        return trust

    def trust_roles(self, trust: Trust) -> list[Role]:
        """The roles a token scoped to ``trust`` carries: the delegated ones (and what they imply)
        the trustor still holds."""
        if trust.project_id is None:
            return []
        held = {role.id for role in self.effective_roles(trust.trustor_user_id, trust.project_id)}
        delegated = self.implied_roles(
            [self.get_role(role_id) for role_id in trust.role_ids if role_id in held]
        )
        return [role for role in delegated if role.id in held]

    def check_trust_token(self, token: Token) -> Trust:
        """The trust of a trust-scoped token, when the token may still be used; :class:`NotFound`
        otherwise (the trust is gone, or its trustor or trustee disabled)."""
        assert token.trust_id is not None
        trust = self.get_trust(token.trust_id, counting_uses=False)
        for user_id in (trust.trustor_user_id, trust.trustee_user_id):
            try:
                if not self.get_user(user_id).enabled:
                    raise NotFound(f"Could not find trust: {trust.id}.")
            except NotFound as error:
                raise NotFound(f"Could not find trust: {trust.id}.") from error
        return trust
