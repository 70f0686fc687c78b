"""A wired application with fakes of our ports, and helpers to inspect its database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from bot.app import App, build_app
from bot.config import load_settings
from bot.core.clock import Clock
from tests.fakes import Candidate, FakeCoach, FakeCodec, FakeSpeechToText, FakeTextToSpeech


@dataclass
class World:
    app: App
    stt: FakeSpeechToText
    tts: FakeTextToSpeech

    def candidate(self, user_id: str = "1001") -> Candidate:
        return Candidate(self.app.engine, user_id=user_id)

    async def count(self, table: str) -> int:
        async with self.app.db.engine.connect() as conn:
            return int((await conn.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar_one())


async def make_world(data_dir: Path, clock: Clock | None = None, **env: str) -> World:
    settings = load_settings(
        {
            "COACH_DATA_DIR": str(data_dir / "data"),
            "COACH_MASTER_KEY_FILE": str(data_dir / "keys" / "master.key"),
            "COACH_QUESTIONS": "2",
            "COACH_CREDITS": "off",  # tests about credits turn them on
            **env,
        }
    )
    stt, tts = FakeSpeechToText(), FakeTextToSpeech()
    fakes = {"stt": stt, "tts": tts, "codec": FakeCodec(), "coach": FakeCoach()}
    app = build_app(settings, clock=clock, **fakes)
    await app.start()
    return World(app, stt, tts)
