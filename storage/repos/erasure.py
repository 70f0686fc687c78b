"""Erasing people in batches, driven by the data registry, plus the financial retention purge.

The caller commits `shred_keys` on its own before `erase_many`: once the wrapped data keys
are gone, every sealed value and blob of those people is unreadable, so a crash at any later
point leaves nothing readable behind and a re-run of `erase_many` finishes the job. Each
statement covers the whole batch (`IN (...)`, one per table), and every erased person still
gets a receipt of their own. `shred_key` and `erase` are the batch of one.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Sequence
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
Ids = sa.BindParameter[Any]
ERASED = tuple(e for e in registry.TABLES if e.link is not None and e.disposition != "none")
"""The tables erasure touches, in registry order (rows that reference others first)."""


class ErasureRaced(RuntimeError):
    """Rows of the people being erased changed between counting and deleting them; the
    transaction is rolled back and the people stay due, so the next run repeats it."""


class ErasureRepository(Repository):
    """The SQL (and blob deletions) that erase people; see the module docstring for order."""

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
        """`shred_keys` for one person: False when no such person."""
        return bool(await self.shred_keys([user_id], now=now))

    async def shred_keys(self, user_ids: Sequence[int], *, now: datetime) -> list[int]:
        """Destroy the people's data keys and make sure each has a due deletion request, so
        an interrupted erasure is finished by the next purge. The ids that exist, sorted."""
        if not user_ids:
            return []
        stmt = (
            sa.update(users)
            .where(users.c.id.in_(_any_of(user_ids)))
            .values(data_key=None, display_name=None, email=None)
            .returning(users.c.id)
        )
        found = sorted(int(i) for i in (await self.conn.execute(stmt)).scalars())
        if not found:
            return []
        open_request = sa.and_(
            deletion_requests.c.user_id.in_(_any_of(found)),
            deletion_requests.c.cancelled_at.is_(None),
            deletion_requests.c.completed_at.is_(None),
        )
        hurried = sa.update(deletion_requests).where(open_request, deletion_requests.c.due_at > now)
        await self.conn.execute(hurried.values(due_at=now))
        requested = sa.select(deletion_requests.c.user_id).where(open_request)
        has = {int(i) for i in (await self.conn.execute(requested)).scalars()}
        missing = [
            {"user_id": i, "requested_at": now, "due_at": now} for i in found if i not in has
        ]
        if missing:
            await self.conn.execute(sa.insert(deletion_requests), missing)
        return found

    async def erase(self, user_id: int, *, now: datetime) -> dict[str, int]:
        """`erase_many` for one person: their counts, empty when there is nothing to erase."""
        return (await self.erase_many([user_id], now=now)).get(user_id, {})

    async def erase_many(
        self, user_ids: Sequence[int], *, now: datetime
    ) -> dict[int, dict[str, int]]:
        """Delete the people's blobs and rows, anonymise what the law keeps, and leave one
        receipt per person. Counts per table (and `blobs`) for each person erased here: the
        same on a re-run after a crash; people someone else has already erased are left out
        (no receipt). Their `users` rows are locked first, so racing workers count each once."""
        if not user_ids:
            return {}
        person = (
            sa.select(users.c.id)
            .where(users.c.id.in_(_any_of(user_ids)))
            .order_by(users.c.id)
            .with_for_update()
        )
        ids = [int(i) for i in (await self.conn.execute(person)).scalars()]
        if not ids:
            return {}
        counts: dict[int, dict[str, int]] = {i: {} for i in ids}
        people = _any_of(ids)
        _tally(counts, "blobs", await self._delete_blobs(people))
        for entry in ERASED:
            per_person = await self._count(entry, people)
            table = metadata.tables[entry.name]
            stmt: sa.Delete | sa.Update
            if entry.disposition == "delete":
                key, stmt = entry.name, sa.delete(table)
            else:
                cleared = {column: None for column in entry.anonymise}
                key, stmt = entry.name + ANONYMISED, sa.update(table).values(cleared)
            result = await self.conn.execute(stmt.where(_linked(entry, people)))
            if int(result.rowcount) != per_person.total():
                raise ErasureRaced(f"{entry.name} changed during the erasure")
            _tally(counts, key, per_person)
        receipts = [{"at": now, "counts": person_counts} for person_counts in counts.values()]
        await self.conn.execute(sa.insert(erasure_receipts), receipts)
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

    async def _delete_blobs(self, people: Ids) -> Counter[int]:
        """Delete every blob the people's rows reference (missing files count as deleted),
        in a thread: a batch is thousands of files, too many to unlink on the event loop.
        The number per person."""
        owners: Counter[int] = Counter()
        keys: list[str] = []
        for kind in registry.BLOBS:
            table_name, column = kind.referenced_by.split(".")
            entry = registry.table(table_name)
            owner, source = _owner(entry)
            key = metadata.tables[table_name].c[column]
            stmt = (
                sa.select(owner, key).select_from(source).where(owner.in_(people), key.is_not(None))
            )
            for user_id, blob_key in (await self.conn.execute(stmt)).all():
                keys.append(str(blob_key))
                owners[int(user_id)] += 1
        await asyncio.to_thread(lambda: [self.blobs.delete(key) for key in keys])
        return owners

    async def _count(self, entry: registry.TableEntry, people: Ids) -> Counter[int]:
        """Rows of `entry` per person (one grouped query)."""
        owner, source = _owner(entry)
        stmt = (
            sa.select(owner, sa.func.count())
            .select_from(source)
            .where(owner.in_(people))
            .group_by(owner)
        )
        return Counter({int(i): int(n) for i, n in (await self.conn.execute(stmt)).all()})


def _any_of(user_ids: Sequence[int]) -> Ids:
    """The ids as one expanding `IN (...)` parameter, built once and shared by the batch's
    statements (coercing hundreds of literals per statement costs more than the SQL)."""
    return sa.bindparam("user_ids", list(user_ids), expanding=True)


def _owner(entry: registry.TableEntry) -> tuple[Any, Any]:
    """The column holding the owner's user id for rows of `entry`, and the table (joined to
    its `via` parent when the link goes through one) to select it from."""
    if entry.link is None:
        raise ValueError(f"{entry.name} has no link to a person")
    table = metadata.tables[entry.name]
    if entry.link.via is None:
        return table.c[entry.link.column], table
    parent = metadata.tables[entry.link.via]
    return parent.c.user_id, table.join(parent, table.c[entry.link.column] == parent.c.id)


def _linked(entry: registry.TableEntry, people: Ids) -> Any:
    """A WHERE clause selecting the rows of `entry` that belong to the people."""
    if entry.link is None:
        raise ValueError(f"{entry.name} has no link to a person")
    column = metadata.tables[entry.name].c[entry.link.column]
    if entry.link.via is None:
        return column.in_(people)
    parent = metadata.tables[entry.link.via]
    return column.in_(sa.select(parent.c.id).where(parent.c.user_id.in_(people)))


def _tally(counts: dict[int, dict[str, int]], key: str, per_person: Counter[int]) -> None:
    """Add one column of counts (zero for people without rows) to every person's counts."""
    for user_id, person_counts in counts.items():
        person_counts[key] = per_person[user_id]
