"""Privacy rights from the chat: export, correction, deletion with grace, objection, marketing."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import sqlalchemy as sa

from bot.core.clock import FixedClock
from tests.fakes import Candidate
from tests.world import World, make_world

ANSWER = "I migrated our billing jobs to a queue and cut failed invoices by 80 percent in a month."


async def interviewed(world: World, user_id: str = "1001") -> Candidate:
    c = world.candidate(user_id)
    await c.consent()
    await c.press("level:sales:mid")
    await c.say(ANSWER)
    return c


async def test_export_delivers_a_zip_with_the_transcript_and_is_limited_per_day(
    world: World,
) -> None:
    c = await interviewed(world)
    reply = await c.say("/export")
    assert reply.document is not None and reply.document.filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(reply.document.data)) as archive:
        data = json.loads(archive.read("data.json"))
        assert "README.txt" in archive.namelist()
    assert ANSWER in json.dumps(data)
    for _ in range(2):
        await c.say("/export")
    assert "times a day" in (await c.say("/export")).text


async def test_delete_asks_for_confirmation_then_stops_processing_until_cancelled(
    world: World,
) -> None:
    c = await interviewed(world)
    reply = await c.say("/delete")
    assert {b.data for row in reply.buttons for b in row} == {
        "delete:confirm", "delete:now", "delete:keep"
    }  # fmt: skip
    reply = await c.press("delete:confirm")
    assert "scheduled for deletion on" in reply.text
    assert "scheduled for deletion" in (await c.say("another answer")).text
    assert "cancelled" in (await c.say("/delete cancel")).text
    assert "scheduled" not in (await c.say("/interview")).text


async def test_delete_now_erases_the_person_at_once(world: World) -> None:
    c = await interviewed(world)
    await c.say("/delete")
    await c.press("delete:now")
    assert "erased" in c.sink.last.text
    for table in ("users", "identities", "turns", "recordings", "consents"):
        assert await world.count(table) == 0, table
    assert "don't hold any data" in (await c.say("/export")).text


async def test_withdrawing_consent_stops_processing_but_keeps_export_and_deletion(
    world: World,
) -> None:
    c = await interviewed(world)
    reply = await c.say("/consent withdraw")
    assert "stopped processing" in reply.text
    assert "consent" in (await c.say("an answer")).text.lower()
    assert world.stt.calls == 0
    assert (await c.say("/export")).document is not None


async def test_profile_corrections_are_validated_and_stored_sealed(world: World) -> None:
    c = await interviewed(world)
    assert "doesn't look right" in (await c.say("/profile email not-an-email")).text
    reply = await c.say("/profile email jane.doe@example.org")
    assert "jane.doe@example.org" in reply.text
    reply = await c.say("/profile name Jane Doe")
    assert "Jane Doe" in reply.text and "jane.doe@example.org" in reply.text
    async with world.app.db.engine.connect() as conn:
        raw = (await conn.execute(sa.text("SELECT display_name, email FROM users"))).one()
    assert b"Jane" not in raw.display_name and b"jane" not in raw.email


async def test_marketing_is_off_by_default_and_switches_with_a_new_consent(world: World) -> None:
    c = await interviewed(world)
    assert "are off" in (await c.say("/marketing")).text
    assert "are on" in (await c.say("/marketing on")).text
    async with world.app.db.engine.connect() as conn:
        rows = (await conn.execute(sa.text("SELECT purposes FROM consents ORDER BY id"))).all()
    assert [r.purposes for r in rows] == ["interview", "interview,marketing"]


async def test_someone_unknown_asking_for_export_is_told_nothing_is_held(world: World) -> None:
    c = world.candidate("424242")
    assert "don't hold any data" in (await c.say("/export")).text
    assert await world.count("users") == 0


async def test_the_purge_erases_after_the_grace_period_and_not_before(tmp_path: Path) -> None:
    clock = FixedClock()
    world = await make_world(tmp_path, clock=clock)
    try:
        c = await interviewed(world)
        await c.say("/delete")
        await c.press("delete:confirm")
        clock.advance(days=29)
        await world.app.purge.run()
        assert await world.count("users") == 1
        clock.advance(days=1, seconds=1)
        await world.app.purge.run()
        assert await world.count("users") == 0 and await world.count("turns") == 0
    finally:
        await world.app.close()


async def test_privacy_summary_is_drawn_from_the_registry_and_names_the_contact(
    world: World,
) -> None:
    from bot.privacy.registry import PROCESSORS, TABLES

    text = (await world.candidate().say("/privacy")).text
    categories = {g.category for t in TABLES for g in t.groups} - {"operational"}
    for category in categories:
        assert f"• {category.capitalize()}:" in text, category
    assert all(p.name in text for p in PROCESSORS)
    assert "privacy@example.org" in text and "/export" in text and "30-day" in text
