"""Composition root: the only module that knows every concrete class."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.errors import ConfigError
from bot.core.models import ChatRef, Document
from bot.core.ports import AudioCodec, Coach, ReplySink, SpeechToText, TextToSpeech
from bot.core.records import UserRecord
from bot.core.store import UnitOfWork
from bot.flows.engine import FlowEngine
from bot.flows.features import Features
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
    senders: dict[str, ReplySink] = field(default_factory=dict)
    """Connected platforms by name, for messages outside a conversation (notices...)."""

    async def start(self) -> None:
        """Bring the schema up to date; everything else starts lazily."""
        await self.db.upgrade()
        voice = self.tts.name if self.tts else "none (text only)"
        log.info(
            "providers: speech-to-text %s, coach %s, voice %s",
            self.stt.name,
            self.coach.name,
            voice,
        )

    async def close(self) -> None:
        """Stop provider workers (the offline recogniser runs in processes), then the database."""
        for provider in _leaves(self.stt, self.tts, self.coach):
            aclose = getattr(provider, "aclose", None)
            if callable(aclose):
                await aclose()
            close = getattr(provider, "close", None)
            if callable(close):
                close()
        await self.db.close()


def _leaves(*providers: object) -> list[object]:
    """The providers themselves, looking inside fallback chains (`.providers`)."""
    found: list[object] = []
    for provider in providers:
        inner = getattr(provider, "providers", None)
        found += _leaves(*inner) if isinstance(inner, tuple) else [provider]
    return [p for p in found if p is not None]


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
    coach: Coach = overrides.get("coach") or _coach(settings)
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
    senders: dict[str, ReplySink] = {}
    features = Features(
        features=[
            # -- features of #6 #8 #9 #10 #12, one line each --
        ],
        guards=[
            # -- guards of #8 #9, one line each --
        ],
    )
    engine = FlowEngine(
        store=db, interview=interview, clock=clock, hasher=hasher, rights=rights,
        features=features,
        consent=ConsentGate(clock=clock, hasher=hasher, processors_note=processors),
        max_answer_minutes=settings.max_answer_seconds / 60,
        privacy_text=privacy_notice(
            processors=processors, contact=settings.privacy_contact,
            grace_days=settings.deletion_grace_days,
            financial_years=settings.financial_retention_years,
        ),
    )  # fmt: skip
    return App(settings, db, engine, stt, tts, coach, codec, hasher, purge, senders)


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
    local = {"pocketsphinx", "flite", "espeak-ng", "rules"}
    names = {stt.name, coach.name, *((tts.name,) if tts else ())}
    parts = {part for name in names for part in name.split("+")}  # fallback chains
    remote = sorted(n for n in parts if n not in local)
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
    """pocketsphinx, or Whisper over it (COACH_STT=openai, or auto with OPENAI_API_KEY)."""
    from bot.providers.stt.pocketsphinx import PocketsphinxSTT

    key = settings.openai_api_key
    engine = settings.stt_engine
    if engine == "pocketsphinx" or (engine == "auto" and key is None):
        return PocketsphinxSTT()
    if key is None:
        raise ConfigError("OPENAI_API_KEY: required when COACH_STT=openai")
    from bot.providers.fallback_stt import FallbackSTT
    from bot.providers.stt.openai_whisper import OpenAIWhisperSTT

    cloud = OpenAIWhisperSTT(
        api_key=key.get_secret_value(), base_url=settings.openai_base_url,
        model=settings.stt_model, language=settings.stt_language,
        timeout_s=settings.provider_timeout_s,
    )  # fmt: skip
    return FallbackSTT(cloud, PocketsphinxSTT())


def _tts(settings: Settings) -> TextToSpeech | None:
    """flite (espeak-ng behind it), or Cartesia over them (COACH_TTS=cartesia, or auto + key)."""
    if settings.tts_engine == "none":
        return None
    from bot.providers.tts.espeak import EspeakTTS
    from bot.providers.tts.fallback import FallbackTTS
    from bot.providers.tts.flite import FliteTTS

    offline = (EspeakTTS(),) if settings.tts_engine == "espeak" else (
        FliteTTS(voice=settings.tts_voice), EspeakTTS(),
    )  # fmt: skip
    engine, key = settings.tts_engine, settings.cartesia_api_key
    if engine in ("flite", "espeak") or (engine == "auto" and key is None):
        return offline[0] if len(offline) == 1 else FallbackTTS(*offline)
    from bot.providers.tts.bounded import BoundedTTS

    cloud = BoundedTTS(_cartesia(settings), limit=settings.tts_concurrency)
    return FallbackTTS(cloud, *offline)


def _cartesia(settings: Settings) -> TextToSpeech:
    """Cartesia from its settings; the key and a voice id are required."""
    from bot.providers.tts.cartesia import CartesiaTTS

    if settings.cartesia_api_key is None:
        raise ConfigError("CARTESIA_API_KEY: required when COACH_TTS=cartesia")
    if not settings.tts_voice_id:
        raise ConfigError("COACH_TTS_VOICE_ID: required with Cartesia (CARTESIA_API_KEY)")
    return CartesiaTTS(
        api_key=settings.cartesia_api_key.get_secret_value(), voice_id=settings.tts_voice_id,
        base_url=settings.cartesia_base_url, model=settings.tts_model,
        timeout_s=settings.provider_timeout_s,
    )  # fmt: skip


def _coach(settings: Settings) -> Coach:
    """The rule-based coach, or Claude over it (COACH_LLM=anthropic, or auto with its key)."""
    from bot.providers.coach.rules import RuleBasedCoach

    offline = RuleBasedCoach()
    engine, key = settings.llm_engine, settings.anthropic_api_key
    if engine == "rules" or (engine == "auto" and key is None):
        return offline
    if key is None:
        raise ConfigError("ANTHROPIC_API_KEY: required when COACH_LLM=anthropic")
    from bot.providers.coach.claude import ClaudeCoach
    from bot.providers.coach.fallback import FallbackCoach
    from bot.providers.retry import RetryPolicy

    claude = ClaudeCoach(
        api_key=key.get_secret_value(), base_url=settings.anthropic_base_url,
        model=settings.llm_model, timeout_s=settings.llm_timeout_s, retry=RetryPolicy(),
        fallback_questions=offline,
    )  # fmt: skip
    return FallbackCoach(claude, offline)
