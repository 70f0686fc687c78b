"""Background jobs inside `coach run`, on APScheduler's asyncio scheduler: the purge, and
the practice reminders (#10) every minute."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.flows.reminders import ReminderJob
from bot.privacy.purge import PurgeJob

log = logging.getLogger(__name__)
PURGE_JOB_ID = "privacy-purge"
REMINDER_JOB_ID = "practice-reminders"
REMINDER_INTERVAL_S = 60


def start_scheduler(
    purge: PurgeJob, *, interval_s: int, reminders: ReminderJob | None = None
) -> AsyncIOScheduler:
    """Purge now and every `interval_s`: fixed job id, one instance, misfires coalesced;
    with `reminders`, send the due practice reminders every minute the same way."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        run_purge,
        "interval",
        seconds=interval_s,
        args=(purge,),
        id=PURGE_JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=interval_s,
        next_run_time=datetime.now(UTC),
    )
    if reminders is not None:
        scheduler.add_job(
            run_reminders, "interval", seconds=REMINDER_INTERVAL_S, args=(reminders,),
            id=REMINDER_JOB_ID, replace_existing=True, max_instances=1, coalesce=True,
            misfire_grace_time=REMINDER_INTERVAL_S,
        )  # fmt: skip
    scheduler.start()
    return scheduler


def start_daily(
    job: Callable[[], Awaitable[object]], *, job_id: str, hour_utc: int
) -> AsyncIOScheduler:
    """Run `job` every day at `hour_utc`:00 UTC (one instance, a missed run done once)."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.add_job(
        job, "cron", hour=hour_utc, id=job_id, replace_existing=True, max_instances=1,
        coalesce=True, misfire_grace_time=3600,
    )  # fmt: skip
    scheduler.start()
    return scheduler


_RUNNING: set[asyncio.Task[Any]] = set()
"""Job runs in progress, so that stopping can wait for them before the database closes."""


async def stop_scheduler(scheduler: AsyncIOScheduler) -> None:
    """Stop the scheduler and wait for a job run it cancelled to unwind: a purge cut off
    while the database is being closed would otherwise never finish (and hang the exit)."""
    scheduler.shutdown(wait=False)
    running = [task for task in _RUNNING if task is not asyncio.current_task()]
    for task in running:
        task.cancel()
    await asyncio.gather(*running, return_exceptions=True)


def _tracked(job: Callable[..., Awaitable[None]]) -> Callable[..., Awaitable[None]]:
    @functools.wraps(job)
    async def run(*args: Any) -> None:
        task = asyncio.current_task()
        if task is not None:
            _RUNNING.add(task)
        try:
            await job(*args)
        finally:
            if task is not None:
                _RUNNING.discard(task)

    return run


@_tracked
async def run_purge(purge: PurgeJob) -> None:
    """One scheduled run; a failure is logged and retried at the next interval."""
    try:
        report = await purge.run()
        log.info("purge run finished: %s", report)
    except Exception:
        log.exception("purge run failed; it runs again at the next interval")


@_tracked
async def run_reminders(reminders: ReminderJob) -> None:
    """One reminder round; a failure is logged and the next minute tries again."""
    try:
        sent = await reminders.run()
        if sent:
            log.info("practice reminders sent: %s", sent)
    except Exception:
        log.exception("practice reminders failed; they run again in a minute")
