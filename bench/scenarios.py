"""Each benchmark scenario in a fresh process, printing its figures as one JSON line.

    python -m bench.scenarios overhead '{"turns": 100, "spread_s": 25}'

Scenarios: overhead (turns arriving at a moderate pace, default provider latency),
concurrency (N candidates within a few seconds, the 30 msg/s flood limit on), cpu (voice
turns one at a time with no provider latency and no flood limit), echo (a bare PTB echo bot,
one at a time and in a burst), streaming, data.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from bench.harness import BotUnderTest, FakeWorld
from bench.turns import Run, ideal_voice_latencies, run_turns, throughput_fraction

FIRST_CHAT = 10_000_000


def chats(n: int) -> list[int]:
    return list(range(FIRST_CHAT, FIRST_CHAT + n))


def ms(values: list[float]) -> list[float]:
    return [v * 1000 for v in values]


async def overhead(turns: int = 60, spread_s: float = 60.0, scale: float = 1.0) -> dict[str, Any]:
    async with FakeWorld(scale=scale) as world, BotUnderTest(world) as bot:
        ids = chats(turns)
        await bot.seed(ids)
        run = await run_turns(bot, ids, spread_s=spread_s)
    return {
        "turns": len(run.turns), "errors": run.errors,
        "overhead_ms": ms([t.overhead_s for t in run.turns]),
        "e2e_ms": ms([t.e2e_s for t in run.turns]),
        "provider_ms": ms([t.provider_s for t in run.turns]),
        "codec_ms": ms([t.codec_s for t in run.turns]),
        "db_ms": ms([t.db_s for t in run.turns]),
        "encode_ms": run.encode_ms, "rejected_429": run.rejected_429,
    }  # fmt: skip


async def concurrency(
    candidates: int = 500, spread_s: float = 3.0, scale: float = 1.0, deadline_s: float = 600.0
) -> dict[str, Any]:
    async with FakeWorld(scale=scale) as world, BotUnderTest(world) as bot:
        ids = chats(candidates)
        await bot.seed(ids)
        run = await run_turns(bot, ids, spread_s=spread_s, deadline_s=deadline_s)
    return _concurrency_figures(run, candidates)


def _concurrency_figures(run: Run, candidates: int) -> dict[str, Any]:
    e2e = [t.e2e_s for t in run.turns]
    ideal = ideal_voice_latencies(run.turns)
    p95 = _quantile(e2e, 0.95)
    return {
        "candidates": candidates, "turns": len(run.turns), "errors": run.errors,
        "e2e_ms": ms(e2e), "ideal_ms": ms(ideal),
        "p95_over_ideal": p95 / _quantile(ideal, 0.95) if ideal else 0.0,
        "throughput_fraction": throughput_fraction(run.messages),
        "rejected_429": run.rejected_429, "peak_rss_mb": run.peak_rss_mb,
        "cpu_per_turn_ms": run.cpu_per_turn_ms, "chat_actions": run.chat_actions,
        "unanswered": run.unanswered, "codec_cpu_per_turn_ms": run.codec_cpu_per_turn_ms,
    }  # fmt: skip


async def cpu(turns: int = 100) -> dict[str, Any]:
    async with FakeWorld(scale=0.0, rate_per_s=None) as world, BotUnderTest(world) as bot:
        ids = chats(turns)
        await bot.seed(ids)
        run = await run_turns(bot, ids, one_at_a_time=True)
    return {
        "turns": len(run.turns), "errors": run.errors, "cpu_per_turn_ms": run.cpu_per_turn_ms,
        "codec_cpu_per_turn_ms": run.codec_cpu_per_turn_ms,
        "e2e_ms": ms([t.e2e_s for t in run.turns]),
    }  # fmt: skip


async def echo(one_by_one: int = 200, burst: int = 500) -> dict[str, Any]:
    from bench.echo import echo_bot_cpu

    async with FakeWorld(scale=0.0, rate_per_s=None) as world:
        return await echo_bot_cpu(world, one_by_one=one_by_one, burst=burst)


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


SCENARIOS: dict[str, Callable[..., Coroutine[Any, Any, dict[str, Any]]]] = {
    "overhead": overhead,
    "concurrency": concurrency,
    "cpu": cpu,
    "echo": echo,
}


def load(name: str) -> Callable[..., Coroutine[Any, Any, dict[str, Any]]]:
    """The scenario called `name` (streaming and data live in their own modules)."""
    if name == "streaming":
        from bench.streaming import streaming

        return streaming
    if name == "data":
        from bench.data_ops import data

        return data
    return SCENARIOS[name]


def main(argv: list[str]) -> None:
    name, params = argv[0], json.loads(argv[1] if len(argv) > 1 else "{}")
    print(json.dumps(asyncio.run(load(name)(**params))), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
