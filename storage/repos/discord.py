"""Discord server settings: the practice channel and the question-of-the-day opt-in.

Only server ids and channel ids are kept here, never anything about a person.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from storage.tables import discord_guilds


@dataclass(frozen=True, slots=True)
class GuildSettings:
    guild_id: str
    practice_channel_id: str | None = None
    question_of_the_day: bool = False


class DiscordGuildRepository:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def get(self, guild_id: str) -> GuildSettings | None:
        row = (
            await self.conn.execute(
                sa.select(discord_guilds).where(discord_guilds.c.guild_id == guild_id)
            )
        ).first()
        return _settings(row) if row else None

    async def save(self, settings: GuildSettings, *, now: datetime) -> None:
        values: dict[str, Any] = {
            "practice_channel_id": settings.practice_channel_id,
            "question_of_the_day": settings.question_of_the_day,
            "updated_at": now,
        }
        table = discord_guilds
        updated = await self.conn.execute(
            sa.update(table).where(table.c.guild_id == settings.guild_id).values(**values)
        )
        if not updated.rowcount:
            await self.conn.execute(sa.insert(table).values(guild_id=settings.guild_id, **values))

    async def with_question_of_the_day(self) -> list[GuildSettings]:
        rows = await self.conn.execute(
            sa.select(discord_guilds).where(discord_guilds.c.question_of_the_day.is_(True))
        )
        return [_settings(row) for row in rows]


def _settings(row: Any) -> GuildSettings:
    return GuildSettings(row.guild_id, row.practice_channel_id, bool(row.question_of_the_day))


class DiscordGuildStore:
    """Server settings over an engine, cached for a minute (a message in a server channel
    looks its practice channel up; other workers' changes show within `cache_s`)."""

    def __init__(
        self, engine: AsyncEngine, *, owns_engine: bool = False, cache_s: float = 60.0
    ) -> None:
        self.engine = engine
        self.owns_engine = owns_engine
        self.cache_s = cache_s
        self._cache: dict[str, tuple[float, GuildSettings]] = {}

    async def get(self, guild_id: str) -> GuildSettings:
        cached = self._cache.get(guild_id)
        if cached is not None and time.monotonic() - cached[0] < self.cache_s:
            return cached[1]
        async with self.engine.connect() as conn:
            found = await _repo(conn).get(guild_id) or GuildSettings(guild_id)
        self._cache[guild_id] = (time.monotonic(), found)
        return found

    async def save(self, settings: GuildSettings) -> None:
        async with self.engine.begin() as conn:
            await _repo(conn).save(settings, now=datetime.now(UTC))
        self._cache[settings.guild_id] = (time.monotonic(), settings)

    async def practice_channel(self, guild_id: str) -> str | None:
        return (await self.get(guild_id)).practice_channel_id

    async def set_practice_channel(self, guild_id: str, channel_id: str) -> None:
        await self.save(replace(await self.get(guild_id), practice_channel_id=channel_id))

    async def set_question_of_the_day(self, guild_id: str, enabled: bool) -> None:
        await self.save(replace(await self.get(guild_id), question_of_the_day=enabled))

    async def question_of_the_day_channels(self) -> list[str]:
        async with self.engine.connect() as conn:
            opted_in = await _repo(conn).with_question_of_the_day()
        return [g.practice_channel_id for g in opted_in if g.practice_channel_id]

    async def close(self) -> None:
        if self.owns_engine:
            await self.engine.dispose()


def _repo(conn: AsyncConnection) -> DiscordGuildRepository:
    return DiscordGuildRepository(conn)
