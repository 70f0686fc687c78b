"""Voice turns through the running bot: push them, wait for the replies, measure each.

A turn starts when the fake Bot API hands the voice update to the bot (getUpdates returns)
and ends when the fake receives the bot's sendVoice for that chat. Provider time is the
union of that turn's provider calls; codec time the union of its decode/encode calls.
"""

from __future__ import annotations

import asyncio
import contextlib
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import BotUnderTest, voice_updates
from bench.timing import covered
from bot import audio

FLOOD_LIMIT_PER_S = 30.0
MESSAGE_METHODS = ("sendVoice", "sendMessage", "sendDocument", "sendPhoto")


@dataclass
class Turn:
    chat_id: str
    arrived: float
    voiced: float | None
    provider_s: float
    codec_s: float
    db_s: float = 0.0
    """Time in (or waiting for) database units of work, outside provider and codec calls."""

    @property
    def e2e_s(self) -> float:
        return (self.voiced or self.arrived) - self.arrived

    @property
    def overhead_s(self) -> float:
        return self.e2e_s - self.provider_s - self.codec_s


@dataclass
class Run:
    turns: list[Turn]
    errors: int
    cpu_s: float
    codec_cpu_s: float
    rejected_429: int
    messages: list[float] = field(default_factory=list)
    """When the fake received each message the bot sent (sorted)."""
    chat_actions: int = 0
    unanswered: int = 0
    """Turns with no message at all by the deadline (also counted in `errors`)."""
    peak_rss_mb: float = 0.0
    encode_ms: list[float] = field(default_factory=list)

    @property
    def cpu_per_turn_ms(self) -> float:
        """The bot process's CPU (the codec runs in its own) per voice update sent, failed
        turns included."""
        return self.cpu_s / max(1, len(self.turns) + self.errors) * 1000

    @property
    def codec_cpu_per_turn_ms(self) -> float:
        """The codec processes' CPU per voice update sent."""
        return self.codec_cpu_s / max(1, len(self.turns) + self.errors) * 1000


async def run_turns(
    bot: BotUnderTest, chat_ids: list[int], *, spread_s: float = 0.0,
    one_at_a_time: bool = False, deadline_s: float = 600.0,
) -> Run:  # fmt: skip
    """Send one voice answer per chat (spread evenly over `spread_s`), wait for every reply
    (at most `deadline_s`; turns unanswered by then count as errors)."""
    world, recorder = bot.world, bot.recorder
    file_id = await bot.answer_file()
    updates = voice_updates(chat_ids, file_id)
    await world.call("/reset")
    recorder.turns.clear()
    codec_before, encodes_before = len(recorder.codec_cpu_s), len(recorder.encode_s)
    cpu_before = time.process_time()
    if one_at_a_time:
        for done, update in enumerate(updates, start=1):
            await world.call("/push", [update])
            await world.call("/wait", {"method": "sendMessage", "count": done, "timeout": 60})
    else:
        await _push_spread(bot, updates, spread_s)
        wait = {"method": "sendMessage", "count": len(updates), "timeout": deadline_s}
        await world.call("/wait", wait)
    cpu_s = time.process_time() - cpu_before
    report = await world.call("/report")
    codec_cpu = sum(recorder.codec_cpu_s[codec_before:])
    run = _analyse(bot, report, updates, cpu_s, codec_cpu)
    run.encode_ms = [s * 1000 for s in recorder.encode_s[encodes_before:]]
    return run


async def _push_spread(bot: BotUnderTest, updates: list[dict[str, Any]], spread_s: float) -> None:
    """Push the updates at an even pace over `spread_s` seconds, in 50 ms batches."""
    started, step, sent = time.monotonic(), 0.05, 0
    while sent < len(updates):
        elapsed = time.monotonic() - started
        due = (
            len(updates)
            if spread_s <= 0
            else min(len(updates), int(elapsed / spread_s * len(updates)) + 1)
        )
        if due > sent:
            await bot.world.call("/push", updates[sent:due])
            sent = due
        await asyncio.sleep(step)


def _analyse(
    bot: BotUnderTest, report: dict[str, Any], updates: list[dict[str, Any]], cpu_s: float,
    codec_cpu_s: float,
) -> Run:  # fmt: skip
    voiced: dict[str, float] = {}
    answered: set[str] = set()
    messages: list[float] = []
    actions = 0
    for method, chat_id, at in report["calls"]:
        if method in MESSAGE_METHODS:
            messages.append(at)
            answered.add(chat_id)
        if method == "sendVoice":
            voiced.setdefault(chat_id, at)
        actions += method == "sendChatAction"
    turns, errors = [], 0
    for update in updates:
        chat_id = str(update["message"]["chat"]["id"])
        arrived = report["delivered"].get(str(update["update_id"]))
        clock = bot.recorder.turns.get(chat_id)
        end = voiced.get(chat_id)
        if arrived is None or end is None or clock is None:
            errors += 1
            continue
        provider = covered(clock.providers, arrived, end)
        both = covered(clock.providers + clock.codec, arrived, end)
        every = covered(clock.providers + clock.codec + clock.db, arrived, end)
        turns.append(Turn(chat_id, arrived, end, provider, both - provider, every - both))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 + _codec_peak_mb()
    unanswered = sum(1 for u in updates if str(u["message"]["chat"]["id"]) not in answered)
    return Run(
        turns, errors, cpu_s, codec_cpu_s, report["rejected"], sorted(messages), actions,
        unanswered, peak,
    )  # fmt: skip


def _codec_peak_mb() -> float:
    """The codec processes' peak memory (VmHWM), which the bot's own figure leaves out."""
    total = 0.0
    for pid in list(audio.codec_pool()._processes or {}):  # no public list of workers
        with contextlib.suppress(OSError):
            status = Path(f"/proc/{pid}/status").read_text()
            total += next(int(line.split()[1]) for line in status.splitlines()
                          if line.startswith("VmHWM:")) / 1024  # fmt: skip
    return total


def ideal_voice_latencies(turns: list[Turn], rate_per_s: float = FLOOD_LIMIT_PER_S) -> list[float]:
    """Each turn's wait under the ideal schedule: its provider time, then fair queueing.

    Every turn's two messages (voice, then text) join one FIFO queue served at the platform
    limit as soon as the turn's providers are done; the voice's wait is its latency.
    """
    ready = sorted((t.arrived + t.provider_s, t.arrived) for t in turns)
    free_at, latencies = 0.0, []
    for at, arrived in ready:
        voice_at = max(at, free_at)
        free_at = voice_at + 2 / rate_per_s
        latencies.append(voice_at - arrived)
    return latencies


def throughput_fraction(messages: list[float], rate_per_s: float = FLOOD_LIMIT_PER_S) -> float:
    """Messages per second between the first and the last, as a fraction of the limit."""
    if len(messages) < 2:
        return 0.0
    return (len(messages) - 1) / (messages[-1] - messages[0]) / rate_per_s
