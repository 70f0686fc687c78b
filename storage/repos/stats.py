"""Aggregate figures for `/admin stats`: counts only, never anyone's content."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.privacy.policy import POLICY_VERSION
from storage.repos.base import Repository
from storage.tables import (
    consents,
    deletion_requests,
    interview_sessions,
    recordings,
    turns,
    users,
)


class StatsRepository(Repository):
    async def _count(self, stmt: sa.Select[Any]) -> int:
        return int((await self.conn.execute(stmt)).scalar_one())

    async def people(self) -> int:
        """People whose data we hold (erased people keep no data key)."""
        stmt = sa.select(sa.func.count()).select_from(users).where(users.c.data_key.is_not(None))
        return await self._count(stmt)

    async def consented(self) -> int:
        """People with a current, unwithdrawn consent to the current policy."""
        stmt = sa.select(sa.func.count(sa.distinct(consents.c.user_id))).where(
            consents.c.withdrawn_at.is_(None), consents.c.policy_version == POLICY_VERSION
        )
        return await self._count(stmt)

    async def active_sessions(self) -> int:
        stmt = sa.select(sa.func.count()).where(interview_sessions.c.status == "active")
        return await self._count(stmt)

    async def answers_since(self, since: datetime) -> int:
        """Answered turns (scored or not) since `since`."""
        stmt = sa.select(sa.func.count()).where(
            turns.c.answered_at.is_not(None), turns.c.answered_at >= since
        )
        return await self._count(stmt)

    async def interview_starts(self, user_id: int, since: datetime) -> list[datetime]:
        """When `user_id` started interviews since `since`, oldest first (a rate limit)."""
        column = interview_sessions.c.created_at
        stmt = sa.select(column).where(interview_sessions.c.user_id == user_id, column >= since)
        return [r[0] for r in await self.conn.execute(stmt.order_by(column))]

    async def voice_notes(self, user_id: int, since: datetime) -> list[datetime]:
        """When `user_id`'s recordings were received since `since`, oldest first."""
        column = recordings.c.created_at
        stmt = sa.select(column).where(recordings.c.user_id == user_id, column >= since)
        return [r[0] for r in await self.conn.execute(stmt.order_by(column))]

    async def pending_deletions(self) -> int:
        stmt = sa.select(sa.func.count()).where(
            deletion_requests.c.cancelled_at.is_(None), deletion_requests.c.completed_at.is_(None)
        )
        return await self._count(stmt)
