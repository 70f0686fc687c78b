"""The Discord adapter: the real discord.py client against a loopback fake Discord."""

from __future__ import annotations

import base64
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import discord
import pytest

from bot.adapters.discord import DiscordConnector, DiscordOptions
from bot.adapters.discord.commands import PERSONAL_COMMANDS, command_text
from bot.adapters.discord.qotd import QOTD_TEXT, question_for
from bot.adapters.discord.retry import RetryPolicy
from bot.adapters.discord.server import QOTD_JOB_ID
from bot.app import build_app
from bot.config import load_settings
from bot.core.models import AudioClip, ChatRef, Document, Reply, Transcript, Word
from bot.flows import texts as flow_texts
from bot.flows.commands import KNOWN
from bot.flows.reminders import STOPPED
from bot.flows.rewrite import TITLE as STRONGER_TITLE
from bot.flows.stories import EMPTY as NO_STORIES
from storage.repos.discord import DiscordGuildStore
from tests.fake_servers import discord_api as fake
from tests.fake_servers.discord_api import FakeDiscord, Sent
from tests.fakes import FakeCoach, FakeSpeechToText, FakeTextToSpeech
from tests.world import World

ANSWER = Path(__file__).parents[1] / "fixtures" / "answer.ogg"
USER = "950000000000000077"
FAST = RetryPolicy(attempts=3, backoff_s=0.01)
ANSWER_TEXT = "I led the migration of our billing service and cut failed payments by a third"


@dataclass
class Running:
    discord: FakeDiscord
    world: World
    connector: DiscordConnector

    async def dm(self) -> str:
        return self.discord.dm_channel(USER)


@pytest.fixture
async def discord_api() -> AsyncIterator[FakeDiscord]:
    server = FakeDiscord()
    await server.start()
    yield server
    await server.stop()


def options(server: FakeDiscord, **extra: object) -> DiscordOptions:
    return DiscordOptions(
        token=server.token, api_base_url=server.api_base_url, gateway_url=server.gateway_url,
        retry=FAST, guild_ready_timeout_s=0.1, connect_timeout_s=10, **extra,  # type: ignore[arg-type]
    )  # fmt: skip


class SaidThis(FakeSpeechToText):
    """Whatever the (real, decoded) audio, the candidate said ANSWER_TEXT."""

    async def transcribe(self, clip: AudioClip, *, language: str | None = None) -> Transcript:
        self.calls += 1
        words = tuple(Word(w, i * 0.4, i * 0.4 + 0.3) for i, w in enumerate(ANSWER_TEXT.split()))
        return Transcript(ANSWER_TEXT, words, language="en", duration_s=clip.duration_s)


async def discord_world(tmp_path: Path, **environ: str) -> World:
    """The wired app with fake speech, voice and coach, and the real audio codec."""
    settings = load_settings({
        "COACH_DATA_DIR": str(tmp_path / "data"),
        "COACH_MASTER_KEY_FILE": str(tmp_path / "keys" / "master.key"),
        "COACH_QUESTIONS": "2", **environ,
    })  # fmt: skip
    stt, tts = SaidThis(), FakeTextToSpeech()
    app = build_app(settings, stt=stt, tts=tts, coach=FakeCoach())
    await app.start()
    return World(app, stt, tts)


@pytest.fixture
async def bot(discord_api: FakeDiscord, tmp_path: Path) -> AsyncIterator[Running]:
    world = await discord_world(tmp_path)
    connector = DiscordConnector(
        options(discord_api), guilds=DiscordGuildStore(world.app.db.engine)
    )
    await connector.start(world.app.engine.handle)
    yield Running(discord_api, world, connector)
    await connector.stop()
    await world.app.close()


async def run_command(
    discord_api: FakeDiscord, name: str, *, replies: int = 1, **kwargs: object
) -> tuple[dict[str, object], list[Sent]]:
    """Dispatch a slash command; wait for the callback and `replies` follow-ups."""
    interaction = fake.command(name, USER, **kwargs)  # type: ignore[arg-type]
    token = str(interaction["token"])
    await discord_api.dispatch("INTERACTION_CREATE", interaction)
    await discord_api.wait_for(
        lambda f: len([s for s in f.to(token) if s.route == "followup"]) >= replies
    )
    return interaction, discord_api.to(token)


