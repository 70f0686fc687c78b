"""The purge job: erase everyone whose grace period has ended, then the expired records.

People are erased in batches of `BATCH_SIZE` (one statement per table for the whole batch).
Crash safety comes from the order of work: the batch's data keys are destroyed and due
deletion requests ensured in one committed transaction; then the forgetters are asked, per
person; blobs and rows go in the next transaction, together with one receipt per person and
the removal of the requests. Interrupted anywhere, the requests are still due, so the next
run (or `coach purge`) repeats the second step and ends in the same state. A forgetter
failing leaves only that person due; a failing transaction leaves only its batch due.
Logs carry counts only, never ids.
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
BATCH_SIZE = 500
"""People per batch: a statement binds this many ids and a few values (old SQLite: 999)."""


class Erasure(Protocol):
    async def try_purge_lock(self) -> bool: ...
    async def shred_keys(self, user_ids: Sequence[int], *, now: datetime) -> list[int]: ...
    async def erase_many(
        self, user_ids: Sequence[int], *, now: datetime
    ) -> dict[int, dict[str, int]]: ...
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
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.db = db
        self.forgetters = forgetters
        """Processors asked to forget the person (MailerLite) after the key is shredded and
        before the rows go; one failing leaves the person due, so the next run asks again."""
        self.clock = clock
        self.financial_retention_years = financial_retention_years
        self.update_retention = timedelta(days=update_retention_days)
        self.runs: Counter[str] = Counter()  # "done" / "skipped", for /metrics
        self.batch_size = batch_size  # people erased together (two transactions per batch)

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
        erased, errors = await self._erase([user_id], now)
        if errors:
            raise errors[0]
        counts = erased.get(user_id, {})
        if counts:
            await self.db.maintenance()
        log.info("immediate erasure: %s rows and blobs", sum(counts.values()))
        return counts

    async def _purge(self, now: datetime) -> PurgeReport:
        async with self.db.unit_of_work() as uow:
            due = list(dict.fromkeys(await uow.deletions.due(now)))
        totals: Counter[str] = Counter()
        erased = failed = 0
        for start in range(0, len(due), self.batch_size):
            batch = due[start : start + self.batch_size]
            try:
                people, errors = await self._erase(batch, now)
            except Exception as exc:  # one batch's failure must not stop the others
                failed += len(batch)
                log.error("erasure of %s people interrupted (%s); the next run resumes it",
                          len(batch), type(exc).__name__)  # fmt: skip
                continue
            for error in errors:
                log.error("a processor could not forget a person (%s); the next run asks again",
                          type(error).__name__)  # fmt: skip
            failed += len(errors)
            erased += len(people)
            for counts in people.values():
                totals.update(counts)
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

    async def _erase(
        self, user_ids: Sequence[int], now: datetime
    ) -> tuple[dict[int, dict[str, int]], list[Exception]]:
        """Shred the keys (committed), ask the forgetters per person, then erase the rows of
        everyone forgotten. Counts per erased person, and the forgetters' errors (each
        leaves its person due). Unknown or already erased people are in neither."""
        async with self.db.unit_of_work() as uow:
            shredded = await uow.erasure.shred_keys(user_ids, now=now)
        forgotten: list[int] = []
        errors: list[Exception] = []
        for user_id in shredded:
            try:
                for forget in self.forgetters:
                    await forget(user_id)
            except Exception as exc:  # this person stays due; the others go on
                errors.append(exc)
            else:
                forgotten.append(user_id)
        if not forgotten:
            return {}, errors
        async with self.db.unit_of_work() as uow:
            return await uow.erasure.erase_many(forgotten, now=now), errors

    @staticmethod
    def _years_before(now: datetime, years: int) -> datetime:
        """`now` minus `years` calendar years (29 February becomes the 28th)."""
        year = now.year - years
        try:
            return now.replace(year=year)
        except ValueError:
            return now.replace(year=year, day=28)
