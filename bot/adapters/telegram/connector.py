"""The Telegram ChatAdapter: drives PTB's Application lifecycle on the running event loop.

`start` returns once the bot is connected (polling, or webhook registered); `stop` shuts it
down. Updates of different chats run concurrently; one chat's updates keep their order
(PTB starts a task per update in arrival order and the engine locks per person before its
first await). Group chats get only a button to the private chat.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.adapters.telegram.commands import bot_commands
from bot.adapters.telegram.inbound import to_inbound
from bot.adapters.telegram.retry import RetryPolicy, with_retry
from bot.adapters.telegram.sender import TelegramSender
from bot.core.errors import CoachError
from bot.core.models import ChatRef, Reply
from bot.core.ports import Handler

log = logging.getLogger(__name__)
ALLOWED_UPDATES = ["message", "callback_query", "pre_checkout_query"]
GROUP_TEXT = (
    "I coach interviews in a private chat, so your answers stay between us. Tap below to open it."
)
QUIET_LOGGERS = ("httpx", "httpcore", "telegram")  # request URLs carry the bot token


@dataclass(frozen=True, slots=True)
class TelegramOptions:
    token: str = field(repr=False)
    api_base_url: str = "https://api.telegram.org/bot"
    file_base_url: str = "https://api.telegram.org/file/bot"
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    poll_timeout_s: int = 30
    retry: RetryPolicy = RetryPolicy()
    action_interval_s: float = 4.0
    max_concurrent_updates: int = 256


class TelegramConnector:
    name = "telegram"

    def __init__(self, options: TelegramOptions) -> None:
        self.options = options
        self._app: Application[Any, Any, Any, Any, Any, Any] | None = None
        self._sender: TelegramSender | None = None
        self._handle: Handler | None = None
        self._background: set[asyncio.Task[Any]] = set()

    @property
    def webhook_path(self) -> str | None:
        """The HTTP path Telegram posts updates to, in webhook mode."""
        url = self.options.webhook_url
        return (urlsplit(url).path or "/") if url else None

    async def start(self, handle: Handler) -> None:
        """Connect, register the command menu, then poll or register the webhook."""
        quiet_libraries()
        self._handle = handle
        app = self._build()
        try:
            await app.initialize()
            await with_retry(
                lambda: app.bot.set_my_commands(bot_commands()), method="setMyCommands",
                policy=self.options.retry, retry_timeouts=True,
            )  # fmt: skip
        except TelegramError as exc:
            await app.shutdown()
            raise CoachError(
                f"could not reach the Telegram Bot API ({type(exc).__name__}); check "
                "TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL"
            ) from exc
        self._app = app
        self._sender = TelegramSender(
            app.bot, policy=self.options.retry, action_interval_s=self.options.action_interval_s
        )
        await app.start()
        if self.options.webhook_url:
            await app.bot.set_webhook(
                self.options.webhook_url, secret_token=self.options.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )  # fmt: skip
            log.info("telegram webhook registered")
        else:
            assert app.updater is not None
            await app.updater.start_polling(
                timeout=self.options.poll_timeout_s, allowed_updates=ALLOWED_UPDATES
            )
            log.info("telegram polling started")

    async def stop(self) -> None:
        """Stop fetching, let running handlers finish, then close the HTTP clients."""
        app, self._app = self._app, None
        if app is None:
            return
        if app.updater is not None and app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        if self._sender is not None:
            await self._sender.close()
        await asyncio.gather(*self._background, return_exceptions=True)
        await app.shutdown()
        log.info("telegram stopped")

    async def send(self, chat: ChatRef, reply: Reply) -> None:
        """Send outside a conversation (notices, reminders); private chats: chat id = user id."""
        if self._sender is None:
            raise RuntimeError("the Telegram connector is not running")
        await self._sender.send(chat, reply)

    async def refund_star_payment(self, user_id: int, charge_id: str) -> None:
        """Give a Telegram Stars payment back to the buyer (raises TelegramError if refused)."""
        if self._app is None:
            raise RuntimeError("the Telegram connector is not running")
        await self._app.bot.refund_star_payment(user_id, charge_id)

    async def feed(self, data: dict[str, Any]) -> None:
        """Queue one update received by the webhook (JSON already parsed)."""
        if self._app is None:
            raise RuntimeError("the Telegram connector is not running")
        update = Update.de_json(data, self._app.bot)
        await self._app.update_queue.put(update)

    def _build(self) -> Application[Any, Any, Any, Any, Any, Any]:
        opts = self.options
        builder = (
            Application.builder()
            .token(opts.token)
            .base_url(opts.api_base_url)
            .base_file_url(opts.file_base_url)
            .concurrent_updates(opts.max_concurrent_updates)
            .job_queue(None)
            .get_updates_read_timeout(opts.poll_timeout_s + 10)
        )
        if opts.webhook_url:
            builder = builder.updater(None)
        app = builder.build()
        app.add_handler(TypeHandler(Update, self._on_update))
        app.add_error_handler(self._on_error)
        return app

    async def _on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert self._sender is not None and self._handle is not None
        if update.callback_query is not None:
            self._in_background(self._answer_query(update.callback_query.id))
        chat = update.effective_chat
        if chat is None and update.pre_checkout_query is None:
            return
        if chat is not None and chat.type != ChatType.PRIVATE:
            await self._group(update)
            return
        inbound = to_inbound(update, context.bot)
        if inbound is None:
            return
        try:
            await self._handle(inbound, self._sender)
        finally:
            self._sender.stop_action(inbound.chat.chat_id)

    async def _group(self, update: Update) -> None:
        """In a group: answer /start (ours) with a link to the private chat, nothing else."""
        assert self._sender is not None and self._app is not None
        message = update.message
        username = self._app.bot.username
        if message is None or not is_start_for(message.text, username):
            return
        link = InlineKeyboardButton(
            "Open a private chat", url=f"https://t.me/{username}?start=group"
        )
        await self._sender.send_text(message.chat_id, GROUP_TEXT, InlineKeyboardMarkup([[link]]))

    async def _answer_query(self, query_id: str) -> None:
        """Stop the button's spinner; the engine's reply follows separately."""
        assert self._app is not None
        bot = self._app.bot
        try:
            await with_retry(
                lambda: bot.answer_callback_query(query_id), method="answerCallbackQuery",
                policy=self.options.retry, retry_timeouts=True,
            )  # fmt: skip
        except TelegramError as exc:
            log.info("callback query not answered (%s)", type(exc).__name__)

    def _in_background(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log without personal data: the update id and the error's type only."""
        update_id = update.update_id if isinstance(update, Update) else None
        log.error("telegram update %s failed: %s", update_id, type(context.error).__name__)


def is_start_for(text: str | None, username: str) -> bool:
    """`/start` or `/start@ThisBot` (not a command addressed to another bot)."""
    head = (text or "").strip().split(maxsplit=1)[0:1]
    if not head:
        return False
    command, _, target = head[0].partition("@")
    return command.lower() == "/start" and (not target or target.lower() == username.lower())


def quiet_libraries() -> None:
    """Keep HTTP and PTB loggers at WARNING or above: their request logs contain the token."""
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level < logging.WARNING:  # also when unset, so a DEBUG root stays safe
            logger.setLevel(logging.WARNING)
