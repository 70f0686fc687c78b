"""The candidate's progress over time, as text (the chart arrives with the coaching issue)."""

from __future__ import annotations

from statistics import mean

from bot.core.records import UserRecord
from bot.core.store import UnitOfWork
from bot.flows import texts
from bot.flows.questions import ROLES


async def progress_text(uow: UnitOfWork, user: UserRecord) -> str:
    """One line per interview with at least one scored answer, oldest first, plus the trend."""
    lines = []
    averages = []
    for session in await uow.sessions.for_user(user.id):
        scores = [t.overall for t in await uow.turns.for_session(session.id, user)]
        scored = [s for s in scores if s is not None]
        if not scored:
            continue
        average = round(mean(scored))
        averages.append(average)
        day = session.created_at.date().isoformat()
        role = ROLES.get(session.role, session.role)
        lines.append(f"{day}  {role} ({session.level}): {average}/100 over {len(scored)} answers")
    if not lines:
        return texts.NO_PROGRESS
    text = "Your interviews:\n" + "\n".join(lines)
    if len(averages) > 1:
        delta = averages[-1] - averages[0]
        text += f"\n\nSince your first interview: {delta:+d} points."
    return text
