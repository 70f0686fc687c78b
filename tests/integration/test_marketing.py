"""Marketing e-mail: opt-in and opt-out reach a loopback MailerLite; erasure forgets them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from tests.fake_servers.mailerlite_api import API_KEY, FakeMailerLite
from tests.fakes import Candidate
from tests.world import World, make_world

EMAIL = "grace.h@example.org"


@dataclass
class Setup:
    world: World
    mail: FakeMailerLite
    clock: FixedClock

    async def person(self) -> Candidate:
        c = self.world.candidate()
        await c.consent()
        return c


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    mail = FakeMailerLite()
    await mail.start()
    clock = FixedClock()
    world = await make_world(
        tmp_path, clock=clock, MAILERLITE_API_KEY=API_KEY, MAILERLITE_BASE_URL=mail.base_url,
        MAILERLITE_GROUP_ID="g-tips", COACH_PROVIDER_TIMEOUT_S="5",
    )  # fmt: skip
    yield Setup(world, mail, clock)
    await world.app.close()
    await mail.stop()


async def test_nothing_reaches_mailerlite_before_the_person_opts_in(setup: Setup) -> None:
    c = await setup.person()
    await c.say(f"/profile email {EMAIL}")
    reply = await c.say("/marketing on")
    assert "/marketing on you@example.org" in reply.text
    assert (await c.say("/marketing")).text.startswith("Tips and updates by e-mail are off")
    assert setup.mail.requests == []


async def test_opt_in_reaches_mailerlite_unconfirmed_and_records_when_and_how(
    setup: Setup,
) -> None:
    c = await setup.person()
    reply = await c.say(f"/marketing on {EMAIL}")
    assert "confirmation link" in reply.text
    (subscriber,) = setup.mail.subscribers.values()
    assert subscriber["email"] == EMAIL and subscriber["status"] == "unconfirmed"
    assert subscriber["groups"] == ["g-tips"]
    assert subscriber["opted_in_at"] == setup.clock.now().strftime("%Y-%m-%d %H:%M:%S")
    async with setup.world.app.db.unit_of_work() as uow:
        user = await uow.users.find("telegram", "1001")
        assert user is not None
        record = await uow.marketing.get(user.id)
        consent = await uow.consents.current(user.id)
        profile = await uow.users.profile(user)
    assert record is not None and record.opted_in_at == setup.clock.now()
    assert record.method == "double opt-in e-mail" and record.subscriber_id == subscriber["id"]
    assert consent is not None and "marketing" in consent.purposes
    assert profile["email"] == EMAIL
    assert (await c.say("/marketing")).text.startswith("Tips and updates by e-mail are on")


async def test_opt_out_unsubscribes_at_mailerlite(
    setup: Setup, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    c = await setup.person()
    await c.say(f"/marketing on {EMAIL}")
    reply = await c.say("/marketing off")
    assert "unsubscribed" in reply.text
    (subscriber,) = setup.mail.subscribers.values()
    assert subscriber["status"] == "unsubscribed"
    assert setup.mail.requests[-1][:2] == ("PUT", f"/api/subscribers/{subscriber['id']}")
    assert "marketing opt-in recorded" in caplog.text and EMAIL not in caplog.text


async def test_a_bad_address_or_a_provider_failure_changes_nothing(setup: Setup) -> None:
    c = await setup.person()
    assert "doesn't look right" in (await c.say("/marketing on not-an-address")).text
    setup.mail.fail(503)
    assert "couldn't reach" in (await c.say(f"/marketing on {EMAIL}")).text
    assert setup.mail.subscribers == {}
    async with setup.world.app.db.unit_of_work() as uow:
        user = await uow.users.find("telegram", "1001")
        assert user is not None
        assert await uow.marketing.get(user.id) is None
        assert (await uow.users.profile(user))["email"] is None  # rolled back


async def test_erasing_the_account_asks_mailerlite_to_forget_the_subscriber(setup: Setup) -> None:
    c = await setup.person()
    await c.say(f"/marketing on {EMAIL}")
    (subscriber_id,) = setup.mail.subscribers
    await c.say("/delete")
    await c.press("delete:now")
    assert setup.mail.forgotten == [subscriber_id]
    assert await setup.world.count("marketing_optins") == 0


async def test_an_erasure_mailerlite_refuses_is_retried_by_the_next_purge(setup: Setup) -> None:
    c = await setup.person()
    await c.say(f"/marketing on {EMAIL}")
    await c.say("/delete")
    await c.press("delete:confirm")
    setup.clock.advance(days=31)
    setup.mail.fail(500)
    first = await setup.world.app.purge.run()
    assert first.people_failed == 1 and await setup.world.count("marketing_optins") == 1
    second = await setup.world.app.purge.run()
    assert second.people_erased == 1 and len(setup.mail.forgotten) == 1
    assert await setup.world.count("users") == 0
