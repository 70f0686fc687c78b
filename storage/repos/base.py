"""What every repository shares: its connection, the key ring, and sealing helpers."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.records import UserRecord
from storage.sealing import KeyRing


class Repository:
    def __init__(self, conn: AsyncConnection, keyring: KeyRing) -> None:
        self.conn = conn
        self.keyring = keyring

    def seal_text(self, user: UserRecord, field: str, text: str | None) -> bytes | None:
        """Seal `text` under the person's key, bound to them and to `field` (table.column)."""
        if text is None or user.data_key is None:
            return None
        return self.keyring.seal(user.data_key, text.encode(), bound_to=_binding(user, field))

    def open_text(self, user: UserRecord, field: str, sealed: bytes | None) -> str | None:
        """Plaintext, or None when the value is absent or the person's key was shredded."""
        if sealed is None or user.data_key is None:
            return None
        return self.keyring.open(user.data_key, sealed, bound_to=_binding(user, field)).decode()

    def seal_json(self, user: UserRecord, field: str, value: Any) -> bytes | None:
        return None if value is None else self.seal_text(user, field, json.dumps(value))

    def open_json(self, user: UserRecord, field: str, sealed: bytes | None) -> Any:
        text = self.open_text(user, field, sealed)
        return None if text is None else json.loads(text)

    async def insert_ignore(self, table: sa.Table, values: dict[str, Any]) -> bool:
        """Insert a row unless its key exists; True when inserted (both databases)."""
        stmt: Any
        if self.conn.dialect.name == "postgresql":
            stmt = postgresql.insert(table).values(**values).on_conflict_do_nothing()
        else:
            stmt = sqlite.insert(table).values(**values).on_conflict_do_nothing()
        result = await self.conn.execute(stmt)
        return bool(result.rowcount)


def _binding(user: UserRecord, field: str) -> str:
    return f"{field}:user={user.id}"