async def press(
    discord_api: FakeDiscord, custom_id: str, channel: str, *, replies: int = 1, dm: bool = True
) -> list[Sent]:
    interaction = fake.button_press(custom_id, USER, channel=channel, dm=dm)
    token = str(interaction["token"])
    await discord_api.dispatch("INTERACTION_CREATE", interaction)
    await discord_api.wait_for(
        lambda f: len([s for s in f.to(token) if s.route == "followup"]) >= replies
    )
    return [s for s in discord_api.to(token) if s.route == "followup"]


async def consent_in_dm(run: Running) -> str:
    """/consent in the DM, then the age and consent buttons; returns the DM channel id."""
    dm = await run.dm()
    await run_command(run.discord, "consent", dm=True, channel=dm)
    await press(run.discord, "age:16plus", dm)
    await press(run.discord, "consent:agree:16plus", dm, replies=2)
    return dm


async def start_interview_in_dm(run: Running) -> str:
    dm = await consent_in_dm(run)
    options = fake.string_options(role="sales", level="senior")
    _, sent = await run_command(run.discord, "interview", dm=True, channel=dm, options=options)
    assert any("Question 1" in s.content or "?" in s.content for s in sent)
    return dm


async def voice_message(run: Running, channel: str, *, guild: bool = False) -> str:
    """Post the fixture answer as a voice message; returns its CDN URL."""
    data = ANSWER.read_bytes()
    url = run.discord.add_file(data)
    attachment = fake.voice_attachment(url, len(data), 2.5)
    payload = fake.message(
        USER, channel, attachments=[attachment], flags=8192,
        guild_id=fake.GUILD_ID if guild else None,
    )  # fmt: skip
    await run.discord.dispatch("MESSAGE_CREATE", payload)
    return url


async def coach_command(
    run: Running, sub: str, options: list[dict[str, object]] | None = None, *, admin: bool = True
) -> str:
    """`/coach <sub>` in the practice channel; returns the ephemeral answer."""
    group = [{"name": sub, "type": 1, "options": options or []}]
    interaction = fake.command("coach", USER, options=group, admin=admin)
    token = str(interaction["token"])
    await run.discord.dispatch("INTERACTION_CREATE", interaction)
    await run.discord.wait_for(lambda f: bool(f.to(token)))
    answer = run.discord.to(token)[0].payload
    assert answer["type"] == 4 and answer["data"]["flags"] & 64
    return str(answer["data"]["content"])


def voice_messages(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if s.route == "message" and s.flags & 8192]


# --- connection and commands ---------------------------------------------------------------


async def test_login_identifies_on_the_gateway_and_registers_every_slash_command(
    bot: Running,
) -> None:
    names = {c["name"] for c in bot.discord.commands["global"]}
    assert {name for name, _ in PERSONAL_COMMANDS} <= names
    assert {"interview", "consent", "delete", "profile", "buy", "coach"} <= names
    assert {"stories", "reminders", "paysupport", "admin"} <= names
    assert bot.discord.identified == 1
    interview = next(c for c in bot.discord.commands["global"] if c["name"] == "interview")
    role = next(o for o in interview["options"] if o["name"] == "role")
    assert {"name": "Sales", "value": "sales"} in role["choices"]


async def test_guild_ids_sync_the_commands_to_those_servers_only(
    discord_api: FakeDiscord, tmp_path: Path
) -> None:
    world = await discord_world(tmp_path)
    guilds = DiscordGuildStore(world.app.db.engine)
    connector = DiscordConnector(options(discord_api, guild_ids=(int(fake.GUILD_ID),)),
                                 guilds=guilds)  # fmt: skip
    await connector.start(world.app.engine.handle)
    await connector.stop()
    await world.app.close()
    assert "global" not in discord_api.commands
    assert any(c["name"] == "interview" for c in discord_api.commands[fake.GUILD_ID])


async def test_sharded_the_client_identifies_once_per_shard_and_still_answers(
    discord_api: FakeDiscord, tmp_path: Path
) -> None:
    world = await discord_world(tmp_path)
    guilds = DiscordGuildStore(world.app.db.engine)
    connector = DiscordConnector(options(discord_api, shards=2), guilds=guilds)
    await connector.start(world.app.engine.handle)
    try:
        assert discord_api.identified == 2
        dm = discord_api.dm_channel(USER)
        _, sent = await run_command(discord_api, "help", dm=True, channel=dm)
        assert "/interview" in next(s for s in sent if s.route == "followup").content
    finally:
        await connector.stop()
        await world.app.close()


