"""Operational records: the credit ledger, deletion requests, the audit log, update de-dup."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from storage.repos.base import Repository
from storage.tables import audit_log, credit_ledger, deletion_requests, processed_updates


class LedgerRepository(Repository):
    async def add(
        self,
        user_id: int | None,
        *,
        kind: str,
        amount: int,
        provider: str,
        external_id: str,
        now: datetime,
    ) -> bool:
        """Append an entry; False when (provider, external_id, kind) was already recorded."""
        values = dict(
            user_id=user_id,
            kind=kind,
            amount=amount,
            provider=provider,
            external_id=external_id,
            created_at=now,
        )
        return await self.insert_ignore(credit_ledger, values)

    async def balance(self, user_id: int) -> int:
        stmt = sa.select(sa.func.coalesce(sa.func.sum(credit_ledger.c.amount), 0)).where(
            credit_ledger.c.user_id == user_id
        )
        return int((await self.conn.execute(stmt)).scalar_one())

    async def find(self, provider: str, external_id: str, kind: str) -> dict[str, Any] | None:
        """The entry recorded under (provider, external_id, kind): user_id, amount, created_at."""
        stmt = sa.select(credit_ledger).where(
            credit_ledger.c.provider == provider,
            credit_ledger.c.external_id == external_id,
            credit_ledger.c.kind == kind,
        )
        row = (await self.conn.execute(stmt)).first()
        if row is None:
            return None
        return {"user_id": row.user_id, "amount": row.amount, "created_at": row.created_at}

    async def entries(self, user_id: int) -> list[dict[str, Any]]:
        """The person's ledger entries, oldest first (kind, amount, provider, reference, when)."""
        stmt = (
            sa.select(credit_ledger)
            .where(credit_ledger.c.user_id == user_id)
            .order_by(credit_ledger.c.created_at, credit_ledger.c.id)
        )
        return [
            {
                "kind": r.kind,
                "amount": r.amount,
                "provider": r.provider,
                "reference": r.external_id,
                "created_at": r.created_at,
            }
            for r in await self.conn.execute(stmt)
        ]


class DeletionRepository(Repository):
    async def request(self, user_id: int, *, now: datetime, due_at: datetime) -> int:
        stmt = sa.insert(deletion_requests).values(user_id=user_id, requested_at=now, due_at=due_at)
        return int((await self.conn.execute(stmt.returning(deletion_requests.c.id))).scalar_one())

    async def pending(self, user_id: int) -> Any:
        stmt = sa.select(deletion_requests).where(
            deletion_requests.c.user_id == user_id,
            deletion_requests.c.cancelled_at.is_(None),
            deletion_requests.c.completed_at.is_(None),
        )
        return (await self.conn.execute(stmt)).first()

    async def cancel(self, user_id: int, *, now: datetime) -> int:
        stmt = (
            sa.update(deletion_requests)
            .where(
                deletion_requests.c.user_id == user_id,
                deletion_requests.c.cancelled_at.is_(None),
                deletion_requests.c.completed_at.is_(None),
            )
            .values(cancelled_at=now)
        )
        return int((await self.conn.execute(stmt)).rowcount)

    async def due(self, now: datetime) -> list[int]:
        """User ids whose grace period has ended."""
        stmt = sa.select(deletion_requests.c.user_id).where(
            deletion_requests.c.due_at <= now,
            deletion_requests.c.cancelled_at.is_(None),
            deletion_requests.c.completed_at.is_(None),
            deletion_requests.c.user_id.is_not(None),
        )
        return [int(r[0]) for r in await self.conn.execute(stmt)]


class AuditRepository(Repository):
    async def record(
        self, *, actor: str, action: str, now: datetime, detail: dict[str, Any] | None = None
    ) -> None:
        stmt = sa.insert(audit_log).values(at=now, actor=actor, action=action, detail=detail)
        await self.conn.execute(stmt)

    async def count_since(self, *, actor: str, action: str, since: datetime) -> int:
        stmt = sa.select(sa.func.count()).where(
            audit_log.c.actor == actor, audit_log.c.action == action, audit_log.c.at >= since
        )
        return int((await self.conn.execute(stmt)).scalar_one())

    async def recent(self, limit: int = 50) -> list[Any]:
        stmt = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        return list(await self.conn.execute(stmt))

    async def since(self, since: datetime | None = None) -> list[Any]:
        """Entries at or after `since` (all without it), oldest first."""
        stmt = sa.select(audit_log).order_by(audit_log.c.at, audit_log.c.id)
        if since is not None:
            stmt = stmt.where(audit_log.c.at >= since)
        return list(await self.conn.execute(stmt))

    async def forget_before(self, cutoff: datetime) -> int:
        """Delete entries older than `cutoff` (the registry's audit retention)."""
        stmt = sa.delete(audit_log).where(audit_log.c.at < cutoff)
        return int((await self.conn.execute(stmt)).rowcount)


class UpdateRepository(Repository):
    async def claim(self, platform: str, update_id: str, *, now: datetime) -> bool:
        """True the first time an update id is seen; False for a duplicate delivery."""
        values = dict(platform=platform, update_id=update_id, processed_at=now)
        return await self.insert_ignore(processed_updates, values)

    async def forget_before(self, cutoff: datetime) -> int:
        stmt = sa.delete(processed_updates).where(processed_updates.c.processed_at < cutoff)
        return int((await self.conn.execute(stmt)).rowcount)
