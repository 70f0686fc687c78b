"""`/admin stats`: aggregates from the database and the provider usage log, nothing personal."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.admin.costs import Prices, cost_line, estimate_cost

NOT_RECORDED = "provider usage: not recorded by this version (no usage log in the database)"


async def stats_text(uow: Any, now: datetime, prices: Prices) -> str:
    """People, consents, sessions and answers, then provider latency, errors and usage, and
    the estimated cost of that usage at `prices`, today and over the last 7 days."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    week = now - timedelta(days=7)
    lines = [
        "Stats (aggregates only)",
        f"people with data: {await uow.stats.people()}",
        f"current consents: {await uow.stats.consented()}",
        f"pending deletions: {await uow.stats.pending_deletions()}",
        f"active interviews: {await uow.stats.active_sessions()}",
        f"answers today (UTC): {await uow.stats.answers_since(midnight)}",
        f"answers last 7 days: {await uow.stats.answers_since(week)}",
        "",
        "Providers, last 7 days:",
        *await _usage_lines(uow, week),
        *await _cost_lines(uow, prices, {"today (UTC)": midnight, "last 7 days": week}),
    ]
    return "\n".join(lines)


async def _usage_lines(uow: Any, since: datetime) -> list[str]:
    """One line per stage and provider from `uow.usage.summary(since)` (calls, errors,
    p50/p95 latency, tokens, audio seconds, characters: whatever it has)."""
    usage = getattr(uow, "usage", None)
    if usage is None:
        return [NOT_RECORDED]
    rows = await usage.summary(since)
    if not rows:
        return ["no provider calls recorded"]
    return [_usage_line(_as_dict(row)) for row in rows]


async def _cost_lines(uow: Any, prices: Prices, periods: dict[str, datetime]) -> list[str]:
    """One estimated-cost line per period (label -> since), per stage and in total."""
    usage = getattr(uow, "usage", None)
    if usage is None:
        return []
    lines = []
    for label, since in periods.items():
        rows = [_as_dict(row) for row in await usage.summary(since)]
        lines.append(cost_line(label, estimate_cost(rows, prices)))
    return [*lines, "(estimates at the list prices in COACH_PRICES, USD)"]


def _usage_line(data: dict[str, Any]) -> str:
    label = "/".join(str(data[k]) for k in ("stage", "provider") if data.get(k))
    figures = ", ".join(
        f"{key.replace('_', ' ')} {_figure(value)}"
        for key, value in data.items()
        if key not in ("stage", "provider")
        and isinstance(value, int | float)
        and (value or key in ("calls", "errors"))
    )
    return f"{label or 'provider'}: {figures or 'no figures'}"


def _as_dict(row: Any) -> dict[str, Any]:
    if isinstance(row, dict):
        return row
    if is_dataclass(row) and not isinstance(row, type):
        return asdict(row)
    return dict(getattr(row, "_mapping", None) or vars(row))


def _figure(value: float) -> str:
    return f"{value:g}" if isinstance(value, int) else f"{value:.2f}".rstrip("0").rstrip(".")
