"""The command menu registered with setMyCommands (only commands the engine answers)."""

from __future__ import annotations

from telegram import BotCommand

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Start: privacy summary and consent"),
    ("interview", "Start a mock interview (choose role and level)"),
    ("skip", "Skip the current question"),
    ("retry", "Answer the current question again"),
    ("end", "End the interview and get a summary"),
    ("progress", "Your scores over time"),
    ("cv", "Send your CV to tailor the questions"),
    ("jd", "Paste a job description: /jd <text>"),
    ("help", "What I can do"),
    ("privacy", "How your data is handled"),
    ("profile", "See or correct what I store about you"),
    ("export", "Download all your data"),
    ("delete", "Delete all your data"),
    ("consent", "Withdraw consent: /consent withdraw"),
    ("marketing", "Opt in or out of news: /marketing on|off"),
)


def bot_commands() -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in COMMANDS]
