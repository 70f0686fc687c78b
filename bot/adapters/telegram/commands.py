"""The command menu registered with setMyCommands (only commands the engine answers)."""

from __future__ import annotations

from telegram import BotCommand

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Start: privacy summary and consent"),
    ("interview", "Start a mock interview (choose role and level)"),
    ("skip", "Skip the current question"),
    ("retry", "Answer the current question again"),
    ("end", "End the interview and get a summary"),
    ("progress", "Your scores over time, with a chart"),
    ("stories", "Your story bank: save and refine your best answers"),
    ("reminders", "Daily practice question: /reminders 08:30 Europe/Berlin"),
    ("cv", "Send your CV to tailor the questions"),
    ("jd", "Paste a job description: /jd <text>"),
    ("help", "What I can do"),
    ("privacy", "How your data is handled"),
    ("profile", "See or correct what I store about you"),
    ("export", "Download all your data"),
    ("delete", "Delete all your data"),
    ("consent", "Withdraw consent: /consent withdraw"),
    ("marketing", "Tips by e-mail: /marketing on EMAIL | off"),
    ("credits", "Your credits and recent purchases"),
    ("buy", "Buy interview credits"),
    ("paysupport", "Help with a payment"),
)


def bot_commands() -> list[BotCommand]:
    return [BotCommand(name, description) for name, description in COMMANDS]