def test_slash_commands_map_to_the_engines_text_commands() -> None:
    assert command_text("interview", "sales", "senior") == "/interview sales senior"
    assert command_text("consent", None) == "/consent"
    assert command_text("profile", "name", " Ada Lovelace ") == "/profile name Ada Lovelace"
    feature_commands = {"credits", "paysupport"}  # owned by features, not the core engine
    assert {name for name, _ in PERSONAL_COMMANDS} - feature_commands <= KNOWN
    assert command_text("reminders", "19:00", "Europe/Berlin") == "/reminders 19:00 Europe/Berlin"
    assert command_text("admin", "user discord:42") == "/admin user discord:42"


async def test_a_slash_command_in_a_server_gets_an_ephemeral_consent_prompt_with_buttons(
    bot: Running,
) -> None:
    _, sent = await run_command(bot.discord, "interview", channel=fake.GENERAL_CHANNEL)
    callback = next(s for s in sent if s.route == "callback")
    assert callback.payload["type"] == 5 and callback.payload["data"]["flags"] & 64
    prompt = next(s for s in sent if s.route == "followup")
    assert prompt.flags & 64  # only the candidate sees it
    assert "age:16plus" in prompt.custom_ids()


async def test_slash_command_start_in_a_dm_runs_consent_and_asks_the_first_question(
    bot: Running,
) -> None:
    dm = await start_interview_in_dm(bot)
    assert voice_messages(bot.discord.to(dm))  # the question, spoken


# --- answers -------------------------------------------------------------------------------


async def test_a_voice_message_answer_gets_a_voice_message_reply_and_written_feedback(
    bot: Running,
) -> None:
    dm = await start_interview_in_dm(bot)
    before = len(voice_messages(bot.discord.to(dm)))
    await voice_message(bot, dm)
    await bot.discord.wait_for(lambda f: any("Score" in c for c in f.contents(dm)), timeout=30)
    await bot.discord.wait_for(lambda f: len(voice_messages(f.to(dm))) > before)
    reply = voice_messages(bot.discord.to(dm))[-1]
    meta = reply.payload["attachments"][0]
    assert reply.flags == 8192 and not reply.content
    assert meta["duration_secs"] > 0
    assert len(base64.b64decode(meta["waveform"])) == 256
    assert reply.files[0][1].startswith(b"OggS") and reply.files[0][2] == "audio/ogg"
    assert len(bot.discord.downloads) == 1


async def test_a_voice_message_before_consent_is_not_downloaded_and_gets_one_consent_prompt(
    bot: Running,
) -> None:
    dm = await bot.dm()
    await voice_message(bot, dm)
    await bot.discord.wait_for(lambda f: bool(f.contents(dm)))
    prompt = bot.discord.to(dm)
    assert len(prompt) == 1 and "age:16plus" in prompt[0].custom_ids()
    assert bot.discord.downloads == []
    assert await bot.world.count("recordings") == 0


async def test_a_voice_message_in_the_practice_channel_is_answered_in_private(
    bot: Running,
) -> None:
    await coach_command(bot, "setup")
    await voice_message(bot, fake.PRACTICE_CHANNEL, guild=True)
    dm = await bot.dm()
    await bot.discord.wait_for(lambda f: bool(f.contents(dm)))
    assert bot.discord.to(fake.PRACTICE_CHANNEL) == []  # nothing said in public
    assert bot.discord.downloads == []  # no consent yet


async def test_interview_in_the_practice_channel_opens_a_private_thread(bot: Running) -> None:
    assert "Practice channel set" in await coach_command(bot, "setup")
    _, sent = await run_command(bot.discord, "interview", channel=fake.PRACTICE_CHANNEL)
    thread = next(iter(bot.discord.threads.values()))
    assert thread["type"] == 12 and thread["parent_id"] == fake.PRACTICE_CHANNEL
    assert (thread["id"], USER) in bot.discord.thread_members
    note = next(s for s in sent if s.route == "followup")
    assert f"<#{thread['id']}>" in note.content and note.flags & 64
    await bot.discord.wait_for(lambda f: bool(f.contents(thread["id"])))
    assert "age:16plus" in bot.discord.to(thread["id"])[-1].custom_ids()


async def test_only_server_admins_can_change_server_settings(bot: Running) -> None:
    assert "Only server admins" in await coach_command(bot, "setup", admin=False)
    on = [{"name": "state", "type": 3, "value": "on"}]
    assert "Only server admins" in await coach_command(bot, "qotd", on, admin=False)
    guilds = DiscordGuildStore(bot.world.app.db.engine)
    assert await guilds.practice_channel(fake.GUILD_ID) is None
    assert await guilds.question_of_the_day_channels() == []


