"""The story bank and practice reminders (#10): story text and chat addresses are sealed."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from bot.core.records import ReminderRecord, StoryRecord, UserRecord
from storage.repos.base import Repository
from storage.repos.people import _user
from storage.tables import reminders, stories, users


class StoryRepository(Repository):
    async def save(
        self, user: UserRecord, *, text: str, question: str | None, tags: tuple[str, ...],
        overall: int | None, now: datetime,
    ) -> int:  # fmt: skip
        """Add a story; its id."""
        stmt = sa.insert(stories).values(
            user_id=user.id, tags=",".join(tags)[:200], overall=overall,
            question=self.seal_text(user, "stories.question", question),
            text=self.seal_text(user, "stories.text", text), created_at=now, updated_at=now,
        )  # fmt: skip
        return int((await self.conn.execute(stmt.returning(stories.c.id))).scalar_one())

    async def for_user(self, user: UserRecord) -> list[StoryRecord]:
        """The person's stories, oldest first (so their numbers stay put)."""
        stmt = sa.select(stories).where(stories.c.user_id == user.id).order_by(stories.c.id)
        return [self._story(row, user) for row in await self.conn.execute(stmt)]

    async def set_tags(
        self, user: UserRecord, story_id: int, tags: tuple[str, ...], *, now: datetime
    ) -> bool:
        stmt = (
            sa.update(stories)
            .where(stories.c.id == story_id, stories.c.user_id == user.id)
            .values(tags=",".join(tags)[:200], updated_at=now)
        )
        return bool((await self.conn.execute(stmt)).rowcount)

    async def delete(self, user: UserRecord, story_id: int) -> bool:
        stmt = sa.delete(stories).where(stories.c.id == story_id, stories.c.user_id == user.id)
        return bool((await self.conn.execute(stmt)).rowcount)

    def _story(self, row: Any, user: UserRecord) -> StoryRecord:
        return StoryRecord(
            id=row.id, user_id=row.user_id, tags=tuple(t for t in row.tags.split(",") if t),
            question=self.open_text(user, "stories.question", row.question),
            text=self.open_text(user, "stories.text", row.text) or "", overall=row.overall,
            created_at=row.created_at, updated_at=row.updated_at,
        )  # fmt: skip


class ReminderRepository(Repository):
    async def set(
        self, user: UserRecord, *, platform: str, chat_id: str, chat_user_id: str,
        local_time: str, timezone: str, next_at: datetime, now: datetime,
    ) -> None:  # fmt: skip
        """Create or replace the person's one reminder."""
        chat = self.seal_json(user, "reminders.chat", {"chat_id": chat_id, "user_id": chat_user_id})
        if chat is None:  # no data key: the person is being erased
            return
        await self.conn.execute(sa.delete(reminders).where(reminders.c.user_id == user.id))
        await self.conn.execute(
            sa.insert(reminders).values(
                user_id=user.id, platform=platform, chat=chat, local_time=local_time,
                timezone=timezone, next_at=next_at, created_at=now,
            )
        )  # fmt: skip

    async def get(self, user: UserRecord) -> ReminderRecord | None:
        row = (
            await self.conn.execute(sa.select(reminders).where(reminders.c.user_id == user.id))
        ).first()
        return self._reminder(row, user) if row else None

    async def delete(self, user_id: int) -> bool:
        stmt = sa.delete(reminders).where(reminders.c.user_id == user_id)
        return bool((await self.conn.execute(stmt)).rowcount)

    async def due(
        self, *, now: datetime, limit: int = 100
    ) -> list[tuple[UserRecord, ReminderRecord]]:
        """Reminders due by `now` of people whose data key still exists, earliest first."""
        stmt = (
            sa.select(users, *[c.label(f"r_{c.name}") for c in reminders.c])
            .join(reminders, reminders.c.user_id == users.c.id)
            .where(reminders.c.next_at <= now, users.c.data_key.is_not(None))
            .order_by(reminders.c.next_at)
            .limit(limit)
        )
        found = []
        for row in await self.conn.execute(stmt):
            user = _user(row)
            fields = {c.name: getattr(row, f"r_{c.name}") for c in reminders.c}
            found.append((user, self._reminder(SimpleNamespace(**fields), user)))
        return found

    async def sent(self, user_id: int, *, now: datetime, next_at: datetime) -> None:
        stmt = (
            sa.update(reminders)
            .where(reminders.c.user_id == user_id)
            .values(last_sent_at=now, next_at=next_at)
        )
        await self.conn.execute(stmt)

    def _reminder(self, row: Any, user: UserRecord) -> ReminderRecord:
        chat = self.open_json(user, "reminders.chat", row.chat) or {}
        return ReminderRecord(
            user_id=row.user_id, platform=row.platform, chat_id=str(chat.get("chat_id", "")),
            chat_user_id=str(chat.get("user_id", "")), local_time=row.local_time,
            timezone=row.timezone, next_at=row.next_at, created_at=row.created_at,
            last_sent_at=row.last_sent_at,
        )  # fmt: skip
