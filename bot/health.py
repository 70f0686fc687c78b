"""`GET /healthz`: the database answers, every configured platform is connected, and the
scheduler is running. Any failing check makes it 503, naming the check (no details)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
DB_TIMEOUT_S = 3.0


@dataclass(slots=True)
class Health:
    """What `coach run` serves; `scheduler` is set once it has started."""

    engine: AsyncEngine
    platforms: tuple[str, ...]
    senders: Mapping[str, Any]  # App.senders: a platform is there while it is connected
    scheduler: Any = None  # APScheduler's AsyncIOScheduler (`.running`)

    async def check(self) -> dict[str, bool]:
        """Each check by name: True when healthy."""
        return {
            "database": await self._database(),
            **{f"platform:{p}": p in self.senders for p in self.platforms},
            "scheduler": bool(getattr(self.scheduler, "running", False)),
        }

    async def _database(self) -> bool:
        try:
            async with asyncio.timeout(DB_TIMEOUT_S):
                async with self.engine.connect() as conn:
                    await conn.execute(sa.text("SELECT 1"))
        except Exception as exc:  # unreachable, timed out, wrong credentials...
            log.warning("health check: database unreachable (%s)", type(exc).__name__)
            return False
        return True
