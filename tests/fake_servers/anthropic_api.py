"""A loopback fake of Anthropic's `POST /v1/messages` (aiohttp), speaking the wire format.

Non-streaming requests get a `message` whose content is one `tool_use` block (when the
request offers tools) with the next queued tool input, or one `text` block. Requests with
`"stream": true` get Server-Sent Events: `message_start`, `content_block_start`, `ping`,
`content_block_delta` (`text_delta`) per chunk, `content_block_stop`, `message_delta` and
`message_stop`. Every request is recorded (headers and JSON body). Authentication accepts
`x-api-key` or `Authorization: Bearer`. Tests inject failures: an HTTP status with an
Anthropic error body (optionally `retry-after`), or a hang longer than the client's timeout.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_servers.loopback import LoopbackServer

API_KEY = "sk-ant-test"
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


@dataclass
class Seen:
    """One request as the server saw it."""

    headers: dict[str, str]
    """Lower-cased names."""
    body: dict[str, Any]


@dataclass
class FakeAnthropic(LoopbackServer):
    tool_inputs: list[dict[str, Any]] = field(default_factory=list)
    """Queued `tool_use` inputs, one per non-streaming request; the last one repeats."""
    chunks: tuple[str, ...] = ("Tell me about ", "a time you ", "changed a plan.")
    requests: list[Seen] = field(default_factory=list)
    before_last_chunk: Callable[[], Awaitable[None]] | None = None
    """Awaited before a stream's last text delta goes out (to observe overlap with it)."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/v1/messages", self._messages)

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("x-api-key") or request.headers.get("Authorization") or ""
        if auth.removeprefix("Bearer ") != API_KEY:
            return _error(401, "invalid x-api-key")
        body = await request.json()
        self.requests.append(Seen({k.lower(): v for k, v in request.headers.items()}, body))
        if failure := await self.injected_failure():
            headers = self.retry_headers(failure)
            return _error(failure.status, "injected failure", headers)
        if body.get("stream"):
            return await self._stream(request, body)
        return web.json_response(self._message(body))

    def _message(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("tools"):
            queue = self.tool_inputs
            tool_input = queue.pop(0) if len(queue) > 1 else (queue[0] if queue else {})
            name = body["tools"][0]["name"]
            n = len(self.requests)
            content: list[dict[str, Any]] = [
                {"type": "tool_use", "id": f"toolu_{n:04d}", "name": name, "input": tool_input}
            ]
            stop = "tool_use"
        else:
            content, stop = [{"type": "text", "text": "".join(self.chunks)}], "end_turn"
        return {
            **_envelope(body, len(self.requests)),
            "content": content,
            "stop_reason": stop,
            "usage": _usage(120, 80),
        }

    async def _stream(self, request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        events = sse_events(body, len(self.requests), self.chunks)
        deltas = [i for i, (name, _) in enumerate(events) if name == "content_block_delta"]
        for index, (name, data) in enumerate(events):
            if deltas and index == deltas[-1] and self.before_last_chunk is not None:
                await self.before_last_chunk()
            await response.write(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode())
        await response.write_eof()
        return response


def sse_events(
    body: dict[str, Any], n: int, chunks: tuple[str, ...]
) -> list[tuple[str, dict[str, Any]]]:
    """The named events of a streamed text reply, in the order the API sends them."""
    message = {**_envelope(body, n), "content": [], "stop_reason": None, "usage": _usage(90, 1)}
    block = {"type": "text", "text": ""}
    deltas = [{"type": "text_delta", "text": chunk} for chunk in chunks]
    stop = {"stop_reason": "end_turn", "stop_sequence": None}
    return [
        ("message_start", {"type": "message_start", "message": message}),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": block},
        ),
        ("ping", {"type": "ping"}),
        *[
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": d})
            for d in deltas
        ],
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        ("message_delta", {"type": "message_delta", "delta": stop, "usage": {"output_tokens": 12}}),
        ("message_stop", {"type": "message_stop"}),
    ]


def _envelope(body: dict[str, Any], n: int) -> dict[str, Any]:
    return {
        "id": f"msg_{n:04d}",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "claude-test"),
        "stop_sequence": None,
    }


def _usage(input_tokens: int, output_tokens: int) -> dict[str, int]:
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    kind = ERROR_TYPES.get(status, "api_error")
    body = {"type": "error", "error": {"type": kind, "message": message}}
    return web.json_response(body, status=status, headers=headers)
