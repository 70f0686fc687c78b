"""The outside world in its own process: Bot API, Whisper, Claude and Cartesia fakes.

    python -m bench.fake_world '{"scale": 1.0, "rate_per_s": 30}'

Running the fakes in another process keeps their CPU out of the bot's measurements. The
first line on stdout is JSON with every base URL and the control URL. Control endpoints
(JSON): POST /push (a list of updates), POST /file (raw bytes -> file_id), POST /reset,
POST /wait ({"method", "count", "timeout"}), GET /report (calls, update delivery times, 429s).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from typing import Any

from aiohttp import web

from bench.fakes import (
    FloodLimitedBotApi,
    Latency,
    SlowAnthropic,
    SlowCartesia,
    SlowOpenAI,
    judge_input,
)
from tests.fake_servers import telegram_api


class CountingBotApi(FloodLimitedBotApi):
    """Also counts calls per method, so waiting for the n-th call costs nothing."""

    def __init__(self, rate_per_s: float | None) -> None:
        super().__init__(rate_per_s)
        self.counts: Counter[str] = Counter()

    async def _record(self, call: telegram_api.Call) -> None:
        self.counts[call.method] += 1
        await super()._record(call)


def control_app(api: CountingBotApi) -> web.Application:
    async def push(request: web.Request) -> web.Response:
        for update in await request.json():
            await api.push(update)
        return web.json_response({"ok": True})

    async def add_file(request: web.Request) -> web.Response:
        return web.json_response({"file_id": api.add_file(await request.read())})

    async def reset(request: web.Request) -> web.Response:
        api.calls.clear()
        api.counts.clear()
        api.delivered.clear()
        api.rejected = 0
        return web.json_response({"ok": True})

    async def wait(request: web.Request) -> web.Response:
        spec = await request.json()
        method, count = spec["method"], int(spec["count"])
        try:
            await api.wait_for(lambda a: api.counts[method] >= count, spec.get("timeout", 600))
        except TimeoutError:
            return web.json_response({"ok": False, "count": api.counts[method]})
        return web.json_response({"ok": True, "count": api.counts[method]})

    async def report(request: web.Request) -> web.Response:
        calls = [(c.method, c.params.get("chat_id", ""), c.at) for c in api.calls]
        return web.json_response(
            {"calls": calls, "delivered": api.delivered, "rejected": api.rejected}
        )

    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_post("/push", push)
    app.router.add_post("/file", add_file)
    app.router.add_post("/reset", reset)
    app.router.add_post("/wait", wait)
    app.router.add_get("/report", report)
    return app


async def serve(config: dict[str, Any]) -> None:
    latency = Latency(scale=float(config.get("scale", 1.0)))
    for cls in (SlowOpenAI, SlowAnthropic, SlowCartesia):
        cls.latency = latency
    api = CountingBotApi(config.get("rate_per_s", 30.0))
    whisper, claude, voice = (
        SlowOpenAI(),
        SlowAnthropic(tool_inputs=[judge_input()]),
        SlowCartesia(),
    )
    for server in (api, whisper, claude, voice):
        await server.start()
    runner = web.AppRunner(control_app(api), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    urls = {
        "control": f"http://127.0.0.1:{port}",
        "telegram": api.base_url,
        "telegram_files": api.file_base_url,
        "token": api.token,
        "openai": whisper.base_url,
        "anthropic": claude.base_url,
        "cartesia": voice.base_url,
    }
    print(json.dumps(urls), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until EOF
    for server in (api, whisper, claude, voice):
        await server.stop()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(serve(json.loads(sys.argv[1] if len(sys.argv) > 1 else "{}")))
