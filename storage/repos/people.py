"""Users, their platform identities and their consents."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from bot.core.records import ConsentRecord, UserRecord
from storage.repos.base import Repository
from storage.tables import consents, documents, identities, users


def _user(row: Any) -> UserRecord:
    return UserRecord(
        id=row.id,
        created_at=row.created_at,
        data_key=row.data_key,
        language=row.language,
        target_role=row.target_role,
        target_level=row.target_level,
    )


class UserRepository(Repository):
    async def find(self, platform: str, external_id: str) -> UserRecord | None:
        stmt = (
            sa.select(users)
            .join(identities, identities.c.user_id == users.c.id)
            .where(
                identities.c.platform == platform,
                identities.c.lookup_hash == self.keyring.lookup_hash(platform, external_id),
            )
        )
        row = (await self.conn.execute(stmt)).first()
        return _user(row) if row else None

    async def get(self, user_id: int) -> UserRecord | None:
        row = (await self.conn.execute(sa.select(users).where(users.c.id == user_id))).first()
        return _user(row) if row else None

    async def create(self, platform: str, external_id: str, *, now: datetime) -> UserRecord:
        """A new person with a fresh data key and their first platform identity."""
        data_key = self.keyring.new_data_key()
        stmt = sa.insert(users).values(created_at=now, data_key=data_key).returning(users.c.id)
        user_id = (await self.conn.execute(stmt)).scalar_one()
        await self.conn.execute(
            sa.insert(identities).values(
                platform=platform,
                lookup_hash=self.keyring.lookup_hash(platform, external_id),
                user_id=user_id,
                created_at=now,
            )
        )
        return UserRecord(id=user_id, created_at=now, data_key=data_key)

    async def set_target(self, user_id: int, *, role: str, level: str) -> None:
        await self.conn.execute(
            sa.update(users)
            .where(users.c.id == user_id)
            .values(target_role=role, target_level=level)
        )

    async def set_profile(
        self, user: UserRecord, *, display_name: str | None = None, email: str | None = None
    ) -> None:
        values: dict[str, Any] = {}
        if display_name is not None:
            values["display_name"] = self.seal_text(user, "users.display_name", display_name)
        if email is not None:
            values["email"] = self.seal_text(user, "users.email", email)
            values["email_confirmed"] = False
        if values:
            await self.conn.execute(sa.update(users).where(users.c.id == user.id).values(**values))

    async def confirm_email(self, user: UserRecord) -> None:
        """Mark the address held as confirmed (the person proved they receive its mail)."""
        stmt = sa.update(users).where(users.c.id == user.id).values(email_confirmed=True)
        await self.conn.execute(stmt)

    async def profile(self, user: UserRecord) -> dict[str, Any]:
        row = (await self.conn.execute(sa.select(users).where(users.c.id == user.id))).one()
        return {
            "display_name": self.open_text(user, "users.display_name", row.display_name),
            "email": self.open_text(user, "users.email", row.email),
            "email_confirmed": row.email_confirmed,
        }

    async def documents(self, user: UserRecord) -> list[dict[str, Any]]:
        """The person's CV / job descriptions, opened (kind, filename, text, has_file, when)."""
        stmt = sa.select(documents).where(documents.c.user_id == user.id).order_by(documents.c.id)
        return [
            {
                "kind": r.kind,
                "filename": r.filename,
                "text": self.open_text(user, "documents.text", r.text),
                "has_file": r.blob_key is not None,
                "created_at": r.created_at,
            }
            for r in await self.conn.execute(stmt)
        ]

    async def save_document(
        self, user: UserRecord, *, kind: str, filename: str | None, text: str, now: datetime
    ) -> None:
        """Store a CV or job description (text sealed), replacing the previous one of its kind."""
        await self.delete_documents(user, kind=kind)
        await self.conn.execute(
            sa.insert(documents).values(
                user_id=user.id,
                kind=kind,
                filename=(filename or None) and filename[:200],
                text=self.seal_text(user, "documents.text", text),
                created_at=now,
            )
        )

    async def delete_documents(self, user: UserRecord, *, kind: str) -> int:
        stmt = sa.delete(documents).where(documents.c.user_id == user.id, documents.c.kind == kind)
        return int((await self.conn.execute(stmt)).rowcount)

    async def count(self) -> int:
        return int(
            (await self.conn.execute(sa.select(sa.func.count()).select_from(users))).scalar_one()
        )


def _consent(row: Any) -> ConsentRecord:
    return ConsentRecord(
        id=row.id,
        user_id=row.user_id,
        policy_version=row.policy_version,
        purposes=tuple(p for p in row.purposes.split(",") if p),
        age_confirmed=row.age_confirmed,
        given_at=row.given_at,
        withdrawn_at=row.withdrawn_at,
    )


class ConsentRepository(Repository):
    async def give(
        self,
        user_id: int,
        *,
        policy_version: str,
        purposes: tuple[str, ...],
        age_confirmed: bool,
        now: datetime,
    ) -> ConsentRecord:
        values = {
            "user_id": user_id,
            "policy_version": policy_version,
            "purposes": ",".join(purposes),
            "age_confirmed": age_confirmed,
            "given_at": now,
        }
        consent_id = (
            await self.conn.execute(sa.insert(consents).values(**values).returning(consents.c.id))
        ).scalar_one()
        return _consent(SimpleNamespace(**values, id=consent_id, withdrawn_at=None))

    async def current(self, user_id: int) -> ConsentRecord | None:
        """The latest consent that has not been withdrawn."""
        stmt = (
            sa.select(consents)
            .where(consents.c.user_id == user_id, consents.c.withdrawn_at.is_(None))
            .order_by(consents.c.id.desc())
            .limit(1)
        )
        row = (await self.conn.execute(stmt)).first()
        return _consent(row) if row else None

    async def history(self, user_id: int) -> list[ConsentRecord]:
        stmt = sa.select(consents).where(consents.c.user_id == user_id).order_by(consents.c.id)
        return [_consent(r) for r in await self.conn.execute(stmt)]

    async def withdraw(self, user_id: int, *, now: datetime) -> int:
        stmt = (
            sa.update(consents)
            .where(consents.c.user_id == user_id, consents.c.withdrawn_at.is_(None))
            .values(withdrawn_at=now)
        )
        return int((await self.conn.execute(stmt)).rowcount)
