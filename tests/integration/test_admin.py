"""`/admin ...`: refused (as an unknown command, audited) for everyone but admins; works for
admins; a breach notice reaches every person we hold data about on both platforms."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.core.errors import ConfigError
from bot.core.models import ChatRef, Reply
from bot.core.usage import Usage
from tests.fakes import Candidate, RecordingSink
from tests.world import World, make_world

ADMIN = "424242"
COMMANDS = (
    "stats", "user telegram:2001", "grant telegram:2001 5 goodwill", "refund telegram:2001 1 x",
    "purge", "export telegram:2001", "breach We lost a laptop.", "broadcast New roles!",
)  # fmt: skip


@pytest.fixture
async def ops(tmp_path: Path) -> AsyncIterator[World]:
    clock = FixedClock(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    world = await make_world(tmp_path, clock=clock, COACH_ADMIN_IDS=f"telegram:{ADMIN}")
    yield world
    await world.app.close()


def admin(world: World) -> Candidate:
    return Candidate(world.app.engine, platform="telegram", user_id=ADMIN)


async def person(world: World, platform: str, user_id: str, *, updates: bool = False) -> Candidate:
    c = Candidate(world.app.engine, platform=platform, user_id=user_id)
    await c.consent()
    if updates:
        await c.say("/marketing on")
    c.sink.clear()
    return c


async def audit_actions(world: World) -> list[str]:
    async with world.app.db.unit_of_work() as uow:
        return [row.action for row in await uow.audit.since()]


async def balance(world: World, platform: str, user_id: str) -> int:
    async with world.app.db.unit_of_work() as uow:
        user = await uow.users.find(platform, user_id)
        assert user is not None
        return await uow.ledger.balance(user.id)


@pytest.mark.parametrize("consented", [False, True])
@pytest.mark.parametrize("args", COMMANDS)
async def test_admin_commands_look_unknown_to_non_admins_and_are_audited(
    ops: World, args: str, consented: bool
) -> None:
    target = await person(ops, "telegram", "2001")
    telegram, discord = RecordingSink(), RecordingSink()
    ops.app.senders.update(telegram=telegram, discord=discord)
    stranger = Candidate(ops.app.engine, user_id="3003")
    if consented:
        await stranger.consent()
    unknown = await stranger.say("/nosuchthing")
    reply = await stranger.say(f"/admin {args}")
    assert reply.text == unknown.text.replace("/nosuchthing", "/admin")
    assert reply.document is None
    assert "admin.refused" in await audit_actions(ops)
    assert telegram.replies == [] and discord.replies == [] and target.sink.replies == []
    assert await balance(ops, "telegram", "2001") == 0


async def test_stats_shows_aggregates_only(ops: World) -> None:
    alice = await person(ops, "telegram", "2001")
    await person(ops, "discord", "5005")
    await alice.say("/interview software-engineer mid")
    await alice.say("I reduced checkout latency by forty percent with a cache layer")
    now = ops.app.engine.clock.now()
    async with ops.app.db.unit_of_work() as uow:
        for latency, error in ((0.12, None), (0.4, "http_500"), (0.2, None)):
            call = Usage("stt", "openai-whisper", "whisper-1", latency, error is None, error,
                         audio_seconds=20.0)  # fmt: skip
            await uow.usage.record(call, None, now)
    reply = await admin(ops).say("/admin stats")
    assert "people with data: 2" in reply.text and "current consents: 2" in reply.text
    assert "active interviews: 1" in reply.text and "answers today (UTC): 1" in reply.text
    assert (
        "stt/openai-whisper: calls 3, errors 1, p50 latency ms 200, p95 latency ms 400, "
        "audio seconds 60" in reply.text
    )
    assert "estimated cost today (UTC): $0.0060 (stt $0.0060)" in reply.text  # 1 min, whisper-1
    assert "checkout" not in reply.text and "2001" not in reply.text
    assert reply.private and "admin.stats" in await audit_actions(ops)


async def test_user_shows_account_metadata_but_no_answers(ops: World) -> None:
    alice = await person(ops, "telegram", "2001")
    await alice.say("/profile name Alice Wonderland")
    await alice.say("/interview software-engineer mid")
    await alice.say("I reduced checkout latency by forty percent with a cache layer")
    boss = admin(ops)
    reply = await boss.say("/admin user telegram:2001")
    assert "created: 2026-11-27" in reply.text and "interviews: 1" in reply.text
    assert "purposes interview" in reply.text and "deletion: none" in reply.text
    assert "reachable on: telegram" in reply.text
    for secret in ("checkout", "Alice", "latency"):
        assert secret not in reply.text
    assert (await boss.say("/admin user telegram:777")).text.startswith("No data is held")
    assert (await boss.say("/admin user alice")).text.startswith("Name the person")


async def test_grant_and_refund_adjust_the_ledger_and_are_audited(ops: World) -> None:
    target = await person(ops, "telegram", "2001")  # kept alive: the fake's update ids use id()
    boss = admin(ops)
    granted = await boss.say("/admin grant telegram:2001 5 goodwill after an outage")
    refunded = await boss.say("/admin refund telegram:2001 2 failed interview")
    corrected = await boss.say("/admin grant telegram:2001 -1 typo")
    assert "balance is now 5" in granted.text and "balance is now 7" in refunded.text
    assert "balance is now 6" in corrected.text
    assert await balance(ops, "telegram", "2001") == 6
    bad = await boss.say("/admin refund telegram:2001 -2 nope")
    missing_reason = await boss.say("/admin grant telegram:2001 3")
    assert bad.text.startswith("Usage") and missing_reason.text.startswith("Usage")
    assert await balance(ops, "telegram", "2001") == 6
    actions = await audit_actions(ops)
    assert actions.count("admin.grant") == 2 and actions.count("admin.refund") == 1
    assert target.sink.replies == []


async def test_purge_runs_the_job_and_reports_counts(ops: World) -> None:
    leaving = await person(ops, "telegram", "2001")
    await leaving.say("/delete")
    await leaving.press("delete:confirm")
    ops.app.engine.clock.advance(days=31)  # type: ignore[attr-defined]
    reply = await admin(ops).say("/admin purge")
    assert reply.text.startswith("Purge done: 1 people erased (0 failed")
    assert await ops.count("users") == 0
    actions = await audit_actions(ops)
    assert "admin.purge" in actions and "privacy.purged" in actions


async def test_export_delivers_the_persons_archive_to_the_admin(ops: World) -> None:
    alice = await person(ops, "telegram", "2001")
    await alice.say("/interview software-engineer mid")
    await alice.say("I reduced checkout latency by forty percent with a cache layer")
    alice.sink.clear()
    boss = admin(ops)
    await boss.say("/admin export telegram:2001")
    reply = boss.sink.last
    assert reply.document is not None and reply.private
    archive = zipfile.ZipFile(io.BytesIO(reply.document.data))
    data = json.loads(archive.read("data.json"))
    assert data["platform_identity"] == {"platform": "telegram", "id": "2001"}
    assert "checkout latency" in json.dumps(data["interview_sessions"])
    assert alice.sink.replies == []
    async with ops.app.db.unit_of_work() as uow:
        [entry] = [r for r in await uow.audit.since() if r.action == "admin.export"]
    assert entry.detail == {"person": ops.app.hasher.tag("telegram", "2001")}


async def test_a_breach_notice_reaches_every_person_on_both_platforms(ops: World) -> None:
    on_telegram = [await person(ops, "telegram", str(2000 + n)) for n in range(12)]
    on_discord = [await person(ops, "discord", str(5000 + n)) for n in range(3)]
    erased = await person(ops, "telegram", "9999")
    await erased.say("/delete")
    await erased.press("delete:now")
    telegram, discord = RecordingSink(), RecordingSink()
    ops.app.senders.update(telegram=telegram, discord=discord)
    boss = admin(ops)
    await boss.say("/admin breach On 26 November a backup file was exposed for two hours.")
    assert {c.user_id for c, _ in telegram.replies} == {c.chat.user_id for c in on_telegram}
    assert {c.user_id for c, _ in discord.replies} == {c.chat.user_id for c in on_discord}
    notice = telegram.replies[0][1]
    assert "a backup file was exposed" in notice.text and notice.private
    said = boss.sink.texts()
    assert "Breach notice: 0 of 15 people done" in said and "10 of 15" in said
    assert "sent to 15 of 15 (0 failed, 0 on a platform" in boss.sink.last.text
    assert "no e-mail channel is configured" in boss.sink.last.text
    assert "0 people we hold data about have no stored chat address" in boss.sink.last.text
    async with ops.app.db.unit_of_work() as uow:
        [entry] = [r for r in await uow.audit.since() if r.action == "admin.breach"]
    assert entry.detail["sent_by_platform"] == {"telegram": 12, "discord": 3}
    assert "backup" not in json.dumps(entry.detail)


async def test_a_breach_notice_counts_people_it_could_not_reach(ops: World) -> None:
    people = [await person(ops, "telegram", "2001"), await person(ops, "discord", "5001")]

    class Blocked:
        async def send(self, chat: ChatRef, reply: Reply) -> None:
            raise RuntimeError("bot was blocked by the user")

    async with ops.app.db.unit_of_work() as uow:  # consented before addresses were kept
        await uow.users.create("telegram", "1999", now=ops.app.engine.clock.now())
    ops.app.senders.update(telegram=Blocked())  # discord not connected in this process
    reply = await admin(ops).say("/admin breach Something happened.")
    assert "sent to 0 of 2 (1 failed, 1 on a platform that is not connected)" in reply.text
    assert "1 people we hold data about have no stored chat address" in reply.text
    assert all(p.sink.replies == [] for p in people)


async def test_a_broadcast_goes_only_to_people_who_turned_updates_on(ops: World) -> None:
    keen = await person(ops, "telegram", "2001", updates=True)
    quiet = await person(ops, "telegram", "2002")
    keen_discord = await person(ops, "discord", "5001", updates=True)
    telegram, discord = RecordingSink(), RecordingSink()
    ops.app.senders.update(telegram=telegram, discord=discord)
    reply = await admin(ops).say("/admin broadcast Product manager questions are here!")
    assert [c.user_id for c, _ in telegram.replies] == [keen.chat.user_id]
    assert [c.user_id for c, _ in discord.replies] == [keen_discord.chat.user_id]
    assert "/marketing off" in telegram.replies[0][1].text
    assert "Update sent to 2 of 2 opted-in people" in reply.text
    assert quiet.sink.replies == []


async def test_an_admin_needs_no_consent_and_gets_the_usage(ops: World) -> None:
    reply = await admin(ops).say("/admin")
    assert "/admin breach MESSAGE" in reply.text
    assert await ops.count("users") == 0


@pytest.mark.parametrize("bad", ["telegram", "telegram:", "skype:123", "telegram:1 2"])
async def test_a_malformed_admin_list_stops_start_up_naming_the_variable(
    tmp_path: Path, bad: str
) -> None:
    with pytest.raises(ConfigError, match="COACH_ADMIN_IDS"):
        await make_world(tmp_path, COACH_ADMIN_IDS=f"discord:1,{bad}")
