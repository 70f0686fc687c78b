"""Background jobs inside `coach run`: the purge, on APScheduler's asyncio scheduler."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.privacy.purge import PurgeJob

log = logging.getLogger(__name__)
PURGE_JOB_ID = "privacy-purge"


def start_scheduler(purge: PurgeJob, *, interval_s: int) -> AsyncIOScheduler:
    """Purge now and every `interval_s`: fixed job id, one instance, misfires coalesced."""
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
    scheduler.start()
    return scheduler


async def run_purge(purge: PurgeJob) -> None:
    """One scheduled run; a failure is logged and retried at the next interval."""
    try:
        report = await purge.run()
        log.info("purge run finished: %s", report)
    except Exception:
        log.exception("purge run failed; it runs again at the next interval")
