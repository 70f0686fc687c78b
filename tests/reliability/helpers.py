"""Apps on a shared database, providers that stall on purpose, and inbox inspection."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bot.app import App, build_app
from bot.config import load_settings
from bot.core.clock import Clock
from bot.core.models import AudioClip, Reply, Transcript
from storage.db import Database, create_engine
from tests.fakes import FakeCoach, FakeCodec, FakeSpeechToText, FakeTextToSpeech


def settings_for(tmp_path: Path, **env: str) -> Any:
    return load_settings(
        {
            "COACH_DATA_DIR": str(tmp_path / "data"),
            "COACH_MASTER_KEY_FILE": str(tmp_path / "keys" / "master.key"),
            "COACH_QUESTIONS": "2",
            **env,
        }
    )


async def make_app(
    tmp_path: Path, *, clock: Clock, db: Database | None = None,
    env: dict[str, str] | None = None, **fakes: Any,
) -> App:  # fmt: skip
    """The wired application with fakes of the providers, on `db` when given."""
    ports: dict[str, Any] = {
        "stt": FakeSpeechToText(), "tts": FakeTextToSpeech(), "codec": FakeCodec(),
        "coach": FakeCoach(), **fakes,
    }  # fmt: skip
    if db is not None:
        ports["db"] = db
    app = build_app(settings_for(tmp_path, **(env or {})), clock=clock, **ports)
    await app.start()
    return app


def second_handle(db: Database) -> Database:
    """Another engine (a second worker's pool) on the same database, keys and blobs."""
    url = db.engine.url.render_as_string(hide_password=False)
    return Database(create_engine(url), db.keyring, db.blobs)


async def inbox_rows(db: Database) -> list[Any]:
    async with db.engine.connect() as conn:
        stmt = sa.text("SELECT turn_id, step, worker, chat, attempts FROM turn_inbox ORDER BY 1")
        return list(await conn.execute(stmt))


def feedback(replies: list[Reply]) -> list[Reply]:
    """Replies that carry an answer's feedback (a score), not prompts or notices."""
    return [r for r in replies if "Score:" in r.text]


class StallingSTT(FakeSpeechToText):
    """Hangs inside `transcribe` until released: the moment a crash is simulated."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def transcribe(self, clip: AudioClip, *, language: str | None = None) -> Transcript:
        self.entered.set()
        await self.release.wait()
        return await super().transcribe(clip, language=language)
