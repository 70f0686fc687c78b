"""A loopback fake of Cartesia's `POST /tts/bytes` (aiohttp), speaking the wire format.

Checks `Authorization: Bearer <key>` and the `Cartesia-Version` header, reads the JSON body
(`model_id`, `transcript`, `voice: {id}`, `output_format: {container, encoding,
sample_rate}`) and answers raw `pcm_s16le` samples: `seconds_per_char` of audio per
transcript character at the requested rate (`SECONDS_PER_CHAR` unless a subclass speaks at
a person's pace). Tests inject HTTP failures (with an optional
`Retry-After`) or hangs longer than the client's timeout.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from aiohttp import web

from tests.fake_servers.loopback import LoopbackServer

API_KEY = "sk_car_test"
SECONDS_PER_CHAR = 0.01


@dataclass
class FakeCartesia(LoopbackServer):
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    first_request: asyncio.Event = field(default_factory=asyncio.Event)
    seconds_per_char = SECONDS_PER_CHAR
    """Set when the first synthesis request arrives."""

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/tts/bytes", self._bytes)

    async def _bytes(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return _error(401, "Invalid API key")
        if not request.headers.get("Cartesia-Version"):
            return _error(400, "Cartesia-Version header is required")
        body = await request.json()
        self.requests.append(body)
        self.first_request.set()
        self.headers.append({k.lower(): v for k, v in request.headers.items()})
        if failure := await self.injected_failure():
            headers = self.retry_headers(failure)
            return _error(failure.status, "Service unavailable", headers)
        output = body.get("output_format", {})
        if output.get("container") != "raw" or output.get("encoding") != "pcm_s16le":
            return _error(400, "this fake only serves raw pcm_s16le")
        count = int(len(body["transcript"]) * self.seconds_per_char * output["sample_rate"])
        samples = ((np.arange(count) % 200 - 100) * 100).astype("<i2").tobytes()
        return web.Response(body=samples, content_type="audio/pcm")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)
