"""The breach notice by e-mail (`COACH_SMTP_URL`), to the loopback SMTP server of the `smtp`
fixture (tests/integration/conftest.py)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bot.core.clock import FixedClock
from storage.tables import users
from tests.fakes import Candidate, RecordingSink
from tests.integration.conftest import PASSWORD, Inbox
from tests.world import World, make_world

ADMIN = "424242"


@pytest.fixture
async def ops(tmp_path: Path, smtp: tuple[Inbox, str]) -> AsyncIterator[World]:
    clock = FixedClock(dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC))
    world = await make_world(
        tmp_path, clock=clock, COACH_ADMIN_IDS=f"telegram:{ADMIN}",
        COACH_SMTP_URL=smtp[1], COACH_MAIL_FROM="coach@example.org",
    )  # fmt: skip
    yield world
    await world.app.close()


async def person(world: World, user_id: str, email: str | None, *, confirmed: bool) -> Candidate:
    """A consented person on Telegram, with an e-mail address held (confirmed or not)."""
    c = Candidate(world.app.engine, platform="telegram", user_id=user_id)
    await c.consent()
    async with world.app.db.unit_of_work() as uow:
        user = await uow.users.find("telegram", user_id)
        assert user is not None
        if email is not None:
            await uow.users.set_profile(user, email=email)
        if confirmed:  # as a confirmation would record it
            await uow.conn.execute(
                sa.update(users).where(users.c.id == user.id).values(email_confirmed=True)
            )
    c.sink.clear()
    return c


async def test_a_breach_notice_is_emailed_to_confirmed_addresses_only(
    ops: World, smtp: tuple[Inbox, str], caplog: pytest.LogCaptureFixture
) -> None:
    inbox, _ = smtp
    confirmed = await person(ops, "2001", "ada@example.org", confirmed=True)
    unconfirmed = await person(ops, "2002", "bob@example.org", confirmed=False)
    without = await person(ops, "2003", None, confirmed=False)
    erased = await person(ops, "2004", "eve@example.org", confirmed=True)
    await erased.say("/delete")
    await erased.press("delete:now")
    telegram = RecordingSink()
    ops.app.senders.update(telegram=telegram)
    caplog.set_level(logging.DEBUG)

    boss = Candidate(ops.app.engine, platform="telegram", user_id=ADMIN)
    await boss.say("/admin breach On 26 November a backup file was exposed for two hours.")

    in_bot = {c.user_id for c, _ in telegram.replies}
    assert in_bot == {p.chat.user_id for p in (confirmed, unconfirmed, without)}
    assert [rcpts for rcpts, _ in inbox.received] == [["ada@example.org"]]
    [mail] = inbox.to("ada@example.org")
    assert mail["From"] == "coach@example.org" and "notice about your data" in mail["Subject"]
    assert "a backup file was exposed for two hours" in mail.get_content()
    assert "/delete" in mail.get_content()
    report = boss.sink.last.text
    assert (
        "sent to 3 of 3" in report
        and "E-mail: 1 of 1 confirmed addresses sent (0 failed)" in report
    )
    async with ops.app.db.unit_of_work() as uow:
        [entry] = [r for r in await uow.audit.since() if r.action == "admin.breach"]
    assert entry.detail["emails_sent"] == 1 and entry.detail["emails_failed"] == 0
    assert entry.detail["email_channel"] == "smtp"
    ours = [r.getMessage() for r in caplog.records if r.name != "mail.log"]  # not the server's
    logged = "\n".join(ours) + json.dumps(entry.detail)
    for secret in ("ada@", "bob@", "backup", PASSWORD):
        assert secret not in logged


async def test_a_refused_address_is_counted_and_the_others_still_get_theirs(
    ops: World, smtp: tuple[Inbox, str], caplog: pytest.LogCaptureFixture
) -> None:
    inbox, _ = smtp
    inbox.refuse.add("gone@example.org")
    people = [  # kept alive: the fake's update ids use id()
        await person(ops, "2001", "gone@example.org", confirmed=True),
        await person(ops, "2002", "ada@example.org", confirmed=True),
    ]
    ops.app.senders.update(telegram=RecordingSink())
    boss = Candidate(ops.app.engine, platform="telegram", user_id=ADMIN)
    await boss.say("/admin breach A laptop was stolen.")
    assert [rcpts for rcpts, _ in inbox.received] == [["ada@example.org"]]
    assert "E-mail: 1 of 2 confirmed addresses sent (1 failed)" in boss.sink.last.text
    assert "sent to 2 of 2" in boss.sink.last.text and len(people) == 2
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name != "mail.log")
    assert "SMTPRecipientsRefused" in ours and "gone@" not in ours
