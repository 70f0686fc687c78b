"""Streaming: time to the voice reply with the model's text voiced sentence by sentence,
against the same turns run strictly one step after another (COACH_VOICE_STREAMING off).

Both runs use the default provider latencies; the figure is the time from the voice update's
arrival to the first sendVoice of the reply.
"""

from __future__ import annotations

import statistics
from pathlib import Path
from typing import Any

from bench.harness import BotUnderTest, FakeWorld
from bench.turns import run_turns

BOT = Path(__file__).resolve().parents[1] / "bot"
FIRST_CHAT = 40_000_000


def streaming_switch_wired() -> bool:
    """Whether anything besides the settings reads COACH_VOICE_STREAMING (`voice_streaming`)."""
    sources = (p for p in BOT.rglob("*.py") if p.name != "config.py")
    return any("voice_streaming" in p.read_text(encoding="utf-8") for p in sources)


async def _first_voice_ms(enabled: bool, turns: int, scale: float) -> list[float]:
    flag = {"COACH_VOICE_STREAMING": "true" if enabled else "false"}
    async with FakeWorld(scale=scale) as world, BotUnderTest(world, extra_env=flag) as bot:
        ids = list(range(FIRST_CHAT, FIRST_CHAT + turns))
        await bot.seed(ids)
        run = await run_turns(bot, ids, one_at_a_time=True)
    return [t.e2e_s * 1000 for t in run.turns]


async def streaming(turns: int = 5, scale: float = 1.0) -> dict[str, Any]:
    if not streaming_switch_wired():
        return {"unavailable": "not measurable yet: COACH_VOICE_STREAMING not wired in"}
    streamed = await _first_voice_ms(True, turns, scale)
    sequential = await _first_voice_ms(False, turns, scale)
    ratio = (
        statistics.median(streamed) / statistics.median(sequential)
        if streamed and sequential
        else None
    )
    return {"streamed_ms": streamed, "sequential_ms": sequential, "ratio": ratio}
