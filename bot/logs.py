"""Logging set-up: text or JSON lines. Messages use %s arguments and never carry content."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from bot.core.tracing import TURN_ID

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [turn %(turn_id)s]: %(message)s"


class TurnIdFilter(logging.Filter):
    """Stamp every record with the current turn id (`-` outside a turn)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.turn_id = TURN_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "turn_id": getattr(record, "turn_id", TURN_ID.get()),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(level: str = "INFO", fmt: str = "text") -> None:
    """Log to stderr; quiet the chattiest libraries."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    handler.addFilter(TurnIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "alembic", "aiosqlite", "asyncio", "matplotlib", "PIL"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