async def test_the_question_of_the_day_is_opt_in_per_server(bot: Running) -> None:
    server = bot.connector.server
    assert server is not None
    await coach_command(bot, "setup")
    assert await server.post_question_of_the_day() == 0
    on = [{"name": "state", "type": 3, "value": "on"}]
    assert "every day" in await coach_command(bot, "qotd", on)
    assert await server.post_question_of_the_day() == 1
    posted = bot.discord.contents(fake.PRACTICE_CHANNEL)
    assert posted == [QOTD_TEXT.format(question=question_for(date.today()).text)]
    assert bot.connector.daily is not None and bot.connector.daily.get_job(QOTD_JOB_ID)
    off = [{"name": "state", "type": 3, "value": "off"}]
    await coach_command(bot, "qotd", off)
    assert await server.post_question_of_the_day() == 0


# --- privacy rights ------------------------------------------------------------------------


async def test_export_is_delivered_as_a_file(bot: Running) -> None:
    dm = await start_interview_in_dm(bot)
    _, sent = await run_command(bot.discord, "export", dm=True, channel=dm, replies=2)
    files = [f for s in sent for f in s.files]
    assert files and files[0][0].endswith(".json") or files[0][0].endswith(".zip")
    assert files[0][1]


async def test_delete_asks_for_confirmation_then_erases(bot: Running) -> None:
    dm = await start_interview_in_dm(bot)
    _, sent = await run_command(bot.discord, "delete", dm=True, channel=dm)
    confirm = next(s for s in sent if s.route == "followup")
    assert {"delete:now", "delete:keep"} <= set(confirm.custom_ids())
    assert await bot.world.count("users") == 1
    await press(bot.discord, "delete:now", dm, replies=2)
    assert await bot.world.count("interview_sessions") == 0


# --- robustness ----------------------------------------------------------------------------


async def test_a_redelivered_message_is_handled_once(bot: Running) -> None:
    dm = await bot.dm()
    payload = fake.message(USER, dm, content="hello")
    await bot.discord.dispatch("MESSAGE_CREATE", payload)
    await bot.discord.dispatch("MESSAGE_CREATE", payload)
    await bot.discord.wait_for(lambda f: bool(f.contents(dm)))
    await run_command(bot.discord, "help", dm=True, channel=dm)  # a later event, in order
    assert len(bot.discord.to(dm)) == 1


async def test_rate_limits_beyond_the_librarys_retries_are_backed_off_and_delivered(
    bot: Running,
) -> None:
    dm = await bot.dm()
    bot.discord.fail("POST channels/messages", 429, times=6)
    await bot.connector.send(ChatRef("discord", dm, USER), Reply("Reminder: practise today"))
    assert bot.discord.contents(dm) == ["Reminder: practise today"]


async def test_a_refused_voice_message_falls_back_to_an_audio_attachment(bot: Running) -> None:
    dm = await bot.dm()
    bot.discord.fail("POST channels/messages", 400, times=1)
    clip = AudioClip(ANSWER.read_bytes(), duration_s=2.0)
    await bot.connector.send(ChatRef("discord", dm, USER), Reply("Next question", voice=clip))
    sent = bot.discord.to(dm)
    assert [s.files[0][0] for s in sent if s.files] == ["reply.ogg"]
    assert bot.discord.contents(dm) == ["Next question"]


async def test_a_failing_handler_keeps_the_client_running_and_says_the_answer_is_saved(
    bot: Running, caplog: pytest.LogCaptureFixture
) -> None:
    dm = await bot.dm()

    async def broken(*_: object) -> None:
        raise RuntimeError("boom")

    bot.connector._handle = broken
    with caplog.at_level(logging.ERROR):
        await bot.discord.dispatch("MESSAGE_CREATE", fake.message(USER, dm, content="hi"))
        await bot.discord.wait_for(lambda f: bool(f.contents(dm)))
    assert "saved" in bot.discord.contents(dm)[0]
    assert "hi" not in caplog.text and USER not in caplog.text
    bot.connector._handle = bot.world.app.engine.handle
    await run_command(bot.discord, "help", dm=True, channel=dm)


# --- pictures, coaching, reminders, stories, support and admin ----------------------------

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)  # what `/progress` attaches (a chart)


def followups(sent: list[Sent]) -> list[Sent]:
    return [s for s in sent if s.route == "followup"]


