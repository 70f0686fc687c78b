"""Interview sessions: start, ask, answer, follow up, skip, retry, end, progress."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass

from bot.core.clock import Clock
from bot.core.models import (
    ChatRef,
    Inbound,
    Question,
    Reply,
)
from bot.core.ports import AudioCodec, Coach, ReplySink, SpeechToText
from bot.core.records import SessionRecord, TurnRecord, UserRecord
from bot.core.store import Store, UnitOfWork
from bot.flows import texts
from bot.flows.codec import (
    assessment_from_dict,
    assessment_to_dict,
    metrics_to_dict,
    transcript_to_dict,
)
from bot.flows.questions import ROLES, find_question
from bot.flows.render import feedback_text, spoken_feedback
from bot.flows.session_state import (
    FOLLOW_UP,
    context_for,
    deferred_question,
    main_count,
    ordinal,
    score_change,
    with_earlier_answer,
    with_status,
)
from bot.flows.summary import summarise, summary_text
from bot.flows.turn import (
    AnswerInput,
    AnswerLimits,
    TurnRejected,
    TurnResult,
    assess_and_plan,
    measure,
    read_answer,
    transcribe,
)
from bot.flows.voice import Voice

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class InterviewSettings:
    questions: int = 5
    limits: AnswerLimits = AnswerLimits(max_seconds=180.0, max_bytes=20 * 1024 * 1024)


class InterviewFlow:
    def __init__(
        self,
        *,
        store: Store,
        stt: SpeechToText,
        coach: Coach,
        voice: Voice,
        codec: AudioCodec,
        clock: Clock,
        settings: InterviewSettings,
    ) -> None:
        self.store = store
        self.stt = stt
        self.coach = coach
        self.voice = voice
        self.codec = codec
        self.clock = clock
        self.settings = settings

    async def start(
        self, uow: UnitOfWork, user: UserRecord, chat: ChatRef, role: str, level: str
    ) -> Reply:
        """Open a session and ask its first question (the caller has ended any other)."""
        session = await uow.sessions.start(
            user.id, platform=chat.platform, role=role, level=level,
            planned_questions=self.settings.questions,
            seed=random.SystemRandom().randrange(1 << 30), now=self.clock.now(),
        )  # fmt: skip
        await uow.users.set_target(user.id, role=role, level=level)
        try:
            docs = await uow.users.documents(user)
            first = await self.coach.next_question(context_for(session, [], docs))
        except LookupError:
            return Reply(texts.BANK_EXHAUSTED)
        turn = await self._ask(uow, session, first, seq=1)
        intro = texts.INTERVIEW_INTRO.format(
            role=ROLES[role], level=level, count=session.planned_questions
        )
        return await self._question_reply(session, turn, [turn], lead=intro)

    async def resume(self, uow: UnitOfWork, user: UserRecord, session: SessionRecord) -> Reply:
        """Repeat the question the candidate still has to answer."""
        turns = await uow.turns.for_session(session.id, user)
        if not turns or turns[-1].status not in ("asked", "received"):
            return Reply(texts.NO_INTERVIEW)
        return await self._question_reply(session, turns[-1], turns, lead="Welcome back!")

    async def answer(
        self, user: UserRecord, session: SessionRecord, turn: TurnRecord, inbound: Inbound,
        sink: ReplySink,
    ) -> None:  # fmt: skip
        """Run one answer through the pipeline, then send feedback and what comes next."""
        chat = inbound.chat
        try:
            answer = await read_answer(inbound, self.codec, self.settings.limits)
            async with self.store.unit_of_work() as uow:
                await self._persist(uow, user, turn, answer)
            if answer.audio is not None:
                await sink.send(chat, Reply(texts.PROCESSING, progress=True))
            name = inbound.attachment.filename if inbound.attachment else "answer.txt"
            transcript = await transcribe(answer, self.stt, name)
        except TurnRejected as exc:
            await sink.send(chat, Reply(exc.message))
            return
        if not transcript.text.strip():
            async with self.store.unit_of_work() as uow:
                await uow.turns.set_status(turn.id, "asked")
            await sink.send(chat, Reply(texts.NOTHING_HEARD))
            return
        async with self.store.unit_of_work() as uow:
            turns = await uow.turns.for_session(session.id, user)
            docs = await uow.users.documents(user)
        question = self.question_of(session, turn)
        metrics = measure(answer, transcript)
        more = main_count(turns) < session.planned_questions
        assessment, planned = await assess_and_plan(
            self.coach, question=question, transcript=with_earlier_answer(turns, turn, transcript),
            metrics=metrics, context=context_for(session, turns, docs) if more else None,
        )  # fmt: skip
        result = TurnResult(transcript, metrics, assessment, planned)
        await self._conclude(user, session, turn, turns, result, sink, chat)

    async def _conclude(
        self, user: UserRecord, session: SessionRecord, turn: TurnRecord,
        turns: list[TurnRecord], result: TurnResult, sink: ReplySink, chat: ChatRef,
    ) -> None:  # fmt: skip
        """Store the result, ask the follow-up or next question (or finish), and reply."""
        text = feedback_text(result.assessment, result.metrics)
        change = score_change(turns, turn, result.assessment.overall)
        if change:
            text = f"{change}\n\n{text}"
        follow_up = result.assessment.follow_up if not turn.is_follow_up else None
        async with self.store.unit_of_work() as uow:
            await uow.turns.record_result(
                turn.id, user, transcript=transcript_to_dict(result.transcript),
                metrics=metrics_to_dict(result.metrics),
                assessment=assessment_to_dict(result.assessment),
                overall=result.assessment.overall,
            )  # fmt: skip
            nxt = await self._next_turn(uow, session, turn, turns, follow_up, result.next_question)
            if nxt is None:
                await uow.sessions.finish(session.id, status="finished", now=self.clock.now())
                final = await uow.turns.for_session(session.id, user)
        spoken = spoken_feedback(result.assessment)
        if nxt is not None:
            reply = await self._question_reply(
                session, nxt, [*turns, nxt], lead=text, spoken=spoken
            )
            await sink.send(chat, reply)
            return
        closing = f"{spoken} That was the last question. Here is your summary."
        await sink.send(chat, Reply(text, voice=await self.voice.speak(closing)))
        await sink.send(chat, Reply(self.summary(final)))

    async def _next_turn(
        self, uow: UnitOfWork, session: SessionRecord, turn: TurnRecord,
        turns: list[TurnRecord], follow_up: str | None, planned: Question | None,
    ) -> TurnRecord | None:  # fmt: skip
        seq = turn.seq + 1
        if follow_up:
            base = self.question_of(session, turn)
            fu = Question(id=base.id + FOLLOW_UP, role=base.role, text=follow_up, kind=base.kind)
            return await self._ask(uow, session, fu, seq=seq, follow_up=True)
        deferred = deferred_question(turns)
        if deferred is not None:
            return await uow.turns.ask(
                session.id, seq=seq, question_id=deferred.question_id,
                question_text=deferred.question_text, now=self.clock.now(),
            )  # fmt: skip
        if planned is None:
            return None
        return await self._ask(uow, session, planned, seq=seq)

    async def skip(self, uow: UnitOfWork, user: UserRecord, session: SessionRecord) -> list[Reply]:
        turns = await uow.turns.for_session(session.id, user)
        current = turns[-1]
        await uow.turns.set_status(current.id, "skipped")
        turns[-1] = with_status(current, "skipped")
        planned = None
        if main_count(turns) < session.planned_questions:
            try:
                docs = await uow.users.documents(user)
                planned = await self.coach.next_question(context_for(session, turns, docs))
            except LookupError:
                planned = None
        nxt = await self._next_turn(uow, session, current, turns, None, planned)
        if nxt is None:
            return await self.end(uow, user, session, lead=texts.SKIPPED)
        return [await self._question_reply(session, nxt, [*turns, nxt], lead=texts.SKIPPED)]

    async def retry(self, uow: UnitOfWork, user: UserRecord, session: SessionRecord) -> Reply:
        """Ask the most recently scored question again; a pending question waits its turn."""
        turns = await uow.turns.for_session(session.id, user)
        scored = [t for t in turns if t.status == "scored"]
        if not scored:
            return Reply(texts.NOTHING_TO_RETRY)
        target, current = scored[-1], turns[-1]
        if current.status == "asked":
            await uow.turns.set_status(current.id, "deferred")
        retry = await uow.turns.ask(
            session.id, seq=current.seq + 1, question_id=target.question_id,
            question_text=target.question_text, is_follow_up=target.is_follow_up,
            attempt=target.attempt + 1, now=self.clock.now(),
        )  # fmt: skip
        return await self._question_reply(session, retry, [*turns, retry], lead=texts.RETRY)

    async def end(
        self, uow: UnitOfWork, user: UserRecord, session: SessionRecord, *, lead: str = ""
    ) -> list[Reply]:
        turns = await uow.turns.for_session(session.id, user)
        for turn in turns:
            if turn.status == "asked":
                await uow.turns.set_status(turn.id, "skipped")
        await uow.sessions.finish(session.id, status="finished", now=self.clock.now())
        text = self.summary(await uow.turns.for_session(session.id, user))
        return [Reply(f"{lead}\n\n{text}".strip())]

    def summary(self, turns: list[TurnRecord]) -> str:
        scored = [assessment_from_dict(t.assessment) for t in turns if t.assessment]
        skipped = sum(1 for t in turns if t.status == "skipped")
        return summary_text(summarise(scored, skipped=skipped))

    def question_of(self, session: SessionRecord, turn: TurnRecord) -> Question:
        """The bank question behind a turn; follow-ups keep their base question's notes."""
        base_id = turn.question_id.removesuffix(FOLLOW_UP)
        base = find_question(session.role, base_id)
        if base is None:
            return Question(id=turn.question_id, role=session.role, text=turn.question_text)
        if turn.is_follow_up:
            return Question(
                id=turn.question_id, role=base.role, text=turn.question_text, kind=base.kind,
                competencies=base.competencies, strong_answer=base.strong_answer,
                keywords=base.keywords, levels=base.levels,
            )  # fmt: skip
        return base

    async def _ask(
        self, uow: UnitOfWork, session: SessionRecord, question: Question, *, seq: int,
        follow_up: bool = False,
    ) -> TurnRecord:  # fmt: skip
        return await uow.turns.ask(
            session.id, seq=seq, question_id=question.id, question_text=question.text,
            is_follow_up=follow_up, now=self.clock.now(),
        )  # fmt: skip

    async def _question_reply(
        self, session: SessionRecord, turn: TurnRecord, turns: list[TurnRecord], *,
        lead: str = "", spoken: str = "",
    ) -> Reply:  # fmt: skip
        if turn.is_follow_up:
            label = "Follow-up"
        else:
            label = f"Question {ordinal(turns, turn)} of {session.planned_questions}"
        prompt = f"{label}: {turn.question_text}"
        voice = await self.voice.speak(f"{spoken} {prompt}".strip())
        return Reply(f"{lead}\n\n{prompt}".strip(), voice=voice, expects_answer=True)

    async def _persist(
        self, uow: UnitOfWork, user: UserRecord, turn: TurnRecord, answer: AnswerInput
    ) -> None:
        """Store the raw answer before anything can fail, so nothing is lost."""
        now = self.clock.now()
        if answer.audio is None:
            await uow.turns.record_answer(turn.id, user, kind="text", text=answer.text, now=now)
            return
        duration = answer.pcm.duration_s if answer.pcm else None
        recording = await uow.recordings.save(
            user, answer.audio, mime=answer.mime, duration_s=duration, now=now
        )
        await uow.turns.record_answer(
            turn.id, user, kind="voice", recording_id=recording.id, now=now
        )
