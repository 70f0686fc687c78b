"""Discord server settings on both databases: the practice channel and the daily-question opt-in."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from storage.db import Database
from storage.repos.discord import DiscordGuildStore
from storage.tables import metadata


async def test_server_settings_are_saved_updated_and_listed(database: Database) -> None:
    store = DiscordGuildStore(database.engine)
    assert await store.practice_channel("1") is None
    await store.set_practice_channel("1", "10")
    await store.set_question_of_the_day("1", True)
    await store.set_question_of_the_day("2", True)  # opted in, but no practice channel yet
    fresh = DiscordGuildStore(database.engine)  # another worker: reads the database
    assert await fresh.practice_channel("1") == "10"
    assert await fresh.question_of_the_day_channels() == ["10"]
    await fresh.set_practice_channel("1", "11")
    await fresh.set_question_of_the_day("1", False)
    assert await DiscordGuildStore(database.engine).question_of_the_day_channels() == []
    assert await DiscordGuildStore(database.engine).practice_channel("1") == "11"


async def test_the_migration_creates_the_table_the_code_describes(database: Database) -> None:
    async with database.engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c), metadata)
        )
    assert not [d for d in diff if "discord_guilds" in repr(d)]
