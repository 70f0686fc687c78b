"""`coach run`'s HTTP server for operators: /healthz checks the database, the platforms and
the scheduler; /metrics exposes per-stage latency histograms after a turn."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aiohttp

from bot.app import build_app
from bot.config import load_settings
from bot.health import Health
from bot.scheduler import start_scheduler, stop_scheduler
from bot.web import build_web_app, start_web
from storage.db import create_engine
from tests.e2e.test_cloud_turn import FIXTURE, started_cloud, stop
from tests.fakes import Candidate, RecordingSink
from tests.world import World


async def get(app: Any, path: str) -> tuple[int, str]:
    runner = await start_web(app, host="127.0.0.1", port=0)
    try:
        port = runner.addresses[0][1]
        url = f"http://127.0.0.1:{port}{path}"
        async with aiohttp.ClientSession() as http, http.get(url) as response:
            return response.status, await response.text()
    finally:
        await runner.cleanup()


async def test_healthz_is_ok_when_database_platforms_and_scheduler_are(world: World) -> None:
    world.app.senders["telegram"] = RecordingSink()
    health = Health(world.app.db.engine, ("telegram",), world.app.senders)
    health.scheduler = start_scheduler(world.app.purge, interval_s=3600)
    try:
        status, body = await get(build_web_app(health=health), "/healthz")
    finally:
        await stop_scheduler(health.scheduler)
    assert status == 200 and '"status": "ok"' in body
    assert '"platform:telegram": true' in body and '"scheduler": true' in body


async def test_healthz_is_503_naming_a_disconnected_platform_and_a_stopped_scheduler(
    world: World,
) -> None:
    health = Health(world.app.db.engine, ("telegram", "discord"), {"telegram": RecordingSink()})
    status, body = await get(build_web_app(health=health), "/healthz")
    assert status == 503 and '"status": "unhealthy"' in body
    assert '"platform:discord": false' in body and '"scheduler": false' in body
    assert '"database": true' in body


async def test_healthz_is_503_when_the_database_is_unreachable(world: World) -> None:
    nowhere = create_engine("postgresql+asyncpg://coach@127.0.0.1:1/none")
    scheduler = start_scheduler(world.app.purge, interval_s=3600)
    try:
        health = Health(nowhere, (), {}, scheduler)
        status, body = await get(build_web_app(health=health), "/healthz")
    finally:
        await stop_scheduler(scheduler)
        await nowhere.dispose()
    assert status == 503 and '"database": false' in body and '"scheduler": true' in body


async def test_metrics_expose_per_stage_latency_histograms_after_a_turn(tmp_path: Path) -> None:
    """A voice answer through the real cloud SDKs (loopback servers); Cartesia refuses once."""
    cloud = await started_cloud()
    cloud.voice.fail(400)
    app = build_app(load_settings({
        "COACH_DATA_DIR": str(tmp_path / "data"), "COACH_QUESTIONS": "2",
        "COACH_MASTER_KEY_FILE": str(tmp_path / "master.key"), **cloud.env(),
    }))  # fmt: skip
    await app.start()
    try:
        c = Candidate(app.engine, user_id="4242")
        await c.consent()
        await c.press("level:product-manager:mid")
        reply = await c.voice("", seconds=23.3, raw=FIXTURE.read_bytes())
        await app.purge.run()
        status, text = await get(build_web_app(metrics=app.metrics), "/metrics")
    finally:
        await app.close()
        await stop(cloud)
    assert "Score:" in reply.text and status == 200
    for stage, provider in (("stt", "openai-whisper"), ("judge", "anthropic"), ("tts", "cartesia")):
        labels = f'provider="{provider}",stage="{stage}"'
        assert f'coach_stage_seconds_bucket{{le="0.05",{labels}}}' in text
        assert float(_value(text, f"coach_stage_seconds_count{{{labels}}}")) >= 1
    errors = 'coach_provider_errors_total{kind="http_400",provider="cartesia",stage="tts"}'
    assert _value(text, errors) == "1.0"
    assert float(_value(text, "coach_turns_total")) >= 4  # /start, age, consent, level, voice
    assert _value(text, "coach_updates_in_flight") == "0.0"
    assert _value(text, 'coach_purge_runs_total{outcome="done"}') == "1.0"
    assert "4242" not in text and "product" not in text


def _value(text: str, series: str) -> str:
    match = re.search(rf"^{re.escape(series)} (\S+)$", text, re.MULTILINE)
    assert match, f"{series} not exposed"
    return match.group(1)
