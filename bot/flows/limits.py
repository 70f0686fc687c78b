"""Per-person rate limits as a Guard: voice notes per minute, interviews per day.

Counted from what is stored (recordings, interview sessions), so they hold across restarts
and workers. A refusal says when to try again; nothing is downloaded or stored meanwhile.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.core.clock import Clock
from bot.core.models import Inbound, Reply
from bot.core.records import UserRecord
from bot.core.store import UnitOfWork

MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
TOO_MANY_VOICE_NOTES = (
    "That's {limit} voice notes in a minute, the most I can take. Please send it again in "
    "{wait} seconds; nothing was lost, your earlier answers are saved."
)
TOO_MANY_INTERVIEWS = (
    "You've started {limit} interviews in the last 24 hours, the daily limit. You can start "
    "the next one at {when:%H:%M} UTC ({wait}). /progress shows how you're doing so far."
)


class RateLimits:
    def __init__(self, clock: Clock, voice_per_minute: int, interviews_per_day: int) -> None:
        self.clock = clock
        self.voice_per_minute = voice_per_minute
        self.interviews_per_day = interviews_per_day

    async def before_start(self, uow: UnitOfWork, user: UserRecord) -> Reply | None:
        now = self.clock.now()
        starts = await uow.stats.interview_starts(user.id, now - DAY)
        free_at = _free_at(starts, self.interviews_per_day, DAY, now)
        if free_at is None:
            return None
        text = TOO_MANY_INTERVIEWS.format(
            limit=self.interviews_per_day, when=free_at, wait=_in(free_at - now)
        )
        return Reply(text)

    async def before_answer(
        self, uow: UnitOfWork, user: UserRecord, inbound: Inbound
    ) -> Reply | None:
        if inbound.attachment is None or inbound.attachment.kind not in ("voice", "audio"):
            return None
        now = self.clock.now()
        notes = await uow.stats.voice_notes(user.id, now - MINUTE)
        free_at = _free_at(notes, self.voice_per_minute, MINUTE, now)
        if free_at is None:
            return None
        wait = max(1, round((free_at - now).total_seconds()))
        return Reply(TOO_MANY_VOICE_NOTES.format(limit=self.voice_per_minute, wait=wait))


def _free_at(
    times: list[datetime], limit: int, window: timedelta, now: datetime
) -> datetime | None:
    """None while under `limit` in the window ending `now`; else when a slot frees up."""
    if len(times) < limit:
        return None
    free_at = sorted(times)[-limit] + window
    return free_at if free_at > now else None


def _in(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    if minutes < 60:
        return f"in {minutes} min"
    return f"in {minutes // 60} h {minutes % 60:02d} min"
