"""The bot's own double opt-in over SMTP: a code by e-mail (loopback SMTP server), then
`/marketing confirm CODE` confirms the address, subscribes it at a loopback MailerLite as
active, and from then on a breach notice reaches it by e-mail."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from tests.fake_servers.mailerlite_api import API_KEY, FakeMailerLite
from tests.fakes import Candidate, RecordingSink
from tests.integration.conftest import Inbox
from tests.world import World, make_world

ADMIN = "424242"
EMAIL = "grace.h@example.org"


@dataclass
class Setup:
    world: World
    inbox: Inbox
    mailerlite: FakeMailerLite
    clock: FixedClock

    async def person(self) -> Candidate:
        c = self.world.candidate()
        await c.consent()
        return c

    def codes_to(self, address: str) -> list[str]:
        """The codes e-mailed to `address`, oldest first."""
        found = []
        for mail in self.inbox.to(address):
            match = re.search(r"\b(\d{6})\b", mail.get_content())
            assert match is not None and "confirmation code" in mail["Subject"]
            found.append(match.group(1))
        return found

    async def profile(self) -> dict[str, object]:
        async with self.world.app.db.unit_of_work() as uow:
            user = await uow.users.find("telegram", "1001")
            assert user is not None
            return await uow.users.profile(user)


@pytest.fixture
async def setup(tmp_path: Path, smtp: tuple[Inbox, str]) -> AsyncIterator[Setup]:
    mailerlite = FakeMailerLite()
    await mailerlite.start()
    clock = FixedClock()
    world = await make_world(
        tmp_path, clock=clock, COACH_ADMIN_IDS=f"telegram:{ADMIN}",
        COACH_SMTP_URL=smtp[1], COACH_MAIL_FROM="coach@example.org",
        MAILERLITE_API_KEY=API_KEY, MAILERLITE_BASE_URL=mailerlite.base_url,
        MAILERLITE_GROUP_ID="g-tips", COACH_PROVIDER_TIMEOUT_S="5",
    )  # fmt: skip
    yield Setup(world, smtp[0], mailerlite, clock)
    await world.app.close()
    await mailerlite.stop()


async def test_the_code_confirms_the_address_and_then_a_breach_notice_is_emailed_to_it(
    setup: Setup, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    c = await setup.person()
    reply = await c.say(f"/marketing on {EMAIL}")
    assert "/marketing confirm" in reply.text and reply.private
    [code] = setup.codes_to(EMAIL)
    assert setup.mailerlite.requests == []  # nothing reaches MailerLite before confirmation
    assert (await setup.profile())["email_confirmed"] is False
    wrong = "000000" if code != "000000" else "111111"
    assert "isn't right" in (await c.say(f"/marketing confirm {wrong}")).text
    assert (await setup.profile())["email_confirmed"] is False

    assert (await c.say(f"/marketing confirm {code}")).text.startswith("Confirmed")
    assert await setup.profile() == {
        "display_name": None, "email": EMAIL, "email_confirmed": True,
    }  # fmt: skip
    (subscriber,) = setup.mailerlite.subscribers.values()
    assert subscriber["email"] == EMAIL and subscriber["status"] == "active"
    assert subscriber["groups"] == ["g-tips"]
    async with setup.world.app.db.unit_of_work() as uow:
        user = await uow.users.find("telegram", "1001")
        assert user is not None
        record = await uow.marketing.get(user.id)
        pending = await uow.marketing.code(user.id)
    assert record is not None and record.opted_in_at == setup.clock.now()
    assert record.method == "double opt-in code e-mail"
    assert record.subscriber_id == subscriber["id"] and pending is None
    assert "no code waiting" in (await c.say(f"/marketing confirm {code}")).text  # used up

    setup.world.app.senders.update(telegram=RecordingSink())
    boss = Candidate(setup.world.app.engine, platform="telegram", user_id=ADMIN)
    await boss.say("/admin breach A backup file was exposed for two hours.")
    [notice] = [m for m in setup.inbox.to(EMAIL) if "notice about your data" in m["Subject"]]
    assert "a backup file was exposed" in notice.get_content().lower()
    assert "E-mail: 1 of 1 confirmed addresses sent (0 failed)" in boss.sink.last.text

    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert "grace.h" not in ours and code not in ours


async def test_an_expired_code_is_refused(setup: Setup) -> None:
    c = await setup.person()
    await c.say(f"/marketing on {EMAIL}")
    [code] = setup.codes_to(EMAIL)
    setup.clock.advance(minutes=31)
    assert "expired" in (await c.say(f"/marketing confirm {code}")).text
    assert (await setup.profile())["email_confirmed"] is False
    assert setup.mailerlite.subscribers == {}


async def test_after_five_wrong_tries_even_the_right_code_is_refused(setup: Setup) -> None:
    c = await setup.person()
    await c.say(f"/marketing on {EMAIL}")
    [code] = setup.codes_to(EMAIL)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert "isn't right" in (await c.say(f"/marketing confirm {wrong}")).text
    assert "Too many wrong tries" in (await c.say(f"/marketing confirm {code}")).text
    assert (await setup.profile())["email_confirmed"] is False
    await c.say(f"/marketing on {EMAIL}")  # a new code starts afresh
    fresh = setup.codes_to(EMAIL)[-1]
    assert (await c.say(f"/marketing confirm {fresh}")).text.startswith("Confirmed")


async def test_resends_are_limited_per_hour(setup: Setup) -> None:
    c = await setup.person()
    for _ in range(3):
        assert "/marketing confirm" in (await c.say(f"/marketing on {EMAIL}")).text
    assert "several codes" in (await c.say(f"/marketing on {EMAIL}")).text
    assert "several codes" in (await c.say("/marketing on ada@example.org")).text
    assert len(setup.codes_to(EMAIL)) == 3 and setup.inbox.to("ada@example.org") == []
    assert (await setup.profile())["email"] == EMAIL  # nothing changed
    setup.clock.advance(hours=1)
    assert "/marketing confirm" in (await c.say(f"/marketing on {EMAIL}")).text
    assert len(setup.codes_to(EMAIL)) == 4


async def test_a_new_address_needs_confirming_again_and_off_drops_its_pending_code(
    setup: Setup,
) -> None:
    c = await setup.person()
    await c.say(f"/marketing on {EMAIL}")
    await c.say(f"/marketing confirm {setup.codes_to(EMAIL)[0]}")
    assert (await setup.profile())["email_confirmed"] is True
    await c.say("/marketing on ada@example.org")
    assert await setup.profile() == {
        "display_name": None, "email": "ada@example.org", "email_confirmed": False,
    }  # fmt: skip
    (subscriber,) = setup.mailerlite.subscribers.values()  # the old address gets no more tips
    assert subscriber["email"] == EMAIL and subscriber["status"] == "unsubscribed"
    assert (await c.say("/marketing off")).text.startswith("Done: you're unsubscribed")
    [code] = setup.codes_to("ada@example.org")
    assert "no code waiting" in (await c.say(f"/marketing confirm {code}")).text


async def test_a_refused_code_email_changes_nothing(setup: Setup) -> None:
    setup.inbox.refuse.add(EMAIL)
    c = await setup.person()
    assert "couldn't send the e-mail" in (await c.say(f"/marketing on {EMAIL}")).text
    assert (await setup.profile())["email"] is None
    assert "no code waiting" in (await c.say("/marketing confirm 123456")).text


async def test_erasing_the_account_removes_a_pending_code(setup: Setup) -> None:
    c = await setup.person()
    await c.say(f"/marketing on {EMAIL}")
    await c.say("/delete")
    await c.press("delete:now")
    async with setup.world.app.db.unit_of_work() as uow:
        [receipt] = await uow.erasure.receipts()
    assert receipt.counts["email_codes"] == 1 and receipt.counts["users"] == 1
