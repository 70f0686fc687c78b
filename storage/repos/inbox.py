"""The durable inbox (#12): each accepted answer's step, its claim, and where to reply.

Claims are conditional UPDATEs (`... WHERE worker IS NULL OR lease_until < now`): the row
count says who won, so two workers on one database never run the same turn at once. Every
step is written only by the current holder (`WHERE worker = me`), which fences off a worker
whose lease ran out and was taken over.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.core.records import InboxEntry, UserRecord
from storage.repos.base import Repository
from storage.tables import turn_inbox

IN_PROGRESS = ("received", "transcribed", "scored")
_CHAT = "turn_inbox.chat"


class InboxRepository(Repository):
    async def accept(
        self, turn_id: int, user: UserRecord, *, reply_to: tuple[str, str, str], worker: str,
        lease_until: datetime, now: datetime,
    ) -> bool:  # fmt: skip
        """Record a received answer held by `worker`; False while another worker holds it."""
        chat = self.seal_text(user, _CHAT, json.dumps(reply_to))
        values = dict(step="received", worker=worker, lease_until=lease_until, chat=chat)
        free = sa.or_(turn_inbox.c.worker.is_(None), turn_inbox.c.lease_until < now)
        answered = turn_inbox.c.step == "replied"  # a later answer to a finished turn: refused
        stmt = (
            sa.update(turn_inbox)
            .where(turn_inbox.c.turn_id == turn_id, free, sa.not_(answered))
            .values(**values, attempts=turn_inbox.c.attempts + 1, updated_at=now)
        )
        if (await self.conn.execute(stmt)).rowcount:
            return True
        row = dict(values, turn_id=turn_id, user_id=user.id, attempts=1, received_at=now)
        return await self.insert_ignore(turn_inbox, dict(row, updated_at=now))

    async def advance(
        self, turn_id: int, *, worker: str, step: str, lease_until: datetime | None,
        now: datetime,
    ) -> bool:  # fmt: skip
        """Record the next step; False when `worker` no longer holds the turn."""
        values: dict[str, Any] = dict(step=step, lease_until=lease_until, updated_at=now)
        if step not in IN_PROGRESS:  # done: release it and forget the reply address
            values.update(worker=None, lease_until=None, chat=None)
        stmt = (
            sa.update(turn_inbox)
            .where(turn_inbox.c.turn_id == turn_id, turn_inbox.c.worker == worker)
            .values(**values)
        )
        return bool((await self.conn.execute(stmt)).rowcount)

    async def due(self, *, now: datetime, limit: int = 50) -> list[int]:
        """Turns in progress whose holder's lease ran out (crashed or stopped), oldest first."""
        stmt = (
            sa.select(turn_inbox.c.turn_id)
            .where(turn_inbox.c.step.in_(IN_PROGRESS), turn_inbox.c.lease_until < now)
            .order_by(turn_inbox.c.updated_at)
            .limit(limit)
        )
        return [int(turn_id) for turn_id in (await self.conn.execute(stmt)).scalars()]

    async def take_over(
        self, turn_id: int, *, worker: str, lease_until: datetime, now: datetime
    ) -> bool:
        """Claim a turn whose lease ran out; exactly one of several racing workers wins."""
        stmt = (
            sa.update(turn_inbox)
            .where(
                turn_inbox.c.turn_id == turn_id,
                turn_inbox.c.step.in_(IN_PROGRESS),
                turn_inbox.c.lease_until < now,
            )
            .values(
                worker=worker,
                lease_until=lease_until,
                updated_at=now,
                attempts=turn_inbox.c.attempts + 1,
            )  # fmt: skip
        )
        return bool((await self.conn.execute(stmt)).rowcount)

    async def get(self, turn_id: int, user: UserRecord | None = None) -> InboxEntry | None:
        """The entry; with `user`, its reply address opened."""
        stmt = sa.select(turn_inbox).where(turn_inbox.c.turn_id == turn_id)
        row = (await self.conn.execute(stmt)).first()
        if row is None:
            return None
        opened = self.open_text(user, _CHAT, row.chat) if user is not None else None
        reply_to = tuple(json.loads(opened)) if opened else None
        return InboxEntry(
            turn_id=row.turn_id, user_id=row.user_id, step=row.step, worker=row.worker,
            lease_until=row.lease_until, attempts=row.attempts,
            reply_to=reply_to,
        )  # fmt: skip
