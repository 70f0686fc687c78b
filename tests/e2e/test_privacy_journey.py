"""Issue 7's journey: consent, a voice answer, export, delete, purge 31 days later."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from bot.core.clock import FixedClock
from tests.e2e.test_cli import coach
from tests.world import make_world

NAME = "Zebediah Quixote-Marlowe"
EMAIL = "zebediah.qm@example.org"
PLATFORM_ID = "735119024"
TRANSCRIPT = "I rebuilt the zanzibar pipeline and cut nightly failures by ninety percent"


def files_under(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


async def test_after_the_purge_no_byte_of_the_person_remains_and_the_export_had_it_all(
    tmp_path: Path,
) -> None:
    clock = FixedClock()
    world = await make_world(tmp_path, clock=clock)
    data_dir = world.app.settings.data_dir
    try:
        c = world.candidate(PLATFORM_ID)
        await c.consent()
        await c.say(f"/profile name {NAME}")
        await c.say(f"/profile email {EMAIL}")
        await c.press("level:software-engineer:mid")
        await c.voice(TRANSCRIPT, seconds=12)
        exported = (await c.say("/export")).document
        assert exported is not None
        with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
            data = archive.read("data.json").decode()
            recordings = [n for n in archive.namelist() if n.startswith("recordings/")]
        for value in (NAME, EMAIL, PLATFORM_ID, TRANSCRIPT):
            assert value in data, value
        assert recordings and json.loads(data)
        await c.say("/delete")
        reply = await c.press("delete:confirm")
        assert "scheduled for deletion" in reply.text
        clock.advance(days=31)
        report = await world.app.purge.run()
        assert report.people_erased == 1
        for table in ("users", "identities", "consents", "interview_sessions", "turns"):
            assert await world.count(table) == 0, table
        assert world.app.db.blobs.keys() == []  # the sealed recording is gone too
    finally:
        await world.app.close()
    leaks = [
        (path.name, value)
        for path, content in files_under(data_dir).items()
        for value in (NAME, EMAIL, PLATFORM_ID, TRANSCRIPT, "zanzibar")
        if value.encode() in content
    ]
    assert leaks == []
    assert (data_dir / "coach.db").exists()


def test_coach_purge_as_of_runs_once_and_reports(tmp_path: Path) -> None:
    result = coach("purge", "--as-of", "2031-01-31T00:00Z", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "people_erased=0" in result.stdout
    bad = coach("purge", "--as-of", "next tuesday", data_dir=tmp_path)
    assert bad.returncode == 2 and "--as-of" in bad.stderr


def test_coach_export_for_support_needs_a_known_person(tmp_path: Path) -> None:
    result = coach(
        "export", "--user", "telegram:1", "--out", str(tmp_path / "x.zip"), data_dir=tmp_path
    )
    assert result.returncode == 2 and "no data is held" in result.stderr
    malformed = coach("export", "--user", "nobody", "--out", "x.zip", data_dir=tmp_path)
    assert malformed.returncode == 2 and "PLATFORM:ID" in malformed.stderr
