"""What every loopback fake of a provider shares: lifecycle on 127.0.0.1 and fault injection."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from aiohttp import web


@dataclass
class Failure:
    """One injected fault: an HTTP status (optionally with Retry-After), or a hang."""

    status: int = 500
    retry_after: str | None = None
    hang: bool = False


@dataclass
class LoopbackServer:
    """An aiohttp app on a free loopback port; subclasses add routes in `routes`."""

    failures: list[Failure] = field(default_factory=list)
    port: int = 0
    _runner: web.AppRunner | None = None
    _release: asyncio.Event = field(default_factory=asyncio.Event)

    def routes(self, app: web.Application) -> None:
        """Register the fake's endpoints."""

    def fail(self, status: int = 500, *, times: int = 1, retry_after: str | None = None) -> None:
        """Answer the next `times` requests with `status`."""
        self.failures.extend(Failure(status, retry_after) for _ in range(times))

    def hang(self, *, times: int = 1) -> None:
        """Hold the next `times` requests open until the server stops (a client timeout)."""
        self.failures.extend(Failure(hang=True) for _ in range(times))

    async def injected_failure(self) -> Failure | None:
        """The next injected fault, after waiting out a hang; None when there is none."""
        if not self.failures:
            return None
        failure = self.failures.pop(0)
        if failure.hang:
            await self._release.wait()
        return failure

    @staticmethod
    def retry_headers(failure: Failure) -> dict[str, str] | None:
        return {"Retry-After": failure.retry_after} if failure.retry_after else None

    async def start(self) -> None:
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        self._release.set()
        if self._runner is not None:
            await self._runner.cleanup()
