"""Finish answers that a crash or restart left unfinished (#12), or tell the candidate plainly.

`coach run` calls `Resumer.run_once` once its chat platforms are connected and then every
little while. A turn is resumed only when its lease ran out (its worker died or stopped)
and only by the worker that wins the take-over, under the person's lock, so each accepted
answer gets one reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from contextlib import suppress

from bot.core.clock import Clock
from bot.core.errors import AudioError, StorageError
from bot.core.models import ChatRef, Reply
from bot.core.ports import AudioCodec, ReplySink
from bot.core.records import SessionRecord, TurnRecord, UserRecord
from bot.core.store import Store, UnitOfWork
from bot.flows import texts
from bot.flows.codec import assessment_from_dict, metrics_from_dict, transcript_from_dict
from bot.flows.inbox import Claim, TurnInbox
from bot.flows.interview import InterviewFlow
from bot.flows.render import feedback_text
from bot.flows.summary import session_summary
from bot.flows.turn import AnswerInput

log = logging.getLogger(__name__)

SCORED_BEFORE_RESTART = "I was restarted just before sending you this feedback:"
MAX_ATTEMPTS = 5
GIVING_UP = (
    "Sorry, I still can't finish scoring your last answer. Please send it again, or /skip "
    "to the next question."
)
CANNOT_READ_BACK = (
    "I was restarted while working on your last answer and can't read it back. "
    "Please send it again."
)


class Resumer:
    def __init__(
        self, *, store: Store, interview: InterviewFlow, codec: AudioCodec, clock: Clock,
        lock_for: Callable[[ChatRef], asyncio.Lock],
    ) -> None:  # fmt: skip
        self.store = store
        self.interview = interview
        self.inbox: TurnInbox = interview.inbox
        self.codec = codec
        self.clock = clock
        self.lock_for = lock_for

    async def run_once(self, senders: Mapping[str, ReplySink]) -> int:
        """Resume every turn whose lease ran out; how many this worker resumed."""
        async with self.store.unit_of_work() as uow:
            due = await uow.inbox.due(now=self.clock.now())
        done = await asyncio.gather(*(self._resume(turn_id, senders) for turn_id in due))
        if due:
            log.info("resume: %s of %s unfinished turns taken up here", sum(done), len(due))
        return sum(done)

    async def _resume(self, turn_id: int, senders: Mapping[str, ReplySink]) -> bool:
        async with self.store.unit_of_work() as uow:
            entry = await uow.inbox.get(turn_id)
            user = await uow.users.get(entry.user_id) if entry else None
            entry = await uow.inbox.get(turn_id, user) if user else None
        if user is None or entry is None or entry.reply_to is None:
            return await self._drop(turn_id)  # the person was erased meanwhile
        chat = ChatRef(*entry.reply_to)
        sink = senders.get(chat.platform)
        lock = self.lock_for(chat)
        if sink is None or lock.locked():  # not served here, or busy here: a later sweep
            return False
        async with lock:
            async with self.store.unit_of_work() as uow:
                claim = await self.inbox.take_over(uow, turn_id)
                turn = await uow.turns.get(turn_id, user) if claim else None
                session = await uow.sessions.get(turn.session_id) if turn else None
            if claim is None or turn is None or session is None:
                return False
            if entry.attempts >= MAX_ATTEMPTS:  # it keeps failing: stop and say so
                await self._settle(claim, "failed")
                await sink.send(chat, Reply(GIVING_UP))
                return True
            log.info("resuming turn %s from step %s", turn_id, entry.step)
            await self._finish(user, session, turn, entry.step, claim, chat, sink)
        return True

    async def _finish(
        self, user: UserRecord, session: SessionRecord, turn: TurnRecord, step: str,
        claim: Claim, chat: ChatRef, sink: ReplySink,
    ) -> None:  # fmt: skip
        if step == "scored" or turn.status == "scored":
            await self._scored(user, session, turn, claim, chat, sink)
            return
        if session.status != "active" or turn.status != "received":
            await self._settle(claim, "failed")  # skipped or ended meanwhile: nothing to say
            return
        answer = await self._answer_of(user, turn)
        if answer is None:
            await self._settle(claim, "failed")
            await sink.send(chat, Reply(CANNOT_READ_BACK))
            return
        heard = turn.transcript if step == "transcribed" else None
        transcript = transcript_from_dict(heard) if heard else None
        await self.interview.process(
            user, session, turn, answer, claim, chat, sink, transcript=transcript
        )

    async def _scored(
        self, user: UserRecord, session: SessionRecord, turn: TurnRecord, claim: Claim,
        chat: ChatRef, sink: ReplySink,
    ) -> None:  # fmt: skip
        """Stored but not sent: the feedback again, then the question now waiting."""
        async with self.store.unit_of_work() as uow:
            current = await uow.sessions.get(session.id)
            still = current is not None and current.status == "active"
            nxt = await self.interview.resume(uow, user, session) if still else None
            turns = await uow.turns.for_session(session.id, user)
        nxt = await self.interview.voiced(nxt) if nxt is not None else None
        text = SCORED_BEFORE_RESTART
        if turn.assessment and turn.metrics:
            assessment = assessment_from_dict(turn.assessment)
            text = f"{text}\n\n{feedback_text(assessment, metrics_from_dict(turn.metrics))}"
        if nxt is not None and nxt.text != texts.NO_INTERVIEW:
            await sink.send(chat, Reply(f"{text}\n\n{nxt.text}", voice=nxt.voice))
        else:  # that was the last question
            await sink.send(chat, Reply(text))
            if not still:
                await sink.send(chat, Reply(session_summary(turns)))
        await self.inbox.settle(self.store, claim, "replied")

    async def _answer_of(self, user: UserRecord, turn: TurnRecord) -> AnswerInput | None:
        """The stored answer, checked to play again; None when it cannot be read back."""
        if turn.answer_kind == "text":
            return AnswerInput(text=turn.answer_text) if turn.answer_text else None
        try:
            async with self.store.unit_of_work() as uow:
                data, mime = await _recording(uow, user, turn)
            seconds = await self.codec.probe(data)
        except (StorageError, AudioError, LookupError, OSError) as exc:
            log.warning("turn %s: stored answer unreadable (%s)", turn.id, type(exc).__name__)
            return None
        return AnswerInput(audio=data, mime=mime, duration_s=seconds)

    async def _drop(self, turn_id: int) -> bool:
        async with self.store.unit_of_work() as uow:
            claim = await self.inbox.take_over(uow, turn_id)
            if claim is not None:
                await self.inbox.advance(uow, claim, "failed")
        return False

    async def _settle(self, claim: Claim, step: str) -> None:
        await self.inbox.settle(self.store, claim, step)


async def _recording(uow: UnitOfWork, user: UserRecord, turn: TurnRecord) -> tuple[bytes, str]:
    recording = await uow.recordings.get(turn.recording_id) if turn.recording_id else None
    if recording is None:
        raise LookupError("the answer's recording is gone")
    return await uow.recordings.load(recording, user), recording.mime


async def keep_resuming(
    resumer: Resumer, senders: Mapping[str, ReplySink], *, interval_s: float,
    stop: asyncio.Event,
) -> None:  # fmt: skip
    """Resume now and every `interval_s` until `stop` is set; a failed sweep is retried."""
    while not stop.is_set():
        try:
            await resumer.run_once(senders)
        except Exception:
            log.exception("resume sweep failed; trying again in %.0f s", interval_s)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)
