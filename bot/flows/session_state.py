"""Pure functions over a session's turns: numbering, deferred questions, score changes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from bot.core.models import Assessment, InterviewContext, PastTurn, Question, Transcript
from bot.core.records import SessionRecord, TurnRecord
from bot.flows.render import title

FOLLOW_UP = "#follow-up"
"""Suffix of a follow-up turn's question id: `<bank id>#follow-up`."""


@dataclass(frozen=True, slots=True)
class SessionPlan:
    """What planning needs of a session not yet stored: its role, level and seed."""

    role: str
    level: str
    seed: int


def context_for(
    session: SessionRecord | SessionPlan,
    turns: list[TurnRecord],
    documents: list[dict[str, Any]] | None = None,
    *,
    language: str | None = None,
) -> InterviewContext:
    """What the interviewer may know; `documents` (the person's CV / job description, as
    `Users.documents` returns them) tailor the questions; `language` (else the latest
    answer's) is the one the candidate speaks."""
    past = tuple(
        PastTurn(
            question=Question(id=t.question_id, role=session.role, text=t.question_text),
            answer=(t.transcript or {}).get("text", "") if t.transcript else "",
            overall=t.overall,
            follow_up=t.is_follow_up,
        )
        for t in turns
    )
    asked = tuple(dict.fromkeys(t.question_id for t in turns if not t.is_follow_up))
    latest = {d["kind"]: d.get("text") for d in documents or ()}
    return InterviewContext(
        role=session.role, level=session.level, turns=past, asked_ids=asked, seed=session.seed,
        cv_text=latest.get("cv") or None, job_description=latest.get("jd") or None,
        language=language or latest_language(turns),
    )  # fmt: skip


def latest_language(turns: list[TurnRecord]) -> str | None:
    """The language of the most recent answer that has one."""
    for turn in reversed(turns):
        language = (turn.transcript or {}).get("language")
        if language:
            return str(language)
    return None


def main_count(turns: list[TurnRecord]) -> int:
    """How many distinct main questions have been asked so far."""
    return len({t.question_id for t in turns if not t.is_follow_up})


def with_earlier_answer(
    turns: list[TurnRecord], turn: TurnRecord, transcript: Transcript
) -> Transcript:
    """A follow-up answer is judged together with the answer it follows up on."""
    if not turn.is_follow_up:
        return transcript
    base_id = turn.question_id.removesuffix(FOLLOW_UP)
    earlier = [t for t in turns if t.question_id == base_id and t.transcript and t.seq < turn.seq]
    if not earlier:
        return transcript
    first = str(earlier[-1].transcript.get("text", "")) if earlier[-1].transcript else ""
    return replace(transcript, text=f"{first}\n{transcript.text}".strip(), words=())


def ordinal(turns: list[TurnRecord], turn: TurnRecord) -> int:
    """The position of a turn's question among the session's main questions, from 1."""
    order = list(dict.fromkeys(t.question_id for t in turns if not t.is_follow_up))
    return order.index(turn.question_id) + 1 if turn.question_id in order else len(order)


def deferred_question(turns: list[TurnRecord]) -> TurnRecord | None:
    """A question set aside by /retry and not asked again since."""
    for index, turn in enumerate(turns):
        if turn.status == "deferred":
            later = turns[index + 1 :]
            if not any(t.question_id == turn.question_id for t in later):
                return turn
    return None


def score_change(turns: list[TurnRecord], turn: TurnRecord, assessment: Assessment) -> str:
    """How the score moved on a retry, or with a follow-up added to the first answer:
    the overall, then each dimension both attempts scored."""
    if turn.attempt > 1:
        label, base_id = "Retry", turn.question_id
    elif turn.is_follow_up:
        label, base_id = "With your follow-up", turn.question_id.removesuffix(FOLLOW_UP)
    else:
        return ""
    earlier = [
        t for t in turns
        if t.question_id == base_id and t.id != turn.id and t.overall is not None
    ]  # fmt: skip
    if not earlier:
        return ""
    before, overall = earlier[-1].overall or 0, assessment.overall
    lines = [f"{label}: {before} → {overall} ({overall - before:+d})"]
    old = {d["name"]: d["score"] for d in (earlier[-1].assessment or {}).get("dimensions", ())}
    for dim in assessment.dimensions:
        if dim.name in old:
            moved = _delta(dim.score - old[dim.name])
            lines.append(f"  {title(dim.name)}: {old[dim.name]} → {dim.score} ({moved})")
    return "\n".join(lines)


def _delta(change: int) -> str:
    return f"{change:+d}" if change else "same"


def with_status(turn: TurnRecord, status: str) -> TurnRecord:
    return replace(turn, status=status)
