"""The Telegram ReplySink: voice notes, pictures, HTML text split at the limit, buttons,
documents."""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, LabeledPrice
from telegram.constants import ChatAction, MessageLimit, ParseMode
from telegram.error import TelegramError

from bot.adapters.telegram.pacing import SendPacer
from bot.adapters.telegram.retry import RetryPolicy, with_retry
from bot.core.models import Button, ChatRef, Document, Reply

log = logging.getLogger(__name__)
TEXT_LIMIT = int(MessageLimit.MAX_TEXT_LENGTH)  # 4096
PACED = frozenset({"sendMessage", "sendVoice", "sendDocument", "sendPhoto", "sendInvoice"})


class TelegramSender:
    """Renders Replies for one bot; sends are paced, bounded overall and retried per chat."""

    def __init__(
        self, bot: Bot, *, policy: RetryPolicy | None = None, max_concurrent: int = 16,
        action_interval_s: float = 4.0, pacer: SendPacer | None = None,
    ) -> None:  # fmt: skip
        self.bot = bot
        self.policy = policy or RetryPolicy()
        self.pacer = pacer or SendPacer()
        self.action_interval_s = action_interval_s
        self._slots = asyncio.Semaphore(max_concurrent)
        self._actions: dict[str, asyncio.Task[None]] = {}

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        """Send one reply; a progress cue becomes a repeating "recording voice" action."""
        if reply.progress:
            self.start_action(chat.chat_id)
            return
        self.stop_action(chat.chat_id)
        chat_id = int(chat.chat_id)
        if reply.checkout is not None or reply.invoice is not None:
            await self._payment(chat_id, reply)
            return
        if reply.voice is not None:
            await self._send_voice(chat_id, reply)
        if reply.image is not None:
            await self._send_image(chat_id, reply.image)
        chunks = split_text(reply.text)
        markup = keyboard(reply.buttons)
        for number, chunk in enumerate(chunks, start=1):
            last = number == len(chunks)
            await self._call(
                "sendMessage", self.bot.send_message, chat_id=chat_id,
                text=html.escape(chunk, quote=False), parse_mode=ParseMode.HTML,
                reply_markup=markup if last else None,
            )  # fmt: skip
        if reply.document is not None:
            doc = reply.document
            await self._call(
                "sendDocument", self.bot.send_document, chat_id=chat_id,
                document=InputFile(doc.data, filename=doc.filename),
            )  # fmt: skip

    async def _payment(self, chat_id: int, reply: Reply) -> None:
        """Answer a pre-checkout query, or send an invoice in Telegram Stars."""
        if reply.checkout is not None:
            answer = reply.checkout
            await self._call(
                "answerPreCheckoutQuery", self.bot.answer_pre_checkout_query,
                pre_checkout_query_id=answer.query_id, ok=answer.ok,
                error_message=answer.error or None,
            )  # fmt: skip
            return
        invoice = reply.invoice
        assert invoice is not None
        await self._call(
            "sendInvoice", self.bot.send_invoice, chat_id=chat_id, title=invoice.title,
            description=invoice.description, payload=invoice.payload, provider_token="",
            currency=invoice.currency, prices=[LabeledPrice(invoice.title, invoice.amount)],
        )  # fmt: skip

    async def _send_voice(self, chat_id: int, reply: Reply) -> None:
        """The spoken reply; if it cannot be delivered the text still goes out."""
        voice = reply.voice
        assert voice is not None
        duration = max(1, round(voice.duration_s or 0))
        try:
            await self._call(
                "sendVoice", self.bot.send_voice, chat_id=chat_id,
                voice=InputFile(voice.data, filename="reply.ogg"), duration=duration,
            )  # fmt: skip
        except TelegramError as exc:
            log.warning("voice reply not delivered (%s); sending text only", type(exc).__name__)

    async def _send_image(self, chat_id: int, image: Document) -> None:
        """A picture (the progress chart); if it cannot be delivered the text still goes out."""
        try:
            await self._call(
                "sendPhoto", self.bot.send_photo, chat_id=chat_id,
                photo=InputFile(image.data, filename=image.filename),
            )  # fmt: skip
        except TelegramError as exc:
            log.warning("image not delivered (%s); sending text only", type(exc).__name__)

    async def send_text(
        self, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
    ) -> None:
        """A message of the adapter's own (not from the engine), escaped like every other."""
        await self._call(
            "sendMessage", self.bot.send_message, chat_id=chat_id,
            text=html.escape(text, quote=False), parse_mode=ParseMode.HTML, reply_markup=markup,
        )  # fmt: skip

    async def _call(self, method: str, func: Callable[..., Awaitable[Any]], **params: Any) -> Any:
        """One send with retries; a slot is held per attempt, never while waiting."""

        async def attempt() -> Any:
            if method in PACED:
                await self.pacer.wait(int(params["chat_id"]))
            async with self._slots:
                return await func(**params)

        return await with_retry(
            attempt, method=method, policy=self.policy, retry_timeouts=method == "sendChatAction"
        )

    def start_action(self, chat_id: str) -> None:
        """Show "recording voice" now and every few seconds until the next reply."""
        if chat_id not in self._actions:
            self._actions[chat_id] = asyncio.create_task(self._repeat_action(int(chat_id)))

    def stop_action(self, chat_id: str) -> None:
        task = self._actions.pop(chat_id, None)
        if task is not None:
            task.cancel()

    async def close(self) -> None:
        """Stop every pending chat action."""
        tasks = list(self._actions.values())
        self._actions.clear()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _repeat_action(self, chat_id: int) -> None:
        """The first action always goes; repetitions only within the pacer's action budget."""
        first = True
        while True:
            if first or self.pacer.allow_action():
                try:
                    await self._call(
                        "sendChatAction", self.bot.send_chat_action, chat_id=chat_id,
                        action=ChatAction.RECORD_VOICE,
                    )  # fmt: skip
                except TelegramError as exc:
                    log.info("chat action not shown (%s)", type(exc).__name__)
            first = False
            await asyncio.sleep(self.action_interval_s)


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split at paragraph, line or word boundaries so each piece fits in one message."""
    text = text.strip() or "…"
    chunks: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cuts = (window.rfind(sep) for sep in ("\n\n", "\n", " "))
        cut = next((c for c in cuts if c > limit // 2), limit)
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    chunks.append(text)
    return chunks


def keyboard(buttons: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    """Reply.buttons as an inline keyboard (callback data is limited to 64 bytes)."""
    rows = [
        [InlineKeyboardButton(b.label, callback_data=b.data[:64]) for b in row]
        for row in buttons
        if row
    ]
    return InlineKeyboardMarkup(rows) if rows else None
