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
