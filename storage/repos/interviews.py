"""Interview sessions, their turns, and answer recordings."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.errors import StorageError
from bot.core.records import RecordingRecord, SessionRecord, TurnRecord, UserRecord
from storage.blobs import BlobStore
from storage.repos.base import Repository
from storage.sealing import KeyRing
from storage.tables import interview_sessions, recordings, turns


def _session(row: Any) -> SessionRecord:
    return SessionRecord(**{f: getattr(row, f) for f in SessionRecord.__slots__})


class SessionRepository(Repository):
    async def start(
        self,
        user_id: int,
        *,
        platform: str,
        role: str,
        level: str,
        planned_questions: int,
        seed: int,
        now: datetime,
    ) -> SessionRecord:
        values = dict(
            user_id=user_id,
            platform=platform,
            role=role,
            level=level,
            planned_questions=planned_questions,
            seed=seed,
            status="active",
            created_at=now,
        )
        stmt = sa.insert(interview_sessions).values(**values).returning(interview_sessions)
        return _session((await self.conn.execute(stmt)).one())

    async def active(self, user_id: int) -> SessionRecord | None:
        stmt = (
            sa.select(interview_sessions)
            .where(interview_sessions.c.user_id == user_id, interview_sessions.c.status == "active")
            .order_by(interview_sessions.c.id.desc())
            .limit(1)
        )
        row = (await self.conn.execute(stmt)).first()
        return _session(row) if row else None

    async def get(self, session_id: int) -> SessionRecord | None:
        stmt = sa.select(interview_sessions).where(interview_sessions.c.id == session_id)
        row = (await self.conn.execute(stmt)).first()
        return _session(row) if row else None

    async def for_user(self, user_id: int) -> list[SessionRecord]:
        stmt = (
            sa.select(interview_sessions)
            .where(interview_sessions.c.user_id == user_id)
            .order_by(interview_sessions.c.id)
        )
        return [_session(r) for r in await self.conn.execute(stmt)]

    async def finish(self, session_id: int, *, status: str, now: datetime) -> None:
        stmt = (
            sa.update(interview_sessions)
            .where(interview_sessions.c.id == session_id)
            .values(status=status, finished_at=now)
        )
        await self.conn.execute(stmt)


class TurnRepository(Repository):
    async def ask(
        self,
        session_id: int,
        *,
        seq: int,
        question_id: str,
        question_text: str,
        is_follow_up: bool = False,
        attempt: int = 1,
        now: datetime,
    ) -> TurnRecord:
        values = dict(
            session_id=session_id,
            seq=seq,
            question_id=question_id,
            question_text=question_text,
            is_follow_up=is_follow_up,
            attempt=attempt,
            status="asked",
            created_at=now,
        )
        turn_id = (
            await self.conn.execute(sa.insert(turns).values(**values).returning(turns.c.id))
        ).scalar_one()
        return TurnRecord(id=turn_id, **values)  # type: ignore[arg-type]

    async def record_answer(
        self,
        turn_id: int,
        user: UserRecord,
        *,
        kind: str,
        recording_id: int | None = None,
        text: str | None = None,
        now: datetime,
    ) -> None:
        """Persist the raw answer before any processing, so nothing is lost if a step fails."""
        values = dict(
            status="received",
            answer_kind=kind,
            recording_id=recording_id,
            answer_text=self.seal_text(user, "turns.answer_text", text),
            answered_at=now,
        )
        await self.conn.execute(sa.update(turns).where(turns.c.id == turn_id).values(**values))

    async def record_result(
        self,
        turn_id: int,
        user: UserRecord,
        *,
        transcript: dict[str, Any],
        metrics: dict[str, Any],
        assessment: dict[str, Any],
        overall: int,
    ) -> None:
        values = dict(
            status="scored",
            transcript=self.seal_json(user, "turns.transcript", transcript),
            metrics=metrics,
            assessment=self.seal_json(user, "turns.assessment", assessment),
            overall=overall,
        )
        await self.conn.execute(sa.update(turns).where(turns.c.id == turn_id).values(**values))

    async def set_status(self, turn_id: int, status: str) -> None:
        await self.conn.execute(sa.update(turns).where(turns.c.id == turn_id).values(status=status))

    async def record_transcript(
        self, turn_id: int, user: UserRecord, transcript: dict[str, Any]
    ) -> None:
        """Keep the transcript as soon as it exists, so a resumed turn need not hear it again."""
        sealed = self.seal_json(user, "turns.transcript", transcript)
        await self.conn.execute(
            sa.update(turns).where(turns.c.id == turn_id).values(transcript=sealed)
        )

    async def get(self, turn_id: int, user: UserRecord) -> TurnRecord | None:
        row = (await self.conn.execute(sa.select(turns).where(turns.c.id == turn_id))).first()
        return self._turn(row, user) if row else None

    async def latest(self, session_id: int, user: UserRecord) -> TurnRecord | None:
        stmt = sa.select(turns).where(turns.c.session_id == session_id).order_by(turns.c.seq.desc())
        row = (await self.conn.execute(stmt.limit(1))).first()
        return self._turn(row, user) if row else None

    async def for_session(self, session_id: int, user: UserRecord) -> list[TurnRecord]:
        stmt = sa.select(turns).where(turns.c.session_id == session_id).order_by(turns.c.seq)
        return [self._turn(r, user) for r in await self.conn.execute(stmt)]

    def _turn(self, row: Any, user: UserRecord) -> TurnRecord:
        return TurnRecord(
            id=row.id,
            session_id=row.session_id,
            seq=row.seq,
            question_id=row.question_id,
            question_text=row.question_text,
            is_follow_up=row.is_follow_up,
            attempt=row.attempt,
            status=row.status,
            created_at=row.created_at,
            answer_kind=row.answer_kind,
            recording_id=row.recording_id,
            answer_text=self.open_text(user, "turns.answer_text", row.answer_text),
            transcript=self.open_json(user, "turns.transcript", row.transcript),
            metrics=row.metrics,
            assessment=self.open_json(user, "turns.assessment", row.assessment),
            overall=row.overall,
            answered_at=row.answered_at,
        )


class RecordingRepository(Repository):
    """Answer audio: sealed bytes in the blob store, metadata in `recordings`."""

    def __init__(self, conn: AsyncConnection, keyring: KeyRing, blobs: BlobStore) -> None:
        super().__init__(conn, keyring)
        self.blobs = blobs

    async def save(
        self, user: UserRecord, data: bytes, *, mime: str, duration_s: float | None, now: datetime
    ) -> RecordingRecord:
        if user.data_key is None:
            raise StorageError("this person's data key was erased")
        sealed = self.keyring.seal(user.data_key, data, bound_to=f"recordings:user={user.id}")
        key = self.blobs.put(sealed, prefix="answer")
        values = dict(
            user_id=user.id,
            blob_key=key,
            mime=mime,
            size=len(data),
            duration_s=duration_s,
            created_at=now,
        )
        stmt = sa.insert(recordings).values(**values).returning(recordings.c.id)
        rec_id = (await self.conn.execute(stmt)).scalar_one()
        return RecordingRecord(id=rec_id, **values)  # type: ignore[arg-type]

    async def load(self, recording: RecordingRecord, user: UserRecord) -> bytes:
        if user.data_key is None:
            raise StorageError("this person's data key was erased")
        binding = f"recordings:user={user.id}"
        return self.keyring.open(
            user.data_key, self.blobs.get(recording.blob_key), bound_to=binding
        )

    async def get(self, recording_id: int) -> RecordingRecord | None:
        stmt = sa.select(recordings).where(recordings.c.id == recording_id)
        row = (await self.conn.execute(stmt)).first()
        return _recording(row) if row else None

    async def for_user(self, user_id: int) -> list[RecordingRecord]:
        stmt = (
            sa.select(recordings).where(recordings.c.user_id == user_id).order_by(recordings.c.id)
        )
        return [_recording(r) for r in await self.conn.execute(stmt)]


def _recording(row: Any) -> RecordingRecord:
    return RecordingRecord(**{f: getattr(row, f) for f in RecordingRecord.__slots__})
