"""The bot as `coach run` serves it, against the fake world in another process.

`BotUnderTest` wires the application the way `bot.runner._serve` does (build_app, the
Telegram connector from `_connectors`, the HTTP server, the scheduler; a real SQLite file in
a temporary folder, PyAV encode/decode), with the providers and the codec wrapped by
`bench.timing`. Candidates are seeded (consent through the engine's ConsentGate and a
started interview) before anything is timed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench.timing import (
    Recorder,
    TimedCoach,
    TimedCodec,
    TimedSTT,
    TimedTTS,
    time_units_of_work,
    timed_handler,
)
from bot.app import App, _coach, _codec, _stt, _tts, build_app
from bot.config import Settings, load_settings
from bot.core.models import ChatRef
from bot.core.usage import UsageMeter
from bot.flows.interview import InterviewFlow
from bot.flows.voice import Voice
from bot.providers.coach.rules import RuleBasedCoach
from bot.runner import _connectors
from bot.scheduler import start_scheduler
from bot.web import build_web_app, start_web
from tests.fake_servers import anthropic_api, cartesia_api, openai_api
from tests.fake_servers.telegram_api import voice_update

ROOT = Path(__file__).resolve().parents[1]
ANSWER = ROOT / "tests" / "fixtures" / "answer.ogg"
ANSWER_SECONDS = 23


class FakeWorld:
    """The `bench.fake_world` process and its control endpoints."""

    def __init__(self, *, scale: float = 1.0, rate_per_s: float | None = 30.0) -> None:
        self.config = {"scale": scale, "rate_per_s": rate_per_s}
        self.urls: dict[str, str] = {}
        self._process: subprocess.Popen[str] | None = None
        self._http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> FakeWorld:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.fake_world", json.dumps(self.config)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT,
        )  # fmt: skip
        assert self._process.stdout is not None
        line = await asyncio.to_thread(self._process.stdout.readline)
        if not line:
            raise RuntimeError("the fake world did not start")
        self.urls = json.loads(line)
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None))
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http is not None:
            await self._http.close()
        if self._process is not None:
            assert self._process.stdin is not None
            self._process.stdin.close()
            await asyncio.to_thread(self._process.wait, 30)

    async def call(self, path: str, payload: Any = None, *, raw: bytes | None = None) -> Any:
        assert self._http is not None
        url = self.urls["control"] + path
        if path == "/report":
            async with self._http.get(url) as response:
                return await response.json()
        data = raw if raw is not None else json.dumps(payload).encode()
        async with self._http.post(url, data=data) as response:
            return await response.json()

    def env(self) -> dict[str, str]:
        """The bot's environment: every cloud provider and Telegram pointed at the fakes."""
        u = self.urls
        return {
            "TELEGRAM_BOT_TOKEN": u["token"], "TELEGRAM_API_BASE_URL": u["telegram"],
            "TELEGRAM_FILE_BASE_URL": u["telegram_files"],
            "OPENAI_API_KEY": openai_api.API_KEY, "OPENAI_BASE_URL": u["openai"],
            "ANTHROPIC_API_KEY": anthropic_api.API_KEY, "ANTHROPIC_BASE_URL": u["anthropic"],
            "CARTESIA_API_KEY": cartesia_api.API_KEY, "CARTESIA_BASE_URL": u["cartesia"],
            "COACH_TTS_VOICE_ID": "bench-voice",
        }  # fmt: skip


@dataclass
class BotUnderTest:
    world: FakeWorld
    extra_env: dict[str, str] = field(default_factory=dict)
    recorder: Recorder = field(default_factory=Recorder)
    app: App | None = None
    _stack: list[Any] = field(default_factory=list)
    _tmp: tempfile.TemporaryDirectory[str] | None = None

    def settings(self) -> Settings:
        assert self._tmp is not None
        tmp = Path(self._tmp.name)
        return load_settings(
            {
                "COACH_DATA_DIR": str(tmp / "data"),
                "COACH_MASTER_KEY_FILE": str(tmp / "master.key"),
                "COACH_QUESTIONS": "20",
                "COACH_LOG_LEVEL": "WARNING",
                "COACH_HTTP_PORT": "0",
                "COACH_TTS_CONCURRENCY": "15",  # Cartesia's largest plan, not the bottleneck
                **self.world.env(),
                **self.extra_env,
            },
            env_file=None,
        )

    async def __aenter__(self) -> BotUnderTest:
        self._tmp = tempfile.TemporaryDirectory(prefix="coach-bench-")
        settings = self.settings()
        rec, meter = self.recorder, UsageMeter()  # usage is stored per turn, as in production
        tts = _tts(settings, meter)
        self.app = app = build_app(
            settings, stt=TimedSTT(_stt(settings, meter)), meter=meter,
            coach=TimedCoach(_coach(settings, meter)), tts=TimedTTS(tts) if tts else None,
            codec=TimedCodec(_codec(settings), rec),
        )  # fmt: skip
        await app.start()
        time_units_of_work(app.db)
        web = await start_web(build_web_app(), host=settings.http_host, port=0)
        self._stack.append(web.cleanup)
        for connector in _connectors(settings, app.db.engine):
            await connector.start(timed_handler(app.engine.handle, rec))
            app.senders[connector.name] = connector
            self._stack.append(connector.stop)
        scheduler = start_scheduler(app.purge, interval_s=settings.purge_interval_s)
        self._stack.append(lambda: _async(scheduler.shutdown, wait=False))
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop everything; a bot still busy with turns past a deadline gets 30 s per part."""
        for stop in reversed(self._stack):
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(30):
                    await stop()
        if self.app is not None:
            await self.app.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    async def seed(self, chat_ids: list[int], role: str = "software-engineer") -> None:
        """Consent and a started interview per candidate, through the engine's ConsentGate and
        InterviewFlow (first questions planned by the rule-based coach: no cloud call)."""
        assert self.app is not None
        app = self.app
        planner = InterviewFlow(
            store=app.db, stt=app.stt, coach=RuleBasedCoach(), voice=Voice(None, app.codec),
            codec=app.codec, clock=app.engine.clock, settings=app.engine.interview.settings,
        )  # fmt: skip
        for chat_id in chat_ids:
            chat = ChatRef("telegram", str(chat_id), str(chat_id))
            first = await planner.plan_first(role, "mid", [])
            assert first is not None, "the question bank is empty"
            async with app.db.unit_of_work() as uow:
                user = await app.engine.consent.give(uow, chat)
                await app.engine.interview.start(uow, user, chat, role, "mid", first)

    async def answer_file(self) -> str:
        reply = await self.world.call("/file", raw=ANSWER.read_bytes())
        return str(reply["file_id"])


def voice_updates(chat_ids: list[int], file_id: str) -> list[dict[str, Any]]:
    size = ANSWER.stat().st_size
    return [voice_update(c, file_id, duration=ANSWER_SECONDS, size=size) for c in chat_ids]


async def _async(fn: Any, *args: Any, **kwargs: Any) -> None:
    fn(*args, **kwargs)
