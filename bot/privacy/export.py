"""Access and portability: everything held about one person, as a ZIP they can keep.

The archive holds `data.json` (every stored fact about the person, machine-readable),
`recordings/` (their answer audio, decrypted) and `README.txt` (what each file and field
means). It is a pure function of what the repositories return: nothing here reads the
database or the blob store directly, and nothing is logged about the content.
"""

from __future__ import annotations

import json
import mimetypes
import zipfile
from dataclasses import asdict, dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from bot.core.errors import StorageError
from bot.core.records import (
    ConsentRecord,
    MarketingRecord,
    RecordingRecord,
    ReminderRecord,
    StoryRecord,
    TurnRecord,
    UserRecord,
)
from bot.core.store import UnitOfWork

FORMAT_VERSION = 1
_EXTENSIONS = {
    "audio/ogg": "ogg", "audio/opus": "opus", "audio/wav": "wav", "audio/x-wav": "wav",
    "audio/wave": "wav", "audio/mpeg": "mp3", "audio/mp4": "m4a", "audio/x-m4a": "m4a",
    "audio/webm": "webm", "audio/flac": "flac",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ExportCounts:
    consents: int = 0
    sessions: int = 0
    turns: int = 0
    recordings: int = 0
    documents: int = 0
    ledger_entries: int = 0
    stories: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass(frozen=True, slots=True)
class ExportFile:
    """The finished archive: send `data` as a file named `filename` (application/zip)."""

    filename: str
    data: bytes
    counts: ExportCounts
    mime: str = "application/zip"


async def build_export(
    uow: UnitOfWork,
    user: UserRecord,
    *,
    now: datetime,
    platform: str,
    external_id: str,
    contact: str | None = None,
) -> ExportFile:
    """Everything about `user` as a ZIP; `platform`/`external_id` come from the caller,
    because only a keyed hash of the platform id is stored."""
    user = await uow.users.get(user.id) or user  # the caller's copy may be stale
    sessions, turns = await _sessions(uow, user)
    recordings = await uow.recordings.for_user(user.id)
    names = recording_names(recordings, turns)
    files = await _recording_files(uow, user, recordings, names)
    consents = await uow.consents.history(user.id)
    documents = await uow.users.documents(user)
    ledger = await uow.ledger.entries(user.id)
    stories = await uow.stories.for_user(user)
    data = {
        "export": {"format_version": FORMAT_VERSION, "created_at": now},
        "profile": await _profile(uow, user),
        "platform_identity": {"platform": platform, "id": external_id},
        "contact_points": await uow.contacts.for_user(user),
        "consents": [_consent(c) for c in consents],
        "interview_sessions": [
            {**s, "turns": [_turn(t, names) for t in turns if t.session_id == s["id"]]}
            for s in sessions
        ],
        "recordings": [_recording(r, names, r.id in files) for r in recordings],
        "documents": documents,
        "stories": [_story(story) for story in stories],
        "practice_reminder": _reminder(await uow.reminders.get(user)),
        "credit_ledger": ledger,
        "purchase_tokens": [asdict(t) for t in await uow.purchases.for_user(user.id)],
        "marketing_email": _marketing(await uow.marketing.get(user.id)),
        "deletion_request": _deletion(await uow.deletions.pending(user.id)),
    }
    counts = ExportCounts(
        consents=len(consents), sessions=len(sessions), turns=len(turns),
        recordings=len(files), documents=len(documents), ledger_entries=len(ledger),
        stories=len(stories),
    )  # fmt: skip
    archive = _zip(data, files, now=now, contact=contact)
    return ExportFile(f"interview-coach-export-{now:%Y-%m-%d}.zip", archive, counts)


async def _profile(uow: UnitOfWork, user: UserRecord) -> dict[str, Any]:
    stored = await uow.users.profile(user)
    return {
        "display_name": stored.get("display_name"),
        "email": stored.get("email"),
        "email_confirmed": bool(stored.get("email_confirmed")),
        "language": user.language,
        "target_role": user.target_role,
        "target_level": user.target_level,
        "created_at": user.created_at,
    }


async def _sessions(
    uow: UnitOfWork, user: UserRecord
) -> tuple[list[dict[str, Any]], list[TurnRecord]]:
    sessions: list[dict[str, Any]] = []
    turns: list[TurnRecord] = []
    for s in await uow.sessions.for_user(user.id):
        sessions.append(
            {
                "id": s.id, "platform": s.platform, "role": s.role,
                "level": s.level, "planned_questions": s.planned_questions, "seed": s.seed,
                "status": s.status, "started_at": s.created_at, "finished_at": s.finished_at,
            }
        )  # fmt: skip
        turns.extend(await uow.turns.for_session(s.id, user))
    return sessions, turns


def _consent(c: ConsentRecord) -> dict[str, Any]:
    return {
        "policy_version": c.policy_version,
        "purposes": list(c.purposes),
        "age_16_or_over_confirmed": c.age_confirmed,
        "given_at": c.given_at,
        "withdrawn_at": c.withdrawn_at,
    }


def _turn(t: TurnRecord, names: dict[int, str]) -> dict[str, Any]:
    return {
        "question_number": t.seq,
        "question_id": t.question_id,
        "question": t.question_text,
        "is_follow_up": t.is_follow_up,
        "attempt": t.attempt,
        "status": t.status,
        "asked_at": t.created_at,
        "answered_at": t.answered_at,
        "answer_kind": t.answer_kind,
        "typed_answer": t.answer_text,
        "recording_file": names.get(t.recording_id) if t.recording_id else None,
        "transcript": t.transcript,
        "speech_metrics": t.metrics,
        "assessment": t.assessment,
        "overall_score": t.overall,
    }


def _recording(r: RecordingRecord, names: dict[int, str], included: bool) -> dict[str, Any]:
    return {
        "file": names[r.id] if included else None,
        "mime": r.mime,
        "size_bytes": r.size,
        "duration_s": r.duration_s,
        "created_at": r.created_at,
    }


def _story(story: StoryRecord) -> dict[str, Any]:
    return {
        "tags": list(story.tags), "question": story.question, "text": story.text,
        "overall_score": story.overall, "created_at": story.created_at,
        "updated_at": story.updated_at,
    }  # fmt: skip


def _reminder(reminder: ReminderRecord | None) -> dict[str, Any] | None:
    if reminder is None:
        return None
    return {
        "local_time": reminder.local_time, "timezone": reminder.timezone,
        "platform": reminder.platform, "chat_id": reminder.chat_id,
        "next_at": reminder.next_at, "last_sent_at": reminder.last_sent_at,
        "created_at": reminder.created_at,
    }  # fmt: skip


def _marketing(record: MarketingRecord | None) -> dict[str, Any] | None:
    if record is None:
        return None
    return {
        "opted_in_at": record.opted_in_at, "method": record.method,
        "mailerlite_subscriber_id": record.subscriber_id, "opted_out_at": record.opted_out_at,
    }  # fmt: skip


def _deletion(pending: Any) -> dict[str, Any] | None:
    if pending is None:
        return None
    return {"requested_at": pending.requested_at, "due_at": pending.due_at}


def recording_names(recordings: list[RecordingRecord], turns: list[TurnRecord]) -> dict[int, str]:
    """Archive path of each recording: named after its question when it answered one."""
    by_recording = {t.recording_id: t for t in turns if t.recording_id is not None}
    names: dict[int, str] = {}
    for r in recordings:
        turn = by_recording.get(r.id)
        stem = (
            f"session-{turn.session_id}-question-{turn.seq}"
            if turn is not None
            else f"recording-{r.id}"
        )
        names[r.id] = f"recordings/{stem}.{audio_extension(r.mime)}"
    return names


def audio_extension(mime: str) -> str:
    base = mime.split(";", 1)[0].strip().lower()
    if base in _EXTENSIONS:
        return _EXTENSIONS[base]
    guessed = mimetypes.guess_extension(base)
    return guessed.lstrip(".") if guessed else "bin"


async def _recording_files(
    uow: UnitOfWork, user: UserRecord, recordings: list[RecordingRecord], names: dict[int, str]
) -> dict[int, tuple[str, bytes]]:
    """Decrypted audio by recording id; one that cannot be read is listed without a file."""
    files: dict[int, tuple[str, bytes]] = {}
    for r in recordings:
        try:
            files[r.id] = (names[r.id], await uow.recordings.load(r, user))
        except (StorageError, OSError):
            continue
    return files


def _json_default(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not serialisable in an export: {type(value).__name__}")


def _zip(
    data: dict[str, Any], files: dict[int, tuple[str, bytes]], *, now: datetime,
    contact: str | None,
) -> bytes:  # fmt: skip
    document = json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)
    recordings = sorted(files.values())
    members = [
        ("data.json", document.encode("utf-8")),
        *recordings,
        ("README.txt", readme(now, [n for n, _ in recordings], contact).encode("utf-8")),
    ]
    stamp = now.timetuple()[:6]
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, payload)
    return buffer.getvalue()


