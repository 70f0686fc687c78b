"""The optional question of the day: once a day, one behavioural question in the practice
channel of every server that opted in with `/coach qotd on`. Nobody's answer or score is
ever posted there: members practise it privately with `/interview`."""

from __future__ import annotations

import logging
from datetime import date

import discord

from bot.adapters.discord.guilds import GuildDirectory
from bot.adapters.discord.sender import DiscordSender
from bot.core.models import Question, Reply
from bot.flows.questions import load_bank

log = logging.getLogger(__name__)
QOTD_TEXT = (
    "Question of the day: {question}\n\n"
    "Run /interview here to practise it in a private thread; your answer and feedback stay "
    "between you and me."
)


def question_for(day: date) -> Question:
    """The same question all day, a different one each day, cycling through the bank."""
    bank = load_bank("behavioural")
    return bank[day.toordinal() % len(bank)]


async def post_questions_of_the_day(
    guilds: GuildDirectory, sender: DiscordSender, day: date
) -> int:
    """Post today's question to every opted-in practice channel; returns how many got it."""
    text = QOTD_TEXT.format(question=question_for(day).text)
    posted = 0
    for channel_id in await guilds.question_of_the_day_channels():
        try:
            await sender.to_channel(int(channel_id), Reply(text))
            posted += 1
        except discord.HTTPException as exc:
            log.warning("question of the day not posted (%s)", type(exc).__name__)
    return posted
