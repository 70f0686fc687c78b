"""The usage meter: listeners hear every call, `collect()` gathers one task's calls."""

from __future__ import annotations

import asyncio
import logging

import pytest

from bot.core.errors import ProviderError
from bot.core.usage import Usage, UsageMeter
from bot.providers.metering import metered
from storage.repos.usage import percentile


def call(stage: str = "stt", *, ok: bool = True) -> Usage:
    return Usage(stage, "openai-whisper", "whisper-1", 0.25, ok, None if ok else "http_500")


def test_every_listener_hears_every_call_and_a_failing_one_is_only_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    meter, heard = UsageMeter(), []

    def broken(_usage: Usage) -> None:
        raise RuntimeError("exporter down")

    meter.add_listener(broken)
    meter.add_listener(heard.append)
    meter.report(call("stt"))
    meter.report(call("tts"))

    assert [u.stage for u in heard] == ["stt", "tts"]
    assert "usage listener failed" in caplog.text


async def test_collect_gathers_the_calls_of_its_block_and_of_tasks_it_starts() -> None:
    meter = UsageMeter()
    meter.report(call("judge"))  # before the block: not collected

    async def in_a_task() -> None:
        meter.report(call("tts"))

    with meter.collect() as calls:
        meter.report(call("stt"))
        await asyncio.gather(in_a_task(), in_a_task())
    meter.report(call("interviewer"))  # after the block: not collected

    assert [u.stage for u in calls] == ["stt", "tts", "tts"]


async def test_concurrent_turns_collect_only_their_own_calls() -> None:
    meter = UsageMeter()

    async def turn(stage: str) -> list[Usage]:
        with meter.collect() as calls:
            for _ in range(3):
                meter.report(call(stage))
                await asyncio.sleep(0)
        return calls

    first, second = await asyncio.gather(turn("stt"), turn("tts"))

    assert {u.stage for u in first} == {"stt"} and len(first) == 3
    assert {u.stage for u in second} == {"tts"} and len(second) == 3


async def test_a_metered_failure_is_reported_with_its_kind_and_raised() -> None:
    meter, heard = UsageMeter(), []
    meter.add_listener(heard.append)

    with pytest.raises(ProviderError):
        async with metered(meter, stage="tts", provider="cartesia", model="sonic-3") as tally:
            tally.characters = 12
            raise ProviderError("voice synthesis timed out", retryable=True) from TimeoutError()

    [usage] = heard
    assert (usage.ok, usage.error_kind, usage.characters) == (False, "timeout", 12)
    assert usage.latency_s >= 0


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]

    assert percentile(values, 50) == 50
    assert percentile(values, 95) == 95
    assert percentile([7.0], 95) == 7
    assert percentile([], 50) == 0


def test_logging_of_the_meter_names_no_content(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    UsageMeter().report(call())

    assert caplog.text == ""
