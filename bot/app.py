"""Composition root: the only module that knows every concrete class."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any

from bot.admin.feature import admin_feature
from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.errors import ConfigError
from bot.core.models import ChatRef, Document
from bot.core.ports import AudioCodec, Coach, ReplySink, SpeechToText, TextToSpeech
from bot.core.records import UserRecord
from bot.core.store import UnitOfWork
from bot.core.usage import UsageMeter
from bot.flows.engine import FlowEngine
from bot.flows.features import Features
from bot.flows.inbox import TurnInbox
from bot.flows.interview import InterviewFlow, InterviewSettings
from bot.flows.limits import RateLimits
from bot.flows.reminders import ReminderJob, RemindersFeature
from bot.flows.resume import Resumer
from bot.flows.rewrite import Rewriter, StrongerAnswerFeature
from bot.flows.stories import StoriesFeature
from bot.flows.turn import AnswerLimits
from bot.flows.voice import Voice
from bot.marketing.confirmation import email_codes
from bot.marketing.optin import MarketingFeature, subscriber_forgetter
from bot.metrics import Metrics
from bot.payments.credits import Credits, CreditsFeature, credit_policy
from bot.payments.wiring import lemonsqueezy_webhook, mailing_list, payments_feature
from bot.privacy.consent import ConsentGate
from bot.privacy.export import build_export
from bot.privacy.hashing import PersonHasher
from bot.privacy.notice import privacy_notice
from bot.privacy.purge import PurgeJob
from bot.privacy.rights import PrivacyRights, RightsSettings
from storage.blobs import FileBlobStore
from storage.db import Database, create_engine
from storage.sealing import KeyRing, load_master_key

if TYPE_CHECKING:
    from bot.providers.coach.llm import ChatModel

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
    lemonsqueezy: Any = None
    """The Lemon Squeezy webhook's aiohttp handler, when its secret is set (#8)."""
    reminders: ReminderJob | None = None
    """Sends the due practice reminders through `senders`; the scheduler runs it (#10)."""
    metrics: Metrics = field(default_factory=Metrics)
    """Prometheus metrics of this process, served at /metrics (#9)."""
    usage: UsageMeter = field(default_factory=UsageMeter)
    """Every cloud provider call (`bot.core.usage.Usage`); add listeners to export it (#4)."""

    async def start(self) -> None:
        """Bring the schema up to date and start the codec processes; the rest is lazy."""
        await self.db.upgrade()
        await self.codec.warm_up()
        voice = self.tts.name if self.tts else "none (text only)"
        log.info(
            "providers: speech-to-text %s, coach %s, voice %s",
            self.stt.name,
            self.coach.name,
            voice,
        )

    def resumer(self) -> Resumer:
        """Finishes answers a crash or restart left unfinished (#12)."""
        engine = self.engine
        return Resumer(
            store=self.db, interview=engine.interview, codec=self.codec, clock=engine.clock,
            lock_for=engine.lock_for,
        )  # fmt: skip

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
    meter: UsageMeter = overrides.get("meter") or UsageMeter()
    stt: SpeechToText = overrides.get("stt") or _stt(settings, meter)
    tts: TextToSpeech | None = overrides["tts"] if "tts" in overrides else _tts(settings, meter)
    coach: Coach = overrides.get("coach") or _coach(settings, meter)
    rewriter: Rewriter = overrides.get("rewriter") or _rewriter(settings, coach)
    limits = AnswerLimits(settings.max_answer_seconds, settings.max_audio_bytes)
    credits = Credits(clock=clock, policy=credit_policy(settings))
    interview = InterviewFlow(
        store=db, stt=stt, coach=coach, codec=codec, clock=clock,
        voice=Voice(tts, codec, streaming=settings.voice_streaming),
        hooks=credits, rewriter=rewriter,
        settings=InterviewSettings(questions=settings.questions_per_interview, limits=limits),
        inbox=TurnInbox(clock=clock, lease_s=settings.turn_lease_s), meter=meter,
    )  # fmt: skip
    processors = processors_note(stt, tts, coach)
    mailing = mailing_list(settings)
    codes = email_codes(settings, master)  # the bot's own double opt-in, over SMTP
    purge = PurgeJob(
        db=db, clock=clock, financial_retention_years=settings.financial_retention_years,
        forgetters=[subscriber_forgetter(db, mailing)] if mailing else [],
    )  # fmt: skip
    rights = PrivacyRights(
        store=db, clock=clock, hasher=hasher, eraser=purge,
        exporter=partial(export_document, contact=settings.privacy_contact),
        settings=RightsSettings(
            grace_days=settings.deletion_grace_days, exports_per_day=settings.exports_per_day,
            contact=settings.privacy_contact,
        ),
    )  # fmt: skip
    senders: dict[str, ReplySink] = {}
    asked = interview.question_of
    features = Features(
        features=[
            admin_feature(settings, db, clock, hasher, purge, rights.exporter, senders),
            CreditsFeature(store=db, credits=credits),
            payments_feature(settings, db, clock, credits),
            MarketingFeature(store=db, clock=clock, rights=rights, mailing=mailing, codes=codes),
            StrongerAnswerFeature(store=db, rewriter=rewriter, question_of=asked),
            StoriesFeature(store=db, clock=clock, rewriter=rewriter, question_of=asked),
            RemindersFeature(store=db, clock=clock),
        ],
        guards=[
            RateLimits(clock, settings.rate_voice_per_minute, settings.rate_interviews_per_day),
            credits,
        ],
    )
    engine = FlowEngine(
        store=db, interview=interview, clock=clock, hasher=hasher, rights=rights,
        features=features,
        consent=ConsentGate(
            clock=clock, hasher=hasher, processors_note=processors, on_consent=credits.welcome,
        ),
        max_answer_minutes=settings.max_answer_seconds / 60,
        privacy_text=privacy_notice(
            processors=processors, contact=settings.privacy_contact,
            grace_days=settings.deletion_grace_days,
            financial_years=settings.financial_retention_years,
        ),
    )  # fmt: skip
    app = App(settings, db, engine, stt, tts, coach, codec, hasher, purge, senders)
    app.lemonsqueezy = lemonsqueezy_webhook(settings, db, clock)
    app.usage = meter
    app.metrics.count_purge_runs(purge.runs)
    meter.add_listener(app.metrics.record_usage)  # provider latency and errors for /metrics
    app.reminders = ReminderJob(store=db, clock=clock, senders=senders, hasher=hasher)
    return app


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


