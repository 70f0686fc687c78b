"""The `coach` command: run, practice, score, purge, export, audit, db."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import Settings, load_settings
from bot.core.errors import CoachError
from bot.logs import configure_logging


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coach", description="Interview coach: practise job interviews by voice or text."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="run the bot (the terminal interview when no platform token is set)")
    practice = sub.add_parser("practice", help="a mock interview in the terminal")
    practice.add_argument("--role", help="e.g. software-engineer, data-scientist, sales")
    practice.add_argument("--level", default=None, help="junior, mid or senior (default mid)")
    practice.add_argument("--questions", type=int, default=None, help="number of questions")
    practice.add_argument("--audio-dir", type=Path, default=None, help="where spoken replies go")
    practice.add_argument("--play", action="store_true", help="play spoken replies")
    score = sub.add_parser("score", help="score one answer")
    source = score.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="the answer as text")
    source.add_argument("--audio", type=Path, help="the answer as an audio file")
    score.add_argument("--question", help="the question that was answered")
    score.add_argument("--role", default="behavioural", help="role whose bank gives context")
    score.add_argument("--json", action="store_true", help="print JSON")
    purge = sub.add_parser("purge", help="erase everyone whose deletion grace period ended")
    purge.add_argument("--as-of", help="treat this ISO date-time as now (e.g. 2027-01-31T00:00Z)")
    export = sub.add_parser("export", help="a person's data export, for support requests")
    export.add_argument("--user", required=True, help="PLATFORM:ID, e.g. telegram:123456")
    export.add_argument("--out", type=Path, required=True, help="where to write the ZIP")
    audit = sub.add_parser("audit", help="print the audit log (keyed hashes and counts)")
    audit.add_argument("--since", help="only entries from this ISO date-time on")
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="apply migrations (also done at start-up)")
    db_sub.add_parser("current", help="print the schema revision")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        settings = load_settings()
        configure_logging(settings.log_level, settings.log_format)
        return asyncio.run(_dispatch(args, settings))
    except CoachError as exc:
        print(f"coach: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    from bot import runner

    if args.command == "db":
        return await runner.db(settings, args.db_command)
    if args.command == "score":
        return await runner.score(settings, args)
    if args.command == "purge":
        return await runner.purge(settings, args.as_of)
    if args.command == "export":
        return await runner.export(settings, args.user, args.out)
    if args.command == "audit":
        return await runner.audit(settings, args.since)
    if args.command == "practice":
        return await runner.practice(settings, args)
    return await runner.run(settings)


if __name__ == "__main__":
    raise SystemExit(main())
