"""Stored records as the engine sees them (plaintext; storage seals personal fields)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    created_at: datetime
    data_key: bytes | None
    language: str | None = None
    target_role: str | None = None
    target_level: str | None = None


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    id: int
    user_id: int
    policy_version: str
    purposes: tuple[str, ...]
    age_confirmed: bool
    given_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: int
    user_id: int
    platform: str
    role: str
    level: str
    planned_questions: int
    seed: int
    status: str
    created_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class TurnRecord:
    """One question of a session and, once answered, what came of it."""

    id: int
    session_id: int
    seq: int
    question_id: str
    question_text: str
    is_follow_up: bool
    attempt: int
    status: str
    created_at: datetime
    answer_kind: str | None = None
    recording_id: int | None = None
    answer_text: str | None = None
    transcript: dict[str, Any] | None = None
    metrics: dict[str, Any] | None = None
    assessment: dict[str, Any] | None = None
    overall: int | None = None
    answered_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecordingRecord:
    id: int
    user_id: int
    blob_key: str
    mime: str
    size: int
    duration_s: float | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """An accepted answer's progress (#12): its step, who holds it, where to reply."""

    turn_id: int
    user_id: int
    step: str  # received | transcribed | scored | replied | failed
    worker: str | None
    lease_until: datetime | None
    attempts: int
    reply_to: tuple[str, str, str] | None = None  # (platform, chat_id, user_id), opened


@dataclass(frozen=True, slots=True)
class PurchaseToken:
    """An opaque one-time reference a payment carries back to us (#8): who buys which pack."""

    token: str
    user_id: int
    provider: str
    credits: int | None
    price: int | None
    created_at: datetime
    used_at: datetime | None


@dataclass(frozen=True, slots=True)
class MarketingRecord:
    """A person's marketing e-mail opt-in (#8): when and how, and their MailerLite id."""

    user_id: int
    opted_in_at: datetime | None
    method: str | None
    subscriber_id: str | None
    opted_out_at: datetime | None


@dataclass(frozen=True, slots=True)
class EmailCodeRecord:
    """A pending e-mail confirmation code (#8): its keyed hash, expiry and counters."""

    user_id: int
    code_hash: str
    expires_at: datetime
    attempts: int
    sends: int
    first_sent_at: datetime


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """A story the candidate saved to their bank (#10), opened."""

    id: int
    user_id: int
    tags: tuple[str, ...]
    question: str | None
    text: str
    overall: int | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ReminderRecord:
    """A practice reminder (#10): when, where (the chat, opened) and the next time, in UTC."""

    user_id: int
    platform: str
    chat_id: str
    chat_user_id: str
    local_time: str
    timezone: str
    next_at: datetime
    created_at: datetime
    last_sent_at: datetime | None = None
