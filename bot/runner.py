"""What each `coach` subcommand does, on top of the wired application."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.app import App, build_app, export_document
from bot.config import Settings
from bot.core.errors import AudioError, CoachError
from bot.core.models import AudioClip, ChatRef, Question, Transcript
from bot.core.ports import Connector
from bot.flows.questions import normalise_level, normalise_role
from bot.scheduler import start_scheduler, stop_scheduler

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.adapters.telegram import TelegramOptions
    from bot.web import TelegramWebhook

LOCAL_NOTICE = (
    "Local practice: your answers are stored encrypted in {data_dir} on this machine. {note}\n"
    "By continuing you confirm you are 16 or older and agree to this. Type /help for "
    "commands, :voice PATH to answer with an audio file, :quit to finish.\n"
)


async def db(settings: Settings, action: str) -> int:
    app = build_app(settings)
    try:
        if action == "upgrade":
            await app.db.upgrade()
        print(f"schema revision: {await app.db.current_revision()} ({app.db.dialect})")
    finally:
        await app.close()
    return 0


async def purge(settings: Settings, as_of: str | None) -> int:
    """Run the purge once; `as_of` stands in for now (to check what a date would erase)."""
    now = _parse_instant(as_of) if as_of else None
    app = build_app(settings)
    try:
        await app.start()
        report = await app.purge.run(now=now)
    finally:
        await app.close()
    print(f"purge: {report}")
    return 1 if report.people_failed else 0


async def export(settings: Settings, user: str, out: Path) -> int:
    """Write one person's export for a support request; audited, with no id in the log."""
    platform, _, external_id = user.partition(":")
    if not platform or not external_id:
        raise CoachError("--user must look like PLATFORM:ID, e.g. telegram:123456")
    app = build_app(settings)
    try:
        await app.start()
        async with app.db.unit_of_work() as uow:
            person = await uow.users.find(platform, external_id)
            if person is None:
                raise CoachError("no data is held for that person")
            now = datetime.now(UTC)
            chat = ChatRef(platform, "", external_id)
            contact = settings.privacy_contact
            document = await export_document(uow, person, now, chat, contact=contact)
            await uow.audit.record(
                actor="operator:cli", action="privacy.export_by_support", now=now,
                detail={"person": app.hasher.tag(platform, external_id)},
            )  # fmt: skip
    finally:
        await app.close()
    out.write_bytes(document.data)
    print(f"wrote {out} ({len(document.data)} bytes)")
    return 0


async def audit(settings: Settings, since: str | None) -> int:
    """Print the audit log, oldest first: time, actor (a keyed hash), action, counts."""
    start = _parse_instant(since, option="--since") if since else None
    app = build_app(settings)
    try:
        await app.start()
        async with app.db.unit_of_work() as uow:
            entries = await uow.audit.since(start)
    finally:
        await app.close()
    for entry in entries:
        detail = json.dumps(entry.detail, sort_keys=True) if entry.detail else ""
        print(f"{entry.at.isoformat()}  {entry.actor}  {entry.action}  {detail}".rstrip())
    return 0


def _parse_instant(text: str, *, option: str = "--as-of") -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise CoachError(f"{option}: {text!r} is not an ISO date-time") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def run(settings: Settings) -> int:
    """Run every configured platform; with none, the terminal interview."""
    if settings.platforms:
        return await _serve(settings)
    return await _console(settings, opening=("/start",), background=True)


