"""Erasing one person, driven by the data registry, plus the financial retention purge.

The caller commits `shred_key` on its own before `erase`: once the wrapped data key is gone,
every sealed value and blob of the person is unreadable, so a crash at any later point
leaves nothing readable behind and a re-run of `erase` finishes the job.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.privacy import registry
from storage.blobs import BlobStore
from storage.repos.base import Repository
from storage.sealing import KeyRing
from storage.tables import credit_ledger, deletion_requests, erasure_receipts, metadata, users

log = logging.getLogger(__name__)
PURGE_LOCK_ID = 0x636F616368  # "coach": the advisory lock that lets one worker purge at a time
ANONYMISED = ":anonymised"


class ErasureRepository(Repository):
    """The SQL (and blob deletions) that erase a person; see the module docstring for order."""

    def __init__(self, conn: AsyncConnection, keyring: KeyRing, blobs: BlobStore) -> None:
        super().__init__(conn, keyring)
        self.blobs = blobs

    async def try_purge_lock(self) -> bool:
        """Take the purge lock for the rest of this transaction; False when another worker
        holds it. SQLite has a single writing process, so it always succeeds there."""
        if self.conn.dialect.name != "postgresql":
            return True
        stmt = sa.select(sa.func.pg_try_advisory_xact_lock(PURGE_LOCK_ID))
        return bool((await self.conn.execute(stmt)).scalar_one())

    async def shred_key(self, user_id: int, *, now: datetime) -> bool:
        """Destroy the person's data key and make sure a due deletion request exists, so an
        interrupted erasure is finished by the next purge. False when no such person."""
        stmt = (
            sa.update(users)
            .where(users.c.id == user_id)
            .values(data_key=None, display_name=None, email=None)
        )
        if not (await self.conn.execute(stmt)).rowcount:
            return False
        open_request = sa.and_(
            deletion_requests.c.user_id == user_id,
            deletion_requests.c.cancelled_at.is_(None),
            deletion_requests.c.completed_at.is_(None),
        )
        hurried = sa.update(deletion_requests).where(open_request, deletion_requests.c.due_at > now)
        await self.conn.execute(hurried.values(due_at=now))
        found = await self.conn.execute(sa.select(deletion_requests.c.id).where(open_request))
        if found.first() is None:
            await self.conn.execute(
                sa.insert(deletion_requests).values(user_id=user_id, requested_at=now, due_at=now)
            )
        return True

    async def erase(self, user_id: int, *, now: datetime) -> dict[str, int]:
        """Delete the person's blobs and rows, anonymise what the law keeps, and leave a
        receipt. Counts per table (and `blobs`); the same on a re-run after a crash, and
        empty (no receipt) when someone else has already finished the erasure."""
        person = sa.select(users.c.id).where(users.c.id == user_id).with_for_update()
        if (await self.conn.execute(person)).first() is None:
            return {}
        counts = {"blobs": await self._delete_blobs(user_id)}
        for entry in registry.TABLES:
            if entry.link is None or entry.disposition == "none":
                continue
            where = self._linked(entry, user_id)
            table = metadata.tables[entry.name]
            if entry.disposition == "delete":
                result = await self.conn.execute(sa.delete(table).where(where))
                counts[entry.name] = int(result.rowcount)
            else:
                cleared = {column: None for column in entry.anonymise}
                result = await self.conn.execute(sa.update(table).where(where).values(cleared))
                counts[entry.name + ANONYMISED] = int(result.rowcount)
        await self.conn.execute(sa.insert(erasure_receipts).values(at=now, counts=counts))
        return counts

    async def purge_financial(self, older_than: datetime) -> int:
        """Delete anonymised ledger rows (no person linked) created before `older_than`."""
        stmt = sa.delete(credit_ledger).where(
            credit_ledger.c.user_id.is_(None), credit_ledger.c.created_at < older_than
        )
        return int((await self.conn.execute(stmt)).rowcount)

    async def receipts(self) -> list[Any]:
        """Every erasure receipt (id, at, counts), oldest first."""
        stmt = sa.select(erasure_receipts).order_by(erasure_receipts.c.id)
        return list(await self.conn.execute(stmt))

    async def _delete_blobs(self, user_id: int) -> int:
        """Delete every blob the person's rows reference; missing files count as deleted."""
        keys: list[str] = []
        for kind in registry.BLOBS:
            table_name, column = kind.referenced_by.split(".")
            entry = registry.table(table_name)
            table = metadata.tables[table_name]
            stmt = sa.select(table.c[column]).where(
                self._linked(entry, user_id), table.c[column].is_not(None)
            )
            keys.extend(str(key) for key in (await self.conn.execute(stmt)).scalars())
        for key in keys:
            self.blobs.delete(key)
        return len(keys)

    def _linked(self, entry: registry.TableEntry, user_id: int) -> Any:
        """A WHERE clause selecting the rows of `entry` that belong to the person."""
        if entry.link is None:
            raise ValueError(f"{entry.name} has no link to a person")
        table = metadata.tables[entry.name]
        column = table.c[entry.link.column]
        if entry.link.via is None:
            return column == user_id
        parent = metadata.tables[entry.link.via]
        return column.in_(sa.select(parent.c.id).where(parent.c.user_id == user_id))