async def test_a_reply_with_a_picture_sends_it_as_an_attachment_before_the_text(
    bot: Running,
) -> None:
    dm = await bot.dm()
    reply = Reply("Your progress so far", image=Document("progress.png", PNG, "image/png"))
    await bot.connector.send(ChatRef("discord", dm, USER), reply)
    picture, text = bot.discord.to(dm)
    assert [f[:2] for f in picture.files] == [("progress.png", PNG)] and not picture.content
    assert text.content == "Your progress so far" and not text.files


async def test_a_picture_that_cannot_be_uploaded_leaves_the_text(bot: Running) -> None:
    dm = await bot.dm()
    bot.discord.fail("POST channels/messages", 400, times=1)
    reply = Reply("Your progress so far", image=Document("progress.png", PNG, "image/png"))
    await bot.connector.send(ChatRef("discord", dm, USER), reply)
    assert [s.content for s in bot.discord.to(dm)] == ["Your progress so far"]


async def test_feedback_buttons_give_the_stronger_answer_and_progress_shows_a_chart(
    bot: Running,
) -> None:
    dm = await start_interview_in_dm(bot)
    await voice_message(bot, dm)
    await bot.discord.wait_for(lambda f: any("Score" in c for c in f.contents(dm)), timeout=30)
    feedback = next(s for s in bot.discord.to(dm) if "Score" in s.content)
    ids = feedback.custom_ids()
    stronger = next(i for i in ids if i.startswith("stronger:"))
    assert any(i.startswith("story:") for i in ids)
    rewrite = await press(bot.discord, stronger, dm)
    assert STRONGER_TITLE in rewrite[0].content
    await run_command(bot.discord, "end", dm=True, channel=dm)
    _, sent = await run_command(bot.discord, "progress", dm=True, channel=dm, replies=2)
    chart, summary = followups(sent)[:2]
    assert chart.files and chart.files[0][1].startswith(b"\x89PNG")
    assert summary.content and not summary.files


async def test_stories_reminders_and_paysupport_reach_the_engine(bot: Running) -> None:
    dm = await bot.dm()
    _, sent = await run_command(bot.discord, "paysupport", dm=True, channel=dm)
    assert followups(sent)[0].content  # answered before consent
    await consent_in_dm(bot)
    _, sent = await run_command(bot.discord, "stories", dm=True, channel=dm)
    assert followups(sent)[0].content == NO_STORIES
    when = fake.string_options(time="19:30", zone="Europe/Berlin")
    _, sent = await run_command(bot.discord, "reminders", dm=True, channel=dm, options=when)
    assert "19:30" in followups(sent)[0].content and "Europe/Berlin" in followups(sent)[0].content
    off = fake.string_options(time="off")
    _, sent = await run_command(bot.discord, "reminders", dm=True, channel=dm, options=off)
    assert followups(sent)[0].content == STOPPED


def admin_command_registered(discord_api: FakeDiscord) -> dict[str, object]:
    return next(c for c in discord_api.commands["global"] if c["name"] == "admin")


async def test_admin_is_hidden_from_members_and_answers_an_admin_ephemerally(
    discord_api: FakeDiscord, tmp_path: Path
) -> None:
    world = await discord_world(tmp_path, COACH_ADMIN_IDS=f"discord:{USER}")
    connector = DiscordConnector(
        options(discord_api), guilds=DiscordGuildStore(world.app.db.engine)
    )
    await connector.start(world.app.engine.handle)
    try:
        hidden = admin_command_registered(discord_api)["default_member_permissions"]
        assert int(str(hidden)) == discord.Permissions(administrator=True).value
        stats = fake.string_options(args="stats")
        _, sent = await run_command(discord_api, "admin", channel=fake.GENERAL_CHANNEL,
                                    options=stats)  # fmt: skip
        callback = next(s for s in sent if s.route == "callback")
        assert callback.payload["type"] == 5 and callback.payload["data"]["flags"] & 64
        answer = followups(sent)[0]
        assert answer.flags & 64 and "Stats (aggregates only)" in answer.content
        assert discord_api.to(fake.GENERAL_CHANNEL) == []  # nothing said in public
    finally:
        await connector.stop()
        await world.app.close()


async def test_admin_from_someone_not_listed_looks_like_an_unknown_command(bot: Running) -> None:
    dm = await bot.dm()
    stats = fake.string_options(args="stats")
    _, sent = await run_command(bot.discord, "admin", dm=True, channel=dm, options=stats)
    answer = followups(sent)[0]
    assert answer.content == flow_texts.UNKNOWN_COMMAND.format(command="/admin")
    assert answer.flags & 64  # ephemeral even in a DM
    assert "Stats" not in " ".join(bot.discord.contents(dm))
