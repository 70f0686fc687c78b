"""The loopback fakes with provider latency and Telegram's flood limit, for benchmarks.

Subclasses of the test fakes in `tests.fake_servers` (wire formats unchanged):

- transcription answers after `stt_s` (default 0.8 s);
- the model's first token after `first_token_s` (0.7 s), then `tokens_per_s` (40/s), a token
  being about four characters; a non-streamed reply arrives whole when the last token would;
- the voice's first audio after `first_audio_s` (0.15 s), the rest at `realtime_x` (10x)
  real time, streamed in chunks;
- the Bot API admits about `rate_per_s` messages per second per bot (a token bucket holding
  one second's worth); beyond it, 429 with `retry_after` 1, like Telegram.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.flows.rubric import DIMENSIONS
from tests.fake_servers import anthropic_api, cartesia_api, openai_api, telegram_api


@dataclass(frozen=True, slots=True)
class Latency:
    """How long the fake providers take; `scale` multiplies every delay (0: no waiting)."""

    stt_s: float = 0.8
    first_token_s: float = 0.7
    tokens_per_s: float = 40.0
    first_audio_s: float = 0.15
    realtime_x: float = 10.0
    scale: float = 1.0

    def tokens_s(self, text: str) -> float:
        return max(1, len(text) // 4) / self.tokens_per_s * self.scale


def judge_input() -> dict[str, Any]:
    """A plausible rubric judgement, as the model's tool input (about 150 tokens)."""
    dimensions = [
        {"name": n, "score": 3, "justification": f"{n} is adequate", "evidence": "I added an index"}
        for n in DIMENSIONS
    ]
    return {
        "dimensions": dimensions, "strengths": ["Clear outcome with a number"],
        "improvements": ["Say what you would do differently"], "feedback": "Good story.",
        "follow_up": "", "overall": 60,
    }  # fmt: skip


class SlowOpenAI(openai_api.FakeOpenAI):
    latency = Latency()

    async def _transcribe(self, request: web.Request) -> web.StreamResponse:
        response = await super()._transcribe(request)
        await asyncio.sleep(self.latency.stt_s * self.latency.scale)
        return response


class SlowAnthropic(anthropic_api.FakeAnthropic):
    latency = Latency()

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        if body.get("stream"):
            return await super()._messages(request)
        response = await super()._messages(request)
        text = response.text if isinstance(response, web.Response) else ""
        await asyncio.sleep(self.latency.first_token_s * self.latency.scale)
        await asyncio.sleep(self.latency.tokens_s(text or ""))
        return response

    async def _stream(self, request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        """The SSE events of the base fake, paced: first token, then tokens per second."""
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        first = True
        for name, data in anthropic_api.sse_events(body, len(self.requests), self.chunks):
            if name == "content_block_delta":
                wait = self.latency.first_token_s * self.latency.scale if first else 0.0
                await asyncio.sleep(wait + self.latency.tokens_s(data["delta"]["text"]))
                first = False
            await response.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        await response.write_eof()
        return response


class SlowCartesia(cartesia_api.FakeCartesia):
    latency = Latency()
    chunk_s = 0.5
    """Seconds of audio per streamed chunk."""
    seconds_per_char = 1 / 15
    """A person's speaking pace (about 15 characters a second): a 300-character reply is
    20 s of audio, so encoding it costs what it would in production."""

    async def _bytes(self, request: web.Request) -> web.StreamResponse:
        answer = await super()._bytes(request)
        if answer.status != 200 or not isinstance(answer, web.Response):
            return answer
        pcm = bytes(answer.body)  # type: ignore[arg-type]
        rate = int((await request.json())["output_format"]["sample_rate"])
        step = int(self.chunk_s * rate) * 2
        response = web.StreamResponse(headers={"Content-Type": "audio/pcm"})
        response.content_length = len(pcm)
        await asyncio.sleep(self.latency.first_audio_s * self.latency.scale)
        await response.prepare(request)
        for start in range(0, len(pcm), step):
            chunk = pcm[start : start + step]
            await response.write(chunk)
            seconds = len(chunk) / 2 / rate
            await asyncio.sleep(seconds / self.latency.realtime_x * self.latency.scale)
        await response.write_eof()
        return response


class FloodLimitedBotApi(telegram_api.FakeBotApi):
    """The Bot API fake with Telegram's per-bot message limit and delivery times of updates."""

    def __init__(self, rate_per_s: float | None = 30.0) -> None:
        super().__init__()
        self.rate_per_s = rate_per_s
        self.rejected = 0
        self.delivered: dict[int, float] = {}
        """update_id -> when getUpdates handed it to the bot (monotonic)."""
        self._tokens = rate_per_s or 0.0
        self._refilled = time.monotonic()

    def _admit(self) -> bool:
        """Take one token from the bucket (capacity: one second of messages)."""
        if self.rate_per_s is None:
            return True
        now = time.monotonic()
        elapsed, self._refilled = now - self._refilled, now
        self._tokens = min(self.rate_per_s, self._tokens + elapsed * self.rate_per_s)
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method in telegram_api.MESSAGE_METHODS and not self._admit():
            self.rejected += 1
            await request.read()
            return telegram_api._error(429, "Too Many Requests: retry after 1", 1)
        return await super()._api(request)

    async def _updates(self, call: telegram_api.Call) -> list[dict[str, Any]]:
        batch = await super()._updates(call)
        now = time.monotonic()
        for update in batch:
            self.delivered[update["update_id"]] = now
        return batch
