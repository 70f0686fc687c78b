"""Translate discord.py messages into Inbound; attachments download only when `fetch` runs."""

from __future__ import annotations

import mimetypes
from typing import Literal

import discord

from bot.core.models import Attachment, ChatRef, Inbound

PLATFORM = "discord"


def message_inbound(message: discord.Message, chat_id: int) -> Inbound:
    """A person's message as an Inbound whose replies go to `chat_id` (a private place)."""
    ref = ChatRef(PLATFORM, str(chat_id), str(message.author.id))
    attachment = attachment_of(message)
    text = message.content if attachment is None else None
    return Inbound(
        ref, str(message.id), text=text, attachment=attachment,
        display_name=message.author.global_name or message.author.name,
    )  # fmt: skip


def attachment_of(message: discord.Message) -> Attachment | None:
    """The first attachment: a voice message, an audio file, or a document (a CV)."""
    if not message.attachments:
        return None
    found = message.attachments[0]
    mime = found.content_type or mimetypes.guess_type(found.filename)[0]
    kind: Literal["voice", "audio", "document"] = "document"
    filename = found.filename
    if found.is_voice_message():
        kind, filename = "voice", "voice.ogg"
    elif (mime or "").startswith("audio/"):
        kind = "audio"
    return Attachment(
        kind=kind, fetch=found.read, filename=filename, mime=mime, size=found.size,
        duration_s=found.duration,
    )  # fmt: skip
