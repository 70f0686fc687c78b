"""The "Stronger answer": the candidate's own story rewritten in STAR form.

A `Rewriter` turns one answer into a stronger version that keeps the candidate's facts and
marks, in [brackets], what they should add (numbers, their own role). The offline one fills a
STAR skeleton with their sentences (`bot.providers.coach.rule_rewrite`); a cloud one writes
it with a model. Both are wired in `bot.app`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Protocol

from bot.core.models import Question
from bot.core.records import SessionRecord, TurnRecord, UserRecord
from bot.core.store import Store, UnitOfWork
from bot.flows.commands import Command
from bot.flows.features import Request
from bot.flows.session_state import FOLLOW_UP

TITLE = "Stronger answer: your story in STAR form. [Brackets] mark what to add."
NOTHING_TO_REWRITE = (
    "There's no scored answer to rewrite yet. Answer a question first, then press "
    '"Stronger answer".'
)


QuestionOf = Callable[[SessionRecord, TurnRecord], Question]
"""The bank question behind a turn (`InterviewFlow.question_of`)."""


class Rewriter(Protocol):
    """Rewrites one answer in STAR form, keeping the candidate's facts, marking the gaps."""

    name: str

    async def rewrite(
        self, *, question: Question, answer: str, language: str | None = None
    ) -> str: ...


def answer_of(turn: TurnRecord) -> str:
    """The answer text of a scored turn (typed or transcribed), or "" when there is none."""
    transcript = turn.transcript or {}
    return str(transcript.get("text") or turn.answer_text or "").strip()


def language_of(turn: TurnRecord) -> str | None:
    transcript = turn.transcript or {}
    language = transcript.get("language")
    return str(language) if language else None


def full_answer(turns: list[TurnRecord], turn: TurnRecord) -> str:
    """A follow-up's answer together with the answer it followed up on, as it was judged."""
    if not turn.is_follow_up:
        return answer_of(turn)
    base_id = turn.question_id.removesuffix(FOLLOW_UP)
    earlier = [t for t in turns if t.question_id == base_id and t.seq < turn.seq and answer_of(t)]
    first = answer_of(earlier[-1]) if earlier else ""
    return f"{first}\n{answer_of(turn)}".strip()


def weakest_turn(turns: list[TurnRecord]) -> TurnRecord | None:
    """The scored turn with the lowest overall score (the latest attempt wins a tie)."""
    scored = [t for t in turns if t.overall is not None and answer_of(t)]
    if not scored:
        return None
    return min(reversed(scored), key=lambda t: t.overall or 0)


async def stronger_answer(
    rewriter: Rewriter, question: Question, turns: list[TurnRecord], turn: TurnRecord
) -> str:
    """The titled rewrite of `turn`'s answer (a follow-up's under its main question)."""
    if turn.is_follow_up:
        base_id = turn.question_id.removesuffix(FOLLOW_UP)
        main = next((t for t in turns if t.question_id == base_id), None)
        question = replace(question, text=main.question_text) if main else question
    text = await rewriter.rewrite(
        question=question, answer=full_answer(turns, turn), language=language_of(turn)
    )
    return f"{TITLE}\nQuestion: {question.text}\n\n{text}"


async def find_turn(
    uow: UnitOfWork, user: UserRecord, turn_id: int
) -> tuple[SessionRecord, list[TurnRecord], TurnRecord] | None:
    """One of the person's own turns by id, with its session and the session's turns."""
    for session in reversed(await uow.sessions.for_user(user.id)):
        turns = await uow.turns.for_session(session.id, user)
        turn = next((t for t in turns if t.id == turn_id), None)
        if turn is not None:
            return session, turns, turn
    return None


def turn_id_of(args: tuple[str, ...]) -> int | None:
    """The turn id carried by a button (`stronger:<id>`), or None when it is malformed."""
    return int(args[0]) if args and args[0].isdigit() else None


class StrongerAnswerFeature:
    """The "Stronger answer" button under each answer's feedback."""

    commands: frozenset[str] = frozenset()
    buttons = frozenset({"stronger"})
    before_consent: frozenset[str] = frozenset()

    def __init__(self, *, store: Store, rewriter: Rewriter, question_of: QuestionOf) -> None:
        self.store = store
        self.rewriter = rewriter
        self.question_of = question_of

    async def command(self, request: Request, command: Command) -> None:
        raise LookupError(command.name)  # owns no commands

    async def button(self, request: Request, kind: str, args: tuple[str, ...]) -> None:
        assert request.user is not None
        turn_id = turn_id_of(args)
        async with self.store.unit_of_work() as uow:
            found = await find_turn(uow, request.user, turn_id) if turn_id else None
        if found is None or not answer_of(found[2]):
            await request.reply(NOTHING_TO_REWRITE)
            return
        session, turns, turn = found
        text = await stronger_answer(self.rewriter, self.question_of(session, turn), turns, turn)
        await request.reply(text)
