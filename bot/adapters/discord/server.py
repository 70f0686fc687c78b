"""Server settings, for admins (Manage Server): `/coach setup` chooses the practice channel,
`/coach qotd on|off` opts in or out of the daily question. Answers are ephemeral."""

from __future__ import annotations

from datetime import date

import discord

from bot.adapters.discord.guilds import GuildDirectory
from bot.adapters.discord.qotd import post_questions_of_the_day
from bot.adapters.discord.sender import DiscordSender

SETUP_DONE = (
    "Practice channel set to {mention}. Members run /interview there to get a private "
    "thread; voice messages posted there count as answers, and feedback stays private."
)
ADMIN_ONLY = "Only server admins (Manage Server) can change the coach's server settings."
IN_SERVER_ONLY = "Run /coach commands in a server's text channel."
QOTD_ON = "A practice question will be posted in the practice channel every day at 09:00 UTC."
QOTD_NO_CHANNEL = "Question of the day is on; choose the practice channel with /coach setup."
QOTD_OFF = "No more daily questions."
QOTD_JOB_ID = "discord-question-of-the-day"
QOTD_HOUR_UTC = 9


class ServerCommands:
    def __init__(self, guilds: GuildDirectory, sender: DiscordSender) -> None:
        self.guilds = guilds
        self.sender = sender

    async def setup(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None
    ) -> None:
        """`/coach setup [channel]`: that channel (default: this one) becomes the practice one."""
        target = channel or interaction.channel
        answer = _refusal(interaction)
        if answer is None and not isinstance(target, discord.TextChannel):
            answer = IN_SERVER_ONLY
        elif answer is None:
            assert isinstance(target, discord.TextChannel)
            await self.guilds.set_practice_channel(str(interaction.guild_id), str(target.id))
            answer = SETUP_DONE.format(mention=target.mention)
        await self._answer(interaction, answer)

    async def question_of_the_day(self, interaction: discord.Interaction, enabled: bool) -> None:
        """`/coach qotd on|off`."""
        answer = _refusal(interaction)
        if answer is None:
            guild_id = str(interaction.guild_id)
            await self.guilds.set_question_of_the_day(guild_id, enabled)
            if not enabled:
                answer = QOTD_OFF
            elif await self.guilds.practice_channel(guild_id) is None:
                answer = QOTD_NO_CHANNEL
            else:
                answer = QOTD_ON
        await self._answer(interaction, answer)

    async def post_question_of_the_day(self) -> int:
        """The daily job: today's question in every opted-in practice channel."""
        return await post_questions_of_the_day(self.guilds, self.sender, date.today())

    async def _answer(self, interaction: discord.Interaction, text: str) -> None:
        await self.sender.call(
            "answer", lambda: interaction.response.send_message(text, ephemeral=True)
        )


def _refusal(interaction: discord.Interaction) -> str | None:
    """Why this person may not change server settings here, or None when they may."""
    if interaction.guild_id is None:
        return IN_SERVER_ONLY
    if not interaction.permissions.manage_guild:
        return ADMIN_ONLY
    return None
