"""The purge job: erase everyone whose grace period has ended, then the expired records.

Crash safety comes from the order of work per person: the data key is destroyed and a due
deletion request ensured in one committed transaction; blobs and rows go in the next one,
together with the receipt and the removal of the request. Interrupted anywhere, the request
is still due, so the next run (or `coach purge`) repeats the second step and ends in the
same state. Logs carry counts only, never ids.
"""

from __future__ import annotations

import logging
from collections import Counter
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.clock import Clock
from bot.privacy.registry import FINANCIAL_RETENTION_YEARS

log = logging.getLogger(__name__)


class Erasure(Protocol):
    async def try_purge_lock(self) -> bool: ...
    async def shred_key(self, user_id: int, *, now: datetime) -> bool: ...
    async def erase(self, user_id: int, *, now: datetime) -> dict[str, int]: ...
    async def purge_financial(self, older_than: datetime) -> int: ...


class DueDeletions(Protocol):
    async def due(self, now: datetime) -> list[int]: ...


class ForgettableUpdates(Protocol):
    async def forget_before(self, cutoff: datetime) -> int: ...


class PurgeUnit(Protocol):
    """What the purge needs from one transaction (read-only members: covariant)."""

    @property
    def erasure(self) -> Erasure: ...
    @property
    def deletions(self) -> DueDeletions: ...
    @property
    def updates(self) -> ForgettableUpdates: ...


class PurgeStore(Protocol):
    """`storage.db.Database` conforms structurally; bot.privacy stays driver-free."""

    def unit_of_work(self) -> AbstractAsyncContextManager[PurgeUnit]: ...
    async def maintenance(self) -> None: ...


@dataclass(frozen=True, slots=True)
class PurgeReport:
    people_erased: int = 0
    people_failed: int = 0  # left due; the next run finishes them
    rows: dict[str, int] = field(default_factory=dict)  # per table (":anonymised" suffix)
    blobs_deleted: int = 0
    financial_rows_deleted: int = 0
    updates_forgotten: int = 0
    skipped: bool = False  # another worker held the purge lock


class PurgeJob:
    def __init__(
        self,
        *,
        db: PurgeStore,
        clock: Clock,
        financial_retention_years: int = FINANCIAL_RETENTION_YEARS,
        update_retention_days: int = 7,
    ) -> None:
        self.db = db
        self.clock = clock
        self.financial_retention_years = financial_retention_years
        self.update_retention = timedelta(days=update_retention_days)

    async def run(self, *, now: datetime | None = None) -> PurgeReport:
        """Erase every person whose deletion is due at `now` (default: the clock), delete
        expired financial rows and update ids, then scrub storage. Once across workers."""
        now = now or self.clock.now()
        async with self.db.unit_of_work() as lock:
            if not await lock.erasure.try_purge_lock():
                log.info("purge skipped: another worker is purging")
                return PurgeReport(skipped=True)
            report = await self._purge(now)
        if report.people_erased or report.financial_rows_deleted:
            await self.db.maintenance()
        log.info(
            "purge done: %s people erased, %s failed, %s rows, %s blobs, %s financial rows",
            report.people_erased,
            report.people_failed,
            sum(report.rows.values()),
            report.blobs_deleted,
            report.financial_rows_deleted,
        )
        return report

    async def erase_now(self, user_id: int) -> dict[str, int]:
        """Erase one person at once ("delete now"); counts per table, empty when unknown.
        Raises if interrupted; the person's key is gone by then and the purge finishes."""
        now = self.clock.now()
        counts = await self._erase(user_id, now)
        if counts:
            await self.db.maintenance()
        log.info("immediate erasure: %s rows and blobs", sum(counts.values()))
        return counts

    async def _purge(self, now: datetime) -> PurgeReport:
        async with self.db.unit_of_work() as uow:
            due = await uow.deletions.due(now)
        totals: Counter[str] = Counter()
        erased = failed = 0
        for user_id in dict.fromkeys(due):
            try:
                totals.update(await self._erase(user_id, now))
            except Exception as exc:  # one person's failure must not stop the others
                failed += 1
                log.error("erasure interrupted (%s); the next run resumes it", type(exc).__name__)
            else:
                erased += 1
        async with self.db.unit_of_work() as uow:
            financial = await uow.erasure.purge_financial(self._retention_cutoff(now))
            forgotten = await uow.updates.forget_before(now - self.update_retention)
        blobs = totals.pop("blobs", 0)
        return PurgeReport(erased, failed, dict(totals), blobs, financial, forgotten)

    async def _erase(self, user_id: int, now: datetime) -> dict[str, int]:
        async with self.db.unit_of_work() as uow:
            if not await uow.erasure.shred_key(user_id, now=now):
                return {}
        async with self.db.unit_of_work() as uow:
            return await uow.erasure.erase(user_id, now=now)

    def _retention_cutoff(self, now: datetime) -> datetime:
        """`now` minus the retention in calendar years (29 February becomes the 28th)."""
        year = now.year - self.financial_retention_years
        try:
            return now.replace(year=year)
        except ValueError:
            return now.replace(year=year, day=28)
