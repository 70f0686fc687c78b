"""Shared fixtures: databases (SQLite always, PostgreSQL when COACH_TEST_POSTGRES_URL is set)."""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from storage.blobs import FileBlobStore
from storage.db import Database, create_engine
from storage.sealing import KeyRing
from tests.fake_servers.telegram_api import FakeBotApi
from tests.world import World, make_world

POSTGRES_URL = os.environ.get("COACH_TEST_POSTGRES_URL", "")
POSTGRES_SKIP = (
    "PostgreSQL contract tests NOT RUN: set COACH_TEST_POSTGRES_URL "
    "(e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test); CI sets it"
)


def pytest_report_header(config: pytest.Config) -> str:
    if POSTGRES_URL:
        return f"postgres tests: ON ({make_url(POSTGRES_URL).render_as_string(hide_password=True)})"
    return "postgres tests: OFF -- " + POSTGRES_SKIP


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Say plainly how the PostgreSQL tests went (CI's log must show them running)."""
    outcomes: dict[str, int] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if "[postgres" in getattr(report, "nodeid", "") and report.when in ("call", "setup"):
                if outcome == "passed" and report.when != "call":
                    continue
                outcomes[outcome] = outcomes.get(outcome, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(outcomes.items())) or "none collected"
    terminalreporter.write_line(
        f"PostgreSQL tests: {summary}" + ("" if POSTGRES_URL else f" -- {POSTGRES_SKIP}")
    )


async def _fresh_postgres_database() -> str:
    """Create a throwaway database next to the configured one and return its URL."""
    admin = create_engine(POSTGRES_URL)
    name = f"coach_test_{secrets.token_hex(4)}"
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        await conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


async def _drop_postgres_database(url: str) -> None:
    admin = create_engine(POSTGRES_URL)
    async with admin.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        name = make_url(url).database
        await conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database of each kind."""
    keyring = KeyRing(secrets.token_bytes(32))
    if request.param == "postgres":
        if not POSTGRES_URL:
            pytest.skip(POSTGRES_SKIP)
        url = await _fresh_postgres_database()
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"
    db = Database(create_engine(url), keyring, FileBlobStore(tmp_path / "blobs"))
    await db.upgrade()
    try:
        yield db
    finally:
        await db.close()
        if request.param == "postgres":
            await _drop_postgres_database(url)


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(
        create_engine(f"sqlite+aiosqlite:///{tmp_path / 'coach.db'}"),
        KeyRing(secrets.token_bytes(32)),
        FileBlobStore(tmp_path / "blobs"),
    )
    await db.upgrade()
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    """The wired application with fakes of the speech, voice, codec and coach ports."""
    w = await make_world(tmp_path)
    yield w
    await w.app.close()


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """A loopback fake of the Telegram Bot API."""
    server = FakeBotApi()
    await server.start()
    yield server
    await server.stop()
