"""Where to reach a person outside a conversation (breach notices, opted-in updates).

The platform address is sealed with the person's own data key, so crypto-shredding the key
makes it unreadable at once, and the row goes with the person's other rows on erasure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.core.models import ChatRef
from bot.core.records import UserRecord
from storage.repos.base import Repository
from storage.repos.people import _user
from storage.tables import contact_points, users

FIELD = "contact_points.address"


class ContactRepository(Repository):
    async def remember(self, user: UserRecord, chat: ChatRef, *, now: datetime) -> None:
        """Keep (or replace) the person's address on `chat.platform`."""
        address = self.seal_json(user, FIELD, {"chat_id": chat.chat_id, "user_id": chat.user_id})
        if address is None:  # no data key: the person is being erased
            return
        await self.conn.execute(
            sa.delete(contact_points).where(
                contact_points.c.user_id == user.id, contact_points.c.platform == chat.platform
            )
        )
        await self.conn.execute(
            sa.insert(contact_points).values(
                user_id=user.id, platform=chat.platform, address=address, created_at=now
            )
        )

    async def for_user(self, user: UserRecord) -> list[dict[str, Any]]:
        """The person's addresses, opened (platform, chat_id, user_id, created_at), for export."""
        stmt = sa.select(contact_points).where(contact_points.c.user_id == user.id)
        found = []
        for row in await self.conn.execute(stmt.order_by(contact_points.c.id)):
            address = self.open_json(user, FIELD, row.address) or {}
            found.append({"platform": row.platform, **address, "created_at": row.created_at})
        return found

    async def everyone(self) -> list[tuple[UserRecord, ChatRef]]:
        """Every address of every person whose data we still hold (data key present)."""
        stmt = (
            sa.select(users, contact_points.c.platform, contact_points.c.address)
            .join(contact_points, contact_points.c.user_id == users.c.id)
            .where(users.c.data_key.is_not(None))
            .order_by(contact_points.c.id)
        )
        found = []
        for row in await self.conn.execute(stmt):
            user = _user(row)
            address = self.open_json(user, FIELD, row.address)
            chat = ChatRef(row.platform, str(address["chat_id"]), str(address["user_id"]))
            found.append((user, chat))
        return found

    async def confirmed_emails(self) -> list[tuple[UserRecord, str]]:
        """Confirmed e-mail addresses of people whose data we still hold."""
        stmt = sa.select(users).where(
            users.c.data_key.is_not(None), users.c.email.is_not(None), users.c.email_confirmed
        )
        found = []
        for row in await self.conn.execute(stmt):
            user = _user(row)
            email = self.open_text(user, "users.email", row.email)
            if email:
                found.append((user, email))
        return found
