"""What every repository shares: its connection, the key ring, and sealing helpers."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.sealing import KeyRing


class Repository:
    def __init__(self, conn: AsyncConnection, keyring: KeyRing) -> None:
        self.conn = conn
        self.keyring = keyring

    def seal_text(self, data_key: bytes | None, text: str | None) -> bytes | None:
        if text is None or data_key is None:
            return None
        return self.keyring.seal(data_key, text.encode())

    def open_text(self, data_key: bytes | None, sealed: bytes | None) -> str | None:
        """Plaintext, or None when the value is absent or its key was shredded."""
        if sealed is None or data_key is None:
            return None
        return self.keyring.open(data_key, sealed).decode()

    def seal_json(self, data_key: bytes | None, value: Any) -> bytes | None:
        return None if value is None else self.seal_text(data_key, json.dumps(value))

    def open_json(self, data_key: bytes | None, sealed: bytes | None) -> Any:
        text = self.open_text(data_key, sealed)
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
