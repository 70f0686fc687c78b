"""Where the engine's replies to an interaction go: its follow-ups, or a private place.

In a DM or the candidate's private thread replies are ordinary (voice messages included);
anywhere else in a server they are ephemeral follow-ups that only the candidate sees, and a
spoken reply is attached as an audio file (voice messages cannot be ephemeral).
"""

from __future__ import annotations

import discord

from bot.adapters.discord.sender import DiscordSender, as_file
from bot.core.models import ChatRef, Reply


class InteractionSink:
    def __init__(
        self, sender: DiscordSender, interaction: discord.Interaction, *, private_place: int | None
    ) -> None:
        self.sender = sender
        self.interaction = interaction
        self.private_place = private_place

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        place, followup = self.private_place, self.interaction.followup
        if reply.progress:
            if place is not None:
                await self.sender.to_channel(place, reply)
            return
        if reply.voice is not None and place is not None:
            await self.sender.voice(place, reply.voice)
        elif reply.voice is not None:
            clip = reply.voice
            await self.sender.call(
                "audio", lambda: followup.send(file=as_file(clip.data, "reply.ogg"), ephemeral=True)
            )
        await self.sender.post(followup.send, reply, ephemeral=place is None)
