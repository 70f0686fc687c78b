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
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.core.clock import Clock
from bot.privacy.registry import AUDIT_RETENTION_YEARS, FINANCIAL_RETENTION_YEARS

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


class AuditTrail(Protocol):
    async def record(
        self, *, actor: str, action: str, now: datetime, detail: dict[str, Any] | None = None
    ) -> None: ...
    async def forget_before(self, cutoff: datetime) -> int: ...


class PurgeUnit(Protocol):
    """What the purge needs from one transaction (read-only members: covariant)."""

    @property
    def erasure(self) -> Erasure: ...
    @property
    def deletions(self) -> DueDeletions: ...
    @property
    def updates(self) -> ForgettableUpdates: ...
    @property
    def audit(self) -> AuditTrail: ...


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
    audit_entries_forgotten: int = 0  # older than the registry's audit retention
    skipped: bool = False  # another worker held the purge lock


class PurgeJob:
    def __init__(
        self,
        *,
        db: PurgeStore,
        clock: Clock,
        financial_retention_years: int = FINANCIAL_RETENTION_YEARS,
        update_retention_days: int = 7,
        forgetters: Sequence[Callable[[int], Awaitable[None]]] = (),
    ) -> None:
        self.db = db
        self.forgetters = forgetters
        """Processors asked to forget the person (MailerLite) after the key is shredded and
        before the rows go; one failing leaves the person due, so the next run asks again."""
        self.clock = clock
        self.financial_retention_years = financial_retention_years
        self.update_retention = timedelta(days=update_retention_days)
        self.runs: Counter[str] = Counter()  # "done" / "skipped", for /metrics

    async def run(self, *, now: datetime | None = None) -> PurgeReport:
        """Erase every person whose deletion is due at `now` (default: the clock), delete
        expired financial rows and update ids, then scrub storage. Once across workers."""
        now = now or self.clock.now()
        async with self.db.unit_of_work() as lock:
            if not await lock.erasure.try_purge_lock():
                log.info("purge skipped: another worker is purging")
                self.runs["skipped"] += 1
                return PurgeReport(skipped=True)
            report = await self._purge(now)
        self.runs["done"] += 1
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
            kept_years = self.financial_retention_years
            financial = await uow.erasure.purge_financial(self._years_before(now, kept_years))
            forgotten = await uow.updates.forget_before(now - self.update_retention)
            audit = await uow.audit.forget_before(self._years_before(now, AUDIT_RETENTION_YEARS))
            if erased or failed or financial or audit:
                detail = {"people": erased, "failed": failed, "rows": sum(totals.values()),
                          "financial_rows": financial, "audit_entries": audit}  # fmt: skip
                await uow.audit.record(
                    actor="system:purge", action="privacy.purged", now=now, detail=detail
                )
        blobs = totals.pop("blobs", 0)
        return PurgeReport(erased, failed, dict(totals), blobs, financial, forgotten, audit)

    async def _erase(self, user_id: int, now: datetime) -> dict[str, int]:
        async with self.db.unit_of_work() as uow:
            if not await uow.erasure.shred_key(user_id, now=now):
                return {}
        for forget in self.forgetters:
            await forget(user_id)
        async with self.db.unit_of_work() as uow:
            return await uow.erasure.erase(user_id, now=now)

    @staticmethod
    def _years_before(now: datetime, years: int) -> datetime:
        """`now` minus `years` calendar years (29 February becomes the 28th)."""
        year = now.year - years
        try:
            return now.replace(year=year)
        except ValueError:
            return now.replace(year=year, day=28)
