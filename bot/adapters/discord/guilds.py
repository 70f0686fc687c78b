"""Where the adapter keeps server settings (implemented by storage.repos.discord)."""

from __future__ import annotations

from typing import Protocol


class GuildDirectory(Protocol):
    async def practice_channel(self, guild_id: str) -> str | None: ...

    async def set_practice_channel(self, guild_id: str, channel_id: str) -> None: ...

    async def set_question_of_the_day(self, guild_id: str, enabled: bool) -> None: ...

    async def question_of_the_day_channels(self) -> list[str]:
        """Practice channels of the servers that opted in to the question of the day."""
        ...

    async def close(self) -> None: ...