async def _serve(settings: Settings) -> int:
    """The chat platforms, the HTTP server and the scheduler on one loop until SIGINT/SIGTERM."""
    from bot.health import Health
    from bot.web import build_web_app, start_web

    app = build_app(settings)
    connectors = _connectors(settings, app.db.engine)
    stop, loop = asyncio.Event(), asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    started: list[Connector] = []
    try:
        await app.start()
        health = Health(app.db.engine, tuple(c.name for c in connectors), app.senders)
        web_app = build_web_app(
            telegram=_telegram_webhook(settings, connectors), lemonsqueezy=app.lemonsqueezy,
            health=health, metrics=app.metrics,
        )  # fmt: skip
        web = await start_web(web_app, host=settings.http_host, port=settings.http_port)
        scheduler = resuming = None
        try:
            for connector in connectors:
                await connector.start(app.engine.handle)
                started.append(connector)
                app.senders[connector.name] = connector
            resuming = asyncio.create_task(_keep_resuming(app, settings, stop))
            scheduler = start_scheduler(
                app.purge, interval_s=settings.purge_interval_s, reminders=app.reminders
            )
            health.scheduler = scheduler
            await stop.wait()
        finally:
            await web.cleanup()
            await _drain(app, started, resuming, grace_s=settings.shutdown_grace_s)
            if scheduler is not None:
                await stop_scheduler(scheduler)
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
        await app.close()
    return 0


async def _keep_resuming(app: App, settings: Settings, stop: asyncio.Event) -> None:
    """Finish answers a crash left unfinished (#12), now and every half lease."""
    from bot.flows.resume import keep_resuming

    interval = min(30.0, settings.turn_lease_s / 2)
    await keep_resuming(app.resumer(), app.senders, interval_s=interval, stop=stop)


async def _drain(
    app: App, started: list[Connector], resuming: asyncio.Task[None] | None, *, grace_s: float
) -> None:
    """Stop taking updates, then let turns in flight finish within `grace_s` (#12)."""

    async def stop_all() -> None:
        for connector in reversed(started):  # each stops fetching first, then drains
            await connector.stop()
            app.senders.pop(connector.name, None)
        if resuming is not None:
            await resuming

    try:
        await asyncio.wait_for(stop_all(), grace_s)
    except TimeoutError:
        logging.getLogger(__name__).warning(
            "answers still in progress after %.0f s; they resume on the next start", grace_s
        )


def _connectors(settings: Settings, db_engine: AsyncEngine) -> list[Connector]:
    """One connector per platform whose token is set; Discord shares `db_engine`."""
    connectors: list[Connector] = []
    if settings.telegram_bot_token:
        from bot.adapters.telegram import TelegramConnector

        connectors.append(TelegramConnector(_telegram_options(settings)))
    if settings.discord_bot_token:
        connectors.append(_discord_connector(settings, db_engine))
    return connectors


def _discord_connector(settings: Settings, db_engine: AsyncEngine) -> Connector:
    """Discord, with server settings in the application's database (its engine, shared)."""
    from bot.adapters.discord import DiscordConnector, DiscordOptions
    from storage.repos.discord import DiscordGuildStore

    assert settings.discord_bot_token is not None
    options = DiscordOptions(
        token=settings.discord_bot_token.get_secret_value(),
        api_base_url=settings.discord_api_base_url,
        gateway_url=settings.discord_gateway_url,
        guild_ids=tuple(int(g) for g in settings.discord_guild_ids.replace(",", " ").split()),
        shards=settings.discord_shards,
    )
    guilds = DiscordGuildStore(db_engine)
    return DiscordConnector(options, guilds=guilds)


def _telegram_webhook(settings: Settings, connectors: list[Connector]) -> TelegramWebhook | None:
    """The webhook route, when Telegram runs in webhook mode."""
    from bot.adapters.telegram import TelegramConnector
    from bot.web import TelegramWebhook

    secret = settings.telegram_webhook_secret
    for connector in connectors:
        if isinstance(connector, TelegramConnector) and connector.webhook_path and secret:
            return TelegramWebhook(
                connector.webhook_path, secret.get_secret_value(), connector.feed
            )
    return None


def _telegram_options(settings: Settings) -> TelegramOptions:
    from bot.adapters.telegram import TelegramOptions

    assert settings.telegram_bot_token is not None
    secret = settings.telegram_webhook_secret
    return TelegramOptions(
        token=settings.telegram_bot_token.get_secret_value(),
        api_base_url=settings.telegram_api_base_url,
        file_base_url=settings.telegram_file_base_url,
        webhook_url=settings.telegram_webhook_url,
        webhook_secret=secret.get_secret_value() if secret else None,
    )


