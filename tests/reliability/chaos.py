"""Fault injection for the loopback provider fakes: a seeded share of requests goes wrong.

`Chaos.middleware()` is added to a fake's aiohttp app; each request, with probability
`rate`, gets one of: 429 (with a short `retry-after-ms`), 500, 529, a hang past the
client's timeout, a connection reset, or a 200 whose body is cut off mid-way.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_servers.anthropic_api import FakeAnthropic
from tests.fake_servers.cartesia_api import FakeCartesia
from tests.fake_servers.openai_api import FakeOpenAI

KINDS = ("429", "500", "529", "timeout", "reset", "truncated")
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class Chaos:
    rate: float = 0.2
    hang_s: float = 1.5
    seed: int = 12
    injected: Counter[str] = field(default_factory=Counter)
    requests: Counter[str] = field(default_factory=Counter)
    _rng: random.Random = field(init=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def middleware(self, service: str) -> Any:
        @web.middleware
        async def inject(request: web.Request, handler: Handler) -> web.StreamResponse:
            self.requests[service] += 1
            if self._rng.random() >= self.rate:
                return await handler(request)
            kind = self._rng.choice(KINDS)
            self.injected[kind] += 1
            self.injected[service] += 1
            await request.read()
            return await self._fault(kind, request)

        return inject

    async def _fault(self, kind: str, request: web.Request) -> web.StreamResponse:
        if kind in ("429", "500", "529"):
            headers = {"retry-after-ms": "10"} if kind == "429" else None
            body = {"type": "error", "error": {"type": "overloaded_error", "message": kind}}
            return web.json_response(body, status=int(kind), headers=headers)
        if kind == "timeout":
            await asyncio.sleep(self.hang_s)
            return web.json_response({"error": "too late"}, status=504)
        transport = request.transport
        if kind == "truncated":
            response = web.StreamResponse(
                status=200, headers={"Content-Type": "application/json", "Content-Length": "4096"}
            )
            await response.prepare(request)
            await response.write(b'{"partial": "')
            await asyncio.sleep(0)
        if transport is not None:
            transport.abort()
        return web.Response()

    @property
    def total(self) -> int:
        return sum(self.injected[kind] for kind in KINDS)


@dataclass
class ChaoticOpenAI(FakeOpenAI):
    chaos: Chaos = field(default_factory=Chaos)

    def routes(self, app: web.Application) -> None:
        super().routes(app)
        app.middlewares.append(self.chaos.middleware("transcription"))


@dataclass
class ChaoticAnthropic(FakeAnthropic):
    chaos: Chaos = field(default_factory=Chaos)

    def routes(self, app: web.Application) -> None:
        super().routes(app)
        app.middlewares.append(self.chaos.middleware("model"))


@dataclass
class ChaoticCartesia(FakeCartesia):
    chaos: Chaos = field(default_factory=Chaos)

    def routes(self, app: web.Application) -> None:
        super().routes(app)
        app.middlewares.append(self.chaos.middleware("voice"))