def _stt(settings: Settings, meter: UsageMeter | None = None) -> SpeechToText:
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
        timeout_s=settings.provider_timeout_s, max_retries=settings.provider_max_retries,
        meter=meter,
    )  # fmt: skip
    return FallbackSTT(cloud, PocketsphinxSTT())


def _tts(settings: Settings, meter: UsageMeter | None = None) -> TextToSpeech | None:
    """flite (espeak-ng behind it), or a cloud voice over them: Cartesia (COACH_TTS=cartesia,
    or auto with its key) or OpenAI-compatible speech (COACH_TTS=openai)."""
    if settings.tts_engine == "none":
        return None
    from bot.providers.tts.espeak import EspeakTTS
    from bot.providers.tts.fallback import FallbackTTS
    from bot.providers.tts.flite import FliteTTS

    offline = (EspeakTTS(),) if settings.tts_engine == "espeak" else (
        FliteTTS(voice=settings.tts_voice), EspeakTTS(),
    )  # fmt: skip
    from bot.providers.tts.bounded import BoundedTTS

    engine, key = settings.tts_engine, settings.cartesia_api_key
    if engine in ("flite", "espeak") or (engine == "auto" and key is None):
        local = offline[0] if len(offline) == 1 else FallbackTTS(*offline)
        return BoundedTTS(local, limit=settings.tts_concurrency)  # sentences run concurrently
    make = _openai_speech if engine == "openai" else _cartesia
    voice = make(settings, meter)
    cloud = BoundedTTS(voice, limit=settings.tts_concurrency)
    return FallbackTTS(cloud, *offline)


