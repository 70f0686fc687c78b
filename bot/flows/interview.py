"""Interview sessions: start, ask, answer, follow up, skip, retry, end, progress."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, replace
from typing import Any

from bot.core.clock import Clock
from bot.core.models import (
    Button,
    ChatRef,
    Inbound,
    Question,
    Reply,
    Transcript,
)
from bot.core.ports import AudioCodec, Coach, ReplySink, SpeechToText
from bot.core.records import SessionRecord, TurnRecord, UserRecord
from bot.core.store import Store, UnitOfWork
from bot.core.usage import UsageMeter
from bot.flows import texts
from bot.flows.codec import (
    assessment_to_dict,
    metrics_to_dict,
    transcript_to_dict,
)
from bot.flows.features import SessionHooks
from bot.flows.inbox import SAVED_WILL_FINISH, Claim, LeaseLost, TurnInbox
from bot.flows.language import english_only_note, language_of_answer
from bot.flows.questions import ROLES, find_question
from bot.flows.render import feedback_text, spoken_feedback
from bot.flows.rewrite import Rewriter
from bot.flows.session_state import (
    FOLLOW_UP,
    SessionPlan,
    context_for,
    deferred_question,
    main_count,
    ordinal,
    score_change,
    with_earlier_answer,
    with_status,
)
from bot.flows.summary import session_summary, weakest_rewrite
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
from bot.flows.turn_usage import turn_usage
from bot.flows.voice import EarlyVoice, Voice

log = logging.getLogger(__name__)


def coaching_buttons(turn: TurnRecord) -> tuple[tuple[Button, ...], ...]:
    """Offered under an answer's feedback: its STAR rewrite, and saving it as a story."""
    return (
        (
            Button("Stronger answer", f"stronger:{turn.id}"),
            Button("Save story", f"story:{turn.id}"),
        ),
    )


