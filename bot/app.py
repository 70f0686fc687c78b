"""Composition root: the only module that knows every concrete class."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.models import ChatRef, Document
from bot.core.ports import AudioCodec, Coach, SpeechToText, TextToSpeech
from bot.core.records import UserRecord
from bot.core.store import UnitOfWork
from bot.flows.engine import FlowEngine
from bot.flows.interview import InterviewFlow, InterviewSettings
from bot.flows.turn import AnswerLimits
from bot.flows.voice import Voice
from bot.privacy.consent import ConsentGate
from bot.privacy.export import build_export
from bot.privacy.hashing import PersonHasher
from bot.privacy.notice import privacy_notice
from bot.privacy.purge import PurgeJob
from bot.privacy.rights import PrivacyRights, RightsSettings
from storage.blobs import FileBlobStore
from storage.db import Database, create_engine
from storage.sealing import KeyRing, load_master_key

log = logging.getLogger(__name__)


@dataclass(slots=True)
class App:
    settings: Settings
    db: Database
    engine: FlowEngine
    stt: SpeechToText
    tts: TextToSpeech | None
    coach: Coach
    codec: AudioCodec
    hasher: PersonHasher
    purge: PurgeJob

    async def start(self) -> None:
        """Bring the schema up to date; everything else starts lazily."""
        await self.db.upgrade()

    async def close(self) -> None:
        """Stop provider workers (the offline recogniser runs in processes), then the database."""
        close = getattr(self.stt, "close", None)
        if callable(close):
            close()
        await self.db.close()


def build_app(settings: Settings, **overrides: Any) -> App:
    """Wire the application; tests pass fakes as overrides (stt=, tts=, coach=, clock=...)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    secret = settings.master_key.get_secret_value() if settings.master_key else None
    master = load_master_key(secret, settings.master_key_file)
    hasher = PersonHasher(master)
    clock: Clock = overrides.get("clock") or SystemClock()
    db: Database = overrides.get("db") or Database(
        create_engine(settings.db_url), KeyRing(master), FileBlobStore(settings.data_dir / "blobs")
    )
    codec: AudioCodec = overrides.get("codec") or _codec(settings)
    stt: SpeechToText = overrides.get("stt") or _stt(settings)
    tts: TextToSpeech | None = overrides["tts"] if "tts" in overrides else _tts(settings)
    coach: Coach = overrides.get("coach") or _coach()
    limits = AnswerLimits(settings.max_answer_seconds, settings.max_audio_bytes)
    interview = InterviewFlow(
        store=db, stt=stt, coach=coach, voice=Voice(tts, codec), codec=codec, clock=clock,
        settings=InterviewSettings(questions=settings.questions_per_interview, limits=limits),
    )  # fmt: skip
    processors = processors_note(stt, tts, coach)
    purge = PurgeJob(
        db=db, clock=clock, financial_retention_years=settings.financial_retention_years
    )
    rights = PrivacyRights(
        store=db, clock=clock, hasher=hasher, eraser=purge,
        exporter=partial(export_document, contact=settings.privacy_contact),
        settings=RightsSettings(
            grace_days=settings.deletion_grace_days, exports_per_day=settings.exports_per_day,
            contact=settings.privacy_contact,
        ),
    )  # fmt: skip
    engine = FlowEngine(
        store=db, interview=interview, clock=clock, hasher=hasher, rights=rights,
        consent=ConsentGate(clock=clock, hasher=hasher, processors_note=processors),
        max_answer_minutes=settings.max_answer_seconds / 60,
        privacy_text=privacy_notice(
            processors=processors, contact=settings.privacy_contact,
            grace_days=settings.deletion_grace_days,
            financial_years=settings.financial_retention_years,
        ),
    )  # fmt: skip
    return App(settings, db, engine, stt, tts, coach, codec, hasher, purge)


async def export_document(
    uow: UnitOfWork, user: UserRecord, now: datetime, chat: ChatRef, *, contact: str
) -> Document:
    """The person's export as a chat document (the ZIP from bot.privacy.export)."""
    export = await build_export(
        uow, user, now=now, platform=chat.platform, external_id=chat.user_id, contact=contact
    )
    return Document(export.filename, export.data, "application/zip")


def processors_note(stt: SpeechToText, tts: TextToSpeech | None, coach: Coach) -> str:
    """Which third parties receive what, from the providers actually configured."""
    local = {"pocketsphinx", "flite", "espeak-ng", "flite+espeak-ng", "rules"}
    names = {stt.name, coach.name, *((tts.name,) if tts else ())}
    remote = sorted(n for n in names if n not in local)
    if not remote:
        return (
            "Speech recognition, scoring and the voice all run on this server; nothing is "
            "sent to third parties."
        )
    return "Sent to these processors to run the service: " + ", ".join(remote) + "."


def _codec(settings: Settings) -> AudioCodec:
    from bot.audio import AudioLimits
    from bot.providers.codec import PyAvCodec

    return PyAvCodec(AudioLimits(settings.max_answer_seconds, settings.max_audio_bytes))


def _stt(settings: Settings) -> SpeechToText:
    from bot.providers.stt.pocketsphinx import PocketsphinxSTT

    return PocketsphinxSTT()


def _tts(settings: Settings) -> TextToSpeech | None:
    if settings.tts_engine == "none":
        return None
    from bot.providers.tts.espeak import EspeakTTS
    from bot.providers.tts.fallback import FallbackTTS
    from bot.providers.tts.flite import FliteTTS

    if settings.tts_engine == "espeak":
        return EspeakTTS()
    return FallbackTTS(FliteTTS(voice=settings.tts_voice), EspeakTTS())


def _coach() -> Coach:
    from bot.providers.coach.rules import RuleBasedCoach

    return RuleBasedCoach()
