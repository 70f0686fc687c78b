"""Who is an admin (`COACH_ADMIN_IDS`) and how admins name a person (`PLATFORM:ID`)."""

from __future__ import annotations

from bot.core.errors import ConfigError

PLATFORMS = ("telegram", "discord", "console")


def parse_person(text: str) -> tuple[str, str] | None:
    """`telegram:123456` -> ("telegram", "123456"); None when it is not PLATFORM:ID."""
    platform, sep, external_id = text.strip().partition(":")
    platform = platform.lower()
    if not sep or platform not in PLATFORMS or not external_id or " " in external_id:
        return None
    return platform, external_id


def parse_admin_ids(text: str) -> frozenset[tuple[str, str]]:
    """The comma-separated `PLATFORM:ID` list of COACH_ADMIN_IDS; a bad entry stops start-up."""
    admins = set()
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        person = parse_person(item)
        if person is None:
            raise ConfigError(
                f"COACH_ADMIN_IDS: {item!r} is not PLATFORM:ID (e.g. telegram:123456); "
                f"platforms: {', '.join(PLATFORMS)}"
            )
        admins.add(person)
    return frozenset(admins)
