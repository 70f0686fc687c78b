"""Discord: slash commands, buttons and voice messages through discord.py."""

from bot.adapters.discord.connector import DiscordConnector, DiscordOptions

__all__ = ["DiscordConnector", "DiscordOptions"]
