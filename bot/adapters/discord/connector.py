"""The Discord Connector: discord.py's client on the application's event loop.

`start` logs in, syncs the slash commands, connects the gateway and returns once the client
is ready; `stop` closes it. Each interaction or message becomes one Inbound whose update id
is the Discord id (the engine drops redeliveries and keeps one person's turns in order).
Replies go to a "private place": the DM channel or the candidate's private thread; in a
server channel, ephemeral follow-ups. Messages count only in DMs, in threads the bot
opened, and in a server's practice channel (whose replies then go to the DM).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from dataclasses import dataclass, field
from typing import Any, Literal

import discord
import yarl
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bot.adapters.discord.commands import register_commands
from bot.adapters.discord.guilds import GuildDirectory
from bot.adapters.discord.inbound import PLATFORM, message_inbound
from bot.adapters.discord.retry import RetryPolicy
from bot.adapters.discord.sender import DiscordSender
from bot.adapters.discord.server import QOTD_HOUR_UTC, QOTD_JOB_ID, ServerCommands
from bot.adapters.discord.sinks import InteractionSink
from bot.core.errors import CoachError
from bot.core.models import ChatRef, Inbound, Reply
from bot.core.ports import Handler
from bot.flows.engine import GENERIC_ERROR
from bot.scheduler import start_daily

log = logging.getLogger(__name__)
# discord.py's debug logs carry URLs with interaction tokens; its HTTP warnings carry DM ids
QUIET_LOGGERS = {"discord": logging.WARNING, "discord.http": logging.ERROR}
THREAD_NAME = "Interview practice"
THREAD_OPENED = "I opened a private thread for your interview: {mention}"
DM_INSTEAD = "I could not open a private thread here, so let's continue in your DMs."


@dataclass(frozen=True, slots=True)
class DiscordOptions:
    token: str = field(repr=False)
    api_base_url: str = "https://discord.com/api/v10"
    gateway_url: str | None = None
    guild_ids: tuple[int, ...] = ()
    shards: int | Literal["auto"] | None = None
    retry: RetryPolicy = RetryPolicy()
    guild_ready_timeout_s: float = 2.0
    connect_timeout_s: float = 60.0


class DiscordConnector:
    name = "discord"

    def __init__(self, options: DiscordOptions, *, guilds: GuildDirectory) -> None:
        self.options = options
        self.guilds = guilds
        self.client: discord.Client | None = None
        self._sender: DiscordSender | None = None
        self._handle: Handler | None = None
        self._connection: asyncio.Task[None] | None = None
        self.daily: AsyncIOScheduler | None = None
        self.server: ServerCommands | None = None

    async def start(self, handle: Handler) -> None:
        """Log in, sync commands, connect the gateway; CoachError if Discord is unreachable."""
        quiet_libraries()
        point_at(self.options)
        self._handle = handle
        client = self._build()
        try:
            await client.login(self.options.token)
            await self._sync(client.tree)  # type: ignore[attr-defined]
        except (discord.DiscordException, OSError) as exc:
            await self.stop()
            raise CoachError(
                f"could not reach Discord ({type(exc).__name__}); check DISCORD_BOT_TOKEN and "
                "DISCORD_API_BASE_URL"
            ) from exc
        self._connection = asyncio.create_task(client.connect(reconnect=True))
        self._connection.add_done_callback(_connection_ended)
        await self._until_ready(client)
        assert self.server is not None
        self.daily = start_daily(
            self.server.post_question_of_the_day, job_id=QOTD_JOB_ID, hour_utc=QOTD_HOUR_UTC
        )
        log.info("discord connected")

    async def stop(self) -> None:
        daily, self.daily = self.daily, None
        if daily is not None:
            daily.shutdown(wait=False)
        client, self.client = self.client, None
        if client is not None:
            await client.close()
        if self._connection is not None:
            await asyncio.gather(self._connection, return_exceptions=True)
            self._connection = None
        await self.guilds.close()

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        """Send to a private place (a DM channel or the candidate's private thread)."""
        if self._sender is None:
            raise RuntimeError("the Discord connector is not running")
        await self._sender.to_channel(int(chat.chat_id), reply)

    def _build(self) -> discord.Client:
        intents = discord.Intents.none()
        intents.guilds = intents.guild_messages = intents.dm_messages = True
        intents.message_content = True  # privileged: enable it in the developer portal
        opts = self.options
        kwargs: dict[str, Any] = {
            "intents": intents,
            "guild_ready_timeout": opts.guild_ready_timeout_s,
        }
        client: discord.Client
        if opts.shards is None:
            client = discord.Client(**kwargs)
        else:
            shard_count = None if opts.shards == "auto" else opts.shards
            client = discord.AutoShardedClient(shard_count=shard_count, **kwargs)
        tree = app_commands.CommandTree(client)
        self.client = client
        self._sender = DiscordSender(client, policy=opts.retry)
        self.server = ServerCommands(self.guilds, self._sender)
        register_commands(tree, conversation=self, server=self.server)
        tree.on_error = self._on_command_error  # type: ignore[method-assign]
        client.tree = tree  # type: ignore[attr-defined]
        client.on_message = self._on_message  # type: ignore[attr-defined]
        client.on_interaction = self._on_interaction  # type: ignore[attr-defined]
        client.on_error = self._on_error  # type: ignore[method-assign]
        return client

    async def _sync(self, tree: app_commands.CommandTree[discord.Client]) -> None:
        """Global commands; per server with DISCORD_GUILD_IDS (instant, for development)."""
        assert self._sender is not None
        if not self.options.guild_ids:
            await self._sender.call("command sync", tree.sync)
        for guild_id in self.options.guild_ids:
            guild = discord.Object(guild_id)
            tree.copy_global_to(guild=guild)
            await self._sender.call("command sync", functools.partial(tree.sync, guild=guild))

    async def _until_ready(self, client: discord.Client) -> None:
        assert self._connection is not None
        ready = asyncio.create_task(client.wait_until_ready())
        done, _ = await asyncio.wait(
            {ready, self._connection}, timeout=self.options.connect_timeout_s,
            return_when=asyncio.FIRST_COMPLETED,
        )  # fmt: skip
        if ready in done:
            return
        ready.cancel()
        failed = self._connection.exception() if self._connection in done else None
        await self.stop()
        reason = type(failed).__name__ if failed else "timed out"
        raise CoachError(f"could not connect to the Discord gateway ({reason}); check "
                         "DISCORD_BOT_TOKEN and DISCORD_GATEWAY_URL")  # fmt: skip

    # --- what people do ------------------------------------------------------------------

    async def converse(
        self, interaction: discord.Interaction, text: str, *, ephemeral: bool = False
    ) -> None:
        """A slash command for the engine; `/interview` in a practice channel opens a thread.

        `ephemeral` answers with follow-ups only the person sees, even in a DM or thread.
        """
        if text.startswith("/interview") and await self._in_practice_channel(interaction):
            await self._interview_in_thread(interaction, text)
            return
        place = None if ephemeral else self._private_place(interaction)
        await interaction.response.defer(ephemeral=place is None, thinking=True)
        await self._converse(interaction, place, text=text)

    async def _on_interaction(self, interaction: discord.Interaction) -> None:
        """Button presses (components); slash commands are routed by the command tree."""
        if interaction.type != discord.InteractionType.component or interaction.data is None:
            return
        custom_id = str(interaction.data.get("custom_id", ""))
        place = self._private_place(interaction)
        await interaction.response.defer()
        await self._converse(interaction, place, button=custom_id)

    async def _converse(
        self, interaction: discord.Interaction, place: int | None, *, text: str | None = None,
        button: str | None = None,
    ) -> None:  # fmt: skip
        assert self._sender is not None and self._handle is not None
        user = interaction.user
        chat_id = place if place is not None else await self._dm_channel(user)
        inbound = Inbound(
            ChatRef(PLATFORM, str(chat_id), str(user.id)), str(interaction.id), text=text,
            button=button, display_name=user.global_name or user.name,
            language=str(interaction.locale).split("-")[0] or None,
        )  # fmt: skip
        await self._handle(inbound, InteractionSink(self._sender, interaction, private_place=place))

    async def _interview_in_thread(self, interaction: discord.Interaction, text: str) -> None:
        """Open a private thread for the candidate (their DMs if that is not possible)."""
        assert self._sender is not None and self._handle is not None
        await interaction.response.defer(ephemeral=True, thinking=True)
        channel, user = interaction.channel, interaction.user
        try:
            assert isinstance(channel, discord.TextChannel)
            thread = await self._sender.call("thread", lambda: channel.create_thread(
                name=THREAD_NAME, type=discord.ChannelType.private_thread, invitable=False,
            ))  # fmt: skip
            await self._sender.call("thread member", lambda: thread.add_user(user))
            place, note = thread.id, THREAD_OPENED.format(mention=thread.mention)
        except (discord.HTTPException, AssertionError) as exc:
            log.info("no private thread (%s); using DMs", type(exc).__name__)
            place, note = await self._dm_channel(user), DM_INSTEAD
        await self._sender.call("note", lambda: interaction.followup.send(note, ephemeral=True))
        chat = ChatRef(PLATFORM, str(place), str(user.id))
        inbound = Inbound(chat, str(interaction.id), text=text, display_name=user.global_name)
        await self._handle(inbound, self)

    async def _on_message(self, message: discord.Message) -> None:
        assert self._handle is not None
        if message.author.bot or (not message.content and not message.attachments):
            return
        place = await self._message_place(message)
        if place is not None:
            await self._handle(message_inbound(message, place), self)

    # --- where replies go ----------------------------------------------------------------

    def _private_place(self, interaction: discord.Interaction) -> int | None:
        """The DM or the bot's private thread the interaction happened in, else None."""
        if interaction.guild_id is None:
            return interaction.channel_id
        return self._own_thread(interaction.channel)

    async def _message_place(self, message: discord.Message) -> int | None:
        if message.guild is None:
            return message.channel.id
        thread = self._own_thread(message.channel)
        if thread is not None:
            return thread
        practice = await self.guilds.practice_channel(str(message.guild.id))
        if practice == str(message.channel.id):
            return await self._dm_channel(message.author)
        return None

    def _own_thread(self, channel: object) -> int | None:
        me = self.client.user if self.client else None
        if isinstance(channel, discord.Thread) and me is not None and channel.owner_id == me.id:
            return channel.id
        return None

    async def _in_practice_channel(self, interaction: discord.Interaction) -> bool:
        if interaction.guild_id is None or interaction.channel_id is None:
            return False
        practice = await self.guilds.practice_channel(str(interaction.guild_id))
        return practice == str(interaction.channel_id)

    async def _dm_channel(self, user: discord.User | discord.Member) -> int:
        assert self._sender is not None
        dm = user.dm_channel or await self._sender.call("dm", user.create_dm)
        return int(dm.id)

    # --- the last resort -----------------------------------------------------------------

    async def _on_error(self, event: str, *args: Any, **kwargs: Any) -> None:
        """Log the failure's type only, tell the person their answer is saved, keep running."""
        log.error("discord %s handler failed: %s", event, _current_error())
        target = args[0] if args else None
        try:
            if isinstance(target, discord.Message):
                await target.channel.send(GENERIC_ERROR)
            elif isinstance(target, discord.Interaction):
                await _tell(target, GENERIC_ERROR)
        except discord.DiscordException as exc:
            log.warning("could not tell the person (%s)", type(exc).__name__)

    async def _on_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("discord command failed: %s", type(getattr(error, "original", error)).__name__)
        try:
            await _tell(interaction, GENERIC_ERROR)
        except discord.DiscordException as exc:
            log.warning("could not tell the person (%s)", type(exc).__name__)


async def _tell(interaction: discord.Interaction, text: str) -> None:
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


def _connection_ended(task: asyncio.Task[None]) -> None:
    """discord.py reconnects by itself; this logs the case it gives up (e.g. a revoked token)."""
    if not task.cancelled() and task.exception() is not None:
        log.error("discord connection ended: %s", type(task.exception()).__name__)


def _current_error() -> str:
    kind = sys.exc_info()[0]
    return kind.__name__ if kind else "unknown"


def point_at(options: DiscordOptions) -> None:
    """Aim discord.py at another REST base and gateway (a proxy, or a test server).

    Both are class attributes, so they apply to every client in the process.
    """
    Route.BASE = options.api_base_url.rstrip("/")
    if options.gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(options.gateway_url)


def quiet_libraries() -> None:
    """Raise discord.py's loggers to at least these levels (also when unset)."""
    for name, level in QUIET_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.level < level:
            logger.setLevel(level)
