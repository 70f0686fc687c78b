"""Translate a PTB Update into an Inbound; files are downloaded only when `fetch` is called."""

from __future__ import annotations

import mimetypes
import warnings
from collections.abc import Awaitable, Callable

from telegram import Audio, Bot, Document, Message, Update, Voice
from telegram.warnings import PTBDeprecationWarning

from bot.core.models import Attachment, ChatRef, Inbound, Payment

PLATFORM = "telegram"


def to_inbound(update: Update, bot: Bot) -> Inbound | None:
    """The Inbound for a private-chat message or button press; None for anything else."""
    if update.pre_checkout_query is not None:
        return pre_checkout(update)
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None:
        return None
    ref = ChatRef(PLATFORM, str(chat.id), str(user.id))
    name, language = user.first_name, user.language_code
    update_id = str(update.update_id)
    query = update.callback_query
    if query is not None:
        button = query.data or ""
        return Inbound(ref, update_id, button=button, display_name=name, language=language)
    message = update.message
    if message is None:
        return None
    if message.successful_payment is not None:
        paid = message.successful_payment
        payment = Payment(
            "paid", paid.invoice_payload, paid.currency, paid.total_amount,
            charge_id=paid.telegram_payment_charge_id,
        )  # fmt: skip
        return Inbound(ref, update_id, payment=payment, display_name=name, language=language)
    attachment = attachment_of(message, bot)
    text = message.text if attachment is None else None
    return Inbound(
        ref, update_id, text=text, attachment=attachment, display_name=name, language=language
    )


def pre_checkout(update: Update) -> Inbound:
    """A pre-checkout query (Telegram Stars), answered in the buyer's private chat."""
    query = update.pre_checkout_query
    assert query is not None
    buyer = str(query.from_user.id)
    payment = Payment(
        "pre_checkout", query.invoice_payload, query.currency, query.total_amount,
        query_id=query.id,
    )  # fmt: skip
    return Inbound(ChatRef(PLATFORM, buyer, buyer), str(update.update_id), payment=payment)


def attachment_of(message: Message, bot: Bot) -> Attachment | None:
    """Voice notes, audio files and documents, with size and duration known up front."""
    if message.voice is not None:
        return _voice(message.voice, bot)
    if message.audio is not None:
        return _audio(message.audio, bot)
    if message.document is not None:
        return _document(message.document, bot)
    return None


def _voice(voice: Voice, bot: Bot) -> Attachment:
    # Telegram calls voice notes .oga; several speech APIs only accept the .ogg name.
    return Attachment(
        kind="voice", fetch=downloader(bot, voice.file_id), filename="voice.ogg",
        mime=voice.mime_type or "audio/ogg", size=voice.file_size,
        duration_s=seconds(voice, "duration"),
    )  # fmt: skip


def _audio(audio: Audio, bot: Bot) -> Attachment:
    mime = audio.mime_type or "audio/mpeg"
    name = audio.file_name or "audio" + (mimetypes.guess_extension(mime) or ".mp3")
    return Attachment(
        kind="audio", fetch=downloader(bot, audio.file_id), filename=name, mime=mime,
        size=audio.file_size, duration_s=seconds(audio, "duration"),
    )  # fmt: skip


def _document(document: Document, bot: Bot) -> Attachment:
    mime = document.mime_type or mimetypes.guess_type(document.file_name or "")[0]
    return Attachment(
        kind="document", fetch=downloader(bot, document.file_id),
        filename=document.file_name or "document", mime=mime, size=document.file_size,
    )  # fmt: skip


def downloader(bot: Bot, file_id: str) -> Callable[[], Awaitable[bytes]]:
    """A `fetch` that calls getFile and downloads only when awaited."""

    async def fetch() -> bytes:
        file = await bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    return fetch


def seconds(media: Voice | Audio, attribute: str) -> float | None:
    """A duration in seconds, without PTB's int/timedelta deprecation warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = getattr(media, attribute)
    if value is None:
        return None
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)
