"""The candidate's progress over time: per-session points, a text summary and a PNG chart.

The chart (`bot.flows.chart`) is drawn off the event loop; the text stands alone, so an
adapter that cannot show images (or a chart that fails to draw) still says everything.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from statistics import mean

from bot.core.models import Document, Reply
from bot.core.records import UserRecord
from bot.core.store import UnitOfWork
from bot.flows import texts
from bot.flows.questions import ROLES
from bot.flows.render import title

log = logging.getLogger(__name__)
CHART_FILENAME = "progress.png"


@dataclass(frozen=True, slots=True)
class SessionPoint:
    """One interview with scored answers: averages of its answers."""

    day: date
    role: str
    level: str
    answers: int
    overall: int
    dimensions: dict[str, float] = field(default_factory=dict)
    words_per_minute: float | None = None
    fillers_per_minute: float | None = None
    """Delivery figures come from voice answers only (typed answers have no pace)."""


async def progress_points(uow: UnitOfWork, user: UserRecord) -> list[SessionPoint]:
    """One point per interview with at least one scored answer, oldest first."""
    points = []
    for session in await uow.sessions.for_user(user.id):
        turns = [t for t in await uow.turns.for_session(session.id, user) if t.overall is not None]
        if not turns:
            continue
        dims: dict[str, list[int]] = {}
        for turn in turns:
            for dim in (turn.assessment or {}).get("dimensions", ()):
                dims.setdefault(dim["name"], []).append(dim["score"])
        timed = [t.metrics for t in turns if t.metrics and t.metrics.get("timed")]
        points.append(
            SessionPoint(
                day=session.created_at.date(), role=session.role, level=session.level,
                answers=len(turns), overall=round(mean(t.overall or 0 for t in turns)),
                dimensions={name: round(mean(s), 1) for name, s in dims.items()},
                words_per_minute=_average(m["words_per_minute"] for m in timed),
                fillers_per_minute=_average(m["fillers_per_minute"] for m in timed),
            )
        )  # fmt: skip
    return points


def _average(values: Iterable[float]) -> float | None:
    found = [float(v) for v in values]
    return round(mean(found), 1) if found else None


def progress_summary(points: list[SessionPoint]) -> str:
    """One line per interview, then the trend overall and per dimension."""
    if not points:
        return texts.NO_PROGRESS
    lines = ["Your interviews:"]
    for p in points:
        role = ROLES.get(p.role, p.role)
        delivery = ""
        if p.words_per_minute is not None:
            delivery = f" · {p.words_per_minute:.0f} wpm, {p.fillers_per_minute:.1f} fillers/min"
        lines.append(
            f"{p.day.isoformat()}  {role} ({p.level}): {p.overall}/100 over {p.answers} "
            f"answers{delivery}"
        )
    if len(points) > 1:
        first, last = points[0], points[-1]
        lines += ["", f"Since your first interview: {last.overall - first.overall:+d} points."]
        moved = [
            f"{title(name)} {first.dimensions[name]:.1f} → {score:.1f}"
            for name, score in last.dimensions.items()
            if name in first.dimensions
        ]
        if moved:
            lines.append("Per dimension (of 5): " + "; ".join(moved) + ".")
    return "\n".join(lines)


async def progress_reply(points: list[SessionPoint]) -> Reply:
    """The summary with the chart attached; the summary alone if the chart cannot be drawn."""
    text = progress_summary(points)
    if not points:
        return Reply(text)
    try:
        from bot.flows.chart import render_progress_chart

        png = await asyncio.to_thread(render_progress_chart, points)
    except Exception:  # a missing or broken plotting library must not cost the summary
        log.exception("progress chart could not be drawn; sending the text only")
        return Reply(text)
    return Reply(text, image=Document(CHART_FILENAME, png, "image/png"))
