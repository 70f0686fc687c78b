"""Telegram adapter: PTB Update -> Inbound, Reply -> Bot API calls, lifecycle on our loop."""

from bot.adapters.telegram.connector import TelegramConnector, TelegramOptions

__all__ = ["TelegramConnector", "TelegramOptions"]
