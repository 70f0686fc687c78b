"""A loopback fake of Cartesia's `POST /tts/bytes` (aiohttp), speaking the wire format.

Checks `Authorization: Bearer <key>` and the `Cartesia-Version` header, reads the JSON body
(`model_id`, `transcript`, `voice: {id}`, `output_format: {container, encoding,
sample_rate}`) and answers raw `pcm_s16le` samples: `SECONDS_PER_CHAR` of audio per
transcript character at the requested rate. Tests inject HTTP failures (with an optional
`Retry-After`) or hangs longer than the client's timeout.
"""

from __future__ import annotations

import asyncio
import struct
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

API_KEY = "sk_car_test"
SECONDS_PER_CHAR = 0.01


@dataclass
class Failure:
    status: int = 500
    retry_after: str | None = None
    hang: bool = False


@dataclass
class FakeCartesia:
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(self, status: int = 500, *, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` requests with `status`."""
        self.failures.extend(Failure(status, retry_after) for _ in range(times))

    def hang(self, *, times: int = 1) -> None:
        """Hold the next `times` requests open until the server stops (a client timeout)."""
        self.failures.extend(Failure(hang=True) for _ in range(times))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/tts/bytes", self._bytes)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _bytes(self, request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return _error(401, "Invalid API key")
        if not request.headers.get("Cartesia-Version"):
            return _error(400, "Cartesia-Version header is required")
        body = await request.json()
        self.requests.append(body)
        self.headers.append({k.lower(): v for k, v in request.headers.items()})
        if self.failures:
            failure = self.failures.pop(0)
            if failure.hang:
                await self._release.wait()
            headers = {"Retry-After": failure.retry_after} if failure.retry_after else None
            return _error(failure.status, "Service unavailable", headers)
        output = body.get("output_format", {})
        if output.get("container") != "raw" or output.get("encoding") != "pcm_s16le":
            return _error(400, "this fake only serves raw pcm_s16le")
        count = int(len(body["transcript"]) * SECONDS_PER_CHAR * output["sample_rate"])
        samples = struct.pack(f"<{count}h", *((i % 200 - 100) * 100 for i in range(count)))
        return web.Response(body=samples, content_type="audio/pcm")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)
