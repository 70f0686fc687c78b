"""The small HTTP app inside `coach run`: `/healthz` and the Telegram webhook."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.health import Health
from bot.metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from bot.metrics import Metrics

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024
Handler = Callable[[web.Request], Awaitable[web.Response]]


@dataclass(frozen=True, slots=True)
class TelegramWebhook:
    """Where Telegram posts updates, the secret it must present, and who takes them."""

    path: str
    secret: str = field(repr=False)
    feed: Callable[[dict[str, Any]], Awaitable[None]]


def build_web_app(
    *, telegram: TelegramWebhook | None = None, lemonsqueezy: Handler | None = None,
    health: Health | None = None, metrics: Metrics | None = None,
) -> web.Application:  # fmt: skip
    app = web.Application(client_max_size=MAX_UPDATE_BYTES)
    app.router.add_get("/healthz", _health_handler(health) if health else healthz)
    if metrics is not None:  # Prometheus text format (#9)
        app.router.add_get("/metrics", _metrics_handler(metrics))
    if lemonsqueezy is not None:  # signed order events (bot.payments.lemonsqueezy)
        app.router.add_post("/webhooks/lemonsqueezy", lemonsqueezy)
    if telegram is not None:
        app.router.add_post(telegram.path, _webhook_handler(telegram))
    return app


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def _health_handler(health: Health) -> Handler:
    """200 with every check passing, else 503; the body names each check and its state."""

    async def check(request: web.Request) -> web.Response:
        checks = await health.check()
        ok = all(checks.values())
        body = {"status": "ok" if ok else "unhealthy", "checks": checks}
        return web.json_response(body, status=200 if ok else 503)

    return check


def _metrics_handler(metrics: Metrics) -> Handler:
    async def scrape(request: web.Request) -> web.Response:
        body = metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": METRICS_CONTENT_TYPE})

    return scrape


def _webhook_handler(
    hook: TelegramWebhook,
) -> Callable[[web.Request], Awaitable[web.Response]]:
    expected = hook.secret.encode()

    async def receive(request: web.Request) -> web.Response:
        presented = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(presented, expected):
            log.warning("telegram webhook call refused: wrong or missing secret token")
            return web.Response(status=403, text="forbidden")
        try:
            data = json.loads(await request.read())
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(data, dict) or "update_id" not in data:
            return web.Response(status=400, text="not an update")
        try:
            await hook.feed(data)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:  # malformed (#12)
            log.warning("telegram webhook: unreadable update refused (%s)", type(exc).__name__)
            return web.Response(status=400, text="not an update")
        return web.Response(text="ok")

    return receive


async def start_web(app: web.Application, *, host: str, port: int) -> web.AppRunner:
    """Serve `app` on host:port; call `runner.cleanup()` to stop."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    for address in runner.addresses:
        log.info("http server listening on %s", address)
    return runner
