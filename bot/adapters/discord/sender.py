"""Rendering Replies on Discord: voice messages, pictures, text split at 2000, buttons, files.

discord.py reads voice messages but cannot send them, so `send_voice_message` builds the
request itself through the library's HTTP layer (same session, auth and rate limits):
flag 8192 (IS_VOICE_MESSAGE), one OGG/Opus attachment with `duration_secs` and a base64
`waveform`, no text. When that fails the clip goes out as an ordinary audio attachment.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord.http import Route

from bot.adapters.discord.retry import RetryPolicy, with_backoff
from bot.adapters.telegram.sender import split_text
from bot.audio import decode, waveform
from bot.core.errors import AudioError
from bot.core.models import AudioClip, Button, Document, Reply

log = logging.getLogger(__name__)
TEXT_LIMIT = 2000
VOICE_MESSAGE_FLAG = 8192
EPHEMERAL_FLAG = 64
Send = Callable[..., Awaitable[Any]]


class DiscordSender:
    """Sends for one client; every request goes through our backoff on top of discord.py's."""

    def __init__(self, client: discord.Client, *, policy: RetryPolicy | None = None) -> None:
        self.client = client
        self.policy = policy or RetryPolicy()

    async def to_channel(self, channel_id: int, reply: Reply) -> None:
        """A whole reply in a channel the person alone reads (DM or private thread)."""
        channel = self.client.get_partial_messageable(channel_id)
        if reply.progress:
            await self.call("typing", lambda: self.client.http.send_typing(channel_id))
            return
        if reply.voice is not None:
            await self.voice(channel_id, reply.voice)
        await self.post(channel.send, reply)

    async def post(self, send: Send, reply: Reply, **extra: Any) -> None:
        """The picture, text (buttons under the last piece) and the document, through `send`."""
        if reply.image is not None:
            await self.image(send, reply.image, **extra)
        chunks = split_text(reply.text, TEXT_LIMIT)
        for number, chunk in enumerate(chunks, start=1):
            kwargs: dict[str, Any] = {"content": chunk, **extra}
            view = button_view(reply.buttons) if number == len(chunks) else None
            if view is not None:
                kwargs["view"] = view
            await self.call("message", functools.partial(send, **kwargs))
        if reply.document is not None:
            doc = reply.document
            await self.call("file", lambda: send(file=as_file(doc.data, doc.filename), **extra))

    async def image(self, send: Send, image: Document, **extra: Any) -> None:
        """A picture (the progress chart) as an attachment; if it fails the text still goes."""
        try:
            await self.call(
                "image", lambda: send(file=as_file(image.data, image.filename), **extra)
            )
        except (discord.HTTPException, discord.RateLimited) as exc:
            log.warning("image not delivered (%s); sending text only", type(exc).__name__)

    async def voice(self, channel_id: int, clip: AudioClip) -> None:
        """A voice message; an audio attachment if that is refused; nothing if both fail."""
        try:
            await self.call("voice message", lambda: self.send_voice_message(channel_id, clip))
            return
        except (discord.HTTPException, AudioError) as exc:
            log.warning("voice message not delivered (%s); sending audio", type(exc).__name__)
        channel = self.client.get_partial_messageable(channel_id)
        try:
            await self.call("audio", lambda: channel.send(file=as_file(clip.data, "reply.ogg")))
        except discord.HTTPException as exc:
            log.warning("audio reply not delivered (%s); text only", type(exc).__name__)

    async def send_voice_message(self, channel_id: int, clip: AudioClip) -> Any:
        """POST channels/{id}/messages with the voice-message flag and attachment metadata
        (duration and waveform from our encoder; decoded again only for a clip without them)."""
        duration, levels = clip.duration_s, clip.waveform
        if duration is None or levels is None:
            pcm = await decode(clip.data, sample_rate=8000)
            duration, levels = pcm.duration_s, waveform(pcm)
        meta = {
            "id": "0", "filename": "voice-message.ogg", "duration_secs": round(duration, 2),
            "waveform": base64.b64encode(levels).decode(),
        }  # fmt: skip
        payload = {"flags": VOICE_MESSAGE_FLAG, "attachments": [meta]}
        file = as_file(clip.data, "voice-message.ogg")
        form: list[dict[str, Any]] = [
            {"name": "payload_json", "value": json.dumps(payload)},
            {"name": "files[0]", "value": file.fp, "filename": file.filename,
             "content_type": "audio/ogg"},
        ]  # fmt: skip
        route = Route("POST", "/channels/{channel_id}/messages", channel_id=channel_id)
        try:
            return await self.client.http.request(route, files=[file], form=form)
        finally:
            file.close()

    async def call(self, what: str, call: Callable[[], Awaitable[Any]]) -> Any:
        return await with_backoff(call, what=what, policy=self.policy)


def as_file(data: bytes, filename: str) -> discord.File:
    return discord.File(io.BytesIO(data), filename=filename)


def button_view(buttons: tuple[tuple[Button, ...], ...]) -> discord.ui.View | None:
    """Reply.buttons as message components (5 rows of 5, custom ids up to 100 characters).

    The view is stopped before sending: presses reach `on_interaction` by custom id and go
    to the engine like Telegram's callback data, instead of living in discord.py's view store
    (which would forget them at every restart).
    """
    rows = [row[:5] for row in buttons if row][:5]
    if not rows:
        return None
    view = discord.ui.View(timeout=None)
    for number, row in enumerate(rows):
        for button in row:
            view.add_item(
                discord.ui.Button(label=button.label[:80], custom_id=button.data[:100], row=number)
            )
    view.stop()
    return view
