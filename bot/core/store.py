"""The storage port as the engine uses it; `storage.db` implements it for SQL databases."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from bot.core.models import ChatRef
from bot.core.records import (
    ConsentRecord,
    InboxEntry,
    MarketingRecord,
    PurchaseToken,
    RecordingRecord,
    ReminderRecord,
    SessionRecord,
    StoryRecord,
    TurnRecord,
    UserRecord,
)
from bot.core.usage import Usage


class Users(Protocol):
    async def find(self, platform: str, external_id: str) -> UserRecord | None: ...
    async def get(self, user_id: int) -> UserRecord | None: ...
    async def create(self, platform: str, external_id: str, *, now: datetime) -> UserRecord: ...
    async def set_target(self, user_id: int, *, role: str, level: str) -> None: ...
    async def set_profile(
        self, user: UserRecord, *, display_name: str | None = None, email: str | None = None
    ) -> None: ...
    async def profile(self, user: UserRecord) -> dict[str, Any]: ...
    async def documents(self, user: UserRecord) -> list[dict[str, Any]]: ...
    async def save_document(
        self, user: UserRecord, *, kind: str, filename: str | None, text: str, now: datetime
    ) -> None: ...
    async def delete_documents(self, user: UserRecord, *, kind: str) -> int: ...


class Consents(Protocol):
    async def give(
        self,
        user_id: int,
        *,
        policy_version: str,
        purposes: tuple[str, ...],
        age_confirmed: bool,
        now: datetime,
    ) -> ConsentRecord: ...
    async def current(self, user_id: int) -> ConsentRecord | None: ...
    async def history(self, user_id: int) -> list[ConsentRecord]: ...
    async def withdraw(self, user_id: int, *, now: datetime) -> int: ...


class Sessions(Protocol):
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
    ) -> SessionRecord: ...
    async def active(self, user_id: int) -> SessionRecord | None: ...
    async def get(self, session_id: int) -> SessionRecord | None: ...
    async def for_user(self, user_id: int) -> list[SessionRecord]: ...
    async def finish(self, session_id: int, *, status: str, now: datetime) -> None: ...


class Turns(Protocol):
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
    ) -> TurnRecord: ...
    async def record_answer(
        self,
        turn_id: int,
        user: UserRecord,
        *,
        kind: str,
        recording_id: int | None = None,
        text: str | None = None,
        now: datetime,
    ) -> None: ...
    async def record_result(
        self,
        turn_id: int,
        user: UserRecord,
        *,
        transcript: dict[str, Any],
        metrics: dict[str, Any],
        assessment: dict[str, Any],
        overall: int,
    ) -> None: ...
    async def set_status(self, turn_id: int, status: str) -> None: ...
    async def record_transcript(
        self, turn_id: int, user: UserRecord, transcript: dict[str, Any]
    ) -> None: ...
    async def get(self, turn_id: int, user: UserRecord) -> TurnRecord | None: ...
    async def latest(self, session_id: int, user: UserRecord) -> TurnRecord | None: ...
    async def for_session(self, session_id: int, user: UserRecord) -> list[TurnRecord]: ...


class Recordings(Protocol):
    async def save(
        self, user: UserRecord, data: bytes, *, mime: str, duration_s: float | None, now: datetime
    ) -> RecordingRecord: ...
    async def load(self, recording: RecordingRecord, user: UserRecord) -> bytes: ...
    async def get(self, recording_id: int) -> RecordingRecord | None: ...
    async def for_user(self, user_id: int) -> list[RecordingRecord]: ...


class Ledger(Protocol):
    async def add(
        self, user_id: int | None, *, kind: str, amount: int, provider: str, external_id: str,
        now: datetime,
    ) -> bool: ...  # fmt: skip
    async def balance(self, user_id: int) -> int: ...
    async def entries(self, user_id: int) -> list[dict[str, Any]]: ...
    async def find(self, provider: str, external_id: str, kind: str) -> dict[str, Any] | None: ...


class Purchases(Protocol):
    async def create(
        self, token: str, user_id: int, *, provider: str, credits: int | None,
        price: int | None, now: datetime,
    ) -> None: ...  # fmt: skip
    async def get(self, token: str) -> PurchaseToken | None: ...
    async def for_user(self, user_id: int) -> list[PurchaseToken]: ...
    async def mark_used(self, token: str, *, now: datetime) -> None: ...


class Marketing(Protocol):
    async def get(self, user_id: int) -> MarketingRecord | None: ...
    async def save(self, user_id: int, **values: Any) -> None: ...


class Updates(Protocol):
    async def claim(self, platform: str, update_id: str, *, now: datetime) -> bool: ...


class Audit(Protocol):
    async def record(
        self, *, actor: str, action: str, now: datetime, detail: dict[str, Any] | None = None
    ) -> None: ...
    async def count_since(self, *, actor: str, action: str, since: datetime) -> int: ...


class Stats(Protocol):
    async def interview_starts(self, user_id: int, since: datetime) -> list[datetime]: ...
    async def voice_notes(self, user_id: int, since: datetime) -> list[datetime]: ...


class Usages(Protocol):
    async def record(self, usage: Usage, turn_id: int | None, now: datetime) -> None: ...
    async def summary(self, since: datetime) -> list[dict[str, Any]]: ...


class Contacts(Protocol):
    async def remember(self, user: UserRecord, chat: ChatRef, *, now: datetime) -> None: ...
    async def for_user(self, user: UserRecord) -> list[dict[str, Any]]: ...


class Deletions(Protocol):
    async def request(self, user_id: int, *, now: datetime, due_at: datetime) -> int: ...
    async def pending(self, user_id: int) -> Any: ...
    async def cancel(self, user_id: int, *, now: datetime) -> int: ...


class Inbox(Protocol):
    async def accept(
        self, turn_id: int, user: UserRecord, *, reply_to: tuple[str, str, str], worker: str,
        lease_until: datetime, now: datetime,
    ) -> bool: ...  # fmt: skip
    async def advance(
        self, turn_id: int, *, worker: str, step: str, lease_until: datetime | None,
        now: datetime,
    ) -> bool: ...  # fmt: skip
    async def due(self, *, now: datetime, limit: int = 50) -> list[int]: ...
    async def take_over(
        self, turn_id: int, *, worker: str, lease_until: datetime, now: datetime
    ) -> bool: ...
    async def get(self, turn_id: int, user: UserRecord | None = None) -> InboxEntry | None: ...


class Stories(Protocol):
    async def save(
        self, user: UserRecord, *, text: str, question: str | None, tags: tuple[str, ...],
        overall: int | None, now: datetime,
    ) -> int: ...  # fmt: skip
    async def for_user(self, user: UserRecord) -> list[StoryRecord]: ...
    async def set_tags(
        self, user: UserRecord, story_id: int, tags: tuple[str, ...], *, now: datetime
    ) -> bool: ...
    async def delete(self, user: UserRecord, story_id: int) -> bool: ...


class Reminders(Protocol):
    async def set(
        self, user: UserRecord, *, platform: str, chat_id: str, chat_user_id: str,
        local_time: str, timezone: str, next_at: datetime, now: datetime,
    ) -> None: ...  # fmt: skip
    async def get(self, user: UserRecord) -> ReminderRecord | None: ...
    async def delete(self, user_id: int) -> bool: ...
    async def due(
        self, *, now: datetime, limit: int = 100
    ) -> list[tuple[UserRecord, ReminderRecord]]: ...
    async def sent(self, user_id: int, *, now: datetime, next_at: datetime) -> None: ...


class UnitOfWork(Protocol):
    """Every repository, bound to one transaction (read-only members: covariant)."""

    @property
    def users(self) -> Users: ...
    @property
    def consents(self) -> Consents: ...
    @property
    def sessions(self) -> Sessions: ...
    @property
    def turns(self) -> Turns: ...
    @property
    def recordings(self) -> Recordings: ...
    @property
    def ledger(self) -> Ledger: ...
    @property
    def updates(self) -> Updates: ...
    @property
    def audit(self) -> Audit: ...
    @property
    def deletions(self) -> Deletions: ...
    @property
    def stories(self) -> Stories: ...
    @property
    def reminders(self) -> Reminders: ...
    @property
    def purchases(self) -> Purchases: ...
    @property
    def marketing(self) -> Marketing: ...
    @property
    def contacts(self) -> Contacts: ...
    @property
    def stats(self) -> Stats: ...
    @property
    def inbox(self) -> Inbox: ...
    @property
    def usage(self) -> Usages: ...


class Store(Protocol):
    def unit_of_work(self) -> AbstractAsyncContextManager[UnitOfWork]: ...
