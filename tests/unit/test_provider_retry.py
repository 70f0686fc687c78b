"""The bound on a whole provider call, and how failures are classified."""

from __future__ import annotations

import asyncio

import pytest

from bot.core.errors import ProviderError
from bot.providers.retry import deadline_s, error_kind, status_is_retryable, within


async def test_a_call_past_its_deadline_is_a_retryable_timeout() -> None:
    with pytest.raises(ProviderError, match="the AI judge timed out") as caught:
        await within(asyncio.sleep(5), seconds=0.01, what="the AI judge")

    assert caught.value.retryable
    assert error_kind(caught.value) == "timeout"


async def test_a_call_within_its_deadline_returns_its_result() -> None:
    async def answer() -> int:
        return 42

    assert await within(answer(), seconds=5, what="x") == 42


def test_the_deadline_covers_every_try_and_the_longest_backoffs() -> None:
    assert deadline_s(30.0, 2) == 30.0 * 3 + 8.0 * 2
    assert deadline_s(10.0, 0) == 10.0


@pytest.mark.parametrize(
    ("status", "retryable"),
    [(400, False), (401, False), (404, False), (408, True), (409, True), (422, False),
     (429, True), (500, True), (503, True), (529, True)],
)  # fmt: skip
def test_only_rate_limits_overload_timeouts_and_server_errors_are_retryable(
    status: int, retryable: bool
) -> None:
    assert status_is_retryable(status) is retryable


def test_an_error_without_a_known_cause_is_named_by_its_type() -> None:
    assert error_kind(ProviderError("the AI judge did not call the scoring tool")) == (
        "ProviderError"
    )
