"""Parse what a candidate typed or pressed into a command with arguments."""

from __future__ import annotations

from dataclasses import dataclass

KNOWN = frozenset(
    {
        "start", "help", "privacy", "consent", "interview", "practice", "skip", "retry",
        "end", "progress", "export", "delete", "profile", "cv", "jd",
    }
)  # fmt: skip
ALIASES = {"practice": "interview", "stop": "end", "quit": "end", "next": "skip"}


@dataclass(frozen=True, slots=True)
class Command:
    name: str
    args: tuple[str, ...] = ()
    known: bool = True
    rest: str = ""
    """Everything after the command word, as typed (line breaks kept): `/jd <text>`."""


def parse_command(text: str | None, *, known: frozenset[str] = KNOWN) -> Command | None:
    """`/interview sales senior` -> Command("interview", ("sales", "senior")); None if no slash."""
    if not text:
        return None
    stripped = text.strip()
    if not stripped.startswith("/") or len(stripped) < 2:
        return None
    head, *args = stripped[1:].split()
    name = head.split("@", 1)[0].lower()
    name = ALIASES.get(name, name)
    rest = stripped[1:].lstrip()[len(head) :].strip()
    return Command(name, tuple(args), known=name in known, rest=rest)


def parse_button(data: str | None) -> tuple[str, tuple[str, ...]] | None:
    """`level:sales:senior` -> ("level", ("sales", "senior")); None for empty data."""
    if not data:
        return None
    kind, *args = data.split(":")
    return kind, tuple(args)
