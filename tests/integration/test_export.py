"""The export (access and portability) against SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.core.models import ChatRef
from bot.core.records import UserRecord
from bot.privacy import registry
from bot.privacy.export import ExportFile, build_export
from storage.db import Database
from storage.tables import documents

NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
AUDIO = b"OggS\x00\x02voice-answer-bytes-of-zelda\x00\x01\x02" * 40
NEIGHBOUR_AUDIO = b"OggS\x00\x02neighbour-audio-NBRMARK\x00" * 40
# Where each personal column of the data registry appears in data.json ("section.key").
EXPORTED = {
    "users.display_name": "profile.display_name", "users.email": "profile.email",
    "users.email_confirmed": "profile.email_confirmed", "users.language": "profile.language",
    "users.target_role": "profile.target_role", "users.target_level": "profile.target_level",
    "identities.platform": "platform_identity.platform",
    "identities.lookup_hash": "platform_identity.id",
    "contact_points.platform": "contact_points.platform",
    "contact_points.address": "contact_points.chat_id",
    "consents.policy_version": "consents.policy_version", "consents.purposes": "consents.purposes",
    "consents.age_confirmed": "consents.age_16_or_over_confirmed",
    "consents.given_at": "consents.given_at", "consents.withdrawn_at": "consents.withdrawn_at",
    "interview_sessions.platform": "session.platform",
    "interview_sessions.role": "session.role",
    "interview_sessions.level": "session.level", "interview_sessions.seed": "session.seed",
    "interview_sessions.planned_questions": "session.planned_questions",
    "turns.question_id": "turn.question_id", "turns.question_text": "turn.question",
    "turns.is_follow_up": "turn.is_follow_up", "turns.attempt": "turn.attempt",
    "turns.status": "turn.status", "turns.answer_kind": "turn.answer_kind",
    "turns.recording_id": "turn.recording_file", "turns.answer_text": "turn.typed_answer",
    "turns.transcript": "turn.transcript", "turns.assessment": "turn.assessment",
    "turns.metrics": "turn.speech_metrics", "turns.overall": "turn.overall_score",
    "recordings.mime": "recordings.mime", "recordings.size": "recordings.size_bytes",
    "recordings.duration_s": "recordings.duration_s", "documents.kind": "documents.kind",
    "documents.filename": "documents.filename", "documents.text": "documents.text",
    "credit_ledger.kind": "credit_ledger.kind", "credit_ledger.amount": "credit_ledger.amount",
    "credit_ledger.provider": "credit_ledger.provider",
    "credit_ledger.external_id": "credit_ledger.reference",
    "purchase_tokens.provider": "purchase_tokens.provider",
    "purchase_tokens.credits": "purchase_tokens.credits",
    "purchase_tokens.price": "purchase_tokens.price",
    "marketing_optins.opted_in_at": "marketing_email.opted_in_at",
    "marketing_optins.method": "marketing_email.method",
    "marketing_optins.opted_out_at": "marketing_email.opted_out_at",
    "marketing_optins.subscriber_id": "marketing_email.mailerlite_subscriber_id",
    "stories.tags": "stories.tags", "stories.overall": "stories.overall_score",
    "stories.question": "stories.question", "stories.text": "stories.text",
    "reminders.local_time": "practice_reminder.local_time",
    "reminders.timezone": "practice_reminder.timezone",
    "reminders.chat": "practice_reminder.chat_id",
}  # fmt: skip
NEIGHBOUR_MARKERS = ("NBRMARK", "Ned Neighbour", "ned@example.net", "neighbour-policy", "4242")


async def _person(db: Database, external_id: str, tag: str, audio: bytes) -> UserRecord:
    """A person with profile, consent, a two-turn session (text + voice) and a ledger entry."""
    async with db.unit_of_work() as uow:
        user = await uow.users.create("telegram", external_id, now=NOW - timedelta(days=3))
        await uow.users.set_target(user.id, role="software-engineer", level="mid")
        await uow.contacts.remember(
            user, ChatRef("telegram", external_id, external_id), now=NOW - timedelta(days=3)
        )
        await uow.consents.give(
            user.id, policy_version=f"{tag}-policy", purposes=("interview", "marketing"),
            age_confirmed=True, now=NOW - timedelta(days=3),
        )  # fmt: skip
        session = await uow.sessions.start(
            user.id, platform="telegram", role="software-engineer",
            level="mid", planned_questions=2, seed=7, now=NOW - timedelta(days=2),
        )  # fmt: skip
        first = await uow.turns.ask(
            session.id, seq=1, question_id="q-conflict", question_text=f"{tag} question one?",
            now=NOW - timedelta(days=2),
        )  # fmt: skip
        await uow.turns.record_answer(
            first.id, user, kind="text", text=f"{tag} typed answer", now=NOW - timedelta(days=2)
        )
        await uow.turns.record_result(
            first.id, user, transcript={"text": f"{tag} typed answer", "words": []},
            metrics={"word_count": 3}, assessment=_assessment(tag, 3), overall=3,
        )  # fmt: skip
        second = await uow.turns.ask(
            session.id, seq=2, question_id="q-failure", question_text=f"{tag} question two?",
            now=NOW - timedelta(days=2),
        )  # fmt: skip
        rec = await uow.recordings.save(
            user, audio, mime="audio/ogg; codecs=opus", duration_s=4.5, now=NOW - timedelta(days=2)
        )
        await uow.turns.record_answer(
            second.id, user, kind="voice", recording_id=rec.id, now=NOW - timedelta(days=2)
        )
        words = [{"text": f"{tag}spoken", "start_s": 0.25, "end_s": 0.9}]
        transcript = {"text": f"{tag}spoken transcript", "words": words, "language": "en"}
        await uow.turns.record_result(
            second.id, user, transcript=transcript, metrics={"words_per_minute": 131.5},
            assessment=_assessment(tag, 4), overall=4,
        )  # fmt: skip
        cv = uow.users.seal_text(user, "documents.text", f"{tag} CV: ten years of Python")
        await uow.conn.execute(
            sa.insert(documents).values(
                user_id=user.id, kind="cv", filename=f"{tag}-cv.pdf", text=cv, created_at=NOW
            )
        )  # no writer yet: stored as the repository seals it
        await uow.ledger.add(
            user.id, kind="grant", amount=5 if tag == "zelda" else 4242, provider="welcome",
            external_id=f"{tag}-grant", now=NOW - timedelta(days=1),
        )  # fmt: skip
        await uow.purchases.create(
            f"{tag}-token", user.id, provider="telegram-stars", credits=5, price=250,
            now=NOW - timedelta(days=1),
        )  # fmt: skip
        await uow.marketing.save(
            user.id, opted_in_at=NOW - timedelta(days=1), method="double opt-in e-mail",
            subscriber_id=f"{tag}-ml-1",
        )  # fmt: skip
        await uow.stories.save(
            user, text=f"{tag} story", question=f"{tag} question one?", tags=("conflict",),
            overall=3, now=NOW,
        )  # fmt: skip
        await uow.reminders.set(
            user, platform="telegram", chat_id=external_id, chat_user_id=external_id,
            local_time="08:30", timezone="Europe/Berlin", next_at=NOW, now=NOW,
        )  # fmt: skip
        return user


def _assessment(tag: str, overall: int) -> dict[str, Any]:
    dimension = {"name": "structure", "score": overall, "justification": "clear STAR"}
    return {
        "overall": overall,
        "dimensions": [{**dimension, "evidence": f"{tag} evidence quote"}],
        "feedback": f"{tag} feedback text",
    }


async def _export(db: Database, user: UserRecord, external_id: str) -> ExportFile:
    async with db.unit_of_work() as uow:
        return await build_export(
            uow, user, now=NOW, platform="telegram", external_id=external_id,
            contact="privacy@coach.example",
        )  # fmt: skip


def _open(export: ExportFile) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    archive = zipfile.ZipFile(io.BytesIO(export.data))
    assert archive.testzip() is None
    return archive, json.loads(archive.read("data.json").decode("utf-8"))


async def test_export_holds_every_stored_fact_and_the_decrypted_recording(
    database: Database,
) -> None:
    user = await _person(database, "555001", "zelda", AUDIO)
    async with database.unit_of_work() as uow:
        await uow.users.set_profile(user, display_name="Zelda Quill", email="zelda@example.org")
        await uow.deletions.request(user.id, now=NOW, due_at=NOW + timedelta(days=30))
    export = await _export(database, user, "555001")
    archive, data = _open(export)

    assert export.filename == "interview-coach-export-2026-11-27.zip"
    assert export.counts.as_dict() == {
        "consents": 1, "sessions": 1, "turns": 2, "recordings": 1, "documents": 1,
        "ledger_entries": 1, "stories": 1,
    }  # fmt: skip
    profile = data["profile"]
    assert (profile["display_name"], profile["email"]) == ("Zelda Quill", "zelda@example.org")
    assert profile["email_confirmed"] is False
    assert (profile["target_role"], profile["target_level"]) == ("software-engineer", "mid")
    assert profile["created_at"] == (NOW - timedelta(days=3)).isoformat()
    assert data["platform_identity"] == {"platform": "telegram", "id": "555001"}
    [consent] = data["consents"]
    assert consent["policy_version"] == "zelda-policy"
    assert consent["purposes"] == ["interview", "marketing"]
    assert consent["age_16_or_over_confirmed"] is True and consent["withdrawn_at"] is None

    [session] = data["interview_sessions"]
    typed, voice = session["turns"]
    assert (typed["answer_kind"], typed["typed_answer"]) == ("text", "zelda typed answer")
    assert typed["question"] == "zelda question one?" and typed["overall_score"] == 3
    assert voice["answer_kind"] == "voice" and voice["overall_score"] == 4
    assert voice["transcript"]["text"] == "zeldaspoken transcript"
    assert voice["transcript"]["words"][0] == {"text": "zeldaspoken", "start_s": 0.25, "end_s": 0.9}
    assert voice["speech_metrics"] == {"words_per_minute": 131.5}
    assert voice["assessment"]["dimensions"][0]["score"] == 4
    assert voice["assessment"]["dimensions"][0]["evidence"] == "zelda evidence quote"
    assert voice["assessment"]["feedback"] == "zelda feedback text"
    assert voice["answered_at"] == (NOW - timedelta(days=2)).isoformat()

    assert voice["recording_file"] == f"recordings/session-{session['id']}-question-2.ogg"
    assert archive.read(voice["recording_file"]) == AUDIO
    assert data["recordings"][0]["file"] == voice["recording_file"]
    [entry] = data["credit_ledger"]
    assert (entry["kind"], entry["amount"], entry["provider"]) == ("grant", 5, "welcome")
    [cv] = data["documents"]
    assert (cv["kind"], cv["filename"]) == ("cv", "zelda-cv.pdf")
    assert cv["text"] == "zelda CV: ten years of Python" and cv["has_file"] is False
    assert data["deletion_request"]["due_at"] == (NOW + timedelta(days=30)).isoformat()


async def test_readme_explains_every_file_in_the_archive(database: Database) -> None:
    user = await _person(database, "555002", "zelda", AUDIO)
    archive, _ = _open(await _export(database, user, "555002"))
    readme = archive.read("README.txt").decode("utf-8")
    assert "2026-11-27" in readme and "privacy@coach.example" in readme and "/delete" in readme
    for name in archive.namelist():
        assert name in readme
    for field in ("transcript", "speech_metrics", "assessment", "consents", "credit_ledger"):
        assert field in readme


async def test_a_neighbours_data_never_appears_in_the_export(database: Database) -> None:
    user = await _person(database, "555003", "zelda", AUDIO)
    neighbour = await _person(database, "999003", "NBRMARK", NEIGHBOUR_AUDIO)
    async with database.unit_of_work() as uow:
        await uow.users.set_profile(
            neighbour, display_name="Ned Neighbour", email="ned@example.net"
        )
        await uow.consents.give(
            neighbour.id, policy_version="neighbour-policy", purposes=("interview",),
            age_confirmed=True, now=NOW,
        )  # fmt: skip
    archive, data = _open(await _export(database, user, "555003"))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    for marker in NEIGHBOUR_MARKERS:
        assert marker.encode() not in everything
    assert NEIGHBOUR_AUDIO not in everything
    assert len(data["interview_sessions"]) == 1 and len(data["recordings"]) == 1


async def test_a_person_without_sessions_gets_a_valid_export(database: Database) -> None:
    async with database.unit_of_work() as uow:
        user = await uow.users.create("discord", "31337", now=NOW)
        await uow.consents.give(
            user.id, policy_version="v1", purposes=("interview",), age_confirmed=True, now=NOW
        )
    async with database.unit_of_work() as uow:
        export = await build_export(uow, user, now=NOW, platform="discord", external_id="31337")
    archive, data = _open(export)
    assert sorted(archive.namelist()) == ["README.txt", "data.json"]
    assert data["interview_sessions"] == [] and data["recordings"] == []
    assert data["credit_ledger"] == [] and data["deletion_request"] is None
    assert data["profile"]["display_name"] is None
    assert data["consents"][0]["policy_version"] == "v1"
    assert export.counts.sessions == 0 and export.counts.consents == 1


async def test_every_personal_column_of_the_data_registry_is_exported(database: Database) -> None:
    user = await _person(database, "555004", "zelda", AUDIO)
    _, data = _open(await _export(database, user, "555004"))
    session = data["interview_sessions"][0]
    sections = {
        "profile": data["profile"], "platform_identity": data["platform_identity"],
        "consents": data["consents"][0], "session": session, "turn": session["turns"][1],
        "recordings": data["recordings"][0], "credit_ledger": data["credit_ledger"][0],
        "documents": data["documents"][0], "contact_points": data["contact_points"][0],
        "purchase_tokens": data["purchase_tokens"][0], "marketing_email": data["marketing_email"],
        "stories": data["stories"][0], "practice_reminder": data["practice_reminder"],
    }  # fmt: skip
    personal = [
        f"{entry.name}.{column}"
        for entry in registry.TABLES
        if entry.link is not None
        for group in entry.groups
        if group.category != "operational"
        for column in group.columns
    ]
    assert personal, "the registry lists no personal columns"
    for column in personal:
        assert column in EXPORTED, f"{column} is in the registry but not in the export"
        section, key = EXPORTED[column].split(".")
        assert key in sections[section], f"{column}: {key} missing from data.json {section}"
