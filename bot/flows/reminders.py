"""Practice reminders (`/reminders HH:MM Area/City`, `/reminders off`): opt-in, one a day.

The reminder keeps the local time and IANA time zone the candidate chose and the next time
it is due, in UTC (daylight-saving changes are followed: each next time is computed in the
zone). `ReminderJob` runs every minute on the scheduler and sends a practice question
through the platform's sender (`App.senders`), to people who still consent.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.clock import Clock
from bot.core.models import Button, ChatRef, Reply
from bot.core.ports import ReplySink
from bot.core.records import ReminderRecord, UserRecord
from bot.core.store import Store
from bot.flows.commands import Command
from bot.flows.features import Request
from bot.flows.questions import LEVELS, ROLES, pick_questions
from bot.privacy.hashing import PersonHasher

log = logging.getLogger(__name__)
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")

HOW = (
    "I can send you one practice question a day, at the time you choose, in your time zone.\n"
    "/reminders 08:30 Europe/Berlin - every day at 08:30 Berlin time\n"
    "/reminders off - stop them\n"
    "Time zones are written Area/City, like America/New_York, Asia/Kolkata or UTC."
)
NONE_SET = "You have no practice reminder. " + HOW
CURRENT = "Your practice reminder: every day at {time} ({zone}); next one {next}. " + (
    "Send /reminders off to stop it."
)
SAVED = (
    "Done: a practice question every day at {time} ({zone}), starting {next}. "
    "Send /reminders off to stop."
)
STOPPED = "Practice reminders are off. Send /reminders HH:MM Area/City to turn them on again."
ALREADY_OFF = "You have no practice reminder to stop."
BAD_TIME = "I couldn't read the time {value!r}. Write it as HH:MM on a 24-hour clock, e.g. 07:45."
BAD_ZONE = (
    "I don't know the time zone {value!r}. Write it as Area/City, e.g. Europe/London, "
    "America/Chicago or Asia/Singapore (or UTC)."
)
NUDGE = (
    "Practice time! Here's today's question. Think of a real example and answer it out loud:\n\n"
    "{question}\n\nPress the button (or send /interview) for a full mock interview. "
    "/reminders off stops these messages."
)


def parse_time(value: str) -> time | None:
    """`7:45`, `07:45`, `07.45` or `07h45` as a time; None when it is not a clock time."""
    found = _TIME.match(value.strip())
    return time(int(found.group(1)), int(found.group(2))) if found else None


def parse_zone(value: str) -> ZoneInfo | None:
    """An IANA time zone by name, or None (never raises for odd input)."""
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def next_occurrence(now: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first moment after `now` whose wall-clock time in `zone` is `at`, in UTC."""
    local = now.astimezone(zone)
    day = local.date()
    for _ in range(3):
        candidate = datetime.combine(day, at, tzinfo=zone)
        if candidate > local:
            return candidate.astimezone(UTC)
        day += timedelta(days=1)
    raise AssertionError("unreachable: a wall-clock time recurs within two days")


def _when(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%a %d %b} at {local:%H:%M}"


class RemindersFeature:
    """`/reminders`: show, set or stop the candidate's daily practice reminder."""

    commands = frozenset({"reminders"})
    buttons: frozenset[str] = frozenset()
    before_consent: frozenset[str] = frozenset()

    def __init__(self, *, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def button(self, request: Request, kind: str, args: tuple[str, ...]) -> None:
        raise LookupError(kind)  # owns no buttons

    async def command(self, request: Request, command: Command) -> None:
        assert request.user is not None
        user, args = request.user, command.args
        async with self.store.unit_of_work() as uow:
            if not args:
                current = await uow.reminders.get(user)
                reply = self._current(current) if current else NONE_SET
            elif args[0].lower() in ("off", "stop", "cancel"):
                reply = STOPPED if await uow.reminders.delete(user.id) else ALREADY_OFF
            else:
                reply = await self._set(request, args)
        await request.reply(reply)

    async def _set(self, request: Request, args: tuple[str, ...]) -> str:
        assert request.user is not None
        at = parse_time(args[0])
        if at is None:
            return BAD_TIME.format(value=args[0])
        zone_name = args[1] if len(args) > 1 else "UTC"
        zone = parse_zone(zone_name)
        if zone is None:
            return BAD_ZONE.format(value=zone_name)
        now = self.clock.now()
        next_at = next_occurrence(now, at, zone)
        chat = request.chat
        async with self.store.unit_of_work() as uow:
            await uow.reminders.set(
                request.user, platform=chat.platform, chat_id=chat.chat_id,
                chat_user_id=chat.user_id, local_time=f"{at:%H:%M}", timezone=zone.key,
                next_at=next_at, now=now,
            )  # fmt: skip
        return SAVED.format(time=f"{at:%H:%M}", zone=zone.key, next=_when(next_at, zone.key))

    def _current(self, reminder: ReminderRecord) -> str:
        return CURRENT.format(
            time=reminder.local_time,
            zone=reminder.timezone,
            next=_when(reminder.next_at, reminder.timezone),
        )


def practice_nudge(user: UserRecord, now: datetime) -> Reply:
    """Today's practice question for the person's target role and level, with a start button."""
    role = user.target_role if user.target_role in ROLES else next(iter(ROLES))
    level = user.target_level if user.target_level in LEVELS else "mid"
    picked = pick_questions(role, level, 1, seed=now.toordinal() * 7919 + user.id)
    question = picked[0].text if picked else "Tell me about a project you're proud of."
    button = Button("Start a mock interview", f"level:{role}:{level}")
    return Reply(NUDGE.format(question=question), buttons=((button,),))


class ReminderJob:
    """Sends the reminders that are due; run every minute by the scheduler."""

    def __init__(
        self, *, store: Store, clock: Clock, senders: Mapping[str, ReplySink], hasher: PersonHasher
    ) -> None:
        self.store = store
        self.clock = clock
        self.senders = senders
        self.hasher = hasher

    async def run(self) -> int:
        """Send every due reminder once; how many were sent."""
        now = self.clock.now()
        async with self.store.unit_of_work() as uow:
            due = await uow.reminders.due(now=now)
        sent = 0
        for user, reminder in due:
            sent += await self._one(user, reminder, now)
        return sent

    async def _one(self, user: UserRecord, reminder: ReminderRecord, now: datetime) -> int:
        """Send one reminder (unless consent is gone or deletion pending), then move it on."""
        tag = self.hasher.tag(reminder.platform, reminder.chat_user_id)
        async with self.store.unit_of_work() as uow:
            if await uow.consents.current(user.id) is None:
                await uow.reminders.delete(user.id)  # consent withdrawn: reminders stop
                return 0
            paused = await uow.deletions.pending(user.id) is not None
            at = parse_time(reminder.local_time) or time(9, 0)
            zone = parse_zone(reminder.timezone) or ZoneInfo("UTC")
            await uow.reminders.sent(user.id, now=now, next_at=next_occurrence(now, at, zone))
        sender = self.senders.get(reminder.platform)
        if paused or sender is None:
            log.info("practice reminder for %s not sent (paused or platform offline)", tag)
            return 0
        chat = ChatRef(reminder.platform, reminder.chat_id, reminder.chat_user_id)
        try:
            await sender.send(chat, practice_nudge(user, now))
        except Exception as exc:  # one unreachable chat must not stop the others
            log.warning("practice reminder for %s failed: %s", tag, type(exc).__name__)
            return 0
        return 1
