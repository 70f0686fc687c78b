"""The audit log: privacy events and admin actions as keyed hashes and counts, `coach audit`
prints it, and the purge keeps it only as long as the data registry says."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import runner
from bot.core.clock import FixedClock
from bot.core.errors import CoachError
from bot.privacy.registry import AUDIT_RETENTION_YEARS, table
from tests.fakes import Candidate
from tests.world import make_world

START = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
PRIVACY_EVENTS = [
    "consent.given", "consent.marketing_on", "privacy.export", "privacy.deletion_requested",
    "privacy.deletion_cancelled", "consent.withdrawn", "privacy.erased_now",
]  # fmt: skip


async def test_every_privacy_event_is_audited_with_a_keyed_hash_and_no_content(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    world = await make_world(tmp_path, clock=FixedClock(START))
    alice = Candidate(world.app.engine, user_id="777001")
    await alice.consent()
    await alice.say("/profile name Alice Wonderland")
    for step in ("/marketing on", "/export", "/delete"):
        await alice.say(step)
    await alice.press("delete:confirm")
    await alice.say("/delete cancel")
    await alice.say("/consent withdraw")
    await alice.press("delete:now")
    tag = world.app.hasher.tag("telegram", "777001")
    async with world.app.db.unit_of_work() as uow:
        entries = await uow.audit.since()
    await world.app.close()
    assert [e.action for e in entries] == PRIVACY_EVENTS
    assert {e.actor for e in entries} == {tag}
    assert await runner.audit(world.app.settings, None) == 0
    printed = capsys.readouterr().out
    assert printed.count(tag) == len(PRIVACY_EVENTS) and "consent.withdrawn" in printed
    for secret in ("777001", "Alice", "Wonderland"):
        assert secret not in printed


async def test_coach_audit_since_filters_and_rejects_a_bad_date(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = FixedClock(START)
    world = await make_world(tmp_path, clock=clock)
    first, second = (Candidate(world.app.engine, user_id=n) for n in ("1", "2"))
    await first.consent()
    clock.advance(days=2)
    await second.consent()
    await world.app.close()
    await runner.audit(world.app.settings, "2026-11-28T00:00Z")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith("2026-11-29T09:00:00+00:00")
    with pytest.raises(CoachError, match="--since: 'yesterday' is not an ISO date-time"):
        await runner.audit(world.app.settings, "yesterday")


async def test_the_purge_forgets_audit_entries_older_than_the_registry_retention(
    tmp_path: Path,
) -> None:
    clock = FixedClock(START)
    world = await make_world(tmp_path, clock=clock)
    first, second = (Candidate(world.app.engine, user_id=n) for n in ("1", "2"))
    await first.consent()
    clock.advance(days=365 * AUDIT_RETENTION_YEARS - 1)
    await second.consent()
    assert (await world.app.purge.run()).audit_entries_forgotten == 0
    clock.advance(days=5)  # past the retention, leap day included
    report = await world.app.purge.run()
    async with world.app.db.unit_of_work() as uow:
        left = [(e.action, json.dumps(e.detail)) for e in await uow.audit.since()]
    await world.app.close()
    assert report.audit_entries_forgotten == 1
    assert [action for action, _ in left] == ["consent.given", "privacy.purged"]
    assert f"kept {AUDIT_RETENTION_YEARS} years" in table("audit_log").note
