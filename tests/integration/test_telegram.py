"""The Telegram adapter: the real PTB Application against a loopback fake Bot API."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from telegram import Bot

from bot.adapters.telegram import TelegramConnector, TelegramOptions
from bot.adapters.telegram.commands import COMMANDS
from bot.adapters.telegram.retry import RetryPolicy
from bot.adapters.telegram.sender import TEXT_LIMIT, TelegramSender
from bot.config import load_settings
from bot.core.errors import ConfigError
from bot.core.models import Button, ChatRef, Reply
from bot.web import SECRET_HEADER, TelegramWebhook, build_web_app, start_web
from tests.fake_servers.telegram_api import (
    FakeBotApi,
    button_update,
    message_update,
    voice_update,
)
from tests.world import World, make_world

ROOT = Path(__file__).parents[2]
CHAT = 4242
FAST = RetryPolicy(attempts=4, backoff_s=0.01)
PROMPT = "Please confirm your age"  # in the consent prompt /start shows


@dataclass
class Running:
    api: FakeBotApi
    world: World
    connector: TelegramConnector


def options(api: FakeBotApi, **extra: object) -> TelegramOptions:
    return TelegramOptions(
        token=api.token, api_base_url=api.base_url, file_base_url=api.file_base_url,
        poll_timeout_s=5, retry=FAST, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture
async def bot(api: FakeBotApi, tmp_path: Path) -> AsyncIterator[Running]:
    world = await make_world(tmp_path)
    connector = TelegramConnector(options(api))
    await connector.start(world.app.engine.handle)
    yield Running(api, world, connector)
    await connector.stop()
    await world.app.close()


async def say(api: FakeBotApi, text: str, chat: int = CHAT) -> str:
    """Push a text and return the first message the bot sends back to that chat."""
    before = len(api.texts(chat))
    await api.push(message_update(chat, text=text))
    await api.wait_for(lambda a: len(a.texts(chat)) > before)
    return api.texts(chat)[before]


async def press(api: FakeBotApi, data: str, chat: int = CHAT, replies: int = 1) -> list[str]:
    before = len(api.texts(chat))
    await api.push(button_update(chat, data))
    await api.wait_for(lambda a: len(a.texts(chat)) >= before + replies)
    return api.texts(chat)[before:]


async def consent_and_start_interview(api: FakeBotApi, chat: int = CHAT) -> None:
    await say(api, "/start", chat)
    await press(api, "age:16plus", chat)
    await press(api, "consent:agree:16plus", chat, replies=2)
    await press(api, "role:software-engineer", chat)
    await press(api, "level:software-engineer:mid", chat)


def callback_data(markup: dict[str, list[list[dict[str, str]]]]) -> list[str]:
    return [b.get("callback_data", "") for row in markup["inline_keyboard"] for b in row]


async def test_start_shows_the_consent_prompt_as_html_with_inline_buttons(bot: Running) -> None:
    await say(bot.api, "/start@CoachTestBot")
    call = bot.api.sent("sendMessage", CHAT)[0]
    assert call.params["parse_mode"] == "HTML"
    assert "age:16plus" in callback_data(call.json("reply_markup"))


async def test_the_command_menu_lists_only_commands_the_engine_answers(bot: Running) -> None:
    registered = [c["command"] for c in bot.api.sent("setMyCommands")[0].json("commands")]
    assert "start" in registered and "interview" in registered
    assert set(registered) <= bot.world.app.engine.known and len(registered) == len(COMMANDS)


async def test_pressing_the_consent_buttons_answers_each_query_and_shows_the_role_menu(
    bot: Running,
) -> None:
    await say(bot.api, "/start")
    await press(bot.api, "age:16plus")
    replies = await press(bot.api, "consent:agree:16plus", replies=2)
    await bot.api.wait_for(lambda a: len(a.sent("answerCallbackQuery")) == 2)
    role_menu = bot.api.sent("sendMessage", CHAT)[-1].json("reply_markup")
    assert "role:software-engineer" in callback_data(role_menu)
    assert "Which role" in replies[-1]


async def test_a_voice_note_before_consent_is_refused_and_never_downloaded(bot: Running) -> None:
    file_id = bot.api.add_file(b"audio:12:I led the migration")
    before = len(bot.api.texts(CHAT))
    await bot.api.push(voice_update(CHAT, file_id, duration=12, size=28))
    await bot.api.wait_for(lambda a: len(a.texts(CHAT)) > before)
    assert "consent" in bot.api.texts(CHAT)[-1]
    assert bot.api.downloads == [] and bot.api.sent("getFile") == []
    assert bot.world.stt.calls == 0


async def test_a_spoken_answer_is_downloaded_scored_and_answered_with_voice_and_feedback(
    bot: Running, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await consent_and_start_interview(bot.api)
    voices_before = len(bot.api.sent("sendVoice", CHAT))
    answer = b"audio:20:I led the checkout migration and cut latency by forty percent for users"
    file_id = bot.api.add_file(answer)
    await bot.api.push(voice_update(CHAT, file_id, duration=20, size=len(answer)))
    await bot.api.wait_for(lambda a: any("Score:" in t for t in a.texts(CHAT)))
    assert len(bot.api.sent("getFile")) == 1 and len(bot.api.downloads) == 1
    assert bot.world.stt.calls == 1
    voice = bot.api.sent("sendVoice", CHAT)[voices_before]
    assert int(voice.params["duration"]) >= 1 and voice.files["voice"][1].startswith(b"OggS")
    actions = bot.api.sent("sendChatAction", CHAT)
    assert actions and actions[0].params["action"] == "record_voice"
    assert bot.api.token not in caplog.text


async def test_user_text_echoed_in_a_reply_is_html_escaped(bot: Running) -> None:
    text = await say(bot.api, "/<b>bold&co")
    assert "&lt;b&gt;bold&amp;co" in text and "<b>" not in text


async def test_a_duplicate_update_is_answered_once(bot: Running) -> None:
    update = message_update(CHAT, text="/start")
    await bot.api.push(update)
    await bot.api.push(update)
    await bot.api.push(message_update(CHAT, text="/help"))
    await bot.api.wait_for(lambda a: any("/interview" in t for t in a.texts(CHAT)[1:]))
    # one chat's updates run in order, so the duplicate was handled before /help's reply
    assert sum(PROMPT in t for t in bot.api.texts(CHAT)) == 1
    assert len(bot.api.texts(CHAT)) == 2


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # RetryAfter()
async def test_a_429_delays_only_that_chat_and_the_reply_arrives_after_retry_after(
    bot: Running,
) -> None:
    bot.api.fail_once("sendMessage", 429, retry_after=1)
    await bot.api.push(message_update(CHAT, text="/start"))
    await bot.api.wait_for_call("sendMessage")  # the refused attempt
    other = await say(bot.api, "/help", chat=777)
    await bot.api.wait_for(lambda a: len(a.texts(CHAT)) == 2)
    refused, retried = bot.api.sent("sendMessage", CHAT)
    assert retried.at - refused.at >= 0.95
    assert bot.api.sent("sendMessage", 777)[0].at < retried.at and other


async def test_a_500_on_send_voice_is_retried_and_the_question_is_heard(bot: Running) -> None:
    bot.api.fail_once("sendVoice", 500)
    await consent_and_start_interview(bot.api)
    await bot.api.wait_for(lambda a: len(a.sent("sendVoice", CHAT)) == 2)
    assert "voice" in bot.api.sent("sendVoice", CHAT)[1].files


async def test_a_long_text_is_split_at_the_limit_with_buttons_on_the_last_part(
    api: FakeBotApi,
) -> None:
    text = "\n".join(f"Line {i}: " + "word " * 20 for i in range(200))
    async with Bot(api.token, base_url=api.base_url) as tg:
        sender = TelegramSender(tg, policy=FAST)
        await sender.send(ChatRef("telegram", str(CHAT), str(CHAT)),
                          Reply(text, buttons=((Button("Next", "skip"),),)))  # fmt: skip
    parts = api.sent("sendMessage", CHAT)
    assert len(parts) >= 3 and all(len(p.params["text"]) <= TEXT_LIMIT for p in parts)
    assert " ".join(p.params["text"] for p in parts).split() == text.split()
    assert [("reply_markup" in p.params) for p in parts] == [False] * (len(parts) - 1) + [True]


async def test_the_recording_action_repeats_until_the_reply_is_sent(api: FakeBotApi) -> None:
    chat = ChatRef("telegram", str(CHAT), str(CHAT))
    async with Bot(api.token, base_url=api.base_url) as tg:
        sender = TelegramSender(tg, policy=FAST, action_interval_s=0.05)
        await sender.send(chat, Reply("working", progress=True))
        await api.wait_for(lambda a: len(a.sent("sendChatAction")) >= 3)
        await sender.send(chat, Reply("done"))
        shown = len(api.sent("sendChatAction"))
        await asyncio.sleep(0.15)
    assert len(api.sent("sendChatAction")) == shown and api.texts(CHAT) == ["done"]


async def test_in_a_group_start_gets_a_private_chat_button_and_nothing_else(
    bot: Running,
) -> None:
    group = -100500
    file_id = bot.api.add_file(b"audio:5:hello")
    await bot.api.push(message_update(group, text="hello", chat_type="group"))
    await bot.api.push(message_update(group, text="/start", chat_type="group"))
    await bot.api.push(voice_update(group, file_id, duration=5, size=13, chat_type="group"))
    await say(bot.api, "/help")
    await bot.api.wait_for(lambda a: len(a.sent("sendMessage", group)) >= 1)
    assert len(bot.api.sent("sendMessage", group)) == 1
    markup = bot.api.sent("sendMessage", group)[0].json("reply_markup")
    assert markup["inline_keyboard"][0][0]["url"].startswith("https://t.me/CoachTestBot?start=")
    assert bot.api.sent("getFile") == [] and await bot.world.count("users") == 0


async def test_webhook_mode_refuses_a_wrong_secret_and_processes_the_right_one(
    api: FakeBotApi, tmp_path: Path
) -> None:
    world = await make_world(tmp_path)
    url = "https://coach.example.org/telegram/hook"
    connector = TelegramConnector(options(api, webhook_url=url, webhook_secret="s3cret-Token"))
    await connector.start(world.app.engine.handle)
    assert connector.webhook_path is not None
    hook = TelegramWebhook(connector.webhook_path, "s3cret-Token", connector.feed)
    runner = await start_web(build_web_app(telegram=hook), host="127.0.0.1", port=0)
    port = runner.addresses[0][1]
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:
            hook_url = base + "/telegram/hook"
            wrong = await http.post(hook_url, json=message_update(CHAT, text="/start"),
                                    headers={SECRET_HEADER: "guess"})  # fmt: skip
            right = await http.post(hook_url, json=message_update(CHAT, text="/help"),
                                    headers={SECRET_HEADER: "s3cret-Token"})  # fmt: skip
            health = await http.get(base + "/healthz")
        assert (wrong.status, right.status, health.status) == (403, 200, 200)
        await api.wait_for(lambda a: len(a.texts(CHAT)) == 1)
        assert PROMPT not in api.texts(CHAT)[0]  # the /help reply, not the refused /start
        assert api.sent("setWebhook")[0].params["secret_token"] == "s3cret-Token"
        assert api.sent("getUpdates") == []
    finally:
        await runner.cleanup()
        await connector.stop()
        await world.app.close()


async def test_coach_run_serves_telegram_and_exits_cleanly_on_sigterm(
    api: FakeBotApi, tmp_path: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COACH_", "TELEGRAM_"))}
    env.update({
        "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
        "TELEGRAM_FILE_BASE_URL": api.file_base_url, "COACH_HTTP_PORT": "0",
        "COACH_DATA_DIR": str(tmp_path / "data"), "COACH_TTS": "none",
        "COACH_MASTER_KEY_FILE": str(tmp_path / "master.key"), "COACH_LOG_LEVEL": "DEBUG",
    })  # fmt: skip
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await api.wait_for(lambda a: bool(a.sent("getUpdates")), timeout=60)
    except TimeoutError:
        proc.kill()
        raise
    await api.push(message_update(CHAT, text="/start"))
    await api.wait_for(lambda a: len(a.texts(CHAT)) == 1, timeout=30)
    proc.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode == 0, stderr.decode()
    assert PROMPT in api.texts(CHAT)[0] and api.token not in stderr.decode()


def test_a_webhook_url_without_a_secret_is_refused_at_start_up() -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
        load_settings({"TELEGRAM_WEBHOOK_URL": "https://coach.example.org/telegram/hook"})
