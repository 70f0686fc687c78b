"""The slash commands: each maps to the engine's text command (`/interview sales senior`).

`/coach setup` and `/coach qotd` are the adapter's own (server settings, not a
conversation). `/admin` answers ephemerally everywhere and is hidden from members without
the Administrator permission; the engine checks COACH_ADMIN_IDS either way.
Role and level choices come from the question banks.
"""

from __future__ import annotations

from typing import Any, Protocol

import discord
from discord import app_commands

from bot.flows.questions import LEVELS, ROLES

PERSONAL_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Start: privacy summary and consent"),
    ("cv", "Send your CV (attach it in a DM or your thread) to tailor the questions"),
    ("privacy", "How your data is handled"),
    ("end", "End the interview and get a summary"),
    ("retry", "Answer the current question again"),
    ("skip", "Skip the current question"),
    ("progress", "Your scores over time (only you see them)"),
    ("export", "Download all your data"),
    ("credits", "How many interviews you have left"),
    ("paysupport", "Help with a payment or a refund"),
    ("help", "What I can do"),
)
ROLE_CHOICES = [app_commands.Choice(name=title, value=role) for role, title in ROLES.items()]
LEVEL_CHOICES = [app_commands.Choice(name=level.capitalize(), value=level) for level in LEVELS]


class Conversation(Protocol):
    async def converse(
        self, interaction: discord.Interaction, text: str, *, ephemeral: bool = False
    ) -> None: ...


class ServerAdmin(Protocol):
    async def setup(
        self, interaction: discord.Interaction, channel: discord.TextChannel | None
    ) -> None: ...

    async def question_of_the_day(
        self, interaction: discord.Interaction, enabled: bool
    ) -> None: ...


def command_text(name: str, *args: str | None) -> str:
    """`("interview", "sales", None)` -> `/interview sales`."""
    return " ".join(["/" + name, *(a.strip() for a in args if a and a.strip())])


def register_commands(
    tree: app_commands.CommandTree[discord.Client], *, conversation: Conversation,
    server: ServerAdmin,
) -> None:  # fmt: skip
    """Add every slash command to `tree`."""
    for name, description in PERSONAL_COMMANDS:
        tree.add_command(_plain(name, description, conversation))

    @tree.command(name="interview", description="Start a mock interview")
    @app_commands.describe(role="The role to practise for", level="Your seniority")
    @app_commands.choices(role=ROLE_CHOICES, level=LEVEL_CHOICES)
    async def interview(
        interaction: discord.Interaction,
        role: app_commands.Choice[str] | None = None,
        level: app_commands.Choice[str] | None = None,
    ) -> None:
        text = command_text(
            "interview", role.value if role else None, level.value if level else None
        )
        await conversation.converse(interaction, text)

    @tree.command(name="consent", description="Privacy terms; choose withdraw to withdraw consent")
    @app_commands.choices(action=[app_commands.Choice(name="withdraw", value="withdraw")])
    async def consent(
        interaction: discord.Interaction, action: app_commands.Choice[str] | None = None
    ) -> None:
        await conversation.converse(
            interaction, command_text("consent", action.value if action else None)
        )

    @tree.command(name="delete", description="Delete all your data (asks to confirm)")
    @app_commands.choices(action=[app_commands.Choice(name="cancel", value="cancel")])
    async def delete(
        interaction: discord.Interaction, action: app_commands.Choice[str] | None = None
    ) -> None:
        await conversation.converse(
            interaction, command_text("delete", action.value if action else None)
        )

    @tree.command(name="profile", description="See or correct what I store about you")
    @app_commands.choices(field=[app_commands.Choice(name=f, value=f) for f in ("name", "email")])
    async def profile(
        interaction: discord.Interaction,
        field: app_commands.Choice[str] | None = None,
        value: str | None = None,
    ) -> None:
        await conversation.converse(
            interaction, command_text("profile", field.value if field else None, value)
        )

    @tree.command(name="jd", description="Paste a job description to tailor the questions")
    async def jd(interaction: discord.Interaction, text: str) -> None:
        await conversation.converse(interaction, command_text("jd", text))

    @tree.command(name="buy", description="Buy interview credits")
    async def buy(interaction: discord.Interaction, pack: str | None = None) -> None:
        await conversation.converse(interaction, command_text("buy", pack))

    @tree.command(name="stories", description="Your story bank: list, read, tag or delete")
    @app_commands.describe(args="e.g. 2 · save leadership · tag 2 conflict · delete 2")
    async def stories(interaction: discord.Interaction, args: str | None = None) -> None:
        await conversation.converse(interaction, command_text("stories", args))

    @tree.command(name="reminders", description="A daily practice reminder, or off")
    @app_commands.describe(time="HH:MM, or off", zone="Your time zone, e.g. Europe/Berlin")
    async def reminders(
        interaction: discord.Interaction, time: str | None = None, zone: str | None = None
    ) -> None:
        await conversation.converse(interaction, command_text("reminders", time, zone))

    @tree.command(name="admin", description="Run the service (bot admins only)")
    @app_commands.describe(args="e.g. stats · user discord:ID · grant discord:ID 3")
    @app_commands.default_permissions(administrator=True)
    async def admin(interaction: discord.Interaction, args: str | None = None) -> None:
        """Hidden from ordinary members' menus; the engine decides who is a bot admin."""
        await conversation.converse(interaction, command_text("admin", args), ephemeral=True)

    coach = app_commands.Group(
        name="coach", description="Server settings for the interview coach", guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )  # fmt: skip

    @coach.command(name="setup", description="Choose this server's practice channel")
    @app_commands.describe(channel="The practice channel (default: this one)")
    async def setup(
        interaction: discord.Interaction, channel: discord.TextChannel | None = None
    ) -> None:
        await server.setup(interaction, channel)

    @coach.command(
        name="qotd", description="Post a daily practice question in the practice channel"
    )
    @app_commands.choices(state=[app_commands.Choice(name=v, value=v) for v in ("on", "off")])
    async def qotd(interaction: discord.Interaction, state: app_commands.Choice[str]) -> None:
        await server.question_of_the_day(interaction, state.value == "on")

    tree.add_command(coach)


def _plain(
    name: str, description: str, conversation: Conversation
) -> app_commands.Command[Any, ..., None]:
    async def callback(interaction: discord.Interaction) -> None:
        await conversation.converse(interaction, command_text(name))

    return app_commands.Command(name=name, description=description, callback=callback)