def _cartesia(settings: Settings, meter: UsageMeter | None) -> TextToSpeech:
    """Cartesia from its settings; the key and a voice id are required."""
    from bot.providers.tts.cartesia import CartesiaTTS

    if settings.cartesia_api_key is None:
        raise ConfigError("CARTESIA_API_KEY: required when COACH_TTS=cartesia")
    if not settings.tts_voice_id:
        raise ConfigError("COACH_TTS_VOICE_ID: required with Cartesia (CARTESIA_API_KEY)")
    return CartesiaTTS(
        api_key=settings.cartesia_api_key.get_secret_value(), voice_id=settings.tts_voice_id,
        base_url=settings.cartesia_base_url, model=settings.tts_model,
        timeout_s=settings.provider_timeout_s, max_retries=settings.provider_max_retries,
        meter=meter,
    )  # fmt: skip


def _openai_speech(settings: Settings, meter: UsageMeter | None) -> TextToSpeech:
    """OpenAI-compatible `/v1/audio/speech` with OPENAI_API_KEY and OPENAI_BASE_URL."""
    from bot.providers.tts.openai_speech import OpenAISpeechTTS

    if settings.openai_api_key is None:
        raise ConfigError("OPENAI_API_KEY: required when COACH_TTS=openai")
    return OpenAISpeechTTS(
        api_key=settings.openai_api_key.get_secret_value(), base_url=settings.openai_base_url,
        model=settings.tts_openai_model, voice=settings.tts_openai_voice,
        timeout_s=settings.provider_timeout_s, max_retries=settings.provider_max_retries,
        meter=meter,
    )  # fmt: skip


def _coach(settings: Settings, meter: UsageMeter | None = None) -> Coach:
    """The rule-based coach, or a language model over it: Claude (COACH_LLM=anthropic, or auto
    with its key) or any OpenAI-compatible chat server (COACH_LLM=openai)."""
    from bot.providers.coach.rules import RuleBasedCoach

    offline = RuleBasedCoach()
    engine, key = settings.llm_engine, settings.anthropic_api_key
    if engine == "rules" or (engine == "auto" and key is None):
        return offline
    from bot.providers.coach.fallback import FallbackCoach
    from bot.providers.coach.llm import ModelCoach

    model = (_openai_chat if engine == "openai" else _claude)(settings, meter)
    return FallbackCoach(ModelCoach(model, fallback_questions=offline), offline)


def _rewriter(settings: Settings, coach: Coach) -> Rewriter:
    """The "Stronger answer" writer: Claude when the coach is Claude, else the offline one."""
    from bot.providers.coach.rule_rewrite import RuleRewriter

    key = settings.anthropic_api_key
    if key is None or "anthropic" not in coach.name:
        return RuleRewriter()
    from bot.providers.coach.claude_rewrite import ClaudeRewriter

    return ClaudeRewriter(
        api_key=key.get_secret_value(), base_url=settings.anthropic_base_url,
        model=settings.llm_model, timeout_s=settings.llm_timeout_s,
        max_retries=settings.provider_max_retries,
    )  # fmt: skip


def _claude(settings: Settings, meter: UsageMeter | None) -> ChatModel:
    from bot.providers.coach.claude import ClaudeModel

    key = settings.anthropic_api_key
    if key is None:
        raise ConfigError("ANTHROPIC_API_KEY: required when COACH_LLM=anthropic")
    return ClaudeModel(
        api_key=key.get_secret_value(), base_url=settings.anthropic_base_url,
        model=settings.llm_model, timeout_s=settings.llm_timeout_s,
        max_retries=settings.provider_max_retries, meter=meter,
    )  # fmt: skip


def _openai_chat(settings: Settings, meter: UsageMeter | None) -> ChatModel:
    """An OpenAI-compatible chat server: its own URL and key, else OpenAI's settings."""
    from bot.providers.coach.openai_chat import OpenAIChatModel

    if "llm_model" not in settings.model_fields_set:
        raise ConfigError("COACH_LLM_MODEL: name the chat model to use with COACH_LLM=openai")
    key = settings.llm_api_key or settings.openai_api_key
    return OpenAIChatModel(
        model=settings.llm_model, base_url=settings.llm_base_url or settings.openai_base_url,
        api_key=key.get_secret_value() if key else None, timeout_s=settings.llm_timeout_s,
        max_retries=settings.provider_max_retries, meter=meter,
    )  # fmt: skip
