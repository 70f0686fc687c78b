"""Provider usage per call, for `/admin stats`: figures only, no person and no content."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.core.usage import Usage
from storage.repos.base import Repository
from storage.tables import provider_usage


def percentile(values: Sequence[float], p: float) -> float:
    """The nearest-rank `p`th percentile of `values` (0 when there are none)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return float(ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)])


class UsageRepository(Repository):
    async def record(self, usage: Usage, turn_id: int | None, now: datetime) -> None:
        """Store one provider call, linked to the turn it served when there is one."""
        await self.record_all([usage], turn_id, now)

    async def record_all(self, calls: Sequence[Usage], turn_id: int | None, now: datetime) -> None:
        """Store provider calls (one statement for all of them)."""
        if not calls:
            return
        rows = [
            dict(
                at=now,
                turn_id=turn_id,
                stage=u.stage,
                provider=u.provider,
                model=u.model,
                latency_ms=round(u.latency_s * 1000),
                ok=u.ok,
                error_kind=u.error_kind,
                input_tokens=u.input_tokens,
                output_tokens=u.output_tokens,
                audio_seconds=u.audio_seconds,
                characters=u.characters,
            )  # fmt: skip
            for u in calls
        ]
        await self.conn.execute(provider_usage.insert(), rows)

    async def summary(self, since: datetime) -> list[dict[str, Any]]:
        """Per stage and provider since `since`: calls, errors, p50/p95 latency (ms), tokens
        in and out, audio seconds and characters; ordered by stage, then provider."""
        c = provider_usage.c
        stmt = sa.select(
            c.stage, c.provider, c.latency_ms, c.ok, c.input_tokens, c.output_tokens,
            c.audio_seconds, c.characters,
        ).where(c.at >= since)  # fmt: skip
        groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for row in await self.conn.execute(stmt):
            groups[(row.stage, row.provider)].append(row)
        return [
            _summarise(stage, provider, rows) for (stage, provider), rows in sorted(groups.items())
        ]


def _summarise(stage: str, provider: str, rows: list[Any]) -> dict[str, Any]:
    latencies = [row.latency_ms for row in rows]
    return {
        "stage": stage,
        "provider": provider,
        "calls": len(rows),
        "errors": sum(1 for row in rows if not row.ok),
        "p50_latency_ms": percentile(latencies, 50),
        "p95_latency_ms": percentile(latencies, 95),
        "input_tokens": sum(row.input_tokens for row in rows),
        "output_tokens": sum(row.output_tokens for row in rows),
        "audio_seconds": round(sum(row.audio_seconds for row in rows), 3),
        "characters": sum(row.characters for row in rows),
    }