async def practice(settings: Settings, args: argparse.Namespace) -> int:
    if args.questions is not None:
        settings = settings.model_copy(update={"questions_per_interview": args.questions})
    opening: tuple[str, ...] = ("/start",)
    if args.role:
        role = normalise_role(args.role)
        if role is None:
            raise CoachError(f"unknown role {args.role!r}; try software-engineer, sales, ...")
        level = normalise_level(args.level or "mid")
        if level is None:
            raise CoachError(f"unknown level {args.level!r}; use junior, mid or senior")
        opening = (f"restart:{role}:{level}",)
    return await _console(settings, opening=opening, audio_dir=args.audio_dir, play=args.play)


async def _console(
    settings: Settings,
    *,
    opening: tuple[str, ...],
    audio_dir: Path | None = None,
    play: bool = False,
    background: bool = False,
) -> int:
    """The terminal interview; `background` also runs the scheduled jobs (`coach run`)."""
    from bot.adapters.console import ConsoleAdapter
    from bot.app import processors_note

    app = build_app(settings.model_copy(update={"credits": "off"}))  # own machine: no credits
    if settings.log_level == "INFO":  # keep the conversation readable: only problems on stderr
        logging.getLogger().setLevel(logging.WARNING)
    try:
        await app.start()
        note = processors_note(app.stt, app.tts, app.coach)
        print(LOCAL_NOTICE.format(data_dir=settings.data_dir, note=note))
        adapter = ConsoleAdapter(
            stdin=sys.stdin, stdout=sys.stdout, opening=opening, play=play,
            audio_dir=audio_dir or settings.data_dir / "replies",
        )  # fmt: skip
        async with app.db.unit_of_work() as uow:
            await app.engine.consent.give(uow, adapter.chat)
        interval = settings.purge_interval_s
        scheduler = start_scheduler(app.purge, interval_s=interval) if background else None
        try:
            await adapter.start(app.engine.handle)
        finally:
            if scheduler is not None:
                await stop_scheduler(scheduler)
    finally:
        await app.close()
    return 0


async def score(settings: Settings, args: argparse.Namespace) -> int:
    """Score one answer without storing anything."""
    app = build_app(settings)
    try:
        result = await score_answer(app, args)
    except AudioError as exc:
        print(f"coach: {exc.user_message}", file=sys.stderr)
        return 2
    finally:
        await app.close()
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(result["feedback_text"])
    return 0


async def score_answer(app: App, args: argparse.Namespace) -> dict[str, object]:
    from bot.flows.metrics import speech_metrics
    from bot.flows.render import feedback_text
    from bot.flows.turn import AnswerInput, measure

    question = _question(args.question, args.role)
    if args.text is not None:
        answer = AnswerInput(text=args.text)
        transcript = Transcript(text=args.text)
        metrics = speech_metrics(transcript)
    else:
        data = args.audio.read_bytes()
        seconds = await app.codec.probe(data)
        answer = AnswerInput(audio=data, duration_s=seconds)
        clip = AudioClip(data, "audio/ogg", args.audio.name, seconds)
        transcript = await app.stt.transcribe(clip)
        metrics = await measure(answer, transcript, app.codec)
    assessment = await app.coach.assess(question=question, transcript=transcript, metrics=metrics)
    return {
        "overall": assessment.overall,
        "dimensions": {d.name: d.score for d in assessment.dimensions},
        "metrics": asdict(metrics),
        "feedback": assessment.feedback,
        "transcript": transcript.text,
        "question": question.text,
        "feedback_text": feedback_text(assessment, metrics),
    }


def _question(text: str | None, role_text: str) -> Question:
    from bot.flows.questions import load_bank

    role = normalise_role(role_text) or "behavioural"
    bank = load_bank(role)
    if text is None:
        return bank[0]
    match = next((q for q in bank if q.text.strip().lower() == text.strip().lower()), None)
    return match or replace(bank[0], id="custom", text=text, keywords=(), strong_answer=())