@dataclass(frozen=True, slots=True)
class FirstQuestion:
    """A new session's first question, planned before the session is stored."""

    question: Question
    seed: int


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
        rewriter: Rewriter | None = None,
        inbox: TurnInbox | None = None,
        hooks: SessionHooks | None = None,
        meter: UsageMeter | None = None,
    ) -> None:
        self.meter = meter
        self.hooks = hooks
        self.inbox = inbox or TurnInbox(clock=clock, lease_s=180.0)
        self.store = store
        self.rewriter = rewriter
        self.stt = stt
        self.coach = coach
        self.voice = voice
        self.codec = codec
        self.clock = clock
        self.settings = settings

    async def plan_first(
        self, role: str, level: str, documents: list[dict[str, Any]]
    ) -> FirstQuestion | None:
        """The first question of a new session, planned outside any transaction (it may call
        a cloud model); None when the bank has nothing left for this role and level."""
        seed = random.SystemRandom().randrange(1 << 30)
        try:
            question = await self.coach.next_question(
                context_for(SessionPlan(role, level, seed), [], documents)
            )
        except LookupError:
            return None
        return FirstQuestion(question, seed)

    async def start(
        self, uow: UnitOfWork, user: UserRecord, chat: ChatRef, role: str, level: str,
        first: FirstQuestion,
    ) -> Reply:  # fmt: skip
        """Open a session and ask its planned first question (any other was ended)."""
        session = await uow.sessions.start(
            user.id, platform=chat.platform, role=role, level=level,
            planned_questions=self.settings.questions, seed=first.seed, now=self.clock.now(),
        )  # fmt: skip
        if self.hooks is not None:
            await self.hooks.started(uow, user, session)
        await uow.users.set_target(user.id, role=role, level=level)
        turn = await self._ask(uow, session, first.question, seq=1)
        intro = texts.INTERVIEW_INTRO.format(
            role=ROLES[role], level=level, count=session.planned_questions
        )
        return self._question_reply(session, turn, [turn], lead=intro)

    async def resume(self, uow: UnitOfWork, user: UserRecord, session: SessionRecord) -> Reply:
        """Repeat the question the candidate still has to answer."""
        turns = await uow.turns.for_session(session.id, user)
        if not turns or turns[-1].status not in ("asked", "received"):
            return Reply(texts.NO_INTERVIEW)
        return self._question_reply(session, turns[-1], turns, lead="Welcome back!")

    async def answer(
        self, user: UserRecord, session: SessionRecord, turn: TurnRecord, inbound: Inbound,
        sink: ReplySink,
    ) -> None:  # fmt: skip
        """Store the answer and its inbox entry (#12) first, then run it through the pipeline."""
        chat = inbound.chat
        try:
            answer = await read_answer(inbound, self.codec, self.settings.limits)
            async with self.store.unit_of_work() as uow:
                claim = await self.inbox.accept(uow, user, turn.id, chat)
                if claim is not None:
                    await self._persist(uow, user, turn, answer)
        except TurnRejected as exc:
            await sink.send(chat, Reply(exc.message))
            return
        if claim is None:  # another worker is still on this turn
            await sink.send(chat, Reply(texts.ALREADY_ANSWERED))
            return
        name = inbound.attachment.filename if inbound.attachment else "answer.txt"
        await self.process(user, session, turn, answer, claim, chat, sink, name=name,
                           language=inbound.language)  # fmt: skip

    async def process(
        self, user: UserRecord, session: SessionRecord, turn: TurnRecord, answer: AnswerInput,
        claim: Claim, chat: ChatRef, sink: ReplySink, *, name: str = "answer.ogg",
        language: str | None = None, transcript: Transcript | None = None,
    ) -> None:  # fmt: skip
        """Transcribe (unless done before), score, store and reply; each step is recorded."""
        try:
            async with turn_usage(self.meter, self.store, self.clock, turn.id):
                await self._process(
                    user, session, turn, answer, claim, chat, sink, name, language, transcript
                )
        except LeaseLost:
            log.info("turn %s was taken over by another worker; leaving it to them", turn.id)
        except Exception:  # the answer is saved and held: the resumer finishes it (#12)
            log.exception("turn %s failed after it was saved; it will be resumed", turn.id)
            await sink.send(chat, Reply(SAVED_WILL_FINISH))

    async def _process(
        self, user: UserRecord, session: SessionRecord, turn: TurnRecord, answer: AnswerInput,
        claim: Claim, chat: ChatRef, sink: ReplySink, name: str, language: str | None,
        transcript: Transcript | None,
    ) -> None:  # fmt: skip
        try:
            if transcript is None:
                if answer.audio is not None:
                    await sink.send(chat, Reply(texts.PROCESSING, progress=True))
                transcript = await transcribe(answer, self.stt, name)
        except TurnRejected as exc:  # the candidate is asked to send it again
            async with self.store.unit_of_work() as uow:
                await self.inbox.advance(uow, claim, "failed")
            await sink.send(chat, Reply(exc.message))
            return
        transcript = language_of_answer(transcript, language)
        if not transcript.text.strip():
            async with self.store.unit_of_work() as uow:
                await self.inbox.advance(uow, claim, "failed")
                await uow.turns.set_status(turn.id, "asked")
            await sink.send(chat, Reply(texts.NOTHING_HEARD))
            return
        async with self.store.unit_of_work() as uow:
            await self.inbox.advance(uow, claim, "transcribed")
            await uow.turns.record_transcript(turn.id, user, transcript_to_dict(transcript))
            turns = await uow.turns.for_session(session.id, user)
            docs = await uow.users.documents(user)
        question = self.question_of(session, turn)
        metrics = await measure(answer, transcript, self.codec)
        more = main_count(turns) < session.planned_questions
        context = context_for(session, turns, docs, language=transcript.language)
        early = self.voice.early() if more else None
        assessment, planned = await assess_and_plan(
            self.coach, question=question, transcript=with_earlier_answer(turns, turn, transcript),
            metrics=metrics, context=context if more else None, early_voice=early,
        )  # fmt: skip
        result = TurnResult(transcript, metrics, assessment, planned, early)
        note = english_only_note(self.coach.name, transcript.language, language)
        await self._conclude(user, session, turn, turns, result, sink, chat, claim, note=note)

    async def _conclude(
        self, user: UserRecord, session: SessionRecord, turn: TurnRecord,
        turns: list[TurnRecord], result: TurnResult, sink: ReplySink, chat: ChatRef, claim: Claim,
        *, note: str | None = None,
    ) -> None:  # fmt: skip
        """Store the result, ask the follow-up or next question (or finish), and reply."""
        text = feedback_text(result.assessment, result.metrics)
        change = score_change(turns, turn, result.assessment)
        if change:
            text = f"{change}\n\n{text}"
        text = f"{note}\n\n{text}" if note else text
        follow_up = result.assessment.follow_up if not turn.is_follow_up else None
        async with self.store.unit_of_work() as uow:
            await self.inbox.advance(uow, claim, "scored")
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
            reply = await self.voiced(
                self._question_reply(session, nxt, [*turns, nxt], lead=text, spoken=spoken),
                early=result.early_voice,
            )
            await sink.send(chat, replace(reply, buttons=coaching_buttons(turn)))
        else:
            closing = f"{spoken} That was the last question. Here is your summary."
            voice = await self.voice.speak(closing)
            await sink.send(chat, Reply(text, voice=voice, buttons=coaching_buttons(turn)))
            await sink.send(chat, Reply(session_summary(final)))
        await self.inbox.settle(self.store, claim, "replied")
        if nxt is None:  # an extra after the turn's reply: it may take a cloud call
            await self.send_rewrite(session, final, chat, sink)

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

    async def skip(self, user: UserRecord, session: SessionRecord) -> list[Reply]:
        """Skip the waiting question; the next one is planned between two transactions."""
        async with self.store.unit_of_work() as uow:
            turns = await uow.turns.for_session(session.id, user)
            current = turns[-1]
            await uow.turns.set_status(current.id, "skipped")
            turns[-1] = with_status(current, "skipped")
            docs = await uow.users.documents(user)
        planned = None
        if main_count(turns) < session.planned_questions:
            try:
                planned = await self.coach.next_question(context_for(session, turns, docs))
            except LookupError:
                planned = None
        async with self.store.unit_of_work() as uow:
            nxt = await self._next_turn(uow, session, current, turns, None, planned)
            if nxt is None:
                return await self.end(uow, user, session, lead=texts.SKIPPED)
        return [self._question_reply(session, nxt, [*turns, nxt], lead=texts.SKIPPED)]

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
        return self._question_reply(session, retry, [*turns, retry], lead=texts.RETRY)

    async def end(
        self, uow: UnitOfWork, user: UserRecord, session: SessionRecord, *, lead: str = ""
    ) -> list[Reply]:
        turns = await uow.turns.for_session(session.id, user)
        for turn in turns:
            if turn.status == "asked":
                await uow.turns.set_status(turn.id, "skipped")
        await uow.sessions.finish(session.id, status="finished", now=self.clock.now())
        if self.hooks is not None:
            await self.hooks.ended(uow, user, session, turns)
        text = session_summary(await uow.turns.for_session(session.id, user))
        return [Reply(f"{lead}\n\n{text}".strip())]

    async def abandon(self, uow: UnitOfWork, user: UserRecord, session: SessionRecord) -> None:
        """Leave a session unfinished (the candidate starts over)."""
        await uow.sessions.finish(session.id, status="abandoned", now=self.clock.now())
        if self.hooks is not None:
            turns = await uow.turns.for_session(session.id, user)
            await self.hooks.ended(uow, user, session, turns)

    async def send_rewrite(
        self, session: SessionRecord, turns: list[TurnRecord], chat: ChatRef, sink: ReplySink
    ) -> None:
        """After the summary: the stronger answer for the session's weakest answer."""
        text = await weakest_rewrite(
            turns, question_of=lambda t: self.question_of(session, t), rewriter=self.rewriter
        )
        if text:
            await sink.send(chat, Reply(text))

    async def rewrite_if_finished(
        self, user: UserRecord, session: SessionRecord, chat: ChatRef, sink: ReplySink
    ) -> None:
        """`send_rewrite` once /end or /skip has finished `session` (read after its commit)."""
        async with self.store.unit_of_work() as uow:
            active = await uow.sessions.active(user.id)
            turns = await uow.turns.for_session(session.id, user)
        if active is None or active.id != session.id:
            await self.send_rewrite(session, turns, chat, sink)

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

    def _question_reply(
        self, session: SessionRecord, turn: TurnRecord, turns: list[TurnRecord], *,
        lead: str = "", spoken: str = "",
    ) -> Reply:  # fmt: skip
        """The question as text, its voice still to come (`voiced`, after the transaction)."""
        if turn.is_follow_up:
            label = "Follow-up"
        else:
            label = f"Question {ordinal(turns, turn)} of {session.planned_questions}"
        prompt = f"{label}: {turn.question_text}"
        speech = tuple(part for part in (spoken, f"{label}:", turn.question_text) if part)
        return Reply(f"{lead}\n\n{prompt}".strip(), speech=speech, expects_answer=True)

    async def voiced(self, reply: Reply, *, early: EarlyVoice | None = None) -> Reply:
        """`reply` with its pending speech turned into a voice note (text only if none)."""
        if not reply.speech:
            return reply
        voice = await self.voice.speak(*reply.speech, early=early)
        return replace(reply, voice=voice, speech=())

    async def _persist(
        self, uow: UnitOfWork, user: UserRecord, turn: TurnRecord, answer: AnswerInput
    ) -> None:
        """Store the raw answer before anything can fail, so nothing is lost."""
        now = self.clock.now()
        if answer.audio is None:
            await uow.turns.record_answer(turn.id, user, kind="text", text=answer.text, now=now)
            return
        recording = await uow.recordings.save(
            user, answer.audio, mime=answer.mime, duration_s=answer.duration_s, now=now
        )
        await uow.turns.record_answer(
            turn.id, user, kind="voice", recording_id=recording.id, now=now
        )
