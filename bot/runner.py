"""What each `coach` subcommand does, on top of the wired application."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict, replace
from pathlib import Path

from bot.app import App, build_app
from bot.config import Settings
from bot.core.errors import AudioError, CoachError
from bot.core.models import AudioClip, Question, Transcript
from bot.flows.questions import normalise_level, normalise_role

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


async def run(settings: Settings) -> int:
    """Run every configured platform; with none, the terminal interview."""
    if settings.platforms:
        names = ", ".join(settings.platforms)
        raise CoachError(
            f"a token is set for {names}, but this version has no adapter for it yet; "
            "unset the token to use the terminal interview"
        )
    return await _console(settings, opening=("/start",))


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
) -> int:
    from bot.adapters.console import ConsoleAdapter
    from bot.app import processors_note

    app = build_app(settings)
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
        await adapter.start(app.engine.handle)
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
        pcm = await app.codec.decode(data)
        answer = AnswerInput(audio=data, pcm=pcm)
        clip = AudioClip(data, "audio/ogg", args.audio.name, pcm.duration_s)
        transcript = await app.stt.transcribe(clip)
        metrics = measure(answer, transcript)
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