def readme(now: datetime, recording_files: list[str], contact: str | None) -> str:
    """Plain-language guide to the archive, listing the files it actually holds."""
    listed = "\n".join(f"  - {name}" for name in recording_files) or "  (none)"
    ask = f"write to {contact}" if contact else "use /privacy in the chat to find our contact"
    return _README.format(date=f"{now:%Y-%m-%d %H:%M} UTC", recordings=listed, ask=ask)


_README = """\
YOUR INTERVIEW COACH DATA
=========================
Exported on {date}. This archive is a copy of everything the interview coach holds about
you. Dates and times are in ISO-8601 format (for example 2026-11-27T14:05:00+00:00), UTC.

FILES
-----
data.json   Everything about you as one JSON document (UTF-8 text), readable by people and
            by programs, so you can move it to another service.
recordings/ The voice answers you sent, exactly as we received them:
{recordings}
            Each file is named after the session and question it answered
            ("session-3-question-2.ogg"); "recording-N" is an answer not linked to a question.
README.txt  This explanation.

WHAT IS IN data.json
--------------------
export              format_version of this document and created_at (when it was made).
profile             display_name and email you gave us, email_confirmed (whether the e-mail
                    was verified), language, target_role and target_level you picked,
                    created_at (when you first used the coach).
platform_identity   The chat platform (telegram, discord, console) and your id on it. We do
                    not store this id itself, only a keyed hash of it to recognise you.
contact_points      Where we can reach you outside a conversation (only for breach notices
                    and updates you opted in to): platform, chat_id, user_id, created_at.
                    Stored encrypted with your own key.
consents            Every consent you gave: policy_version you agreed to, purposes
                    ("interview" = processing your answers, "marketing" = tips and updates),
                    age_16_or_over_confirmed, given_at, withdrawn_at (empty if still valid).
interview_sessions  Each practice interview: platform, role, level,
                    planned_questions, seed (picks the question order), status (active,
                    finished, abandoned), started_at, finished_at, and its turns:
  turns             question_number, question_id and question (the text we asked),
                    is_follow_up, attempt, status (asked, received, scored, failed, skipped),
                    asked_at, answered_at, answer_kind (voice or text), typed_answer (what
                    you typed), recording_file (your audio in this archive), transcript
                    (what we heard: text, words with start_s/end_s timings in seconds,
                    language, duration_s), speech_metrics (duration, word count, words per
                    minute, filler words, pauses, hedges, use of "I" and "we"), assessment
                    (overall score, a score per dimension with its justification and the
                    evidence quoted from your answer, strengths, improvements, feedback,
                    follow-up question), overall_score (1 to 5).
recordings          Each stored answer recording: file, mime (audio format), size_bytes,
                    duration_s, created_at. file is empty if the audio could not be read.
documents           CVs and job descriptions you gave us: kind (cv or jd), filename, text,
                    has_file, created_at.
stories             Your story bank (/stories): tags (leadership, conflict...), question,
                    text (your answer as you saved it), overall_score it earned,
                    created_at, updated_at.
practice_reminder   Your practice reminder (/reminders), if you set one: local_time and
                    timezone you chose, platform and chat_id it is sent to, next_at and
                    last_sent_at (UTC), created_at. Empty if there is none.
credit_ledger       Credits granted, bought, spent or refunded: kind, amount, provider (who
                    handled it), reference (the provider's transaction id), created_at.
purchase_tokens     One per /buy: the opaque reference sent to the payment provider instead of
                    your id, provider, credits and price of the pack, created_at, used_at.
marketing_email     If you opted in to tips by e-mail: opted_in_at, method (how you
                    confirmed), mailerlite_subscriber_id, opted_out_at. Empty if never.
deletion_request    If you asked us to delete your data: requested_at and due_at (when the
                    deletion becomes final). Empty if there is none.

YOUR RIGHTS
-----------
Correct your name or e-mail with /profile. Withdraw consent with /consent withdraw. Delete
everything with /delete (you can cancel during the grace period; "delete now" erases at
once). For questions about your data, {ask}.
"""
