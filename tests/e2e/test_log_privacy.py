"""The logs of a full journey through the real Telegram adapter carry turn ids and no
personal data: no name, no username, no platform id, no word of the answers."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.adapters.telegram import TelegramConnector
from bot.logs import configure_logging
from tests.fake_servers.telegram_api import FakeBotApi, message_update, voice_update
from tests.integration.test_telegram import CHAT, options, press
from tests.world import make_world

ALICE = {
    "id": CHAT, "is_bot": False, "first_name": "Alice", "last_name": "Wonderland",
    "username": "alice_w", "language_code": "en",
}  # fmt: skip
TYPED = "I persuaded the zanzibar team to adopt quokka dashboards and cut churn by marmalade"
SPOKEN = "Our flamingo rollout used a periwinkle canary and saved eleven hours every week"
SECRETS = (
    "Alice", "Wonderland", "alice_w", str(CHAT), "zanzibar", "quokka", "marmalade",
    "flamingo", "periwinkle",
)  # fmt: skip


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Leave the root logger as we found it (configure_logging replaces its handlers)."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


async def alice_says(api: FakeBotApi, text: str) -> None:
    before = len(api.texts(CHAT))
    await api.push(message_update(CHAT, text=text, **{"from": ALICE}))
    await api.wait_for(lambda a: len(a.texts(CHAT)) > before)


async def journey(api: FakeBotApi, tmp_path: Path) -> None:
    """Consent, profile, an interview answered by text and by voice, progress, export."""
    world = await make_world(tmp_path)
    connector = TelegramConnector(options(api))
    await connector.start(world.app.engine.handle)
    try:
        await alice_says(api, "/start")
        await press(api, "age:16plus")
        await press(api, "consent:agree:16plus", replies=2)
        await alice_says(api, "/profile name Alice Wonderland")
        await alice_says(api, "/interview software-engineer mid")
        await alice_says(api, TYPED)
        data = f"audio:25:{SPOKEN}".encode()
        before = len(api.texts(CHAT))
        await api.push(voice_update(CHAT, api.add_file(data), duration=25, size=len(data)))
        await api.wait_for(lambda a: any("Score" in t for t in a.texts(CHAT)[before:]))
        await alice_says(api, "/progress")
        await alice_says(api, "/export")
    finally:
        await connector.stop()
        await world.app.close()


@pytest.mark.parametrize("fmt", ["text", "json"])
async def test_a_full_journey_logs_turn_ids_and_no_personal_data(
    api: FakeBotApi, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str,
    root_logging: None,
) -> None:  # fmt: skip
    configure_logging("DEBUG", fmt)
    await journey(api, tmp_path)
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) >= 5, "the journey logged too little to prove anything"
    for secret in SECRETS:
        leaks = [line for line in lines if secret.lower() in line.lower()]
        assert not leaks, f"{secret!r} leaked into the log: {leaks[:3]}"
    if fmt == "json":
        turn_ids = [json.loads(line)["turn_id"] for line in lines]
    else:
        turn_ids = [m.group(1) for line in lines if (m := re.search(r"\[turn (\S+)\]", line))]
        assert len(turn_ids) == len(lines)
    in_turns = {t for t in turn_ids if t != "-"}  # consent and export log inside turns
    assert len(in_turns) >= 2 and all(re.fullmatch(r"[0-9a-f]{8}", t) for t in in_turns)
    assert not [line for line in lines if "matplotlib" in line]  # quietened, like httpx
