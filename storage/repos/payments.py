"""Purchase tokens (the opaque reference a payment carries) and marketing opt-in records."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.core.records import EmailCodeRecord, MarketingRecord, PurchaseToken
from storage.repos.base import Repository
from storage.tables import email_codes, marketing_optins, purchase_tokens


def _token(row: Any) -> PurchaseToken:
    return PurchaseToken(**{f: getattr(row, f) for f in PurchaseToken.__slots__})


class PurchaseRepository(Repository):
    async def create(
        self, token: str, user_id: int, *, provider: str, credits: int | None,
        price: int | None, now: datetime,
    ) -> None:  # fmt: skip
        values = dict(
            token=token, user_id=user_id, provider=provider, credits=credits, price=price,
            created_at=now,
        )  # fmt: skip
        await self.conn.execute(sa.insert(purchase_tokens).values(**values))

    async def get(self, token: str) -> PurchaseToken | None:
        stmt = sa.select(purchase_tokens).where(purchase_tokens.c.token == token)
        row = (await self.conn.execute(stmt)).first()
        return (
            PurchaseToken(**{f: getattr(row, f) for f in PurchaseToken.__slots__}) if row else None
        )

    async def for_user(self, user_id: int) -> list[PurchaseToken]:
        stmt = (
            sa.select(purchase_tokens)
            .where(purchase_tokens.c.user_id == user_id)
            .order_by(purchase_tokens.c.created_at)
        )
        return [_token(row) for row in await self.conn.execute(stmt)]

    async def mark_used(self, token: str, *, now: datetime) -> None:
        stmt = (
            sa.update(purchase_tokens)
            .where(purchase_tokens.c.token == token, purchase_tokens.c.used_at.is_(None))
            .values(used_at=now)
        )
        await self.conn.execute(stmt)


class MarketingRepository(Repository):
    async def get(self, user_id: int) -> MarketingRecord | None:
        stmt = sa.select(marketing_optins).where(marketing_optins.c.user_id == user_id)
        row = (await self.conn.execute(stmt)).first()
        if row is None:
            return None
        return MarketingRecord(**{f: getattr(row, f) for f in MarketingRecord.__slots__})

    async def save(self, user_id: int, **values: Any) -> None:
        """Create or update the person's opt-in record with `values` (columns)."""
        exists = await self.get(user_id)
        if exists is None:
            stmt: Any = sa.insert(marketing_optins).values(user_id=user_id, **values)
        else:
            where = marketing_optins.c.user_id == user_id
            stmt = sa.update(marketing_optins).where(where).values(**values)
        await self.conn.execute(stmt)

    async def code(self, user_id: int) -> EmailCodeRecord | None:
        """The person's pending e-mail confirmation code, if any."""
        stmt = sa.select(email_codes).where(email_codes.c.user_id == user_id)
        row = (await self.conn.execute(stmt)).first()
        if row is None:
            return None
        return EmailCodeRecord(**{f: getattr(row, f) for f in EmailCodeRecord.__slots__})

    async def save_code(self, user_id: int, **values: Any) -> None:
        """Create or update the person's pending code with `values` (columns)."""
        if await self.code(user_id) is None:
            stmt: Any = sa.insert(email_codes).values(user_id=user_id, **values)
        else:
            where = email_codes.c.user_id == user_id
            stmt = sa.update(email_codes).where(where).values(**values)
        await self.conn.execute(stmt)

    async def drop_code(self, user_id: int) -> None:
        await self.conn.execute(sa.delete(email_codes).where(email_codes.c.user_id == user_id))
