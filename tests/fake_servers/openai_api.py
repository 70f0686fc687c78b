"""A loopback fake of an OpenAI-compatible API (aiohttp), speaking the wire format.

- `/v1/audio/transcriptions`: multipart POST with `file`, `model`, `language`,
  `response_format` and `timestamp_granularities[]`; answers `json` (`{"text"}`),
  `verbose_json` (`text`, `language`, `duration`, `words: [{word, start, end}]`) or `text`.
  It can refuse `verbose_json` with a 400, as some OpenAI-compatible servers do.
- `/v1/chat/completions`: JSON POST; answers a `chat.completion` whose message content is
  the next queued `completions` entry, or, with `"stream": true`, Server-Sent Events of
  `chat.completion.chunk`s (one per `chat_chunks` entry, a final one with `finish_reason`,
  a usage chunk when `stream_options.include_usage`, then `data: [DONE]`).
- `/v1/audio/speech`: JSON POST (`model`, `input`, `voice`, `response_format: pcm`);
  answers raw 24 kHz s16le mono, `SECONDS_PER_CHAR` of audio per input character.

Every request is recorded. Tests inject failures (an HTTP status, optionally with
`Retry-After`, or a hang longer than the client's timeout) into whichever comes next.
"""

from __future__ import annotations

import asyncio
import json
import struct
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_servers.loopback import LoopbackServer

API_KEY = "sk-test-openai"
WORDS = (("Tell", 0.0, 0.3), ("me", 0.3, 0.5), ("about", 0.5, 0.9), ("it.", 0.9, 1.4))
SPEECH_RATE = 24000
SECONDS_PER_CHAR = 0.01


@dataclass
class Upload:
    """One transcription request as the server saw it."""

    fields: dict[str, list[str]]
    filename: str
    content_type: str
    data: bytes
    authorization: str

    def field(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None


@dataclass
class FakeOpenAI(LoopbackServer):
    words: tuple[tuple[str, float, float], ...] = WORDS
    language: str = "english"
    refuse_verbose: bool = False
    uploads: list[Upload] = field(default_factory=list)
    completions: list[str] = field(default_factory=list)
    """Queued message contents, one per non-streaming chat request; the last one repeats."""
    chat_chunks: tuple[str, ...] = ("Tell me about ", "a time you ", "changed a plan.")
    chats: list[dict[str, Any]] = field(default_factory=list)
    speeches: list[dict[str, Any]] = field(default_factory=list)
    before_last_chunk: Callable[[], Awaitable[None]] | None = None
    """Awaited before a chat stream's last text delta goes out (to observe overlap with it)."""
    first_speech: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the first speech request arrives."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/audio/transcriptions", self._transcribe)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/audio/speech", self._speech)

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return _error(401, "Incorrect API key provided", "invalid_api_key")
        body = await request.json()
        self.chats.append(body)
        if failure := await self.injected_failure():
            headers = self.retry_headers(failure)
            return _error(failure.status, "The server had an error", "server_error", headers)
        n = len(self.chats)
        if body.get("stream"):
            return await self._chat_stream(request, body, n)
        queue = self.completions
        content = queue.pop(0) if len(queue) > 1 else (queue[0] if queue else "")
        choice = {
            "index": 0,
            "message": {"role": "assistant", "content": content},
            "finish_reason": "stop",
        }
        return web.json_response({**_completion(body, n, "chat.completion"), "choices": [choice]})

    async def _chat_stream(
        self, request: web.Request, body: dict[str, Any], n: int
    ) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        chunk = _completion(body, n, "chat.completion.chunk")
        chunk.pop("usage")
        deltas = [{"role": "assistant", "content": text} for text in self.chat_chunks]
        for index, delta in enumerate(deltas):
            if index == len(deltas) - 1 and self.before_last_chunk is not None:
                await self.before_last_chunk()
            choice = {"index": 0, "delta": delta, "finish_reason": None}
            await _send(response, {**chunk, "choices": [choice]})
        await _send(
            response, {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        )
        if (body.get("stream_options") or {}).get("include_usage"):
            await _send(response, {**chunk, "choices": [], "usage": _usage(90, 12)})
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    async def _speech(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return _error(401, "Incorrect API key provided", "invalid_api_key")
        body = await request.json()
        self.speeches.append(body)
        self.first_speech.set()
        if failure := await self.injected_failure():
            headers = self.retry_headers(failure)
            return _error(failure.status, "The server had an error", "server_error", headers)
        if body.get("response_format") != "pcm":
            return _error(400, "this fake only serves pcm", None)
        count = int(len(body["input"]) * SECONDS_PER_CHAR * SPEECH_RATE)
        samples = struct.pack(f"<{count}h", *((i % 100 - 50) * 200 for i in range(count)))
        return web.Response(body=samples, content_type="audio/pcm")

    async def _transcribe(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return _error(401, "Incorrect API key provided", "invalid_api_key")
        upload = await _read_upload(request)
        self.uploads.append(upload)
        if failure := await self.injected_failure():
            headers = self.retry_headers(failure)
            return _error(failure.status, "The server had an error", "server_error", headers)
        return self._answer(upload.field("response_format") or "json")

    def _answer(self, response_format: str) -> web.StreamResponse:
        text = " ".join(word for word, _, _ in self.words)
        if response_format == "verbose_json":
            if self.refuse_verbose:
                return _error(400, "response_format 'verbose_json' is not supported", None)
            return web.json_response(self._verbose(text))
        if response_format == "text":
            return web.Response(text=text + "\n", content_type="text/plain")
        return web.json_response({"text": text})

    def _verbose(self, text: str) -> dict[str, Any]:
        return {
            "task": "transcribe",
            "language": self.language,
            "duration": self.words[-1][2] if self.words else 0.0,
            "text": text,
            "words": [{"word": w, "start": s, "end": e} for w, s, e in self.words],
        }


async def _read_upload(request: web.Request) -> Upload:
    fields: dict[str, list[str]] = {}
    filename, content_type, data = "", "", b""
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        name = getattr(part, "name", None) or ""
        if name == "file":
            filename = getattr(part, "filename", None) or ""
            content_type = part.headers.get("Content-Type", "")
            data = await part.read()  # type: ignore[union-attr]
        else:
            fields.setdefault(name.removesuffix("[]"), []).append(await part.text())  # type: ignore[union-attr]
    auth = request.headers.get("Authorization", "")
    return Upload(fields, filename, content_type, bytes(data), auth)


def _completion(body: dict[str, Any], n: int, kind: str) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-{n:04d}",
        "object": kind,
        "created": 1_700_000_000,
        "model": body.get("model", "gpt-test"),
        "usage": _usage(150, 60),
    }


def _usage(prompt: int, completion: int) -> dict[str, int]:
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


async def _send(response: web.StreamResponse, data: dict[str, Any]) -> None:
    await response.write(f"data: {json.dumps(data)}\n\n".encode())


def _error(
    status: int, message: str, code: str | None, headers: dict[str, str] | None = None
) -> web.Response:
    body = {"error": {"message": message, "type": "invalid_request_error", "code": code}}
    return web.json_response(body, status=status, headers=headers)
