"""`coach run` as a real subprocess against the loopback Telegram and OpenAI fakes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from aiohttp import web

from tests.fake_servers import openai_api
from tests.fake_servers.openai_api import FakeOpenAI
from tests.fake_servers.telegram_api import FakeBotApi

ROOT = Path(__file__).parents[2]
ANSWER = ROOT / "tests" / "fixtures" / "answer.ogg"


class SlowWhisper(FakeOpenAI):
    """Transcribes after `delay_s`, or only once `release` is set when `hold` is on."""

    def __init__(self, *, delay_s: float = 0.0, hold: bool = False) -> None:
        super().__init__()
        self.delay_s = delay_s
        self.hold = hold
        self.release = asyncio.Event()
        self.arrived = asyncio.Event()

    async def _transcribe(self, request: web.Request) -> web.StreamResponse:
        self.arrived.set()
        if self.hold:
            await self.release.wait()
        await asyncio.sleep(self.delay_s)
        return await super()._transcribe(request)


def coach_env(tmp_path: Path, api: FakeBotApi, whisper: FakeOpenAI, **extra: str) -> dict[str, str]:
    """Telegram through the fake, Whisper through its fake, rule-based coach, text replies."""
    return {
        "PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), "HOME": str(tmp_path),
        "COACH_DATA_DIR": str(tmp_path / "data"),
        "COACH_MASTER_KEY_FILE": str(tmp_path / "master.key"),
        "COACH_QUESTIONS": "2", "COACH_HTTP_PORT": "0", "COACH_LLM": "rules",
        "COACH_TTS": "none", "COACH_STT": "openai", "COACH_PROVIDER_TIMEOUT_S": "120",
        "OPENAI_API_KEY": openai_api.API_KEY, "OPENAI_BASE_URL": whisper.base_url,
        "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_FILE_BASE_URL": api.file_base_url, **extra,
    }  # fmt: skip


class CoachProcess:
    """One `python -m bot run`; its output is kept for the test's failure message."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env = env
        self.cwd = cwd
        self.proc: asyncio.subprocess.Process | None = None
        self.output = b""

    async def start(self, api: FakeBotApi) -> None:
        polls = len(api.sent("getUpdates"))
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=self.env, cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        await api.wait_for(lambda a: len(a.sent("getUpdates")) > polls, timeout=60)

    def signal(self, signum: signal.Signals) -> None:
        assert self.proc is not None
        self.proc.send_signal(signum)

    async def wait(self, timeout: float = 60) -> int:
        assert self.proc is not None and self.proc.stdout is not None
        async with asyncio.timeout(timeout):
            self.output = await self.proc.stdout.read()
            return await self.proc.wait()

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.wait()
