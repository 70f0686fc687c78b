"""SendPacer spaces a bot's messages to Telegram's limits (driven by a fake clock)."""

from __future__ import annotations

import pytest

from bot.adapters.telegram.pacing import SendPacer


class Clock:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_the_overall_budget_gives_out_thirty_slots_a_second_in_order() -> None:
    clock = Clock()
    pacer = SendPacer(per_second=30, clock=clock)
    slots = [pacer.reserve_slot() for _ in range(90)]
    assert slots[0] == 100.0
    assert [b - a for a, b in zip(slots, slots[1:], strict=False)] == pytest.approx([1 / 30] * 89)
    assert sum(1 for s in slots if s < 101.0 - 1e-9) == 30


def test_one_chat_may_burst_then_gets_one_message_a_second() -> None:
    clock = Clock()
    pacer = SendPacer(per_chat_per_second=1, chat_burst=3, clock=clock)
    turns = [pacer.reserve_chat(7) for _ in range(5)]
    assert turns == pytest.approx([100.0, 100.0, 100.0, 101.0, 102.0])


async def test_a_chat_waiting_for_its_turn_holds_no_other_chat_back() -> None:
    clock = Clock()
    pacer = SendPacer(
        per_second=30, per_chat_per_second=1, chat_burst=1, clock=clock.__call__, sleep=clock.sleep
    )
    await pacer.wait(1)
    assert pacer.reserve_chat(1) == pytest.approx(101.0)  # chat 1 must wait a second
    assert pacer.reserve_chat(2) == pytest.approx(100.0)  # chat 2 need not
    assert pacer.reserve_slot() == pytest.approx(100.0 + 1 / 30)  # only the overall spacing


async def test_waiting_sleeps_until_the_slot() -> None:
    clock = Clock()
    pacer = SendPacer(per_second=10, clock=clock.__call__, sleep=clock.sleep)
    for chat in range(3):
        await pacer.wait(chat)
    assert clock.slept == pytest.approx([0.1, 0.1])


def test_repeated_chat_actions_have_a_budget_of_their_own_that_refills() -> None:
    clock = Clock()
    pacer = SendPacer(actions_per_second=10, clock=clock)
    allowed = [pacer.allow_action() for _ in range(25)]
    assert allowed.count(True) == 10
    clock.now += 0.5
    assert [pacer.allow_action() for _ in range(10)].count(True) == 5
