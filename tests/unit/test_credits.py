"""Credits: welcome grant, the interview charge, its automatic refund, `/credits`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.core.clock import FixedClock
from bot.core.errors import ConfigError
from bot.payments.packs import Pack, star_packs, variant_credits
from tests.world import World, make_world

START = "level:software-engineer:mid"
LONG_ANSWER = "I led the migration of our billing system and we cut failed payments by half"


@pytest.fixture
async def paid_world(tmp_path: Path) -> AsyncIterator[World]:
    w = await make_world(tmp_path, clock=FixedClock(), COACH_CREDITS="on", COACH_FREE_CREDITS="2")
    yield w
    await w.app.close()


async def balance(world: World, user_id: str = "1001") -> int:
    async with world.app.db.unit_of_work() as uow:
        user = await uow.users.find("telegram", user_id)
        assert user is not None
        return await uow.ledger.balance(user.id)


async def test_an_out_of_credits_candidate_cannot_start_an_interview(paid_world: World) -> None:
    c = paid_world.candidate()
    await c.consent()
    for _ in range(2):  # two free credits: two interviews, each answered
        await c.press(START)
        await c.voice(LONG_ANSWER)
        await c.say("/end")
    reply = await c.press(START)
    assert "out of credits" in reply.text and "/buy" in reply.text
    assert "Question 1" not in reply.text
    assert await balance(paid_world) == 0
    assert await paid_world.count("interview_sessions") == 2


async def test_the_welcome_credits_are_granted_once(paid_world: World) -> None:
    c = paid_world.candidate()
    await c.consent()
    first = await c.say("/credits")
    second = await c.say("/credits")
    assert "You have 2 credits" in first.text and "You have 2 credits" in second.text
    assert await paid_world.count("credit_ledger") == 1


async def test_an_interview_ended_before_a_scored_answer_is_refunded(paid_world: World) -> None:
    c = paid_world.candidate()
    await c.consent()
    await c.press(START)
    assert await balance(paid_world) == 1
    await c.say("/end")
    assert await balance(paid_world) == 2
    await c.say("/end")  # nothing running: nothing more happens
    assert await balance(paid_world) == 2
    text = (await c.say("/credits")).text
    assert "+1  refund" in text and "-1  interview" in text and "+2  free credits" in text


async def test_starting_over_refunds_the_abandoned_unscored_interview(paid_world: World) -> None:
    c = paid_world.candidate()
    await c.consent()
    await c.press(START)
    await c.press("restart:sales:junior")
    assert await balance(paid_world) == 1  # one refund, one new charge


async def test_a_scored_interview_keeps_its_charge(paid_world: World) -> None:
    c = paid_world.candidate()
    await c.consent()
    await c.press(START)
    await c.voice(LONG_ANSWER)
    await c.say("/end")
    assert await balance(paid_world) == 1


async def test_with_credits_off_interviews_are_free_and_nothing_is_recorded(
    tmp_path: Path,
) -> None:
    world = await make_world(tmp_path, COACH_CREDITS="off", COACH_FREE_CREDITS="0")
    try:
        c = world.candidate()
        await c.consent()
        for _ in range(3):
            reply = await c.press("restart:software-engineer:mid")
            assert "Question 1" in reply.text
        assert "switched off" in (await c.say("/credits")).text
        assert await world.count("credit_ledger") == 0
    finally:
        await world.app.close()


@pytest.mark.parametrize("packs", ["5-250", "5:", "0:100", "five:250"])
def test_a_malformed_pack_list_stops_start_up_naming_the_variable(packs: str) -> None:
    with pytest.raises(ConfigError, match="COACH_STAR_PACKS"):
        load_settings({"COACH_STAR_PACKS": packs})


def test_packs_are_read_cheapest_first_and_variants_by_id() -> None:
    assert star_packs("20:900, 5:250") == (Pack(5, 250), Pack(20, 900))
    assert variant_credits("4401:5,4402:20") == {"4401": 5, "4402": 20}
    assert star_packs("") == ()
