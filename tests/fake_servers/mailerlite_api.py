"""A loopback fake of MailerLite's connect API: subscribers, unsubscribe, forget."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fake_servers.loopback import LoopbackServer

API_KEY = "ml-test-key"


@dataclass
class FakeMailerLite(LoopbackServer):
    subscribers: dict[str, dict[str, Any]] = field(default_factory=dict)
    forgotten: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(7001))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/subscribers", self._upsert)
        app.router.add_put("/api/subscribers/{id}", self._update)
        app.router.add_post("/api/subscribers/{id}/forget", self._forget)

    async def _checked(self, request: web.Request) -> web.Response | None:
        body = await request.read()
        self.requests.append((request.method, request.path, json.loads(body) if body else None))
        if request.headers.get("Authorization") != f"Bearer {API_KEY}":
            return web.json_response({"message": "Unauthenticated."}, status=401)
        failure = await self.injected_failure()
        if failure is not None:
            return web.json_response({"message": "injected"}, status=failure.status)
        return None

    async def _upsert(self, request: web.Request) -> web.Response:
        if (refused := await self._checked(request)) is not None:
            return refused
        body = await request.json()
        if "@" not in str(body.get("email", "")):
            return web.json_response(
                {"message": "The email must be a valid email address."}, status=422
            )
        found = next((s for s in self.subscribers.values() if s["email"] == body["email"]), None)
        subscriber = found or {"id": str(next(self._ids))}
        subscriber.update(
            email=body["email"], status=body.get("status", "active"),
            groups=body.get("groups", []), opted_in_at=body.get("opted_in_at"),
        )  # fmt: skip
        self.subscribers[subscriber["id"]] = subscriber
        return web.json_response({"data": subscriber}, status=200 if found else 201)

    async def _update(self, request: web.Request) -> web.Response:
        if (refused := await self._checked(request)) is not None:
            return refused
        subscriber = self.subscribers.get(request.match_info["id"])
        if subscriber is None:
            return web.json_response({"message": "Resource not found."}, status=404)
        subscriber.update(await request.json())
        return web.json_response({"data": subscriber})

    async def _forget(self, request: web.Request) -> web.Response:
        if (refused := await self._checked(request)) is not None:
            return refused
        subscriber = self.subscribers.pop(request.match_info["id"], None)
        if subscriber is None:
            return web.json_response({"message": "Resource not found."}, status=404)
        self.forgotten.append(subscriber["id"])
        return web.json_response({"message": "Subscriber will be forgotten in 30 days."})
